/**
 * A random id of 20 characters from `[0-9a-v]` (100 bits; visitor ids must match
 * `VISITOR_ID_PATTERN`, event and session ids use the same), from Web Crypto: a visitor id is
 * the only thing that keeps a forger (the write key is public) from adding touches to a real
 * visitor's history, so it must not be guessable, and `Math.random`'s state can be recovered
 * from a few of its outputs. The generator's first call of a page costs under a millisecond
 * (measured after the first localStorage access), paid in the tracker's start task.
 */
export const uid = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => (byte & 31).toString(32)).join('');

/**
 * A stable 32-bit hash (FNV-1a) of `text`: the holdout cohort of a visitor id, and the mark of
 * what `identify` sent.
 *
 * @example hash('abc') // 440920331
 */
export const hash = (text: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
};

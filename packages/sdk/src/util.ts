/** 20 characters of `[0-9a-v]`: the low 5 bits of each of 20 bytes (100 bits). */
const id20 = (bytes: Uint8Array) => Array.from(bytes, (byte) => (byte & 31).toString(32)).join('');

/**
 * An event or session id: unique, not secret, from `Math.random`, which costs a fraction of
 * Web Crypto per id (events are made while the visitor interacts).
 */
export const uid = () => id20(Uint8Array.from({ length: 20 }, () => Math.random() * 32));

/**
 * A visitor id, of the same shape (`VISITOR_ID_PATTERN`), from Web Crypto: it is what keeps a
 * forger (the write key is public) from adding touches to a real visitor's history, so it must
 * not be guessable, and `Math.random`'s state can be recovered from a few of its outputs. Made
 * once per visitor; the generator's first call of a page costs under a millisecond (measured
 * after the first localStorage access), in the tracker's start task.
 */
export const secureUid = () => id20(crypto.getRandomValues(new Uint8Array(20)));

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

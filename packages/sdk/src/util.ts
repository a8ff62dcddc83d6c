/**
 * A random id of 20 characters from `[0-9a-v]` (100 bits, Web Crypto; works on http too, unlike
 * `randomUUID`). Visitor ids must match `VISITOR_ID_PATTERN`; event and session ids use the same.
 */
export const uid = () => Array.from(crypto.getRandomValues(new Uint8Array(20)), (n) => (n & 31).toString(32)).join('');

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

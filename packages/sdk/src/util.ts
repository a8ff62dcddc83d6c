/**
 * A random id of 20 characters from `[0-9a-v]` (Visitor ids must match `VISITOR_ID_PATTERN`; event
 * and session ids use the same). `Math.random`, not Web Crypto: ids need to be unique, not secret
 * (the write key is public, anyone can send any id), and the first Web Crypto call of a page
 * initialises a generator, which cost more than the rest of the tag's start-up.
 */
export const uid = () => {
  let id = '';
  // Whole numbers: every engine prints them in base 32 with digits only, at least one a turn.
  while (id.length < 20) id += Math.floor(Math.random() * 2 ** 50).toString(32);
  return id.slice(0, 20);
};

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

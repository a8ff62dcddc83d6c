let on = false;

export const setDebug = (value: boolean | undefined) => {
  on = !!value;
};

/**
 * Console output, only where `__DEBUG__` is compiled in and the `debug` option is set. Call it
 * as `__DEBUG__ && log(...)` so the minifier drops the call and its arguments from the tag.
 */
export const log = (...args: unknown[]) => {
  if (__DEBUG__ && on) console.log('[lasttouch]', ...args);
};

export const fail = (...args: unknown[]) => {
  if (__DEBUG__ && on) console.error('[lasttouch]', ...args);
};

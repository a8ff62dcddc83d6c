// LINK_PARAM of @lasttouch/shared, spelled out so the regex stays a literal.
const PARAM = /([?&])lt_c=([^&]*)&?/;

/**
 * The tagged-link token of `search`, and the address without it: every other parameter and the
 * hash kept byte for byte (re-serializing with URLSearchParams would re-encode them).
 *
 * @example withoutToken({ pathname: '/p', search: '?a=1&lt_c=T&b=2', hash: '#x' }) // ['T', '/p?a=1&b=2#x']
 */
export const withoutToken = ({ pathname, search, hash }: Pick<Location, 'pathname' | 'search' | 'hash'>) =>
  [search.match(PARAM)?.[2], pathname + search.replace(PARAM, '$1').replace(/[?&]$/, '') + hash] as const;

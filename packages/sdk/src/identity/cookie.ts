import { VISITOR_COOKIE } from '@lasttouch/shared';

/** Values of every visitor cookie this page sees (a host-only one and a domain one may both exist). */
export function readCookies(): string[] {
  try {
    // `lt_v` is VISITOR_COOKIE, spelled out so the regex stays a literal.
    return document.cookie.match(/(?<=(^|; )lt_v=)[^;]*/g) || [];
  } catch {
    // A sandboxed document has no cookies.
    return [];
  }
}

/**
 * Writes the visitor cookie for `maxAge` seconds on the widest domain the browser accepts, so
 * every subdomain of the store shares it: candidates are tried from the registrable-domain side
 * (`shop.example` before `www.shop.example`; the browser refuses a public suffix such as `co.uk`),
 * each probed with a value no id has. An IP address or a one-label host (`localhost`) gets a
 * host-only cookie. A negative `maxAge` deletes it, there and host-only (an older host-only copy,
 * or one set by the collector's first-party mount).
 */
export function writeCookie(value: string, maxAge: number) {
  const write = (text: string, age = '') =>
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Firefox and Safari
    (document.cookie = `${VISITOR_COOKIE}=${text};path=/;samesite=lax${isSecureContext ? ';secure' : ''}${age}`);
  const labels = location.hostname.split('.');
  let scope = '';
  try {
    for (let i = labels.length - 2; i >= 0 && !scope; i--) {
      const domain = `;domain=${labels.slice(i).join('.')}`;
      write(`?${domain}`);
      if (document.cookie.includes(`${VISITOR_COOKIE}=?`)) scope = domain;
    }
    write(value + scope, `;max-age=${maxAge}`);
    if (maxAge < 0) write('', ';max-age=-1');
  } catch {}
}

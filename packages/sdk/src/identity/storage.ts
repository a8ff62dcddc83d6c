/** Where ids and the queue live: localStorage, or this page's memory. */
export type Store = Record<string, string>;

/**
 * localStorage if it works, else a plain object: private modes and blocked storage (which
 * throw on access or on the first write) degrade to memory for the page's lifetime.
 */
export function openStore(): Store {
  try {
    const storage = localStorage;
    storage.lt_t = '1';
    delete storage.lt_t;
    return storage as unknown as Store;
  } catch {
    return {};
  }
}

/** A write that may still fail (quota): the value then lives on in the caller's memory only. */
export const put = (store: Store, key: string, value?: string) => {
  try {
    if (value) store[key] = value;
    else delete store[key];
  } catch {}
};

/**
 * Reads the visitor cookie, or writes it when given a value: first-party, whole site,
 * `SameSite=Lax`, `Secure` in secure contexts (https, and localhost where browsers allow it); a
 * negative `maxAge` deletes it. Blocked cookies are ignored.
 */
export function cookie(): string | undefined;
export function cookie(value: string, maxAge: number): void;
export function cookie(value?: string, maxAge?: number) {
  try {
    if (value == null) return document.cookie.match(/(?:^|; )lt_v=([^;]+)/)?.[1];
    // biome-ignore lint/suspicious/noDocumentCookie: Cookie Store API is async and missing in Safari and Firefox
    document.cookie = `lt_v=${value};max-age=${maxAge};path=/;samesite=lax${isSecureContext ? ';secure' : ''}`;
  } catch {}
}

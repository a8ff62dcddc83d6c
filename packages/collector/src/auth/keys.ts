import { KEY_PREFIXES, type KeyKind } from '@lasttouch/shared';

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** Random URL-safe string of `bytes` bytes of entropy (Web Crypto). */
export const randomToken = (bytes: number): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** A new key of the given kind: its prefix makes a leaked key recognizable (`ltr_…` is a read key). */
export const generateKey = (kind: KeyKind): string => `${KEY_PREFIXES[kind]}${randomToken(24)}`;

/** The kind a key claims by its prefix, before any lookup. */
export function keyKindOf(key: string): KeyKind | undefined {
  for (const kind of Object.keys(KEY_PREFIXES) as KeyKind[]) {
    if (key.startsWith(KEY_PREFIXES[kind])) return kind;
  }
  return undefined;
}

/**
 * SHA-256 of a key, hex. Keys are looked up by hash, so a secret is never compared byte by
 * byte and the database never holds one in clear.
 */
export async function hashKey(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

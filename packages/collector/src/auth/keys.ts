import { KEY_PREFIXES, type KeyKind } from '@lasttouch/shared';

/** Unpadded base64url (RFC 4648 §5), the alphabet of every key, id and token the collector makes. */
export const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** Decodes unpadded base64url; `undefined` for any other character or a length that cannot be one. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Random URL-safe string of `bytes` bytes of entropy (Web Crypto). */
export const randomToken = (bytes: number): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** A new key of the given kind: its prefix makes a leaked key recognizable (`ltr_…` is a read key). */
export const generateKey = (kind: KeyKind): string => `${KEY_PREFIXES[kind]}${randomToken(24)}`;

/** SHA-256 of a string's UTF-8 bytes. */
export const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** SHA-256 of a string, lowercase hex. */
export const sha256Hex = async (text: string): Promise<string> =>
  Array.from(await sha256(text), (b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a string, standard padded base64 (the form CSP source hashes take). */
export const sha256Base64 = async (text: string): Promise<string> => btoa(String.fromCharCode(...(await sha256(text))));

/**
 * The stored form of a key. Keys are looked up by hash, so a secret is never compared byte by
 * byte and the database never holds one in clear.
 */
export const hashKey = (key: string): Promise<string> => sha256Hex(key);

/** Imported HMAC keys by secret: importing costs more than signing a short message. */
const keys = new Map<string, Promise<CryptoKey>>();
/** Bounds the cache of a long-lived isolate serving many sites. */
const MAX_KEYS = 256;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    // A failed import must not stay cached: the next call tries again.
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

/**
 * HMAC-SHA256 of `message` under `secret` (the secret's UTF-8 bytes are the key).
 *
 * @example await hmacSha256('secret', new TextEncoder().encode('message')) // 32 bytes
 */
export async function hmacSha256(secret: string, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), message));
}

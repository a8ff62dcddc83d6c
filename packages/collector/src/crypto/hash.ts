/** SHA-256 of a string's UTF-8 bytes. */
export const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** SHA-256 of a string, lowercase hex. */
export const sha256Hex = async (text: string): Promise<string> =>
  Array.from(await sha256(text), (b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a string, standard padded base64 (the form CSP source hashes take). */
export const sha256Base64 = async (text: string): Promise<string> => btoa(String.fromCharCode(...(await sha256(text))));

/** A random opaque id (Web Crypto; works on http too, unlike `randomUUID`). */
export const uid = () => Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join('');

export const now = () => Date.now();

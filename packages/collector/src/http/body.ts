import { ApiError } from './errors.js';

export interface ReadJsonOptions {
  /** Maximum body size in bytes, enforced on the bytes actually read. */
  limit: number;
  /** Accepted media types (without parameters such as charset). */
  types: readonly string[];
}

const tooLarge = (limit: number) => new ApiError(413, 'payload_too_large', `Request body exceeds ${limit} bytes`);

/** The media type of a Content-Type header, lowercased, without parameters. */
export const mediaType = (header: string | null): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Reads the body up to `limit` bytes. The stream is counted as it arrives, so a chunked body or
 * a lying Content-Length cannot make the worker buffer more than the limit.
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads and parses a JSON body of one of the accepted media types.
 * Throws 415 for another type, 413 past the limit, 400 for malformed JSON.
 *
 * @example const input = await readJson(c.req.raw, { limit: 16_384, types: ['application/json'] })
 */
export async function readJson(request: Request, { limit, types }: ReadJsonOptions): Promise<unknown> {
  const type = mediaType(request.headers.get('Content-Type'));
  if (!types.includes(type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Content-Type must be ${types.join(' or ')}, not ${JSON.stringify(type || 'none')}`,
    );
  }
  const bytes = await readBodyBytes(request, limit);
  try {
    // JSON is UTF-8 whatever charset a sender declares (RFC 8259); invalid bytes are malformed.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new ApiError(400, 'malformed_json', 'Request body is not valid JSON');
  }
}

/** JSON request bodies of the API (orders, links, settings, sites…): small, so this bounds what a handler buffers. */
export const JSON_BODY = { limit: 65_536, types: ['application/json'] } as const;

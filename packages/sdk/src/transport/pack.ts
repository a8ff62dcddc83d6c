import type { WireEvent } from '@lasttouch/shared';
import { LIMITS } from '@lasttouch/shared';

/**
 * UTF-8 bytes of `text`, without a Blob: one per event packed cost more than the rest of packing.
 * `text` comes from `JSON.stringify`, which escapes lone surrogates, so `encodeURIComponent`
 * never throws on it.
 */
export const byteLength = (text: string) => unescape(encodeURIComponent(text)).length;

/**
 * The body of one `POST /v1/events` holding as many of `events` (in order) as fit in `limit`
 * bytes and the batch size limit, and how many it holds (0 when not even the first fits).
 */
export function pack(key: string, events: WireEvent[], limit: number, st = Date.now()): [string, number] {
  const head = JSON.stringify({ k: key, st, e: [] }).slice(0, -2);
  const parts: string[] = [];
  // The first event's comma is counted too: a byte of slack instead of a special case.
  let size = byteLength(head) + 2;
  for (const event of events.slice(0, LIMITS.eventsPerBatch)) {
    const json = JSON.stringify(event);
    size += byteLength(json) + 1;
    if (size > limit) break;
    parts.push(json);
  }
  return [`${head}${parts}]}`, parts.length];
}

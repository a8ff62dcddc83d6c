import { LIMITS } from '@lasttouch/shared';

/**
 * Characters of events per body: a UTF-16 code unit is at most three UTF-8 bytes, so a body of
 * this many characters (and an envelope of a key up to 128 characters) never exceeds the
 * collector's limit, and no byte counting is needed.
 */
export const BODY_CHARS = ((LIMITS.bodyBytes - 512) / 3) | 0;

/**
 * The body of one `POST /v1/events`: the first of `events` (their JSON, oldest first) that fit
 * in `BODY_CHARS` and the batch size limit, at least one, and how many it holds. `st` is the
 * send time, from which the collector corrects the client's clock.
 *
 * @example pack('ltw_key', ['{"k":"popup",…}'], 5) // ['{"k":"ltw_key","st":5,"e":[{"k":"popup",…}]}', 1]
 */
export function pack(key: string, events: string[], st = Date.now()): [string, number] {
  let count = 0;
  for (let size = 0; count < events.length && count < LIMITS.eventsPerBatch; count++) {
    size += events[count]!.length + 1;
    // A lone event over the limit still goes, alone: the collector refuses it (413) and it is dropped.
    if (size > BODY_CHARS && count) break;
  }
  // The key is not escaped: one that JSON would have to escape is no key the collector knows.
  return [`{"k":"${key}","st":${st},"e":[${events.slice(0, count)}]}`, count];
}

import { LIMITS, type RejectedEvent } from '@lasttouch/shared';
import { validateEvent } from '@lasttouch/shared/validate';
import type { IngestEvent } from './event.js';
import { clockOffset, normalizeEvent } from './normalize.js';

/**
 * Validates and normalises each event of a batch on its own: one bad event never costs the
 * others. A batch whose clock offset cannot be believed (`clockOffset`) has every event refused
 * as `invalid_clock`.
 */
export function sortBatch(
  input: unknown[],
  sentAt: number | undefined,
  now: number,
): { accepted: IngestEvent[]; rejected: RejectedEvent[] } {
  const offset = clockOffset(now, sentAt);
  const accepted: IngestEvent[] = [];
  const rejected: RejectedEvent[] = [];
  for (const [index, raw] of input.entries()) {
    if (offset === undefined) {
      rejected.push({
        index,
        code: 'invalid_clock',
        message: `st: the device clock is off by more than ${LIMITS.maxClockOffsetMs / 86_400_000} days`,
      });
      continue;
    }
    const valid = validateEvent(raw);
    const normalized = valid.ok ? normalizeEvent(valid.value, offset, now) : valid;
    if (normalized.ok) accepted.push(normalized.event);
    else rejected.push({ index, code: normalized.code, message: normalized.message });
  }
  return { accepted, rejected };
}

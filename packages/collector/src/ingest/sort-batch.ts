import type { RejectedEvent } from '@lasttouch/shared';
import { validateEvent } from '@lasttouch/shared/validate';
import { normalizeEvent } from './normalize.js';
import type { Candidate } from './types.js';

/** Validates and normalises each event on its own: one bad event never costs the others. */
export function sortBatch(
  input: unknown[],
  siteId: string,
  now: number,
): { candidates: Candidate[]; rejected: RejectedEvent[] } {
  const candidates: Candidate[] = [];
  const rejected: RejectedEvent[] = [];
  for (const [index, raw] of input.entries()) {
    const valid = validateEvent(raw);
    if (!valid.ok) {
      rejected.push({ index, code: valid.code, message: valid.message });
      continue;
    }
    const normalized = normalizeEvent(valid.value, siteId, now);
    if (!normalized.ok) {
      rejected.push({ index, code: normalized.code, message: normalized.message });
      continue;
    }
    candidates.push({ event: normalized.event, wire: valid.value });
  }
  return { candidates, rejected };
}

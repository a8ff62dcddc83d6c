import type { PersonRequest } from '../attribution/persons.js';
import type { IngestEvent } from '../ingest/event.js';

/**
 * Messages of the work queue. Every change to aggregates and credit goes through it, so one
 * consumer (max_concurrency 1) is their only writer.
 */
export type WorkMessage =
  /** An accepted batch of `POST /v1/events` (`recv`: when it was received). */
  | { k: 'events'; site: string; recv: number; events: IngestEvent[] }
  /** A server report of `orderId` was appended to its log: merge and attribute it. */
  | { k: 'order'; site: string; orderId: string }
  /** Re-attribute persons (`c:<hash>` or `v:<visitor>`), each for its orders from `from` (UTC ms) on. */
  | { k: 'persons'; site: string; requests: PersonRequest[] }
  /** Re-attribute every person of the site towards settings `version`, from `cursor` on. */
  | { k: 'sweep'; site: string; version: number; cursor: string | null }
  /** Drop what the retention rules no longer need, one bounded step, from `cursor` on. */
  | { k: 'prune'; site: string; cursor: string | null };

export type WorkKind = WorkMessage['k'];

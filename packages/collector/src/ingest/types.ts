import type { EventType, WireEvent } from '@lasttouch/shared';
import type { events } from '../db/schema/index.js';
import type { Site } from '../sites/site.js';

/** An event as stored: the `events` row built from a validated wire event. */
export type StoredEvent = typeof events.$inferInsert;

/** A valid event of a batch, ready to store. */
export interface Candidate {
  event: StoredEvent;
  wire: WireEvent;
}

export interface IngestContext {
  db: D1Database;
  site: Site;
  /** Server receive time of the batch, UTC ms. */
  now: number;
}

/**
 * Stage 1 of ingestion. A deriver turns one new (never a duplicate) event into the statements
 * that must commit together with it: interactions, order sources, aggregate counters. They run
 * in the same D1 batch (one transaction) as the event rows, so an event is never stored without
 * its consequences nor counted without being stored.
 */
export type Deriver = (ctx: IngestContext, event: StoredEvent, wire: WireEvent) => Promise<D1PreparedStatement[]>;

/**
 * Stage 2, after the batch committed: work that reads what stage 1 wrote (attribution of the
 * affected orders). Its failure must not lose data: stage 1 records what is pending, so stage 2
 * can be re-run and is idempotent. It sees every valid event of the batch, new or duplicate: a
 * duplicate may be the retry of an attempt that committed but never got to stage 2.
 */
export type AfterCommit = (ctx: IngestContext, batch: StoredEvent[]) => Promise<void>;

/**
 * What ingestion sets off, handed to it by the composition root (`app.ts`): the domains register
 * nothing here, and ingestion imports none of them.
 */
export interface Pipeline {
  /** Stage 1: the derivers of each event type, run in this order. */
  derivers: Record<EventType, Deriver[]>;
  /** Stage 2: run in this order after the batch committed. */
  afterCommit: AfterCommit[];
}

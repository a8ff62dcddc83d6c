import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Background work that outlives one queue message: a re-attribution sweep of a site after a
 * settings change, a prune pass. The queue message is the fast path; this row is what the cron
 * (and each consumer run) resumes from when a message was lost, and where a failing job is
 * parked with its reason instead of holding a slot.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    siteId: text('site_id').notNull(),
    /** sweep | prune */
    kind: text('kind').notNull(),
    /** The settings version a sweep works towards. */
    version: integer('version').notNull().default(0),
    /** Where the next step starts (opaque to the table). */
    cursor: text('cursor'),
    attempts: integer('attempts').notNull().default(0),
    /** UTC ms before which the job is not taken again (backoff), and of its last progress. */
    nextAt: integer('next_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** Set when the job failed too often: it waits for an operator, visible with its reason. */
    parkedReason: text('parked_reason'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.kind] })],
);

/** Messages the queue gave up on, stored as they came; `replay` sends them again. */
export const deadLetters = sqliteTable('dead_letters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  receivedAt: integer('received_at').notNull(),
  body: text('body').notNull(),
  attempts: integer('attempts').notNull(),
});

/**
 * A site's step counter. Every consumer step reads it with its data and bumps it in the same
 * transaction as its writes, only if unchanged: two steps of one site that overlap (the queue
 * runs one consumer at a time, but a local or future setup may not) cannot both apply what they
 * computed from the same state; the later one fails and is retried on fresh data.
 */
export const siteSteps = sqliteTable('site_steps', {
  siteId: text('site_id').primaryKey(),
  seq: integer('seq').notNull(),
});

/** Never holds a row: inserting NULL into it aborts a step whose site moved on (see `site_steps`). */
export const stepGuard = sqliteTable('step_guard', {
  mustNotBeNull: integer('must_not_be_null').notNull(),
});

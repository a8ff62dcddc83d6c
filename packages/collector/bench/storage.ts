/**
 * Benchmark 7: the storage model. A store ingesting 10^6 events a day: one day of the mix
 * (10^6 events in 24 hours, visitors drawn from 100,000) is ingested with the consumer's own
 * steps (bench/seed.ts) into a fresh SQLite file with the collector's migrations, and the bytes
 * of every table and index are read (SQLite's `dbstat`: what D1 counts as the database's size).
 * Each table then grows as its retention rule says (docs/privacy.md, src/jobs/prune-step.ts):
 *
 * - kept for a bounded time: event ids (the current and previous 30-day bucket: at most 60
 *   days), touches (31 days and the longest attribution window: 45 with the default 14-day
 *   window), session facts (31 days),
 *   eligibilities (400 days; an upper bound: a visitor eligible again adds no row);
 * - kept for good: orders and their reports, links, customer links, every aggregate;
 *
 * so the size after `d` days is Σ bounded bytes/day × min(d, days kept) + Σ forever bytes/day × d.
 * Answered: the size once every bounded table is full (day 400), the growth per day after it,
 * and the day the database reaches D1's 10 GB. Twice: the default tag, and with a 10 % holdout
 * running (eligibility events and their 400-day rows).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, machine, QUICK, table, writeResult } from '@lasttouch/shared/testing/bench';
import { eventsPerSession, type SessionOptions, sessionsEvents } from './generate.ts';
import { freshStore, rowCounts, seedEvents, sizes } from './seed.ts';

const EVENTS_PER_DAY = Number(process.env.BENCH_STORAGE_EVENTS ?? (QUICK ? 20_000 : 1_000_000));
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** D1's limit per database. */
export const D1_LIMIT_BYTES = 10 * 1_000_000_000;

/** Days each table is kept (docs/privacy.md); absent: kept for good; `null`: no growth with traffic. */
export const RETENTION: Record<string, number | null | undefined> = {
  events: 60,
  touches: 45,
  session_facts: 31,
  exposures: 400,
  sites: null,
  api_keys: null,
  site_secrets: null,
  jobs: null,
  site_steps: null,
  step_guard: null,
  dead_letters: null,
  d1_migrations: null,
  sqlite_schema: null,
  sqlite_sequence: null,
};

export interface StorageModel {
  label: string;
  holdout: number;
  events: number;
  seedMs: number;
  /** Bytes of each table (its indexes included) after one day. */
  tables: Record<string, number>;
  rows: Record<string, number>;
  fileBytes: number;
  bytesPerEvent: number;
  /** Bytes of the retention-bounded tables once full, and per day of the forever tables. */
  bounded: number;
  foreverPerDay: number;
  at: { days: number; bytes: number }[];
  daysTo10GB: number | null;
}

/** The size after `days` days of the same traffic, per the retention rules. */
export function sizeAfter(tables: Record<string, number>, days: number): number {
  let bytes = 0;
  for (const [name, b] of Object.entries(tables)) {
    const keep = RETENTION[name];
    if (keep === null) bytes += b;
    else bytes += b * Math.min(days, keep ?? Number.POSITIVE_INFINITY);
  }
  return bytes;
}

async function model(label: string, holdout: number | undefined): Promise<StorageModel> {
  const dir = mkdtempSync(join(tmpdir(), 'lasttouch-storage-'));
  try {
    const { d1, siteId } = await freshStore(join(dir, 'store.sqlite'));
    const now = Date.now();
    const opts: SessionOptions = {
      now,
      window: { from: now - DAY - HOUR, to: now - HOUR },
      prefix: label[0],
      visitors: 100_000,
      ...(holdout === undefined ? {} : { holdout }),
    };
    const sessions = Math.ceil(EVENTS_PER_DAY / eventsPerSession(opts));
    const seeded = await seedEvents(d1, siteId, sessionsEvents(0, sessions, opts), now);
    const measured = sizes(d1);
    const rows = rowCounts(d1);
    d1.close();
    const bounded = Object.entries(measured.tables).reduce((n, [t, b]) => {
      const keep = RETENTION[t];
      return keep ? n + b * keep : n;
    }, 0);
    const foreverPerDay = Object.entries(measured.tables).reduce(
      (n, [t, b]) => (RETENTION[t] === undefined ? n + b : n),
      0,
    );
    let daysTo10GB: number | null = null;
    if (foreverPerDay > 0 || bounded >= D1_LIMIT_BYTES) {
      for (let d = 1; d <= 100 * 365; d++) {
        if (sizeAfter(measured.tables, d) >= D1_LIMIT_BYTES) {
          daysTo10GB = d;
          break;
        }
      }
    }
    return {
      label,
      holdout: holdout ?? 0,
      events: seeded.accepted,
      seedMs: seeded.ms,
      tables: measured.tables,
      rows,
      fileBytes: measured.file,
      bytesPerEvent: measured.file / seeded.accepted,
      bounded,
      foreverPerDay,
      at: [30, 60, 365, 400, 3 * 365].map((days) => ({ days, bytes: sizeAfter(measured.tables, days) })),
      daysTo10GB,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = Date.now();
const models = [await model('default tag', undefined), await model('10 % holdout running', 0.1)];
const mb = (b: number) => `${fmt(b / 1e6, 1)} MB`;

for (const m of models) {
  console.log(
    `\nStorage, ${fmt(m.events)} events in one day (${m.label}): ${fmt(Math.round(m.bytesPerEvent))} B/event`,
  );
  console.log(
    table(
      ['table (with its indexes)', 'rows', 'bytes after one day', 'kept'],
      Object.entries(m.tables)
        .filter(([, b]) => b > 4096)
        .map(([t, b]) => [
          t,
          fmt(m.rows[t] ?? 0),
          mb(b),
          RETENTION[t] ? `${RETENTION[t]} days` : RETENTION[t] === null ? '—' : 'for good',
        ]),
    ),
  );
  console.log(
    `bounded part once full ${mb(m.bounded)}, growth ${mb(m.foreverPerDay)}/day; ` +
      `${m.at.map((a) => `day ${a.days}: ${mb(a.bytes)}`).join(', ')}; 10 GB on day ${m.daysTo10GB ?? 'never'}`,
  );
}

writeResult('storage', {
  machine: machine(),
  quick: QUICK,
  eventsPerDay: EVENTS_PER_DAY,
  limitBytes: D1_LIMIT_BYTES,
  retention: RETENTION,
  models,
  totalMs: Date.now() - started,
});

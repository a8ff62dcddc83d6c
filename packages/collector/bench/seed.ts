/**
 * Bulk seeding for the scale and storage benchmarks. 10^6 events through HTTP and the queue take
 * far longer than a bench may on two cores, so the queue consumer's own steps run here in Node,
 * unchanged, against a D1 database's SQLite file through a D1 adapter over `node:sqlite`
 * (bench/sqlite-d1.ts), while no worker holds it:
 *
 *   `sortBatch` (validation, normalisation, as `POST /v1/events` does), the customer-id hash,
 *   then for every 2,500 events (the consumer's `EVENTS_PER_STEP`) `ingestStep` and
 *   `attributionStep` until no person is left, exactly as `src/jobs/queue-handler.ts` runs them.
 *
 * Only the queue is skipped (messages, retries, the D1 budget's re-queueing). Every row and
 * every aggregate is therefore what the consumer writes. Events are fed in time order, as live
 * traffic arrives.
 *
 * The collector's sources import `./x.js` for `./x.ts` (bundler style): a resolve hook maps them.
 * Needs `node --experimental-transform-types` (some sources use parameter properties).
 */
import { timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import type { WireEvent } from '@lasttouch/shared';
import { SqliteD1 } from './sqlite-d1.ts';

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (/^\.\.?\/.*\.js$/.test(specifier)) return next(specifier.replace(/\.js$/, '.ts'), context);
      throw err;
    }
  },
});

// A Workers extension of Web Crypto the link-token check uses; Node has it under node:crypto.
const subtle = crypto.subtle as SubtleCrypto & {
  timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean;
};
subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(a as NodeJS.ArrayBufferView, b as NodeJS.ArrayBufferView);

const [{ sortBatch }, { ingestStep }, { attributionStep }, { loadSites, createSite }, { customerHash }, { noSeeds }] =
  await Promise.all([
    import('../src/ingest/batch.ts'),
    import('../src/jobs/ingest-step.ts'),
    import('../src/jobs/attribution-step.ts'),
    import('../src/sites/queries.ts'),
    import('../src/identity/customer-hash.ts'),
    import('../src/jobs/seeds.ts'),
  ]);
const { defaultSettings } = await import('../src/sites/site.ts');

/** Events one consumer step takes (`EVENTS_PER_STEP` in src/jobs/queue-handler.ts). */
export const EVENTS_PER_STEP = 2_500;

/** The SQLite file of the local D1 database under a `wrangler dev --persist-to` folder. */
export function d1File(persistDir: string): string {
  const dir = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const file = readdirSync(dir).find((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return join(dir, file);
}

/** A new SQLite file with the collector's migrations applied and one site: the storage bench's store. */
export async function freshStore(file: string): Promise<{ d1: SqliteD1; siteId: string }> {
  const d1 = new SqliteD1(file);
  const dir = join(import.meta.dirname, '../migrations');
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const sql of readFileSync(join(dir, name), 'utf8').split('--> statement-breakpoint')) d1.sqlite.exec(sql);
  }
  const db = d1 as unknown as D1Database;
  const { siteId } = await createSite(
    db,
    { name: 'Storage bench', settings: defaultSettings(), database: 'DB' },
    Date.now(),
  );
  return { d1, siteId };
}

export interface SeedResult {
  events: number;
  accepted: number;
  rejected: number;
  ms: number;
}

/**
 * Ingests `events` (sorted here by time) for `siteId` the way the consumer does, in steps of
 * `EVENTS_PER_STEP`, received at `now`.
 */
export async function seedEvents(d1: SqliteD1, siteId: string, input: WireEvent[], now: number): Promise<SeedResult> {
  const started = performance.now();
  const db = d1 as unknown as D1Database;
  const site = (await loadSites(db, [siteId])).get(siteId);
  if (!site) throw new Error(`no site ${siteId}`);
  const hashes = new Map<string, string>();
  const events = [...input].sort((a, b) => a.ts - b.ts);
  const result = { events: events.length, accepted: 0, rejected: 0 };
  for (let i = 0; i < events.length; i += EVENTS_PER_STEP) {
    const { accepted, rejected } = sortBatch(events.slice(i, i + EVENTS_PER_STEP), undefined, now);
    for (const e of accepted) {
      if (e.cu === undefined) continue;
      let hash = hashes.get(e.cu);
      if (hash === undefined) {
        hash = await customerHash(site.customerSecret, e.cu);
        hashes.set(e.cu, hash);
      }
      e.cu = hash;
    }
    const ingested = await ingestStep(db, site, accepted, [], now);
    let remaining = await attributionStep(db, site, ingested.seeds, [], ingested.orphans, now);
    while (remaining.length > 0) remaining = await attributionStep(db, site, noSeeds(), remaining, [], now);
    result.accepted += ingested.accepted;
    result.rejected += rejected.length;
  }
  return { ...result, ms: performance.now() - started };
}

/** Bytes of each table and index (dbstat), and of the whole file. */
export function sizes(d1: SqliteD1): { file: number; free: number; tables: Record<string, number> } {
  const one = (sql: string) => Number(Object.values(d1.sqlite.prepare(sql).get() ?? {})[0] ?? 0);
  const pageSize = one('pragma page_size');
  const rows = d1.sqlite
    .prepare(
      `select coalesce(m.tbl_name, s.name) as tbl, sum(s.pgsize) as bytes from dbstat s
       left join sqlite_master m on m.name = s.name group by tbl order by bytes desc`,
    )
    .all() as { tbl: string; bytes: number }[];
  return {
    file: one('pragma page_count') * pageSize,
    free: one('pragma freelist_count') * pageSize,
    tables: Object.fromEntries(rows.map((r) => [r.tbl, Number(r.bytes)])),
  };
}

/** Rows of each table. */
export function rowCounts(d1: SqliteD1): Record<string, number> {
  const tables = d1.sqlite
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
    )
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      Number((d1.sqlite.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n),
    ]),
  );
}

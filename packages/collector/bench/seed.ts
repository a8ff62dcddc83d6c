/**
 * Bulk seeding for the scale benchmarks. 10^6 events through HTTP (or even in-process through
 * `POST /v1/events` in workerd) takes far longer than the ten-minute budget on two cores, so
 * the collector's own ingest code — `sortBatch` (validation, normalisation), the registered
 * derivers (interactions, aggregates, orders, links) and the after-commit hooks (attribution)
 * — runs here in Node, in large transactions, against the local D1's SQLite file through a D1
 * adapter over `node:sqlite`, while the worker is stopped. Aggregates are therefore what
 * ingestion writes.
 *
 * The collector's sources import `./x.js` for `./x.ts` (bundler style): a resolve hook maps them.
 * Needs `node --experimental-transform-types` (the sources use parameter properties).
 */
import { timingSafeEqual } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { type SessionOptions, sessionsEvents } from './generate.ts';
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

/** The SQLite file of the local D1 database under a `--persist-to` folder. */
export function d1File(persistDir: string): string {
  const dir = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const file = readdirSync(dir).find((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return join(dir, file);
}

export interface SeedResult {
  events: number;
  accepted: number;
  rejected: number;
  ms: number;
}

/**
 * Ingests sessions `[from, to)` of the synthetic mix for `siteId`, `sessionsPerBatch` sessions
 * per transaction: what stage 1 of ingestion does (ingest/pipeline.ts `attempt`) minus its
 * duplicate check (generated ids are unique), then stage 2. The event rows, every deriver and
 * every after-commit hook are the collector's own statements.
 */
export async function seedSessions(
  persistDir: string,
  siteId: string,
  from: number,
  to: number,
  opts: SessionOptions & { sessionsPerBatch?: number },
): Promise<SeedResult> {
  const [{ sortBatch }, { insertEvent }, { pipeline }, { loadSite }, { createDb }] = await Promise.all([
    import('../src/ingest/sort-batch.ts'),
    import('../src/ingest/queries.ts'),
    import('../src/app.ts'),
    import('../src/sites/queries.ts'),
    import('../src/db/client.ts'),
  ]);
  const started = performance.now();
  const d1 = new SqliteD1(d1File(persistDir));
  const db = d1 as unknown as D1Database;
  try {
    const site = await loadSite(createDb(db), siteId);
    if (!site) throw new Error(`no site ${siteId}`);
    const result = { events: 0, accepted: 0, rejected: 0 };
    const step = opts.sessionsPerBatch ?? 250;
    for (let n = from; n < to; n += step) {
      const ctx = { db, site, now: opts.now };
      const batch = sessionsEvents(n, Math.min(n + step, to), opts);
      const { candidates, rejected } = sortBatch(batch, site.id, ctx.now);
      const statements: D1PreparedStatement[] = [];
      for (const { event, wire } of candidates) {
        statements.push(insertEvent(db, event));
        for (const derive of pipeline.derivers[wire.t]) statements.push(...(await derive(ctx, event, wire)));
      }
      await db.batch(statements);
      const stored = candidates.map((c) => c.event);
      if (stored.length > 0) for (const hook of pipeline.afterCommit) await hook(ctx, stored);
      result.events += batch.length;
      result.accepted += stored.length;
      result.rejected += rejected.length;
    }
    return { ...result, ms: performance.now() - started };
  } finally {
    d1.close();
  }
}

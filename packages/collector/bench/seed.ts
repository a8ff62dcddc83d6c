/**
 * Bulk seeding for the scale benchmarks. 10^6 events through HTTP (or even in-process through
 * `POST /v1/events` in workerd) takes far longer than the ten-minute budget on two cores, so
 * the collector's own ingest code — `sortBatch` (validation, normalisation), `storeEvents`
 * (dedupe, event rows and every registered deriver, one transaction per call) and the
 * after-commit hooks (attribution) — runs here in Node, in large batches, against the local
 * D1's SQLite file through a D1 adapter over `node:sqlite`, while the worker is stopped.
 * Aggregates are therefore exactly what ingestion would have written.
 *
 * The collector's sources import `./x.js` for `./x.ts` (bundler style): a resolve hook maps them.
 * Needs `node --experimental-transform-types` (the sources use parameter properties).
 */
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

/** Ingests sessions `[from, to)` of the synthetic mix for `siteId`, `sessionsPerBatch` per transaction. */
export async function seedSessions(
  persistDir: string,
  siteId: string,
  from: number,
  to: number,
  opts: SessionOptions & { sessionsPerBatch?: number },
): Promise<SeedResult> {
  const [{ sortBatch }, { storeEvents }, { afterCommit }, { loadSite }, { createDb }] = await Promise.all([
    import('../src/ingest/routes.ts'),
    import('../src/ingest/store.ts'),
    import('../src/ingest/derivers.ts'),
    import('../src/sites/store.ts'),
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
      const events = sessionsEvents(n, Math.min(n + step, to), opts);
      const { candidates, rejected } = sortBatch(events, site.id, ctx.now);
      const { stored } = await storeEvents(ctx, candidates);
      if (stored.length > 0) for (const hook of afterCommit) await hook(ctx, stored);
      result.events += events.length;
      result.accepted += stored.length;
      result.rejected += rejected.length;
    }
    return { ...result, ms: performance.now() - started };
  } finally {
    d1.close();
  }
}

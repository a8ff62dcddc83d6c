/**
 * Helpers for the attribution and stats scenarios: orders, settings and stats through the real
 * API with the site's read key.
 */

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { OrderDetail, OrderRequest, Settings, StatsEnvelope } from '@lasttouch/shared';
import { app } from '../src/app.js';
import { call, createSite, ingest, uid } from './helpers.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** UTC midnight, `days` ago: events must be at most 30 days old. */
export const daysAgo = (days: number) => {
  const now = Date.now();
  return now - (now % DAY) - days * DAY;
};

export interface Shop {
  siteId: string;
  writeKey: string;
  readKey: string;
  agentKey: string;
  send(events: unknown[]): Promise<void>;
  get<T>(path: string): Promise<T>;
  order(body: OrderRequest): Promise<OrderDetail>;
  settings(patch: Partial<Settings>): Promise<void>;
  widgets(query?: string): Promise<StatsEnvelope<Record<string, unknown>>>;
}

export async function createShop(allowedOrigins?: string[]): Promise<Shop> {
  const site = await createSite(allowedOrigins ? { allowedOrigins } : {});
  const auth = { Authorization: `Bearer ${site.readKey}` };
  const json = async <T>(res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  };
  const shop: Shop = {
    siteId: site.siteId,
    writeKey: site.writeKey,
    readKey: site.readKey,
    agentKey: site.agentKey,
    async send(events) {
      const res = await ingest(site.writeKey, events);
      if (res.rejected.length) throw new Error(`rejected: ${JSON.stringify(res.rejected)}`);
    },
    get: <T>(path: string) => call(path, { headers: auth }).then(json<T>),
    order: (body) =>
      call('/v1/orders', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then(json<OrderDetail>),
    async settings(patch) {
      await json(
        await call('/v1/settings', {
          method: 'PUT',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(patch),
        }),
      );
    },
    widgets: (query = '') => shop.get(`/v1/stats/widgets${query}`),
  };
  return shop;
}

/** A visitor with one session: events carry its ids. */
export const visitor = () => ({ v: uid('visitor'), s: uid('session') });

/**
 * Wraps a D1 binding to count the queries an invocation makes: each `run`/`all`/`first`/`raw`
 * and each `batch` is one (one round trip, as the per-invocation limit counts them). `fail`
 * makes matching statements throw, to simulate a failure at an exact point.
 */
export function countingD1(db: D1Database, fail: (sql: string) => boolean = () => false) {
  let queries = 0;
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqls = new WeakMap<object, string>();
  const wrap = (sql: string, statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(sql, target.bind(...args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) => {
            queries++;
            if (fail(sql)) return Promise.reject(new Error(`injected failure: ${sql.slice(0, 40)}`));
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    sqls.set(proxy, sql);
    return proxy;
  };
  const counted = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(sql, target.prepare(sql));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          queries++;
          if (statements.some((s) => fail(sqls.get(s) ?? ''))) return Promise.reject(new Error('injected failure'));
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: counted, queries: () => queries, reset: () => (queries = 0) };
}

/** Calls the app in this isolate with `DB` replaced (e.g. by `countingD1`), like a real request. */
export async function callWithDb(db: D1Database, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://collector.test${path}`, init), { ...env, DB: db }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * Helpers for the attribution and stats scenarios: events, orders, settings and stats through
 * the real API with the site's keys, waiting for the work queue where the API answers before the
 * consumer has applied a change.
 */

import type { OrderDetail, OrderRequest, Settings, StatsEnvelope } from '@lasttouch/shared';
import { call, createSite, ingest, settled, uid } from './helpers.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** UTC midnight, `days` ago: events must be at most 30 days old. */
export const daysAgo = (days: number) => {
  const now = Date.now();
  return now - (now % DAY) - days * DAY;
};
export const iso = (ms: number) => new Date(ms).toISOString();
/** The UTC date of an instant, as stats ranges take it. */
export const dateOf = (ms: number) => iso(ms).slice(0, 10);

export interface Shop {
  siteId: string;
  writeKey: string;
  readKey: string;
  agentKey: string;
  /** Sends a batch (as the SDK does) and waits until the queue has applied it. */
  send(events: unknown[], sentAt?: number): Promise<void>;
  get<T>(path: string): Promise<T>;
  /** Reports an order from the store's server, waits for the queue, answers the order's detail. */
  order(body: OrderRequest): Promise<OrderDetail>;
  /** Changes settings and waits for the re-attribution sweep. */
  settings(patch: Partial<Settings>): Promise<void>;
  widgets(query?: string): Promise<StatsEnvelope<Record<string, unknown>>>;
  detail(orderId: string): Promise<OrderDetail>;
}

export async function createShop(
  options: { allowedOrigins?: string[]; timezone?: string; database?: string } = {},
): Promise<Shop> {
  const site = await createSite(options);
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
    async send(events, sentAt) {
      const res = await ingest(site.writeKey, events, sentAt === undefined ? {} : { sentAt });
      if (res.rejected.length) throw new Error(`rejected: ${JSON.stringify(res.rejected)}`);
      await settled();
    },
    get: <T>(path: string) => call(path, { headers: auth }).then(json<T>),
    async order(body) {
      await json(
        await call('/v1/orders', {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
      await settled();
      return shop.detail(body.orderId);
    },
    async settings(patch) {
      await json(
        await call('/v1/settings', {
          method: 'PUT',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify(patch),
        }),
      );
      await settled();
    },
    widgets: (query = '') => shop.get(`/v1/stats/widgets${query}`),
    detail: (orderId) => shop.get<OrderDetail>(`/v1/orders/${encodeURIComponent(orderId)}`),
  };
  return shop;
}

/** A visitor with one session: events carry its ids. */
export const visitor = () => ({ v: uid('visitor'), s: uid('session') });

/**
 * Helpers for the attribution and stats scenarios: orders, settings and stats through the real
 * API with the site's read key.
 */
import type { OrderDetail, OrderRequest, Settings, StatsEnvelope } from '@lasttouch/shared';
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

/**
 * Dashboard reads through D1 read replication (`src/db/replica.ts`): every stats route reads
 * through a session that may use a replica; an order's audit, which must see the order just
 * reported, reads the primary.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { BASE_URL } from './helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

/** `env.DB` that records each session asked of it (the real one, so answers stay real). */
function recordingSessions(): { db: D1Database; sessions: (string | undefined)[] } {
  const sessions: (string | undefined)[] = [];
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'withSession') {
        return (constraint?: string) => {
          sessions.push(constraint);
          return target.withSession(constraint);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, sessions };
}

describe('stats reads', () => {
  it('go through a session that may read a replica, and answer what the primary holds', async () => {
    const shop = await createShop();
    const who = visitor();
    const ts = Date.now() - HOUR;
    await shop.send([widgetEvent({ ...who, ts }), checkoutEvent({ ...who, ts: ts + 60_000, val: 30 })]);
    const primary = await shop.widgets();
    expect(primary.rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1, value: 30 })]);

    const routes = ['widgets', 'campaigns', 'sequences', 'top-actions', 'chat', 'daily', 'lift'];
    for (const route of routes) {
      const { db, sessions } = recordingSessions();
      const res = await app.request(
        `${BASE_URL}/v1/stats/${route}`,
        { headers: { Authorization: `Bearer ${shop.readKey}` } },
        { ...env, DB: db },
      );
      expect(res.status, route).toBe(200);
      expect(sessions, route).toEqual(['first-unconstrained']);
      if (route === 'widgets') expect(await res.json()).toEqual(primary);
    }
  });

  it("leave an order's audit on the primary", async () => {
    const shop = await createShop();
    const who = visitor();
    await shop.send([checkoutEvent({ ...who, o: 'order-1' })]);
    const { db, sessions } = recordingSessions();
    const res = await app.request(
      `${BASE_URL}/v1/orders/order-1`,
      { headers: { Authorization: `Bearer ${shop.readKey}` } },
      { ...env, DB: db },
    );
    expect(res.status).toBe(200);
    expect(sessions).toEqual([]);
  });
});

/**
 * The settings-change bench of bench/jobs.ts in the vitest plugin (workerd, queue batches
 * delivered as soon as sent): 10,000 visitors click a pop-up and order (half 20 s after the
 * click, half 60 s after), then the pop-up window becomes 30 s; timed until the stats show the
 * 5,000 orders the new window keeps, with their value. Prints one `[bench-settle]` JSON line for
 * bench/jobs.ts; the only assertions are the figures being right, never how long they took.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createShop, HOUR } from '../../test/attribution-helpers.js';
import { callWithKey, ingest, settled } from '../../test/helpers.js';

const ORDERS = Number((env as { BENCH_ORDERS?: string }).BENCH_ORDERS || 10_000);
const pad = (id: string) => (id.length >= 20 ? id : `${id}_${'x'.repeat(19 - id.length)}`);

it('settles a settings change on 10,000 orders', async () => {
  const shop = await createShop();
  const start = Date.now() - 20 * HOUR;
  let keptValue = 0;
  const t0 = Date.now();
  for (let i = 0; i < ORDERS; i += 25) {
    const events: unknown[] = [];
    for (let j = i; j < Math.min(i + 25, ORDERS); j++) {
      const v = pad(`sweep-v${j}`);
      const ts = start + j * 5_000;
      const gap = j % 2 === 0 ? 20_000 : 60_000;
      const val = 10 + (j % 7);
      if (gap < 30_000) keptValue += val;
      events.push({ id: pad(`sweep-c${j}`), t: 'click', v, s: v, ts, p: '/', k: 'popup', w: 'sweep-popup' });
      events.push({
        id: pad(`sweep-o${j}`),
        t: 'checkout',
        v,
        s: v,
        ts: ts + gap,
        p: '/',
        o: `sweep-${j}`,
        val,
        cur: 'EUR',
      });
    }
    await ingest(shop.writeKey, events);
  }
  await settled(900_000);
  const ingestMs = Date.now() - t0;
  const credited = async () => {
    const rows = (await shop.widgets('?limit=5000')).rows.filter((r) => r.id === 'sweep-popup');
    return {
      orders: rows.reduce((n, r) => n + Number(r.orders), 0),
      value: rows.reduce((n, r) => n + Number(r.value), 0),
    };
  };
  expect((await credited()).orders).toBe(ORDERS);

  const t1 = Date.now();
  const res = await callWithKey(shop.readKey, '/v1/settings', {
    method: 'PUT',
    body: { attributionWindows: { default: 1_209_600, kinds: { popup: 30 }, channels: {}, campaigns: {} } },
  });
  expect(res.status).toBe(200);
  const kept = Math.ceil(ORDERS / 2);
  for (;;) {
    const c = await credited();
    if (c.orders === kept && Math.abs(c.value - keptValue) < 0.005) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const settleMs = Date.now() - t1;
  await settled(900_000);
  expect(await credited()).toEqual({ orders: kept, value: expect.closeTo(keptValue, 2) });
  console.log(`[bench-settle] ${JSON.stringify({ orders: ORDERS, kept, ingestMs, settleMs })}`);
});

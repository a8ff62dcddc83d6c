import { type OrderRequest, toMinorUnits } from '@lasttouch/shared';
import { orderSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { orderDetail } from '../attribution/order-detail.js';
import { requireKey } from '../auth/require-key.js';
import { sha256Hex } from '../crypto/hash.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { enqueue, processQueue } from '../jobs/attribution-queue.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';

/**
 * A server report's identity: a digest of what it says. A retry of the same request is the same
 * source (stored once); a report with another value or status is a new source kept beside it.
 */
function sourceKey(input: OrderRequest, valueMinor: number, ts: number | null): Promise<string> {
  const canonical = JSON.stringify([valueMinor, input.currency, input.visitorId ?? null, ts, input.status ?? 'placed']);
  return sha256Hex(canonical);
}

const toMs = (ts: OrderRequest['ts']): number | null =>
  ts === undefined ? null : typeof ts === 'number' ? ts : Date.parse(ts);

/** `POST /v1/orders` and `GET /v1/orders/:orderId` (read key). See docs/attribution.md. */
export const orders = new Hono<SiteEnv>()
  .use(requireKey(resolveKey, 'read'))
  .post('/', async (c) => {
    const input = parseOrThrow(orderSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_order');
    const valueMinor = toMinorUnits(input.value, input.currency);
    if (valueMinor === null) {
      throw new ApiError(400, 'invalid_order', `value: ${input.value} is not an amount of ${input.currency}`);
    }
    const { site } = c.var;
    const db = c.env.DB;
    const now = Date.now();
    const ts = toMs(input.ts);
    const status = input.status ?? 'placed';
    await db.batch([
      db
        .prepare(
          `insert into order_sources (site_id, order_id, source, source_key, visitor_id, ts, value_minor, currency, status, received_at)
           values (?, ?, 'server', ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
        )
        .bind(
          site.id,
          input.orderId,
          await sourceKey(input, valueMinor, ts),
          input.visitorId ?? null,
          ts,
          valueMinor,
          input.currency,
          status,
          now,
        ),
      db
        .prepare(
          `insert into orders (site_id, order_id, visitor_id, ts, value_minor, currency, status, verified, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, 1, ?) on conflict do nothing`,
        )
        .bind(site.id, input.orderId, input.visitorId ?? null, ts ?? now, valueMinor, input.currency, status, now),
      enqueue(db, site.id, 'order', input.orderId, now),
    ]);
    // The report is stored; attribution runs now so the answer shows it. If it fails the
    // marker stays, and the client's retry (same report, stored once) runs it again.
    if ((await processQueue(db, site, now, [{ subject: 'order', id: input.orderId }], 0)) > 0) {
      throw unavailable('unavailable', 'The order was stored but not yet attributed; send it again');
    }
    return c.json(await orderDetail(db, site, input.orderId), 200);
  })
  .get('/:orderId', async (c) => {
    const detail = await orderDetail(c.env.DB, c.var.site, c.req.param('orderId'));
    if (!detail) throw new ApiError(404, 'not_found', 'No such order');
    return c.json(detail);
  });

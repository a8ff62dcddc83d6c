import { toMinorUnits } from '@lasttouch/shared';
import { orderSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { orderDetail } from '../attribution/order-detail.js';
import { requireKey } from '../auth/require-key.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { processQueue } from '../jobs/attribution-queue.js';
import { enqueue } from '../jobs/queries.js';
import { recordServerReport } from '../orders/reports.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';

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
    await db.batch([
      ...(await recordServerReport(db, site.id, input, valueMinor, now)),
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

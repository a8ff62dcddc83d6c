import { type OrderRequest, toMinorUnits } from '@lasttouch/shared';
import { orderSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { explainOrder } from '../attribution/explain.js';
import { databaseOf } from '../db/databases.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { customerHash } from '../identity/customer-hash.js';
import type { WorkMessage } from '../jobs/messages.js';
import { appendReportsStatement } from '../orders/queries.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';

const toMs = (ts: OrderRequest['ts']): number | null =>
  ts === undefined ? null : typeof ts === 'number' ? ts : Date.parse(ts);

/**
 * `POST /v1/orders` and `GET /v1/orders/:orderId` (read key). A server report is appended to the
 * order's log (reports apply in the order received: the latest stands) and the work queue merges
 * and attributes it; the answer shows the order as it now merges. See docs/attribution.md.
 */
export const orders = new Hono<SiteEnv>()
  .use(requireKey('read'))
  .post('/', async (c) => {
    const input = parseOrThrow(orderSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_order');
    const valueMinor = toMinorUnits(input.value, input.currency);
    if (valueMinor === null) {
      throw new ApiError(400, 'invalid_order', `value: ${input.value} is not an amount of ${input.currency}`);
    }
    const { site } = c.var;
    const db = databaseOf(c.env, site.database);
    const report = {
      source: 'server' as const,
      visitorId: input.visitorId ?? null,
      customerHash: input.customerId === undefined ? null : await customerHash(site.customerSecret, input.customerId),
      ts: toMs(input.ts),
      valueMinor,
      currency: input.currency,
      status: input.status ?? 'placed',
      receivedAt: Date.now(),
    };
    try {
      await appendReportsStatement(db, site.id, [{ orderId: input.orderId, report }]).run();
      await c.env.WORK_QUEUE.send({ k: 'order', site: site.id, orderId: input.orderId } satisfies WorkMessage);
    } catch (err) {
      console.error('order report not stored', err instanceof Error ? err.message : String(err));
      // A report stored but not queued is harmless to resend: the latest report stands.
      throw unavailable('The order could not be stored; send it again later');
    }
    return c.json(await detailOrThrow(db, c.var.site, input.orderId), 200);
  })
  .get('/:orderId', async (c) =>
    c.json(await detailOrThrow(databaseOf(c.env, c.var.site.database), c.var.site, c.req.param('orderId'))),
  );

async function detailOrThrow(db: D1Database, site: SiteEnv['Variables']['site'], orderId: string) {
  let detail: Awaited<ReturnType<typeof explainOrder>>;
  try {
    detail = await explainOrder(db, site, orderId);
  } catch (err) {
    console.error('order detail failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The order cannot be read right now; retry later');
  }
  if (!detail) throw new ApiError(404, 'not_found', 'No such order');
  return detail;
}

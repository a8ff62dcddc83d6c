/**
 * Issue 8, item 5 (abuse): each key kind reaches only its endpoints, keys of site A never touch
 * site B on any endpoint, and a denied origin stores nothing.
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  callWithKey,
  checkoutEvent,
  createSite,
  ingest,
  landingEvent,
  postEvents,
  tableCounts,
  uid,
  widgetEvent,
} from './helpers.js';

const ORIGIN = 'https://shop.example';
type Keys = Awaited<ReturnType<typeof createSite>>;

/** Every row of every table that belongs to `siteId` (tables with a `site_id` column, and `sites`). */
async function siteRows(siteId: string): Promise<Record<string, unknown[]>> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' order by name",
  ).all<{ name: string }>();
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const { results: columns } = await env.DB.prepare(`select name from pragma_table_info(?)`)
      .bind(name)
      .all<{ name: string }>();
    const column = name === 'sites' ? 'id' : columns.some((c) => c.name === 'site_id') ? 'site_id' : undefined;
    if (!column) continue;
    const { results } = await env.DB.prepare(`select * from "${name}" where ${column} = ? order by 1, 2, 3`)
      .bind(siteId)
      .all();
    rows[name] = results;
  }
  return rows;
}

/** What B's read key sees on every read endpoint. */
async function siteView(readKey: string, orderIds: string[]): Promise<unknown[]> {
  const paths = [
    '/v1/settings',
    '/v1/stats/widgets',
    '/v1/stats/campaigns',
    '/v1/stats/sequences',
    '/v1/stats/top-actions',
    '/v1/stats/chat?groupBy=conversation',
    ...orderIds.map((id) => `/v1/orders/${id}`),
  ];
  return Promise.all(paths.map(async (p) => [p, await (await callWithKey(readKey, p)).json()]));
}

async function populate(site: Keys, orderId: string) {
  const visitor = uid('visitor');
  const res = await callWithKey(site.agentKey, '/v1/links', {
    body: { url: `${ORIGIN}/p/1`, conversation: `conv-${site.siteId}`, channel: 'whatsapp', agent: 'ana' },
  });
  expect(res.status).toBe(201);
  const token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  const events = [
    widgetEvent({ t: 'instance', v: visitor, w: `w-${site.siteId}`, c: 'spring', q: 'welcome' }),
    widgetEvent({ t: 'click', v: visitor, w: `w-${site.siteId}`, c: 'spring', q: 'welcome' }),
    landingEvent({ v: visitor, tk: token }),
    checkoutEvent({ v: visitor, o: orderId, val: 40 }),
  ];
  expect((await ingest(site.writeKey, events, { origin: ORIGIN })).accepted).toBe(4);
  const order = await callWithKey(site.readKey, '/v1/orders', {
    body: { orderId, value: 40, currency: 'EUR', visitorId: visitor },
  });
  expect(order.status).toBe(200);
  return { events, token, visitor };
}

describe('abuse and isolation', () => {
  let a: Keys;
  let b: Keys;
  let bData: Awaited<ReturnType<typeof populate>>;
  const shared = 'order-1001';
  const bOnly = 'order-b-only';

  beforeAll(async () => {
    a = await createSite({ allowedOrigins: [ORIGIN] });
    b = await createSite({ allowedOrigins: [ORIGIN] });
    await populate(a, shared);
    bData = await populate(b, shared);
    expect(
      (await callWithKey(b.readKey, '/v1/orders', { body: { orderId: bOnly, value: 7, currency: 'EUR' } })).status,
    ).toBe(200);
  });

  it('each key kind reaches only its endpoints', async () => {
    const link = { url: `${ORIGIN}/p`, conversation: 'c-1', channel: 'sms' };
    const order = { orderId: uid('o'), value: 1, currency: 'EUR' };
    const endpoints: Array<
      [string, (key: string) => Promise<Response>, Record<'write' | 'agent' | 'read' | 'none', number>]
    > = [
      [
        'POST /v1/events',
        (k) => postEvents(k, [widgetEvent()], { keyInHeader: true }),
        { write: 202, agent: 403, read: 403, none: 401 },
      ],
      [
        'POST /v1/orders',
        (k) => callWithKey(k, '/v1/orders', { body: order }),
        { write: 403, agent: 403, read: 200, none: 401 },
      ],
      [
        'POST /v1/links',
        (k) => callWithKey(k, '/v1/links', { body: link }),
        { write: 403, agent: 201, read: 201, none: 401 },
      ],
      ['GET /v1/settings', (k) => callWithKey(k, '/v1/settings'), { write: 403, agent: 403, read: 200, none: 401 }],
      [
        'PUT /v1/settings',
        (k) => callWithKey(k, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'every' } }),
        { write: 403, agent: 403, read: 200, none: 401 },
      ],
      ...['widgets', 'campaigns', 'sequences', 'top-actions', 'chat'].map(
        (s): [string, (key: string) => Promise<Response>, Record<'write' | 'agent' | 'read' | 'none', number>] => [
          `GET /v1/stats/${s}`,
          (k) => callWithKey(k, `/v1/stats/${s}`),
          { write: 403, agent: 403, read: 200, none: 401 },
        ],
      ),
      [
        'GET /v1/orders/:id',
        (k) => callWithKey(k, `/v1/orders/${shared}`),
        { write: 403, agent: 403, read: 200, none: 401 },
      ],
      [
        'POST /v1/sites',
        (k) => callWithKey(k, '/v1/sites', { body: { name: 'x' } }),
        { write: 401, agent: 401, read: 401, none: 401 },
      ],
    ];
    let checked = 0;
    for (const [name, send, expected] of endpoints) {
      for (const kind of ['write', 'agent', 'read', 'none'] as const) {
        const key = kind === 'none' ? '' : { write: a.writeKey, agent: a.agentKey, read: a.readKey }[kind];
        const res = await send(key);
        expect(res.status, `${name} with the ${kind} key`).toBe(expected[kind]);
        checked++;
      }
    }
    console.log(
      `[robustness] key kinds: ${checked} endpoint × key-kind pairs answered as the key table of docs/architecture.md says`,
    );
  });

  it("site A's keys never read or change site B, on any endpoint", async () => {
    const rowsBefore = await siteRows(b.siteId);
    const viewBefore = await siteView(b.readKey, [shared, bOnly]);
    expect(rowsBefore.events).toHaveLength(4);

    // A's read key: B's order ids are A's own namespace; reads answer A's data or 404.
    expect((await callWithKey(a.readKey, `/v1/orders/${bOnly}`)).status).toBe(404);
    const aShared = await (await callWithKey(a.readKey, `/v1/orders/${shared}`)).json<{ visitorId: string }>();
    expect(aShared.visitorId).not.toBe(bData.visitor);
    // A reports B's order ids and B's visitor: they become A's orders.
    for (const orderId of [bOnly, shared]) {
      const res = await callWithKey(a.readKey, '/v1/orders', {
        body: { orderId, value: 999, currency: 'USD', visitorId: bData.visitor, status: 'refunded' },
      });
      expect(res.status).toBe(200);
    }
    // A's stats never show B's rows.
    const widgets = await (await callWithKey(a.readKey, '/v1/stats/widgets')).json<{ rows: { id: string }[] }>();
    expect(widgets.rows.map((r) => r.id)).toContain(`w-${a.siteId}`);
    expect(widgets.rows.map((r) => r.id)).not.toContain(`w-${b.siteId}`);
    // A's write key resends B's exact events: stored under A, new there (not B's duplicates).
    const resent = await ingest(a.writeKey, bData.events, { origin: ORIGIN });
    expect(resent.accepted + resent.duplicates).toBe(bData.events.length);
    expect(resent.accepted).toBe(bData.events.length);
    // B's link token landed through A earns nothing at A.
    const before = await tableCounts();
    await ingest(a.writeKey, [landingEvent({ tk: bData.token })]);
    const after = await tableCounts();
    expect(after.link_landings).toBe(before.link_landings);
    expect(after.interactions).toBe(before.interactions);
    // A's settings and links.
    expect(
      (
        await callWithKey(a.readKey, '/v1/settings', {
          method: 'PUT',
          body: { creditPolicy: 'first', allowedOrigins: ['https://a.example'] },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await callWithKey(a.agentKey, '/v1/links', {
          body: { url: 'https://a.example/p', conversation: `conv-${b.siteId}`, channel: 'sms' },
        })
      ).status,
    ).toBe(201);

    expect(await siteRows(b.siteId)).toEqual(rowsBefore);
    expect(await siteView(b.readKey, [shared, bOnly])).toEqual(viewBefore);
    console.log(
      `[robustness] isolation: site B's rows in ${Object.keys(rowsBefore).length} tables and its 8 read views unchanged after site A used every endpoint with B's ids`,
    );
  });

  it('the body limit holds on the bytes actually read, chunked bodies included', async () => {
    const before = await tableCounts();
    let pushed = 0;
    // No Content-Length: the worker can only count what it reads.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pushed >= 1_000_000) return controller.close();
        controller.enqueue(new TextEncoder().encode(' '.repeat(8_192)));
        pushed += 8_192;
      },
    });
    const res = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${a.writeKey}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(pushed).toBeLessThan(200_000);
    expect(await tableCounts()).toEqual(before);
    console.log(`[robustness] body limit: a chunked 1 MB body was refused with 413 after ${pushed} bytes were pulled`);
  });

  it('a denied origin stores nothing, and neither does a key of another site', async () => {
    const before = await tableCounts();
    for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'http://shop.example', 'null']) {
      const res = await postEvents(b.writeKey, [widgetEvent(), checkoutEvent()], { origin });
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    }
    // Another site's allowed origin is no pass either.
    const c = await createSite({ allowedOrigins: ['https://c.example'] });
    const withC = await tableCounts();
    expect((await postEvents(c.writeKey, [widgetEvent()], { origin: ORIGIN })).status).toBe(403);
    expect(await tableCounts()).toEqual(withC);
    expect({ ...withC, sites: before.sites, api_keys: before.api_keys }).toEqual(before);
  });
});

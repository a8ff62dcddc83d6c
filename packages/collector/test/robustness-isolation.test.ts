/**
 * Issue 8, item 5, and issue 19 (abuse): each key kind reaches only its routes, on every route of
 * app.ts; keys of site A never touch site B on any route; a denied origin stores nothing.
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, callWithKey, createSite, ingest, postEvents, settled, tableCounts, uid } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';
type Keys = Awaited<ReturnType<typeof createSite>>;
type KeyColumn = 'write' | 'agent' | 'read' | 'admin' | 'none' | 'unknown' | 'expired';
const COLUMNS: KeyColumn[] = ['write', 'agent', 'read', 'admin', 'none', 'unknown', 'expired'];

/** Every row of every table that belongs to `siteId` (tables with a `site_id` column, and `sites`). */
async function siteRows(siteId: string): Promise<Record<string, unknown[]>> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' order by name",
  ).all<{ name: string }>();
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const { results: columns } = await env.DB.prepare('select name from pragma_table_info(?)')
      .bind(name)
      .all<{ name: string }>();
    const column = name === 'sites' ? 'id' : columns.some((c) => c.name === 'site_id') ? 'site_id' : undefined;
    if (!column) continue;
    const order = columns.map((_, i) => i + 1).join(', ');
    const { results } = await env.DB.prepare(`select * from "${name}" where ${column} = ? order by ${order}`)
      .bind(siteId)
      .all();
    rows[name] = results;
  }
  return rows;
}

/** What B's read key sees on every read route. */
async function siteView(readKey: string, orderIds: string[]): Promise<unknown[]> {
  const paths = [
    '/v1/settings',
    '/v1/stats/widgets',
    '/v1/stats/campaigns',
    '/v1/stats/sequences',
    '/v1/stats/top-actions',
    '/v1/stats/daily',
    '/v1/stats/lift',
    '/v1/stats/chat?groupBy=conversation',
    '/v1/stats/chat?groupBy=agent',
    ...orderIds.map((id) => `/v1/orders/${id}`),
  ];
  return Promise.all(paths.map(async (p) => [p, await (await callWithKey(readKey, p)).json()]));
}

async function populate(site: Keys, orderId: string) {
  const visitor = uid('visitor');
  const customer = `customer-${site.siteId}`;
  const res = await callWithKey(site.agentKey, '/v1/links', {
    body: { url: `${ORIGIN}/p/1`, conversation: `conv-${site.siteId}`, channel: 'whatsapp', agent: 'ana' },
  });
  expect(res.status).toBe(201);
  const token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  const { k: _k, w: _w, t: _t, ...ids } = widgetEvent({ v: visitor });
  const events = [
    widgetEvent({ t: 'instance', v: visitor, w: `w-${site.siteId}`, c: 'spring', q: 'welcome' }),
    widgetEvent({ t: 'click', v: visitor, w: `w-${site.siteId}`, c: 'spring', q: 'welcome' }),
    landingEvent({ v: visitor, tk: token }),
    { ...ids, id: uid('ev'), t: 'identify', cu: customer },
    checkoutEvent({ v: visitor, o: orderId, val: 40 }),
  ];
  expect((await ingest(site.writeKey, events, { origin: ORIGIN })).accepted).toBe(events.length);
  const order = await callWithKey(site.readKey, '/v1/orders', {
    body: { orderId, value: 40, currency: 'EUR', visitorId: visitor, customerId: customer },
  });
  expect(order.status).toBe(200);
  const hours = await callWithKey(site.readKey, '/v1/agents/ana/hours', {
    method: 'PUT',
    body: { date: new Date().toISOString().slice(0, 10), hours: 6 },
  });
  expect(hours.status).toBe(200);
  await settled();
  return { events, token, visitor, customer };
}

describe('abuse and isolation', () => {
  let a: Keys;
  let b: Keys;
  let expired: Keys;
  let bData: Awaited<ReturnType<typeof populate>>;
  const shared = 'order-1001';
  const bOnly = 'order-b-only';

  beforeAll(async () => {
    a = await createSite({ allowedOrigins: [ORIGIN] });
    b = await createSite({ allowedOrigins: [ORIGIN] });
    expired = await createSite({ allowedOrigins: [ORIGIN] });
    await env.DB.prepare('update api_keys set expires_at = 1 where site_id = ?').bind(expired.siteId).run();
    await populate(a, shared);
    bData = await populate(b, shared);
    expect(
      (await callWithKey(b.readKey, '/v1/orders', { body: { orderId: bOnly, value: 7, currency: 'EUR' } })).status,
    ).toBe(200);
    await settled();
  });

  it('each key kind reaches only its routes, on every route of app.ts', async () => {
    const link = { url: `${ORIGIN}/p`, conversation: 'c-1', channel: 'sms' };
    const order = () => ({ orderId: uid('o'), value: 1, currency: 'EUR' });
    const read = { write: 403, agent: 403, admin: 401, none: 401, unknown: 401, expired: 401 };
    const routes: Array<{
      name: string;
      send: (key: string) => Promise<Response>;
      expected: Record<KeyColumn, number>;
      /** The kind whose expired key is tried. */
      kind: 'write' | 'agent' | 'read';
    }> = [
      {
        name: 'POST /v1/events',
        send: (k) => postEvents(k, [widgetEvent()], { keyInHeader: true }),
        expected: { write: 202, agent: 403, read: 403, admin: 401, none: 401, unknown: 401, expired: 401 },
        kind: 'write',
      },
      {
        name: 'POST /v1/links',
        send: (k) => callWithKey(k, '/v1/links', { body: link }),
        expected: { write: 403, agent: 201, read: 201, admin: 401, none: 401, unknown: 401, expired: 401 },
        kind: 'agent',
      },
      {
        name: 'POST /v1/orders',
        send: (k) => callWithKey(k, '/v1/orders', { body: order() }),
        expected: { ...read, read: 200 },
        kind: 'read',
      },
      {
        name: 'GET /v1/orders/:id',
        send: (k) => callWithKey(k, `/v1/orders/${shared}`),
        expected: { ...read, read: 200 },
        kind: 'read',
      },
      {
        name: 'GET /v1/settings',
        send: (k) => callWithKey(k, '/v1/settings'),
        expected: { ...read, read: 200 },
        kind: 'read',
      },
      {
        name: 'PUT /v1/settings',
        send: (k) => callWithKey(k, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'every' } }),
        expected: { ...read, read: 200 },
        kind: 'read',
      },
      ...['widgets', 'campaigns', 'sequences', 'top-actions', 'chat', 'daily', 'lift'].map((s) => ({
        name: `GET /v1/stats/${s}`,
        send: (k: string) => callWithKey(k, `/v1/stats/${s}`),
        expected: { ...read, read: 200 },
        kind: 'read' as const,
      })),
      {
        name: 'PUT /v1/agents/:agent/hours',
        send: (k) => callWithKey(k, '/v1/agents/bob/hours', { method: 'PUT', body: { date: '2026-11-20', hours: 2 } }),
        expected: { ...read, read: 200 },
        kind: 'read',
      },
      {
        name: 'DELETE /v1/visitors/:id',
        send: (k) => callWithKey(k, `/v1/visitors/${uid('nobody')}`, { method: 'DELETE' }),
        expected: { ...read, read: 204 },
        kind: 'read',
      },
      {
        name: 'DELETE /v1/customers/:id',
        send: (k) => callWithKey(k, `/v1/customers/${uid('nobody')}`, { method: 'DELETE' }),
        expected: { ...read, read: 204 },
        kind: 'read',
      },
      {
        name: 'POST /v1/keys/rotate',
        send: (k) => callWithKey(k, '/v1/keys/rotate', { body: { kind: 'link-secret' } }),
        expected: { ...read, read: 201 },
        kind: 'read',
      },
      {
        name: 'POST /v1/keys/rotate with siteId',
        send: (k) => callWithKey(k, '/v1/keys/rotate', { body: { kind: 'link-secret', siteId: a.siteId } }),
        expected: { write: 401, agent: 401, read: 401, admin: 201, none: 401, unknown: 401, expired: 401 },
        kind: 'read',
      },
      {
        name: 'POST /v1/sites',
        send: (k) => callWithKey(k, '/v1/sites', { body: { name: 'x' } }),
        expected: { write: 401, agent: 401, read: 401, admin: 201, none: 401, unknown: 401, expired: 401 },
        kind: 'read',
      },
      {
        name: 'POST /v1/admin/dead-letters/replay',
        send: (k) => callWithKey(k, '/v1/admin/dead-letters/replay', { method: 'POST' }),
        expected: { write: 401, agent: 401, read: 401, admin: 200, none: 401, unknown: 401, expired: 401 },
        kind: 'read',
      },
      ...['/health', '/agent', '/openapi.json', '/docs'].map((path) => ({
        name: `GET ${path}`,
        send: (k: string) => callWithKey(k, path),
        expected: { write: 200, agent: 200, read: 200, admin: 200, none: 200, unknown: 200, expired: 200 },
        kind: 'read' as const,
      })),
    ];
    const keyOf = (column: KeyColumn, kind: 'write' | 'agent' | 'read'): string =>
      ({
        write: a.writeKey,
        agent: a.agentKey,
        read: a.readKey,
        admin: env.ADMIN_TOKEN,
        none: '',
        unknown: `ltr_${'u'.repeat(32)}`,
        expired: { write: expired.writeKey, agent: expired.agentKey, read: expired.readKey }[kind],
      })[column];
    const answers: Record<string, Record<KeyColumn, number>> = {};
    const wanted: Record<string, Record<KeyColumn, number>> = {};
    for (const route of routes) {
      wanted[route.name] = route.expected;
      answers[route.name] = {} as Record<KeyColumn, number>;
      for (const column of COLUMNS) answers[route.name]![column] = (await route.send(keyOf(column, route.kind))).status;
    }
    expect(answers).toEqual(wanted);
    // The matrix changed none of A's keys.
    expect((await callWithKey(a.readKey, '/v1/settings')).status).toBe(200);
    console.log(
      `[robustness] key kinds: ${routes.length} routes × ${COLUMNS.length} keys (${COLUMNS.join(', ')}) = ${routes.length * COLUMNS.length} pairs answered as the key table says`,
    );
  });

  it("site A's keys never read or change site B, on any route", async () => {
    const rowsBefore = await siteRows(b.siteId);
    const viewBefore = await siteView(b.readKey, [shared, bOnly]);
    expect(rowsBefore.touches!.length).toBeGreaterThan(0);

    // A's read key: B's order ids are A's own namespace; reads answer A's data or 404.
    expect((await callWithKey(a.readKey, `/v1/orders/${bOnly}`)).status).toBe(404);
    const aShared = await (await callWithKey(a.readKey, `/v1/orders/${shared}`)).json<{ visitorId: string }>();
    expect(aShared.visitorId).not.toBe(bData.visitor);
    // A reports B's order ids, B's visitor and B's customer: they become A's orders.
    for (const orderId of [bOnly, shared]) {
      const res = await callWithKey(a.readKey, '/v1/orders', {
        body: {
          orderId,
          value: 999,
          currency: 'USD',
          visitorId: bData.visitor,
          customerId: bData.customer,
          status: 'refunded',
        },
      });
      expect(res.status).toBe(200);
    }
    // A's stats never show B's rows.
    const widgets = await (await callWithKey(a.readKey, '/v1/stats/widgets')).json<{ rows: { id: string }[] }>();
    expect(widgets.rows.map((r) => r.id)).toContain(`w-${a.siteId}`);
    expect(widgets.rows.map((r) => r.id)).not.toContain(`w-${b.siteId}`);
    // A's write key resends B's exact events: stored under A, new there (not B's duplicates).
    const resent = await ingest(a.writeKey, bData.events, { origin: ORIGIN });
    expect(resent.accepted).toBe(bData.events.length);
    // B's link token landed through A earns nothing at A.
    const forged = await ingest(a.writeKey, [landingEvent({ tk: bData.token })]);
    expect(forged.accepted).toBe(1);
    // A erases B's visitor and customer ids, records hours for B's agent, rotates its own keys.
    expect((await callWithKey(a.readKey, `/v1/visitors/${bData.visitor}`, { method: 'DELETE' })).status).toBe(204);
    expect((await callWithKey(a.readKey, `/v1/customers/${bData.customer}`, { method: 'DELETE' })).status).toBe(204);
    const hours = { date: new Date().toISOString().slice(0, 10), hours: 1 };
    expect((await callWithKey(a.readKey, '/v1/agents/ana/hours', { method: 'PUT', body: hours })).status).toBe(200);
    expect((await callWithKey(a.readKey, '/v1/keys/rotate', { body: { kind: 'link-secret' } })).status).toBe(201);
    expect((await callWithKey(a.readKey, '/v1/keys/rotate', { body: { kind: 'read', siteId: b.siteId } })).status).toBe(
      401,
    );
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
    await settled();

    expect(await siteRows(b.siteId)).toEqual(rowsBefore);
    expect(await siteView(b.readKey, [shared, bOnly])).toEqual(viewBefore);
    console.log(
      `[robustness] isolation: site B's rows in ${Object.keys(rowsBefore).length} tables and its ${viewBefore.length} read views unchanged after site A used every route with B's ids`,
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
    await settled();
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
    await settled();
    expect(await tableCounts()).toEqual(withC);
    expect({ ...withC, sites: before.sites, api_keys: before.api_keys, site_secrets: before.site_secrets }).toEqual(
      before,
    );
  });
});

/**
 * Issue 8, item 1, and issue 19: generated hostile bodies, paths and query strings for every
 * route of app.ts. Every input is invalid by construction; the properties assert it is refused
 * with a 4xx (an invalid event inside a valid batch: reported in `rejected`, nothing accepted),
 * never a 5xx, that nothing was sent to the work queue (the only way a request changes anything
 * later) and that the database is unchanged (row counts of every table, every site's settings,
 * keys and secrets).
 *
 * Seeded and reproducible. `ROBUSTNESS_RUNS` sets the inputs per route (default 200); the bench
 * run uses 10000. Each property prints "N inputs tried, 0 accepted wrongly, 0 5xx".
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { BASE_URL, call, createSite, settled, tableCounts, uid } from './helpers.js';
import {
  badBody,
  badId,
  badInstant,
  badLabel,
  extraKey,
  legalLabel,
  notJson,
  notNumber,
  notString,
  Raw,
  RUNS,
  rawNumber,
  SEED,
  serialize,
  withField,
} from './robustness-arbitraries.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';
const DAY = 86_400_000;

type Keys = Awaited<ReturnType<typeof createSite>>;
let site: Keys;
let other: Keys;
let orderId: string;

beforeAll(async () => {
  site = await createSite({ allowedOrigins: [ORIGIN] });
  other = await createSite({ allowedOrigins: [ORIGIN] });
  orderId = uid('order');
  const res = await call('/v1/orders', {
    method: 'POST',
    headers: { Authorization: `Bearer ${site.readKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ orderId, value: 10, currency: 'EUR' }),
  });
  expect(res.status).toBe(200);
  await settled();
});

/** Everything a rejected request must leave as it was. */
async function dbState() {
  const [sites, keys, secrets] = await Promise.all([
    env.DB.prepare('select id, settings, settings_version from sites order by id').all(),
    env.DB.prepare('select hash, expires_at from api_keys order by hash').all(),
    env.DB.prepare('select site_id, purpose, key_id from site_secrets order by 1, 2, 3').all(),
  ]);
  return { counts: await tableCounts(), sites: sites.results, keys: keys.results, secrets: secrets.results };
}

/** Messages a request sent to the work queue: a refused request must send none. */
let queued = 0;
const countingQueue = {
  send: async () => {
    queued++;
  },
  sendBatch: async (messages: unknown[]) => {
    queued += messages.length;
  },
} as unknown as Queue;

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

interface Tally {
  tried: number;
  acceptedWrongly: number;
  serverErrors: number;
}

/**
 * Sends one invalid request and checks the answer, the queue and the database. `accepted` says
 * whether an answer means the input was taken (for events: any event accepted).
 */
async function refused(req: Sent, tally: Tally, accepted: (res: Response, body: unknown) => boolean): Promise<void> {
  const before = await dbState();
  const sentBefore = queued;
  const res = await app.fetch(
    new Request(`${BASE_URL}${req.path}`, { method: req.method, headers: req.headers, body: req.body }),
    { ...env, WORK_QUEUE: countingQueue },
  );
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  tally.tried++;
  if (res.status >= 500) tally.serverErrors++;
  const took = accepted(res, body) || queued !== sentBefore;
  if (took) tally.acceptedWrongly++;
  const detail = `${req.method} ${req.path.slice(0, 300)} ${typeof req.body === 'string' ? req.body.slice(0, 300) : ''} -> ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, detail).toBeLessThan(500);
  expect(took, detail).toBe(false);
  expect(await dbState(), detail).toEqual(before);
}

const report = (endpoint: string, t: Tally) =>
  console.log(
    `[robustness] ${endpoint}: ${t.tried} inputs tried, ${t.acceptedWrongly} accepted wrongly, ${t.serverErrors} 5xx`,
  );

const newTally = (): Tally => ({ tried: 0, acceptedWrongly: 0, serverErrors: 0 });
const isSuccess = (res: Response) => res.status < 300;
const options = { seed: SEED, numRuns: RUNS, endOnFailure: true };

/** Authorization headers that must not pass where `good` is needed. */
const wrongAuth = (good: string, wrongKinds: string[]) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(...wrongKinds).map((k) => `Bearer ${k}`),
    fc.constantFrom(`Bearer ${good.slice(0, -1)}`, `Bearer ${good}x`, `Basic ${good}`, `Bearer`, `Bearer  `, good),
    fc.string({ maxLength: 60 }).map((s) => `Bearer ${s.replace(/\s/g, '')}`),
  );

/** One field of `base` replaced with a value from its bad arbitrary, or one unknown key added. */
function mutated(
  base: () => Record<string, unknown>,
  bad: Record<string, fc.Arbitrary<unknown>>,
  { strict = true } = {},
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(bad);
  const replaced = fc
    .constantFrom(...fields)
    .chain((field) => bad[field]!.map((value) => ({ field, value })))
    .map(({ field, value }) => withField(base(), field, value));
  if (!strict) return replaced;
  const known = new Set(Object.keys(base()));
  return fc.oneof(
    replaced,
    fc
      .tuple(
        extraKey.filter((key) => !known.has(key)),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([key, value]) => withField(base(), key, value)),
  );
}

const json = (key: string | undefined) => ({
  'Content-Type': 'application/json',
  ...(key === undefined ? {} : { Authorization: key }),
});

describe('hostile input', { timeout: 600_000 }, () => {
  it('POST /v1/events: invalid events are reported by index and store nothing', async () => {
    const tally = newTally();
    const now = Date.now();
    const common = {
      id: badId,
      v: badId,
      s: badId,
      ts: fc.oneof(
        notNumber,
        rawNumber,
        fc.integer({ max: -1 }),
        fc.double({ min: 1, max: 1e12, noInteger: true }),
        fc.integer({ min: 31 * DAY, max: 1e5 * DAY }).map((ago) => now - ago),
      ),
      p: fc.oneof(
        notString,
        fc.integer({ min: 1025, max: 20_000 }).map((n) => '/'.repeat(n)),
      ),
      t: fc.oneof(
        notString,
        fc
          .string({ maxLength: 12 })
          .filter((t) => !['instance', 'click', 'hover', 'dismiss', 'landing', 'checkout'].includes(t)),
      ),
    };
    const widget = mutated(() => ({ ...widgetEvent({ c: 'spring', q: 'welcome' }) }), {
      ...common,
      k: fc.oneof(notString, fc.constantFrom('banner', 'POPUP', 'popup ', '')),
      w: badLabel(),
      c: fc.oneof(badLabel(), fc.constant(null)),
      q: fc.oneof(badLabel(), fc.constant(null)),
    });
    const checkout = mutated(() => ({ ...checkoutEvent() }), {
      ...common,
      o: badLabel(),
      val: fc.oneof(
        notNumber,
        rawNumber,
        fc.double({ min: -1e15, max: -1e-9, noNaN: true }),
        fc.double({ min: 1.000001e12, max: 1e300, noNaN: true }),
        fc.constantFrom(12.345, 0.001, 1.5e-7),
      ),
      cur: fc.oneof(notString, fc.constantFrom('eur', 'EURO', '€', 'E1R', '', 'EU', 'EUR ', '__proto__')),
    });
    const landing = mutated(() => ({ ...landingEvent() }), {
      ...common,
      tk: fc.oneof(
        notString,
        fc.constant(''),
        fc.integer({ min: 257, max: 3000 }).map((n) => 'a'.repeat(n)),
        fc.constantFrom('a b', 'a+b', 'a/b', 'ab=', '<x>', "a'--", 'ä'),
      ),
    });
    const event = fc.oneof(widget, checkout, landing, badBody);
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        await refused(
          {
            method: 'POST',
            path: '/v1/events',
            headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
            body: serialize({ k: site.writeKey, e: [e] }),
          },
          tally,
          (res, body) =>
            isSuccess(res) &&
            !(
              res.status === 202 &&
              (body as { accepted: number }).accepted === 0 &&
              (body as { rejected: { index: number }[] }).rejected.length === 1 &&
              (body as { rejected: { index: number }[] }).rejected[0]!.index === 0
            ),
        );
      }),
      options,
    );
    report('POST /v1/events (events)', tally);

    const envelopes = newTally();
    const envelope = fc.oneof(
      badBody.map((b) => serialize(b)),
      notJson,
      mutated(
        () => ({ k: site.writeKey, e: [widgetEvent()] }),
        {
          k: fc.oneof(
            notString,
            fc.constantFrom(site.readKey, site.agentKey, `${site.writeKey}x`, site.writeKey.slice(0, -1), '', 'ltw_'),
          ),
          e: fc.oneof(
            notString.filter((v) => !Array.isArray(v) && !(v instanceof Raw && v.text.startsWith('['))),
            fc.constant([]),
            fc.integer({ min: 101, max: 300 }).map((n) => Array.from({ length: n }, () => widgetEvent())),
          ),
          st: fc.oneof(notNumber, rawNumber, fc.integer({ max: -1 })),
          // The envelope ignores unknown keys on purpose (an older collector takes a newer SDK's batches).
        },
        { strict: false },
      ).map((b) => serialize(b)),
      fc
        .integer({ min: 65_537, max: 200_000 })
        .map((n) => serialize({ k: site.writeKey, e: [widgetEvent({ p: '/'.repeat(n) })] })),
    );
    await fc.assert(
      fc.asyncProperty(envelope, async (body) => {
        await refused(
          { method: 'POST', path: '/v1/events', headers: { 'Content-Type': 'text/plain' }, body },
          envelopes,
          isSuccess,
        );
      }),
      options,
    );
    report('POST /v1/events (batches)', envelopes);
  });

  it('POST /v1/orders: invalid orders and wrong keys are refused and store nothing', async () => {
    const tally = newTally();
    const order = mutated(
      () => ({
        orderId: uid('order'),
        value: 12.5,
        currency: 'EUR',
        visitorId: uid('visitor'),
        ts: new Date().toISOString(),
        status: 'placed',
      }),
      {
        orderId: badLabel(),
        value: fc.oneof(
          notNumber,
          rawNumber,
          fc.double({ min: -1e15, max: -1e-9, noNaN: true }),
          fc.constantFrom(1e12 + 1, 12.345, 0.001),
        ),
        currency: fc.oneof(notString, fc.constantFrom('eur', 'EURO', '€', '', 'EUR ')),
        visitorId: badId,
        ts: fc.oneof(
          fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })),
          rawNumber,
          fc.integer({ max: -1 }),
          fc.double({ min: 1, max: 1e12, noInteger: true }),
          fc.constantFrom(
            8.64e15 + 1,
            '2026-02-30T00:00:00Z',
            '2026-13-01T00:00:00Z',
            '2026-11-01',
            '2026-11-01T25:00:00Z',
            '+275760-09-13T00:00:00Z',
            'yesterday',
            '1e400',
            '',
          ),
        ),
        status: fc.oneof(notString, fc.constantFrom('placed ', 'REFUNDED', 'deleted', '')),
      },
    );
    const req = fc.oneof(
      { weight: 6, arbitrary: order.map((b) => ({ auth: `Bearer ${site.readKey}`, body: serialize(b) })) },
      {
        weight: 1,
        arbitrary: fc.oneof(badBody.map(serialize), notJson).map((body) => ({ auth: `Bearer ${site.readKey}`, body })),
      },
      {
        weight: 2,
        arbitrary: wrongAuth(site.readKey, [site.writeKey, site.agentKey]).map((auth) => ({
          auth,
          body: serialize({ orderId: uid('order'), value: 1, currency: 'EUR' }),
        })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ auth, body }) => {
        await refused({ method: 'POST', path: '/v1/orders', headers: json(auth), body }, tally, isSuccess);
      }),
      options,
    );
    report('POST /v1/orders', tally);
  });

  it('POST /v1/links: invalid requests, foreign urls and wrong keys tag nothing', async () => {
    const tally = newTally();
    const link = mutated(
      () => ({ url: `${ORIGIN}/p/1?a=1`, conversation: uid('conv'), channel: 'whatsapp', agent: 'ana' }),
      {
        url: fc.oneof(
          notString,
          fc.constant(''),
          fc.integer({ min: 2049 - ORIGIN.length, max: 10_000 }).map((n) => `${ORIGIN}/${'p'.repeat(n)}`),
          fc.constantFrom(
            'javascript:alert(1)//https://shop.example',
            'data:text/html,<script>alert(1)</script>',
            'https://evil.example/p/1',
            'http://shop.example/p/1',
            'https://shop.example.evil.example/',
            'https://shop.example@evil.example/',
            'https://user:pw@shop.example/',
            '//shop.example/p/1',
            '/p/1',
            'shop.example/p/1',
            'https://shop.example:8443/',
            'ftp://shop.example/',
            'https://xn--shp-fla.example/',
          ),
          fc.webUrl().filter((u) => new URL(u).origin !== ORIGIN),
        ),
        conversation: badLabel(),
        channel: fc.oneof(
          notString,
          fc.constantFrom('WhatsApp', 'sms ', '', 'a'.repeat(33), 'e-mail!', '<b>', '__proto__ '),
        ),
        agent: fc.oneof(badLabel(), fc.constant(null)),
      },
    );
    const req = fc.oneof(
      { weight: 6, arbitrary: link.map((b) => ({ auth: `Bearer ${site.agentKey}`, body: serialize(b) })) },
      {
        weight: 1,
        arbitrary: fc.oneof(badBody.map(serialize), notJson).map((body) => ({ auth: `Bearer ${site.agentKey}`, body })),
      },
      {
        weight: 2,
        arbitrary: wrongAuth(site.agentKey, [site.writeKey]).map((auth) => ({
          auth,
          body: serialize({ url: `${ORIGIN}/p/1`, conversation: 'c', channel: 'sms' }),
        })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ auth, body }) => {
        await refused({ method: 'POST', path: '/v1/links', headers: json(auth), body }, tally, isSuccess);
      }),
      options,
    );
    report('POST /v1/links', tally);
  });

  it('POST /v1/sites: invalid bodies and wrong admin tokens create nothing', async () => {
    const tally = newTally();
    const badOrigin = fc.oneof(
      notString,
      fc.constantFrom(
        'https://shop.example/',
        'https://shop.example/path',
        'shop.example',
        'javascript:alert(1)',
        'ftp://shop.example',
        'https://user@shop.example',
        'HTTPS://SHOP.EXAMPLE',
        'https://shop.example?x=1',
        '*',
        'null',
        '',
      ),
      fc.integer({ min: 300, max: 2000 }).map((n) => `https://${'a'.repeat(n)}.example`),
    );
    const body = mutated(() => ({ name: 'Shop', allowedOrigins: [ORIGIN] }), {
      name: badLabel(100),
      allowedOrigins: fc.oneof(
        notString.filter((v) => !Array.isArray(v) || (v as unknown[]).length > 0),
        badOrigin.map((o) => [ORIGIN, o]),
        fc.integer({ min: 51, max: 200 }).map((n) => Array.from({ length: n }, (_, i) => `https://s${i}.example`)),
      ),
    });
    const admin = `Bearer ${env.ADMIN_TOKEN}`;
    const req = fc.oneof(
      { weight: 6, arbitrary: body.map((b) => ({ auth: admin, body: serialize(b) })) },
      { weight: 1, arbitrary: fc.oneof(badBody.map(serialize), notJson).map((b) => ({ auth: admin, body: b })) },
      {
        weight: 2,
        arbitrary: wrongAuth(env.ADMIN_TOKEN, [site.readKey, site.writeKey, site.agentKey]).map((auth) => ({
          auth,
          body: serialize({ name: 'Shop' }),
        })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ auth, body }) => {
        await refused({ method: 'POST', path: '/v1/sites', headers: json(auth), body }, tally, isSuccess);
      }),
      options,
    );
    report('POST /v1/sites', tally);
  });

  it('PUT /v1/settings: invalid settings and wrong keys change nothing', async () => {
    const tally = newTally();
    const seconds = fc.oneof(notNumber, rawNumber, fc.constantFrom(0, -1, 31_536_001, 1.5, 86_400.5, 1e300));
    const windows = () => ({
      default: 86_400,
      kinds: { popup: 3600 },
      channels: { sms: 86_400 },
      campaigns: { spring: 7200 },
    });
    const badWindows = fc.oneof(
      notString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      mutated(windows, {
        default: seconds,
        kinds: fc.oneof(
          seconds.map((s) => ({ popup: s })),
          fc.constantFrom('banner', 'POPUP', '__proto__', 'constructor').map((k) => withField({}, k, 60)),
        ),
        channels: fc.oneof(
          seconds.map((s) => ({ sms: s })),
          fc.constantFrom('SMS', 'e mail', '', 'a'.repeat(33)).map((k) => withField({}, k, 60)),
        ),
        campaigns: fc.oneof(
          seconds.map((s) => ({ spring: s })),
          badLabel()
            .filter((l) => typeof l === 'string')
            .map((k) => withField({}, k as string, 60)),
        ),
      }),
    );
    const update = fc.oneof(
      fc.constant({}),
      mutated(() => ({ creditPolicy: 'first', allowedOrigins: [ORIGIN], attributionWindows: windows() }), {
        creditPolicy: fc.oneof(notString, fc.constantFrom('First', 'last', 'every ', '')),
        allowedOrigins: fc.oneof(
          notString.filter((v) => !Array.isArray(v) || (v as unknown[]).length > 0),
          fc.constantFrom(['https://shop.example/'], ['*'], ['null'], [ORIGIN, 'http//x']),
        ),
        attributionWindows: badWindows,
      }),
    );
    const req = fc.oneof(
      { weight: 6, arbitrary: update.map((b) => ({ auth: `Bearer ${site.readKey}`, body: serialize(b) })) },
      {
        weight: 1,
        arbitrary: fc.oneof(badBody.map(serialize), notJson).map((body) => ({ auth: `Bearer ${site.readKey}`, body })),
      },
      {
        weight: 2,
        arbitrary: wrongAuth(site.readKey, [site.writeKey, site.agentKey]).map((auth) => ({
          auth,
          body: serialize({ creditPolicy: 'first' }),
        })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ auth, body }) => {
        await refused({ method: 'PUT', path: '/v1/settings', headers: json(auth), body }, tally, isSuccess);
      }),
      options,
    );
    report('PUT /v1/settings', tally);
  });

  it('GET /v1/stats/*: hostile query strings are refused with 400, never 5xx', async () => {
    const tally = newTally();
    const paged = [
      '/v1/stats/widgets',
      '/v1/stats/campaigns',
      '/v1/stats/sequences',
      '/v1/stats/chat',
      '/v1/stats/lift',
    ];
    const paths = [...paged, '/v1/stats/top-actions', '/v1/stats/daily'];
    const anyText = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('1e400', '-0', 'NaN', '<script>', "' or 1=1--"),
    );
    const badLimit = fc.oneof(
      fc.constantFrom('0', '-1', '5001', '1.5', '1e400', 'NaN', '', 'ten', '0x10', '99999999999999999999'),
      fc.integer({ min: 5001 }).map(String),
    );
    const badCursor = fc.oneof(
      fc.constantFrom('', '!', 'a b', '%', 'x'.repeat(17), btoa('-1'), btoa('1.5'), btoa('abc'), "' or 1=1--"),
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
    );
    const query = fc.oneof(
      badInstant.map((from) => ({ from })),
      badInstant.map((to) => ({ to })),
      fc.constantFrom(
        { from: '2026-11-02', to: '2026-11-01' },
        { from: '2026-11-01', to: '2026-11-01T05:00:00Z' },
        { from: '2020-01-01', to: '2026-01-01' },
        { from: '0000-01-01', to: '9999-12-31' },
      ),
      anyText.filter((v) => v !== 'csv' && v !== 'json').map((format) => ({ format })),
    );
    // `verified` is a parameter of every stats route but lift, which counts all orders.
    const verifiedPaths = paths.filter((p) => p !== '/v1/stats/lift');
    const req = fc.oneof(
      fc.tuple(fc.constantFrom(...paths), query, fc.constant(`Bearer ${site.readKey}`)),
      fc.tuple(
        fc.constantFrom(...verifiedPaths),
        anyText.filter((v) => v !== 'true' && v !== 'false').map((verified) => ({ verified })),
        fc.constant(`Bearer ${site.readKey}`),
      ),
      fc.tuple(
        fc.constantFrom(...paged),
        fc.oneof(
          badLimit.map((limit) => ({ limit })),
          badCursor.map((cursor) => ({ cursor })),
        ),
        fc.constant(`Bearer ${site.readKey}`),
      ),
      fc.tuple(
        fc.constantFrom('/v1/stats/chat'),
        anyText.filter((g) => !['channel', 'agent', 'conversation'].includes(g)).map((groupBy) => ({ groupBy })),
        fc.constant(`Bearer ${site.readKey}`),
      ),
      fc.tuple(
        fc.constantFrom('/v1/stats/lift'),
        anyText.filter((g) => !['site', 'campaign', 'widget'].includes(g)).map((groupBy) => ({ groupBy })),
        fc.constant(`Bearer ${site.readKey}`),
      ),
      fc.tuple(
        fc.constantFrom('/v1/stats/daily'),
        fc.tuple(anyText, anyText).map(([widget, campaign]) => ({ widget, campaign })),
        fc.constant(`Bearer ${site.readKey}`),
      ),
      fc.tuple(
        fc.constantFrom(...paths),
        fc.constant({}),
        wrongAuth(site.readKey, [site.writeKey, site.agentKey]).map((a) => a ?? ''),
      ),
    );
    await fc.assert(
      fc.asyncProperty(req, async ([path, q, auth]) => {
        const search = new URLSearchParams(q as Record<string, string>).toString();
        await refused(
          { method: 'GET', path: `${path}?${search}`, headers: auth ? { Authorization: auth } : {} },
          tally,
          isSuccess,
        );
      }),
      options,
    );
    report('GET /v1/stats/*', tally);
  });

  it('GET /v1/orders/:orderId: hostile ids answer 404, never 5xx and never another order', async () => {
    const tally = newTally();
    const id = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
        fc.constantFrom(
          ...['%ZZ', '%', '%00', '%2e%2e', '..%2F..%2Fsites', `${'a'.repeat(5000)}`, `${orderId}%00`, `${orderId}'--`],
        ),
        fc
          .constantFrom("' or '1'='1", `${orderId}' or 1=1 --`, '<script>alert(1)</script>', '__proto__', 'constructor')
          .map(encodeURIComponent),
      )
      .filter((s) => s !== encodeURIComponent(orderId));
    await fc.assert(
      fc.asyncProperty(fc.tuple(id, fc.constantFrom(site.readKey, other.readKey)), async ([orderPath, key]) => {
        await refused(
          { method: 'GET', path: `/v1/orders/${orderPath}`, headers: { Authorization: `Bearer ${key}` } },
          tally,
          isSuccess,
        );
      }),
      options,
    );
    // The oracle can fail: the real id answers, through the same path building.
    const found = await call(`/v1/orders/${encodeURIComponent(orderId)}`, {
      headers: { Authorization: `Bearer ${site.readKey}` },
    });
    expect(found.status).toBe(200);
    report('GET /v1/orders/:orderId', tally);
  });

  it('GET /v1/settings: wrong keys read nothing', async () => {
    const tally = newTally();
    await fc.assert(
      fc.asyncProperty(wrongAuth(site.readKey, [site.writeKey, site.agentKey]), async (auth) => {
        await refused(
          { method: 'GET', path: '/v1/settings', headers: auth === undefined ? {} : { Authorization: auth } },
          tally,
          isSuccess,
        );
      }),
      options,
    );
    report('GET /v1/settings', tally);
  });

  it('PUT /v1/agents/:agent/hours: hostile agents, dates, hours and wrong keys store nothing', async () => {
    const tally = newTally();
    const agentPath = fc.oneof(
      fc.constant(''),
      fc.integer({ min: 129, max: 3000 }).map((n) => 'a'.repeat(n)),
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 20 }))
        .map(([a, c, b]) => a + String.fromCharCode(c) + b),
      fc.constant('\u007f'),
    );
    const body = mutated(() => ({ date: '2026-11-20', hours: 7.5 }), {
      date: fc.oneof(
        notString,
        fc.constantFrom('2026-02-30', '2026-13-01', '20261120', '2026-11-20T00:00:00Z', '', 'today', '2026-11-1'),
      ),
      hours: fc.oneof(notNumber, rawNumber, fc.constantFrom(-1, 24.01, 25, 1e300, -0.5)),
    });
    const req = fc.oneof(
      {
        weight: 4,
        arbitrary: body.map((b) => ({ agent: 'ann', auth: `Bearer ${site.readKey}`, body: serialize(b) })),
      },
      {
        weight: 2,
        arbitrary: agentPath.map((agent) => ({
          agent,
          auth: `Bearer ${site.readKey}`,
          body: serialize({ date: '2026-11-20', hours: 1 }),
        })),
      },
      {
        weight: 1,
        arbitrary: fc
          .oneof(badBody.map(serialize), notJson)
          .map((b) => ({ agent: 'ann', auth: `Bearer ${site.readKey}`, body: b })),
      },
      {
        weight: 2,
        arbitrary: wrongAuth(site.readKey, [site.writeKey, site.agentKey]).map((auth) => ({
          agent: 'ann',
          auth,
          body: serialize({ date: '2026-11-20', hours: 1 }),
        })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ agent, auth, body }) => {
        await refused(
          { method: 'PUT', path: `/v1/agents/${encodeURIComponent(agent)}/hours`, headers: json(auth), body },
          tally,
          isSuccess,
        );
      }),
      options,
    );
    report('PUT /v1/agents/:agent/hours', tally);
  });

  it('DELETE /v1/visitors/:id and /v1/customers/:id: hostile ids and wrong keys erase nothing', async () => {
    const tally = newTally();
    const text = (arb: fc.Arbitrary<unknown>) => arb.filter((v): v is string => typeof v === 'string');
    const badCustomer = fc.oneof(
      fc.integer({ min: 129, max: 3000 }).map((n) => 'c'.repeat(n)),
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 20 }))
        .map(([a, c, b]) => a + String.fromCharCode(c) + b),
    );
    const req = fc.oneof(
      {
        weight: 3,
        arbitrary: text(badId).map((id) => ({
          path: `/v1/visitors/${encodeURIComponent(id)}`,
          auth: `Bearer ${site.readKey}`,
        })),
      },
      {
        weight: 3,
        arbitrary: badCustomer.map((id) => ({
          path: `/v1/customers/${encodeURIComponent(id)}`,
          auth: `Bearer ${site.readKey}`,
        })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom('/v1/visitors/v-1', '/v1/customers/c-1'),
            wrongAuth(site.readKey, [site.writeKey, site.agentKey]),
          )
          .map(([path, auth]) => ({ path, auth })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ path, auth }) => {
        await refused(
          { method: 'DELETE', path, headers: auth === undefined ? {} : { Authorization: auth } },
          tally,
          isSuccess,
        );
      }),
      options,
    );
    report('DELETE /v1/visitors/:id, /v1/customers/:id', tally);
  });

  it('POST /v1/keys/rotate: hostile bodies, wrong keys and wrong admin tokens rotate nothing', async () => {
    const tally = newTally();
    const body = mutated(() => ({ kind: 'read' }), {
      kind: fc.oneof(notString, fc.constantFrom('Read', 'admin', 'link_secret', 'secret', '', 'read ', '__proto__')),
      siteId: fc.oneof(badId, fc.constant(null)),
    });
    const admin = `Bearer ${env.ADMIN_TOKEN}`;
    const req = fc.oneof(
      { weight: 4, arbitrary: body.map((b) => ({ auth: `Bearer ${site.readKey}`, body: serialize(b) })) },
      {
        weight: 1,
        arbitrary: fc.oneof(badBody.map(serialize), notJson).map((b) => ({ auth: `Bearer ${site.readKey}`, body: b })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            wrongAuth(site.readKey, [site.writeKey, site.agentKey, env.ADMIN_TOKEN]),
            fc.constantFrom('write', 'agent', 'read', 'link-secret'),
          )
          .map(([auth, kind]) => ({ auth, body: serialize({ kind }) })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            wrongAuth(env.ADMIN_TOKEN, [site.readKey, site.writeKey, site.agentKey]),
            fc.constantFrom('write', 'agent', 'read', 'link-secret'),
          )
          .map(([auth, kind]) => ({ auth, body: serialize({ kind, siteId: site.siteId }) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            fc.constantFrom('no-such-site', 'demo', other.siteId.toUpperCase()),
            fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
          )
          .filter((id) => id !== site.siteId && id !== other.siteId)
          .map((siteId) => ({ auth: admin, body: serialize({ kind: 'read', siteId }) })),
      },
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ auth, body }) => {
        await refused({ method: 'POST', path: '/v1/keys/rotate', headers: json(auth), body }, tally, isSuccess);
      }),
      options,
    );
    report('POST /v1/keys/rotate', tally);
  });

  it('any method on any route, with hostile paths and no key, changes nothing and never answers 5xx', async () => {
    const tally = newTally();
    const routes = [
      '/health',
      '/agent',
      '/demo',
      '/demo/demo.js',
      '/v1/sites',
      '/v1/events',
      '/v1/settings',
      '/v1/links',
      '/v1/orders',
      `/v1/orders/${encodeURIComponent(orderId)}`,
      '/v1/stats/widgets',
      '/v1/stats/daily',
      '/v1/stats/lift',
      '/v1/agents/ann/hours',
      '/v1/visitors/v-1',
      '/v1/customers/c-1',
      '/v1/keys/rotate',
      '/v1/admin/dead-letters/replay',
      '/v1/stats/chat',
      '/openapi.json',
      '/docs',
    ];
    const suffix = fc.oneof(
      fc.constant(''),
      fc.constantFrom('/', '//', '/..', '/%2e%2e/v1/sites', '/%00', '?a=%ZZ', '#x', '/x/y/z', ';a=1'),
      fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
    );
    const req = fc.tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      fc.constantFrom(...routes),
      suffix,
      fc.oneof(fc.constant(undefined), fc.constantFrom('{}', '{"k":"ltw_x","e":[]}', 'null', '[]')),
    );
    await fc.assert(
      fc.asyncProperty(req, async ([method, route, tail, body]) => {
        const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        await refused(
          {
            method,
            path: `${route}${tail}`,
            headers: hasBody ? { 'Content-Type': 'application/json' } : {},
            ...(hasBody ? { body } : {}),
          },
          tally,
          () => false,
        );
      }),
      options,
    );
    report('any method, any route, no key', tally);
  });

  it('stats ranges refuse impossible calendar dates instead of rolling them over', async () => {
    // Date.parse turns 2026-02-30 into March 2 and 24:00 into the next day: the answer would
    // silently cover another range than the one asked for.
    const answers: Record<string, number> = {};
    for (const from of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-11-01T24:00:00Z', '2026-11-01T23:59:60Z']) {
      const res = await call(`/v1/stats/widgets?from=${from}&to=2026-11-20`, {
        headers: { Authorization: `Bearer ${site.readKey}` },
      });
      answers[from] = res.status;
    }
    expect(answers).toEqual({
      '2026-02-30': 400,
      '2026-02-29': 400,
      '2026-04-31': 400,
      '2026-11-01T24:00:00Z': 400,
      '2026-11-01T23:59:60Z': 400,
    });
  });

  it('settings keep a campaign named __proto__ or refuse it, never drop it silently', async () => {
    const before = await dbState();
    const body =
      '{"attributionWindows":{"default":86400,"kinds":{},"channels":{},"campaigns":{"__proto__":7200,"spring":3600}}}';
    const res = await call('/v1/settings', { method: 'PUT', headers: json(`Bearer ${other.readKey}`), body });
    if (res.status === 400) {
      expect(await dbState()).toEqual(before);
      return;
    }
    expect(res.status).toBe(200);
    const settings = await res.json<{ attributionWindows: { campaigns: Record<string, number> } }>();
    expect(Object.entries(settings.attributionWindows.campaigns)).toEqual([
      ['__proto__', 7200],
      ['spring', 3600],
    ]);
  });

  it('settings refuse __proto__ as a widget kind too, never drop it silently', async () => {
    // Found by the 10,000-input bench run: `kinds` is a record keyed by widget kind, and a
    // `__proto__` key there was answered 200 with the key gone.
    const before = await dbState();
    const body = '{"attributionWindows":{"default":86400,"kinds":{"__proto__":60},"channels":{},"campaigns":{}}}';
    const res = await call('/v1/settings', { method: 'PUT', headers: json(`Bearer ${other.readKey}`), body });
    expect(res.status).toBe(400);
    expect(await dbState()).toEqual(before);
  });

  it('text with a lone surrogate is refused: it cannot be stored as UTF-8 and read back', async () => {
    // JSON can carry "\ud83d" alone; D1 stores it as bytes that read back as U+FFFD, so an
    // order id or label holding one would never be found again by its own value.
    const lone = 'a\ud83db';
    const before = await dbState();
    const event = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ k: site.writeKey, e: [widgetEvent({ w: lone })] }),
    });
    await settled();
    const order = await call('/v1/orders', {
      method: 'POST',
      headers: json(`Bearer ${site.readKey}`),
      body: JSON.stringify({ orderId: lone, value: 1, currency: 'EUR' }),
    });
    const link = await call('/v1/links', {
      method: 'POST',
      headers: json(`Bearer ${site.agentKey}`),
      body: JSON.stringify({ url: `${ORIGIN}/p`, conversation: lone, channel: 'sms' }),
    });
    expect({
      event: ((await event.json()) as { accepted: number }).accepted,
      order: order.status,
      link: link.status,
    }).toEqual({ event: 0, order: 400, link: 400 });
    expect(await dbState()).toEqual(before);
  });

  it('legal but hostile text (markup, SQL, unicode) is accepted and kept byte for byte', async () => {
    const tally = { tried: 0, lost: 0 };
    await fc.assert(
      fc.asyncProperty(
        legalLabel,
        legalLabel,
        legalLabel.filter((l) => l.length <= 70),
        async (label, conversation, orderLabel) => {
          tally.tried++;
          const ev = widgetEvent({ w: label, c: label });
          const res = await call('/v1/events', {
            method: 'POST',
            headers: { 'Content-Type': 'text/plain' },
            body: JSON.stringify({ k: site.writeKey, e: [ev] }),
          });
          expect(await res.json()).toMatchObject({ accepted: 1 });
          await settled();
          const row = await env.DB.prepare('select widget_id, campaign from touches where site_id = ? and event_id = ?')
            .bind(site.siteId, ev.id)
            .first<{ widget_id: string; campaign: string }>();
          expect(row).toEqual({ widget_id: label, campaign: label });

          const link = await call('/v1/links', {
            method: 'POST',
            headers: json(`Bearer ${site.agentKey}`),
            body: JSON.stringify({ url: `${ORIGIN}/p`, conversation, channel: 'chat', agent: label }),
          });
          expect(link.status).toBe(201);
          const stored = await env.DB.prepare(
            'select conversation, agent from links where site_id = ? and conversation = ? and agent = ?',
          )
            .bind(site.siteId, conversation, label)
            .first();
          expect(stored).toEqual({ conversation, agent: label });

          const id = `${orderLabel}-${uid('o')}`;
          const order = await call('/v1/orders', {
            method: 'POST',
            headers: json(`Bearer ${site.readKey}`),
            body: JSON.stringify({ orderId: id, value: 1, currency: 'EUR' }),
          });
          expect(order.status, id).toBe(200);
          const back = await call(`/v1/orders/${encodeURIComponent(id)}`, {
            headers: { Authorization: `Bearer ${site.readKey}` },
          });
          expect(back.status, id).toBe(200);
          expect((await back.json<{ orderId: string }>()).orderId).toBe(id);
        },
      ),
      { seed: SEED, numRuns: Math.max(20, Math.floor(RUNS / 4)), endOnFailure: true },
    );
    console.log(
      `[robustness] legal hostile text: ${tally.tried} inputs round-tripped through events, links and orders, ${tally.lost} altered`,
    );
  });
});

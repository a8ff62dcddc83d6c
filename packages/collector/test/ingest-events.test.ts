import { env } from 'cloudflare:workers';
import { LIMITS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { call, countEvents, createSite, ingest, postEvents, settled } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/** A body streamed in chunks, so the request carries no Content-Length. */
function streamed(text: string, chunkSize = 4096): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe('POST /v1/events', () => {
  it('stores the valid events of a mixed batch and reports the invalid ones by index', async () => {
    const site = await createSite();
    const valid = [widgetEvent({ t: 'instance' }), checkoutEvent({ val: 40 }), landingEvent()];
    const res = await postEvents(site.writeKey, [
      valid[0],
      { ...widgetEvent(), k: 'banner' },
      valid[1],
      { t: 'teleport' },
      checkoutEvent({ val: 1.001 }),
      valid[2],
    ]);
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      accepted: number;
      duplicates: number;
      rejected: { index: number; code: string }[];
    };
    expect(body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_event'],
      [3, 'unknown_type'],
      [4, 'invalid_value'],
    ]);
    expect(body.rejected[0]).toMatchObject({ message: expect.stringContaining('k') });
    await settled();
    expect(await countEvents(site.siteId)).toBe(3);
    const checkout = await env.DB.prepare(
      'select value_minor, currency, received_at from order_reports where order_id = ?',
    )
      .bind((valid[1] as { o: string }).o)
      .first();
    expect(checkout).toMatchObject({ value_minor: 4000, currency: 'EUR', received_at: expect.any(Number) });
  });

  it('counts an id repeated inside a batch once', async () => {
    const site = await createSite();
    const event = widgetEvent();
    const other = widgetEvent();
    const body = await ingest(site.writeKey, [event, other, event, { ...event, w: 'changed' }]);
    expect(body).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    await settled();
    expect(await countEvents(site.siteId)).toBe(2);
    const stored = await env.DB.prepare('select widget_id from touches where event_id = ?').bind(event.id).first();
    expect(stored).toEqual({ widget_id: event.w });
  });

  it('acknowledges ids stored by an earlier batch without storing them again', async () => {
    const site = await createSite();
    const first = [widgetEvent(), checkoutEvent()];
    expect(await ingest(site.writeKey, first)).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    await settled();
    expect(await ingest(site.writeKey, [...first, widgetEvent()])).toEqual({
      accepted: 1,
      duplicates: 2,
      rejected: [],
    });
    await settled();
    expect(await countEvents(site.siteId)).toBe(3);
  });

  it('keeps the same event id of two sites apart', async () => {
    const [a, b] = await Promise.all([createSite(), createSite()]);
    const event = widgetEvent();
    expect(await ingest(a.writeKey, [event])).toMatchObject({ accepted: 1 });
    expect(await ingest(b.writeKey, [event])).toMatchObject({ accepted: 1 });
    await settled();
    expect([await countEvents(a.siteId), await countEvents(b.siteId)]).toEqual([1, 1]);
  });

  it('stores each event once when the same batch arrives concurrently', async () => {
    const site = await createSite();
    const batch = Array.from({ length: 20 }, () => widgetEvent());
    const answers = await Promise.all([1, 2, 3].map(() => ingest(site.writeKey, batch)));
    // Each answer sees what was stored before it; the consumer dedupes the rest by id.
    for (const answer of answers) expect(answer.accepted + answer.duplicates).toBe(20);
    await settled();
    expect(await countEvents(site.siteId)).toBe(20);
    const clicks = await env.DB.prepare('select sum(clicks) as n from widget_slots where site_id = ?')
      .bind(site.siteId)
      .first<{ n: number }>();
    expect(clicks?.n).toBe(20);
  });

  it('accepts JSON and text/plain in any charset, and the key as a bearer token', async () => {
    const site = await createSite();
    for (const contentType of [
      'application/json',
      'text/plain',
      'text/plain;charset=UTF-8',
      'Application/JSON; charset=utf-8',
    ]) {
      expect((await postEvents(site.writeKey, [widgetEvent()], { contentType })).status).toBe(202);
    }
    expect((await postEvents(site.writeKey, [widgetEvent()], { keyInHeader: true })).status).toBe(202);
    await settled();
    expect(await countEvents(site.siteId)).toBe(5);
    const form = await postEvents(site.writeKey, [widgetEvent()], { contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('without a send time, clamps client times far in the future to the receive time and rejects too old ones', async () => {
    const site = await createSite();
    const before = Date.now();
    const ahead = widgetEvent({ ts: before + 3_600_000 });
    const old = widgetEvent({ ts: before - LIMITS.maxAgeMs - 60_000 });
    const body = await ingest(site.writeKey, [ahead, old]);
    const after = Date.now();
    expect(body).toMatchObject({ accepted: 1, rejected: [{ index: 1, code: 'too_old' }] });
    await settled();
    const row = await env.DB.prepare('select ts, client_ts from touches where event_id = ?')
      .bind(ahead.id)
      .first<{ ts: number; client_ts: number }>();
    expect(row!.client_ts).toBe(ahead.ts);
    expect(row!.ts).toBeGreaterThanOrEqual(before);
    expect(row!.ts).toBeLessThanOrEqual(after);
  });

  it('answers 400 for malformed JSON and for a bad envelope, storing nothing', async () => {
    const site = await createSite();
    const malformed = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: `{"k":"${site.writeKey}","e":[`,
    });
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('malformed_json');

    const notUtf8 = new Uint8Array([
      ...new TextEncoder().encode(`{"k":"${site.writeKey}","e":[{"t":"`),
      0xff,
      0x22,
      0x7d,
      0x5d,
      0x7d,
    ]);
    const invalidBytes = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: notUtf8,
    });
    expect(invalidBytes.status).toBe(400);
    expect(await errorCode(invalidBytes)).toBe('malformed_json');

    for (const events of [[], 'nope', Array.from({ length: LIMITS.eventsPerBatch + 1 }, () => widgetEvent())]) {
      const res = await call('/v1/events', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ k: site.writeKey, e: events }),
      });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_batch');
    }
    expect(await countEvents(site.siteId)).toBe(0);
  });

  it('answers 401 for a missing or unknown key and 403 for a key of another kind', async () => {
    const site = await createSite();
    const missing = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ e: [widgetEvent()] }),
    });
    expect(missing.status).toBe(401);
    const unknown = await postEvents('ltw_unknown', [widgetEvent()]);
    expect(unknown.status).toBe(401);
    expect(await errorCode(unknown)).toBe('unauthorized');
    for (const key of [site.readKey, site.agentKey]) {
      const wrongKind = await postEvents(key, [widgetEvent()]);
      expect(wrongKind.status).toBe(403);
      expect(await errorCode(wrongKind)).toBe('forbidden');
    }
    expect(await countEvents(site.siteId)).toBe(0);
  });

  it('answers 413 past the body limit, with or without Content-Length', async () => {
    const site = await createSite();
    const padding = 'x'.repeat(LIMITS.bodyBytes);
    const body = JSON.stringify({ k: site.writeKey, e: [widgetEvent({ p: padding })] });
    const sized = await call('/v1/events', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
    expect(sized.status).toBe(413);
    expect(await errorCode(sized)).toBe('payload_too_large');

    const chunked = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: streamed(body),
    });
    expect(chunked.status).toBe(413);

    const fits = JSON.stringify({ k: site.writeKey, e: [widgetEvent()] });
    const streamedOk = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: streamed(fits, 7),
    });
    expect(streamedOk.status).toBe(202);
    await settled();
    expect(await countEvents(site.siteId)).toBe(1);
  });

  it('accepts allowed origins, echoing them, and refuses others with 403, storing nothing', async () => {
    const site = await createSite({ allowedOrigins: ['https://shop.example'] });
    const allowed = await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://shop.example' });
    expect(allowed.status).toBe(202);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example');
    expect(allowed.headers.get('Vary')).toContain('Origin');

    const denied = await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://evil.example' });
    expect(denied.status).toBe(403);
    expect(await errorCode(denied)).toBe('origin_not_allowed');
    await settled();
    expect(await countEvents(site.siteId)).toBe(1);

    const serverSide = await postEvents(site.writeKey, [widgetEvent()]);
    expect(serverSide.status).toBe(202);
    expect(serverSide.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('accepts any origin while no origins are configured', async () => {
    const site = await createSite();
    const res = await postEvents(site.writeKey, [widgetEvent()], { origin: 'http://localhost:5173' });
    expect(res.status).toBe(202);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
  });

  it('answers a CORS preflight for JSON senders', async () => {
    const res = await call('/v1/events', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example');
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('content-type');
  });

  it('answers 503 with Retry-After when storage cannot be read, and stores nothing', async () => {
    const site = await createSite();
    await env.DB.exec('ALTER TABLE events RENAME TO events_aside');
    let res: Response;
    try {
      res = await postEvents(site.writeKey, [widgetEvent(), widgetEvent()]);
    } finally {
      await env.DB.exec('ALTER TABLE events_aside RENAME TO events');
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(await errorCode(res)).toBe('unavailable');
    expect(await countEvents(site.siteId)).toBe(0);
  });
});

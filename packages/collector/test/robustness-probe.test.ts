import { env } from 'cloudflare:workers';
import { it } from 'vitest';
import { call, createSite, widgetEvent } from './helpers.js';

it('probe', async () => {
  const site = await createSite();
  const w = 'a\ud83db';
  const ev = widgetEvent({ w });
  const r = await call('/v1/events', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ k: site.writeKey, e: [ev] }),
  });
  console.log(r.status, await r.text());
  const row = await env.DB.prepare('select widget_id, hex(widget_id) as h from events where event_id = ?')
    .bind(ev.id)
    .first<{ widget_id: string; h: string }>();
  console.log(JSON.stringify(row), row?.widget_id === w);
  const o = await call('/v1/orders', {
    method: 'POST',
    headers: { Authorization: `Bearer ${site.readKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ orderId: w, value: 1, currency: 'EUR' }),
  });
  console.log('order', o.status, (await o.text()).slice(0, 100));
  const g = await call(`/v1/orders/${encodeURIComponent('a\ufffdb')}`, {
    headers: { Authorization: `Bearer ${site.readKey}` },
  });
  console.log('get', g.status, (await g.text()).slice(0, 100));
});

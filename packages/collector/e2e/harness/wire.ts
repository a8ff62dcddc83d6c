import type { BrowserContext } from 'playwright-core';
import type { Shop, Suite } from './suite.js';

/** An event as the SDK puts it on the wire: the fields these suites look at. */
export interface WireEvent {
  id: string;
  t: string;
  v: string;
  s: string;
  ts: number;
  w?: string;
  h?: number;
  n?: number;
  o?: string;
}

/** Every event the context's pages put on `/v1/events`, in the order they went out (resends included). */
export function recordWire(context: BrowserContext): WireEvent[] {
  const sent: WireEvent[] = [];
  context.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/v1/events'))
      sent.push(...(JSON.parse(req.postData() ?? '{"e":[]}') as { e: WireEvent[] }).e);
  });
  return sent;
}

/**
 * The events of `sent` the collector stored for the shop, once each, in the order they were
 * made. The event row keeps only the id (the dedupe record; the rest went into touches and
 * aggregates), so the stored ids pick the events from what the browser sent.
 */
export async function storedOf(suite: Suite, shop: Shop, sent: readonly WireEvent[]): Promise<WireEvent[]> {
  const ids = new Set(
    (
      await suite.collector.query<{ event_id: string }>(`select event_id from events where site_id = '${shop.siteId}'`)
    ).map((r) => r.event_id),
  );
  const once = new Map(sent.filter((e) => ids.has(e.id)).map((e) => [e.id, e]));
  return [...once.values()].sort((a, b) => a.ts - b.ts);
}

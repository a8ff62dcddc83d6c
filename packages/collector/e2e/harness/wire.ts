import type { BrowserContext } from 'playwright-core';

/**
 * Every event the context's pages post to `/v1/events` from now on, in the order sent; the
 * array fills as they go. `Event` names the fields a test reads.
 */
export function wire<Event>(context: BrowserContext): Event[] {
  const sent: Event[] = [];
  context.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/v1/events'))
      sent.push(...(JSON.parse(req.postData() ?? '{"e":[]}') as { e: Event[] }).e);
  });
  return sent;
}

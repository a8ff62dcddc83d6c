import { Hono } from 'hono';
import type { AppEnv } from './env.js';
import { demo } from './http/demo.js';
import { ApiError } from './http/errors.js';
import { events } from './ingest/routes.js';
import { agentPage } from './links/agent-page.js';
import { chatStats } from './links/chat-routes.js';
import { links } from './links/routes.js';
import { orders } from './orders/routes.js';
import { settings, sites } from './sites/routes.js';
import { stats } from './stats/routes.js';

/**
 * The collector's API: this file is its table of contents. Not strict about a trailing slash,
 * so `/demo/` is `/demo`.
 */
export const app = new Hono<AppEnv>({ strict: false })
  .get('/health', (c) => c.json({ ok: true }))
  .route('/demo', demo)
  .route('/v1/sites', sites)
  .route('/v1/events', events)
  .route('/v1/settings', settings)
  .route('/v1/links', links)
  .route('/v1/stats/chat', chatStats)
  .route('/v1/orders', orders)
  .route('/v1/stats', stats)
  .route('/agent', agentPage);

app.notFound((c) => c.json(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`).body(), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) {
    return c.json(err.body(), err.status, err.headers);
  }
  console.error('unhandled error', err instanceof Error ? err.message : String(err));
  return c.json(new ApiError(500, 'internal', 'Internal error').body(), 500);
});

export type App = typeof app;

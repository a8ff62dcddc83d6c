import { Hono } from 'hono';
import type { AppEnv } from './env.js';
import { mountedAsset, mountedPath } from './http/base-path.js';
import { ApiError } from './http/errors.js';
import { admin } from './routes/admin.js';
import { agentPage } from './routes/agent-page.js';
import { agents } from './routes/agents.js';
import { demo } from './routes/demo.js';
import { docs } from './routes/docs.js';
import { events } from './routes/events.js';
import { keys } from './routes/keys.js';
import { links } from './routes/links.js';
import { orders } from './routes/orders.js';
import { customers, visitors } from './routes/people.js';
import { settings } from './routes/settings.js';
import { sites } from './routes/sites.js';
import { stats } from './routes/stats.js';

/**
 * The collector's API: this file is its table of contents. Not strict about a trailing slash,
 * so `/demo/` is `/demo`; the same under the base path (`BASE_PATH`: `/lt/v1/events`).
 */
export const app = new Hono<AppEnv>({ getPath: mountedPath })
  .get('/health', (c) => c.json({ ok: true }))
  .route('/', docs)
  .route('/demo', demo)
  .route('/agent', agentPage)
  .route('/v1/sites', sites)
  .route('/v1/events', events)
  .route('/v1/settings', settings)
  .route('/v1/links', links)
  .route('/v1/orders', orders)
  .route('/v1/stats', stats)
  .route('/v1/agents', agents)
  .route('/v1/visitors', visitors)
  .route('/v1/customers', customers)
  .route('/v1/keys', keys)
  .route('/v1/admin', admin);

app.notFound(
  async (c) =>
    (await mountedAsset(c)) ??
    c.json(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`).body(), 404),
);
app.onError((err, c) => {
  if (err instanceof ApiError) {
    return c.json(err.body(), err.status, err.headers);
  }
  console.error('unhandled error', err instanceof Error ? err.message : String(err));
  return c.json(new ApiError(500, 'internal', 'Internal error').body(), 500);
});

import { Hono } from 'hono';
import type { AppEnv } from './env.js';
import { ApiError } from './http/errors.js';

/** The collector's API: this file is its table of contents. */
export const app = new Hono<AppEnv>().get('/health', (c) => c.json({ ok: true }));

app.notFound((c) => c.json(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`).body(), 404));

app.onError((err, c) => {
  if (err instanceof ApiError) {
    return c.json(err.body(), err.status, err.headers);
  }
  console.error('unhandled error', err instanceof Error ? err.message : String(err));
  return c.json(new ApiError(500, 'internal', 'Internal error').body(), 500);
});

export type App = typeof app;

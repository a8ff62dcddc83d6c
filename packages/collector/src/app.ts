import { Hono } from 'hono';
import { recordInteraction } from './attribution/interactions.js';
import type { AppEnv } from './env.js';
import { ApiError } from './http/errors.js';
import type { Deriver, Pipeline } from './ingest/types.js';
import { attributeAfterCommit, queueLateInteraction, queueOrder } from './jobs/ingest-hooks.js';
import { reattributeOnSettingsChange } from './jobs/settings-hook.js';
import { recordLanding } from './links/landing.js';
import { recordCheckout } from './orders/reports.js';
import { agentPage } from './routes/agent-page.js';
import { demo } from './routes/demo.js';
import { events } from './routes/events.js';
import { links } from './routes/links.js';
import { orders } from './routes/orders.js';
import { settings } from './routes/settings.js';
import { sites } from './routes/sites.js';
import { stats } from './routes/stats.js';
import type { SettingsHook } from './sites/settings.js';
import { countWidgetEvent } from './stats/widget-aggregates.js';

/** A widget event: its aggregates; if it qualifies, its interaction, and a marker if it came late. */
const widgetEvent = (): Deriver[] => [countWidgetEvent, recordInteraction, queueLateInteraction];

/**
 * What ingestion sets off (see ingest/types.ts): per event type, the derivers whose statements
 * commit with the event (stage 1), in order; then the work that reads what they wrote (stage 2).
 */
export const pipeline: Pipeline = {
  derivers: {
    instance: widgetEvent(),
    click: widgetEvent(),
    hover: widgetEvent(),
    dismiss: widgetEvent(),
    landing: [recordLanding, queueLateInteraction],
    checkout: [recordCheckout, queueOrder],
    // Stored for dedupe only until lift (eligible), identity (identify) and drop counts consume them.
    eligible: [],
    identify: [],
    drop: [],
  },
  afterCommit: [attributeAfterCommit],
};

/** What follows a settings change, in order (see sites/settings.ts). */
export const settingsHooks: SettingsHook[] = [reattributeOnSettingsChange];

/**
 * The collector's API: this file is its table of contents, and the place where the domains are
 * wired together. Not strict about a trailing slash, so `/demo/` is `/demo`.
 */
export const app = new Hono<AppEnv>({ strict: false })
  .get('/health', (c) => c.json({ ok: true }))
  .route('/demo', demo)
  .route('/v1/sites', sites)
  .route('/v1/events', events(pipeline))
  .route('/v1/settings', settings(settingsHooks))
  .route('/v1/links', links)
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

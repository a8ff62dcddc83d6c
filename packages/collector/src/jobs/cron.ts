import { createDb } from '../db/client.js';
import type { Bindings } from '../env.js';
import { drainQueue } from './attribution-queue.js';

/**
 * The cron trigger (`wrangler.jsonc`, every minute): works off pending attribution markers of
 * all sites within `DRAIN_BUDGET`, so re-attribution after a settings change or a failed run
 * completes even when no request of the site comes in.
 */
export const drainAttributionQueue: ExportedHandlerScheduledHandler<Bindings> = async (controller, env) => {
  const { selected, failed } = await drainQueue(env.DB, createDb(env.DB), controller.scheduledTime);
  if (failed > 0) console.error(`attribution cron: ${failed} of ${selected} markers failed and stay queued`);
};

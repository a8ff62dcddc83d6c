import type { Settings } from '@lasttouch/shared';
import { settingsSchema, settingsUpdateSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { readJson, SETTINGS_BODY } from '../http/body.js';
import { unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { startJobStatement } from '../jobs/jobs-queries.js';
import type { WorkMessage } from '../jobs/messages.js';
import { SWEEP_LEASE_MS } from '../jobs/sweep-step.js';
import { saveSettingsStatement } from '../sites/queries.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';
import { creditMoved } from '../sites/site.js';
import { forgetSite } from '../sites/write-key-cache.js';

/** Settings as answered: the contract's fields plus whether any origin may send events. */
export const settingsView = (settings: Settings) => ({
  ...settings,
  /** No allowed origins configured: events are accepted from any origin until some are set. */
  acceptsAnyOrigin: settings.allowedOrigins.length === 0,
});

/**
 * `GET/PUT /v1/settings` (read key). A change of windows or credit policy re-attributes every
 * order of the site in the background (a sweep through the work queue, within a minute for
 * 10,000 orders); stats read the new time zone at once (aggregates are kept per half hour).
 */
export const settings = new Hono<SiteEnv>()
  .use(requireKey('read'))
  .get('/', (c) => c.json(settingsView(c.var.site.settings)))
  .put('/', async (c) => {
    const update = parseOrThrow(settingsUpdateSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_settings');
    const site = c.var.site;
    const after = parseOrThrow(settingsSchema, { ...site.settings, ...update }, 'invalid_settings');
    const moved = creditMoved(site.settings, after);
    const now = Date.now();
    let version: number;
    try {
      // The settings and the sweep's job commit together: if the message below is lost, the
      // job row is what the cron resends.
      const [saved] = await c.env.DB.batch<{ version: number }>([
        saveSettingsStatement(c.env.DB, site.id, after, moved),
        ...(moved ? [startJobStatement(c.env.DB, site.id, 'sweep', null, null, now + SWEEP_LEASE_MS)] : []),
      ]);
      version = saved?.results[0]?.version ?? site.settingsVersion;
      forgetSite(site.id);
    } catch (err) {
      console.error('settings not saved', err instanceof Error ? err.message : String(err));
      throw unavailable('Settings could not be saved; send them again');
    }
    if (moved) {
      await c.env.WORK_QUEUE.send({ k: 'sweep', site: site.id, version, cursor: null } satisfies WorkMessage).catch(
        (err) =>
          console.error('sweep not queued; the cron resends it', err instanceof Error ? err.message : String(err)),
      );
    }
    return c.json(settingsView(after));
  });

import type { Settings } from '@lasttouch/shared';
import { createSiteSchema, settingsSchema, settingsUpdateSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireAdmin } from '../auth/admin.js';
import { requireKey } from '../auth/require-key.js';
import { createDb } from '../db/client.js';
import type { AppEnv } from '../env.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { onSettingsChanged } from '../sites/hooks.js';
import { createSite, resolveKey, saveSettings } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';

/** Admin and settings requests are small; this bounds what a handler ever buffers. */
const SETTINGS_BODY = { ...JSON_BODY, limit: 65_536 };

/** Settings as answered: the contract's fields plus whether any origin may send events. */
export const settingsView = (settings: Settings) => ({
  ...settings,
  /** No allowed origins configured: events are accepted from any origin until some are set. */
  acceptsAnyOrigin: settings.allowedOrigins.length === 0,
});

/** `POST /v1/sites`: creates a site and answers its three keys, once. */
export const sites = new Hono<AppEnv>().post('/', requireAdmin(), async (c) => {
  const input = parseOrThrow(createSiteSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_request');
  return c.json(await createSite(createDb(c.env.DB), input, Date.now()), 201);
});

/** `GET/PUT /v1/settings` (read key). */
export const settings = new Hono<SiteEnv>()
  .use(requireKey(resolveKey, 'read'))
  .get('/', (c) => c.json(settingsView(c.var.site.settings)))
  .put('/', async (c) => {
    const update = parseOrThrow(settingsUpdateSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_settings');
    const site = c.var.site;
    const before = site.settings;
    const after = parseOrThrow(settingsSchema, { ...before, ...update }, 'invalid_settings');
    const db = createDb(c.env.DB);
    await saveSettings(db, site.id, after);
    const updated = { ...site, settings: after };
    try {
      for (const hook of onSettingsChanged) await hook(c.env.DB, updated, before, after);
    } catch (err) {
      console.error('settings hook failed', err instanceof Error ? err.message : String(err));
      // Put the old settings back so the retry sees the same change and runs every hook again.
      await saveSettings(db, site.id, before).catch((revert) =>
        console.error('reverting settings failed', revert instanceof Error ? revert.message : String(revert)),
      );
      throw unavailable('settings_not_applied', 'Applying the settings failed; send the same request again');
    }
    return c.json(settingsView(after));
  });

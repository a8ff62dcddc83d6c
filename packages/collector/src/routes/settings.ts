import type { Settings } from '@lasttouch/shared';
import { settingsSchema, settingsUpdateSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { readJson, SETTINGS_BODY } from '../http/body.js';
import { parseOrThrow } from '../http/validate.js';
import { resolveKey } from '../sites/queries.js';
import { changeSettings, type SettingsHook } from '../sites/settings.js';
import type { SiteEnv } from '../sites/site.js';

/** Settings as answered: the stored settings plus whether any origin may send events. */
const settingsView = (settings: Settings) => ({
  ...settings,
  /** No allowed origins configured: events are accepted from any origin until some are set. */
  acceptsAnyOrigin: settings.allowedOrigins.length === 0,
});

/**
 * `GET/PUT /v1/settings` (read key). A PUT replaces each given top-level field, then runs
 * `hooks` (see `changeSettings`).
 */
export const settings = (hooks: readonly SettingsHook[]) =>
  new Hono<SiteEnv>()
    .use(requireKey(resolveKey, 'read'))
    .get('/', (c) => c.json(settingsView(c.var.site.settings)))
    .put('/', async (c) => {
      const update = parseOrThrow(settingsUpdateSchema, await readJson(c.req.raw, SETTINGS_BODY), 'invalid_settings');
      const site = c.var.site;
      const after = parseOrThrow(settingsSchema, { ...site.settings, ...update }, 'invalid_settings');
      await changeSettings(c.env.DB, site, after, hooks);
      return c.json(settingsView(after));
    });

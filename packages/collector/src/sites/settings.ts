import type { Settings } from '@lasttouch/shared';
import { createDb } from '../db/client.js';
import { unavailable } from '../http/errors.js';
import { saveSettings } from './queries.js';
import type { Site } from './site.js';

/**
 * Work that follows a settings change (attribution re-credits orders when windows or the credit
 * policy changed), handed to `PUT /v1/settings` by the composition root (`app.ts`). `site`
 * carries the new settings. A hook throws only when the change could not be recorded; hooks
 * must be re-runnable.
 */
export type SettingsHook = (db: D1Database, site: Site, before: Settings, after: Settings) => Promise<void>;

/**
 * Saves `after` as the site's settings, then runs every hook in order. If a hook throws, the old
 * settings are put back and the change fails with a 503 `settings_not_applied`, so the client's
 * retry sees the same change and runs every hook again.
 */
export async function changeSettings(
  d1: D1Database,
  site: Site,
  after: Settings,
  hooks: readonly SettingsHook[],
): Promise<void> {
  const db = createDb(d1);
  const before = site.settings;
  await saveSettings(db, site.id, after);
  const updated = { ...site, settings: after };
  try {
    for (const hook of hooks) await hook(d1, updated, before, after);
  } catch (err) {
    console.error('settings hook failed', err instanceof Error ? err.message : String(err));
    await saveSettings(db, site.id, before).catch((revert) =>
      console.error('reverting settings failed', revert instanceof Error ? revert.message : String(revert)),
    );
    throw unavailable('settings_not_applied', 'Applying the settings failed; send the same request again');
  }
}

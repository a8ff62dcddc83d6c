import type { Settings } from '@lasttouch/shared';
import { reattributeOnSettingsChange } from '../jobs/settings-hook.js';
import type { Site } from './site.js';

/**
 * Called in order after `PUT /v1/settings` saved new settings (for example, attribution
 * re-attributes orders when windows or the credit policy changed). `site` carries the new
 * settings. A hook throws only when the change could not be recorded: the old settings are then
 * put back and the request fails, so its retry runs every hook again. Hooks must be re-runnable.
 */
export const onSettingsChanged: Array<
  (db: D1Database, site: Site, before: Settings, after: Settings) => Promise<void>
> = [reattributeOnSettingsChange];

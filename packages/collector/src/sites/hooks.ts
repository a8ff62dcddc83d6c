import type { Settings } from '@lasttouch/shared';
import { reattributeOnSettingsChange } from '../attribution/settings-hook.js';
import type { Site } from './site.js';

/**
 * Called in order after `PUT /v1/settings` saved new settings (for example, attribution
 * re-attributes orders when windows or the credit policy changed). `site` carries the new
 * settings. A failing hook fails the request after the save; hooks must be re-runnable.
 */
export const onSettingsChanged: Array<
  (db: D1Database, site: Site, before: Settings, after: Settings) => Promise<void>
> = [reattributeOnSettingsChange];

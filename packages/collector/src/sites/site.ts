import { DEFAULT_WINDOW_SECONDS, type Settings } from '@lasttouch/shared';
import type { KeyEnv } from '../auth/require-key.js';

/** A site as handlers see it once its key has been checked. */
export interface Site {
  id: string;
  name: string;
  settings: Settings;
  /** HMAC key for tagged-link tokens (base64url). */
  linkSecret: string;
}

/** What a route guarded by `requireKey(resolveKey, …)` sees: the key's site and kind. */
export type SiteEnv = KeyEnv<Site>;

/** Settings of a new site: no origins (accept any until configured), 14-day default window. */
export const defaultSettings = (allowedOrigins: string[] = []): Settings => ({
  allowedOrigins,
  attributionWindows: { default: DEFAULT_WINDOW_SECONDS, kinds: {}, channels: {}, campaigns: {} },
  creditPolicy: 'every',
});

import { DEFAULT_WINDOW_SECONDS, type Settings } from '@lasttouch/shared';

/** A site as handlers and the consumer see it once resolved from the directory. */
export interface Site {
  id: string;
  name: string;
  settings: Settings;
  /** Binding name of the D1 database holding the site's data (`DB`, `DB_2`, …). */
  database: string;
  /** Bumped by every settings change that can move credit; re-attribution sweeps carry it. */
  settingsVersion: number;
  /** HMAC keys of tagged-link tokens by key id; the highest signs new tokens. */
  linkSecrets: Map<number, string>;
  /** HMAC key of customer-id hashes. */
  customerSecret: string;
}

/** Settings of a new site: no origins (accept any until configured), 14-day default window, UTC days. */
export const defaultSettings = (allowedOrigins: string[] = []): Settings => ({
  allowedOrigins,
  attributionWindows: { default: DEFAULT_WINDOW_SECONDS, kinds: {}, channels: {}, campaigns: {} },
  creditPolicy: 'every',
  timezone: 'UTC',
});

/**
 * Stored settings as the API answers them: a document written before a field existed gets the
 * field's default.
 */
export const withDefaults = (stored: Partial<Settings>): Settings => ({ ...defaultSettings(), ...stored });

/** The key id that signs new tokens. */
export const currentLinkKey = (site: Site): { keyId: number; secret: string } => {
  const keyId = Math.max(...site.linkSecrets.keys());
  return { keyId, secret: site.linkSecrets.get(keyId)! };
};

/** Whether a settings change can move credit (windows or policy): it calls for a re-attribution sweep. */
export const creditMoved = (before: Settings, after: Settings): boolean =>
  before.creditPolicy !== after.creditPolicy ||
  JSON.stringify(before.attributionWindows) !== JSON.stringify(after.attributionWindows);

import { KEY_KINDS } from '@lasttouch/shared';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// The directory: sites, their keys and secrets. It lives in the `DB` database whatever database
// holds a site's data (`sites.database`), so a key resolves with one read.

/** A storefront. Settings are one JSON document, validated by `settingsSchema` on every write. */
export const sites = sqliteTable('sites', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  settings: text('settings', { mode: 'json' }).notNull(),
  /** The D1 binding holding this site's events, orders and aggregates (`DB`, `DB_2`, …). */
  database: text('database').notNull().default('DB'),
  /** Bumped on every settings change that moves credit; re-attribution sweeps carry it. */
  settingsVersion: integer('settings_version').notNull().default(0),
  createdAt: integer('created_at').notNull(),
});

/**
 * API keys, stored only as SHA-256 hashes. A rotated write key keeps working until
 * `expires_at` (script tags sit in caches); other kinds stop at once.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    hash: text('hash').primaryKey(),
    siteId: text('site_id')
      .notNull()
      .references(() => sites.id),
    kind: text('kind', { enum: KEY_KINDS }).notNull(),
    createdAt: integer('created_at').notNull(),
    /** UTC ms after which the key is refused; `null` while it is the current key. */
    expiresAt: integer('expires_at'),
  },
  (t) => [index('api_keys_site').on(t.siteId)],
);

/**
 * Server-side secrets of a site. `link`: HMAC keys of tagged-link tokens, one per rotation (a
 * token names its key id, so old tokens verify until they expire). `customer`: the key of the
 * customer-id hash (never rotated: links between devices hang on it).
 */
export const siteSecrets = sqliteTable(
  'site_secrets',
  {
    siteId: text('site_id').notNull(),
    purpose: text('purpose', { enum: ['link', 'customer'] }).notNull(),
    keyId: integer('key_id').notNull(),
    secret: text('secret').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.purpose, t.keyId] })],
);

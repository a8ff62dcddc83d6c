import { KEY_KINDS } from '@lasttouch/shared';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A storefront. Settings are one JSON document, validated by `settingsSchema` on every write. */
export const sites = sqliteTable('sites', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  settings: text('settings', { mode: 'json' }).notNull(),
  /** HMAC key for tagged-link tokens (base64url); never leaves the collector. */
  linkSecret: text('link_secret').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** API keys, stored only as SHA-256 hashes: the database never holds a key in clear. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    hash: text('hash').primaryKey(),
    siteId: text('site_id')
      .notNull()
      .references(() => sites.id),
    kind: text('kind', { enum: KEY_KINDS }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('api_keys_site').on(t.siteId)],
);

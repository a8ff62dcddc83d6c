import { type CreateSiteResponse, KEY_KINDS, type KeyKind, type Settings } from '@lasttouch/shared';
import { eq } from 'drizzle-orm';
import { generateKey, hashKey } from '../auth/keys.js';
import { randomToken } from '../crypto/base64url.js';
import { createDb, type Db } from '../db/client.js';
import { apiKeys, sites } from '../db/schema/index.js';
import { defaultSettings, type Site } from './site.js';

/** A `sites` row as the rest of the collector sees it. */
const toSite = (row: typeof sites.$inferSelect): Site => ({
  id: row.id,
  name: row.name,
  settings: row.settings as Settings,
  linkSecret: row.linkSecret,
});

export async function loadSite(db: Db, siteId: string): Promise<Site | undefined> {
  const row = await db.select().from(sites).where(eq(sites.id, siteId)).get();
  return row ? toSite(row) : undefined;
}

/** Resolves a key to its site and kind (one query); `undefined` for an unknown key. */
export async function resolveKey(d1: D1Database, key: string): Promise<{ site: Site; kind: KeyKind } | undefined> {
  const row = await createDb(d1)
    .select({ site: sites, kind: apiKeys.kind })
    .from(apiKeys)
    .innerJoin(sites, eq(sites.id, apiKeys.siteId))
    .where(eq(apiKeys.hash, await hashKey(key)))
    .get();
  return row ? { site: toSite(row.site), kind: row.kind } : undefined;
}

/**
 * Creates a site and its three keys in one transaction. The keys are returned once: only their
 * hashes are stored.
 */
export async function createSite(
  db: Db,
  input: { name: string; allowedOrigins?: string[] },
  now: number,
): Promise<CreateSiteResponse> {
  const siteId = randomToken(12);
  const keys = { write: generateKey('write'), agent: generateKey('agent'), read: generateKey('read') };
  const keyRows = await Promise.all(
    KEY_KINDS.map(async (kind) => ({ hash: await hashKey(keys[kind]), siteId, kind, createdAt: now })),
  );
  await db.batch([
    db.insert(sites).values({
      id: siteId,
      name: input.name,
      settings: defaultSettings(input.allowedOrigins),
      linkSecret: randomToken(32),
      createdAt: now,
    }),
    db.insert(apiKeys).values(keyRows),
  ]);
  return { siteId, writeKey: keys.write, agentKey: keys.agent, readKey: keys.read };
}

export async function saveSettings(db: Db, siteId: string, settings: Settings): Promise<void> {
  await db.update(sites).set({ settings }).where(eq(sites.id, siteId));
}

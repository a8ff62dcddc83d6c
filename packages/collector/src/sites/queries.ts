import { type CreateSiteResponse, KEY_KINDS, type Settings } from '@lasttouch/shared';
import { eq } from 'drizzle-orm';
import { generateKey, hashKey, randomToken } from '../auth/keys.js';
import type { Db } from '../db/client.js';
import { apiKeys, sites } from '../db/schema/index.js';
import { defaultSettings, type Site } from './site.js';

/** A `sites` row as the rest of the collector sees it. */
export const toSite = (row: typeof sites.$inferSelect): Site => ({
  id: row.id,
  name: row.name,
  settings: row.settings as Settings,
  linkSecret: row.linkSecret,
});

export async function loadSite(db: Db, siteId: string): Promise<Site | undefined> {
  const row = await db.select().from(sites).where(eq(sites.id, siteId)).get();
  return row ? toSite(row) : undefined;
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

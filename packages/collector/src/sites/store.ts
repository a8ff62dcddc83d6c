import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { sites } from '../db/schema/index.js';
import type { Site } from './site.js';
import type { Settings } from '@lasttouch/shared';

export async function loadSite(db: Db, siteId: string): Promise<Site | undefined> {
  const row = await db.select().from(sites).where(eq(sites.id, siteId)).get();
  if (!row) return undefined;
  return { id: row.id, name: row.name, settings: row.settings as Settings, linkSecret: row.linkSecret };
}

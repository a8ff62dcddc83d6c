import type { KeyKind } from '@lasttouch/shared';
import { eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { createDb } from '../db/client.js';
import { apiKeys, sites } from '../db/schema/index.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { toSite } from '../sites/queries.js';
import type { Site } from '../sites/site.js';
import { hashKey } from './keys.js';

export type SiteEnv = AppEnv & { Variables: { site: Site; keyKind: KeyKind } };

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Resolves a key to its site and kind (one query); `undefined` for an unknown key. */
export async function resolveKey(db: D1Database, key: string): Promise<{ site: Site; kind: KeyKind } | undefined> {
  const row = await createDb(db)
    .select({ site: sites, kind: apiKeys.kind })
    .from(apiKeys)
    .innerJoin(sites, eq(sites.id, apiKeys.siteId))
    .where(eq(apiKeys.hash, await hashKey(key)))
    .get();
  return row ? { site: toSite(row.site), kind: row.kind } : undefined;
}

/** Checks that a resolved key is one of the accepted kinds; throws the contract's 401/403. */
export function assertKeyKind(found: { kind: KeyKind } | undefined, kinds: readonly KeyKind[]): void {
  if (!found) throw new ApiError(401, 'unauthorized', 'Missing or unknown API key');
  if (!kinds.includes(found.kind)) {
    throw new ApiError(403, 'forbidden', `This endpoint needs a ${kinds.join(' or ')} key, not a ${found.kind} key`);
  }
}

/**
 * Requires `Authorization: Bearer KEY` with a key of one of `kinds`, within the site's API rate
 * limit; sets `site` and `keyKind`.
 *
 * @example stats.use(requireKey('read'))
 */
export const requireKey = (...kinds: KeyKind[]) =>
  createMiddleware<SiteEnv>(async function requireKey(c, next) {
    const key = bearerToken(c.req.header('Authorization'));
    const found = key ? await resolveKey(c.env.DB, key) : undefined;
    assertKeyKind(found, kinds);
    await enforceRateLimit(c.env.API_SITE_LIMITER, found!.site.id, 'site');
    c.set('site', found!.site);
    c.set('keyKind', found!.kind);
    await next();
  });

import type { KeyKind } from '@lasttouch/shared';
import { createMiddleware } from 'hono/factory';
import { bearerToken } from '../auth/bearer.js';
import type { AppEnv } from '../env.js';
import { ApiError, unavailable } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { type ResolvedKey, resolveKey } from './queries.js';
import type { Site } from './site.js';

export type SiteEnv = AppEnv & { Variables: { site: Site; keyKind: KeyKind } };

/** Resolves a key, turning a storage failure into the contract's 503 (reads included). */
export async function lookUpKey(directory: D1Database, key: string, now: number): Promise<ResolvedKey | undefined> {
  try {
    return await resolveKey(directory, key, now);
  } catch (err) {
    console.error('key lookup failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The collector cannot read its keys right now; retry later');
  }
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
    const found = key ? await lookUpKey(c.env.DB, key, Date.now()) : undefined;
    assertKeyKind(found, kinds);
    await enforceRateLimit(c.env.API_SITE_LIMITER, found!.site.id, 'site');
    c.set('site', found!.site);
    c.set('keyKind', found!.kind);
    await next();
  });

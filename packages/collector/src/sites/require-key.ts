import type { KeyKind } from '@lasttouch/shared';
import { createMiddleware } from 'hono/factory';
import { bearerToken } from '../auth/bearer.js';
import type { AppEnv, Bindings } from '../env.js';
import { ApiError, unavailable } from '../http/errors.js';
import { addressKey, countAuthFailure, enforceRateLimit, refuseBlockedAddress } from '../http/rate-limit.js';
import { type ResolvedKey, resolveKey } from './queries.js';
import type { Site } from './site.js';
import { rememberedKey, rememberKey } from './write-key-cache.js';

export type SiteEnv = AppEnv & { Variables: { site: Site; keyKind: KeyKind } };

/**
 * Resolves a key (a write key this isolate read moments ago from memory, `write-key-cache.ts`),
 * turning a storage failure into the contract's 503 (reads included).
 */
async function lookUpKey(directory: D1Database, key: string, now: number): Promise<ResolvedKey | undefined> {
  const remembered = rememberedKey(key, now);
  if (remembered) return remembered;
  try {
    const found = await resolveKey(directory, key, now);
    if (found) rememberKey(key, found, now);
    return found;
  } catch (err) {
    console.error('key lookup failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The collector cannot read its keys right now; retry later');
  }
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'Missing or unknown API key');

/** Checks that a resolved key is one of the accepted kinds; throws the contract's 401/403. */
function assertKeyKind<T extends { kind: KeyKind }>(
  found: T | undefined,
  kinds: readonly KeyKind[],
): asserts found is T {
  if (!found) throw unauthorized();
  if (!kinds.includes(found.kind)) {
    throw new ApiError(403, 'forbidden', `This endpoint needs a ${kinds.join(' or ')} key, not a ${found.kind} key`);
  }
}

/**
 * Resolves `key` to a key of one of `kinds`, limited by what the client cannot choose before
 * anything is read: its address (`addressLimiter`, the per-visitor limit of events or the API's),
 * and an address whose unknown or wrong-kind keys went past `AUTH_FAILURE_LIMITER` is refused
 * without a lookup. A failed lookup counts against that limit. Throws 401, 403, 429 or 503.
 */
export async function authenticate(
  request: Request,
  env: Bindings,
  key: string | undefined,
  kinds: readonly KeyKind[],
  addressLimiter: RateLimit,
): Promise<ResolvedKey> {
  const now = Date.now();
  const address = await addressKey(request);
  refuseBlockedAddress(address, now);
  if (address !== undefined) await enforceRateLimit(addressLimiter, address, 'address');
  // A missing key costs no read: it is refused without counting.
  if (!key) throw unauthorized();
  const found = await lookUpKey(env.DB, key, now);
  if (!found || !kinds.includes(found.kind)) await countAuthFailure(env.AUTH_FAILURE_LIMITER, address, now);
  assertKeyKind(found, kinds);
  return found;
}

/**
 * Requires `Authorization: Bearer KEY` with a key of one of `kinds` (see `authenticate`), then
 * within the site's API rate limit; sets `site` and `keyKind`.
 *
 * @example stats.use(requireKey('read'))
 */
export const requireKey = (...kinds: KeyKind[]) =>
  createMiddleware<SiteEnv>(async function requireKey(c, next) {
    const found = await authenticate(
      c.req.raw,
      c.env,
      bearerToken(c.req.header('Authorization')),
      kinds,
      c.env.API_ADDRESS_LIMITER,
    );
    await enforceRateLimit(c.env.API_SITE_LIMITER, found.site.id, 'site');
    c.set('site', found.site);
    c.set('keyKind', found.kind);
    await next();
  });

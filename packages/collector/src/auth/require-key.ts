import type { KeyKind } from '@lasttouch/shared';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';

/** Finds the site a key belongs to, with the key's kind; `undefined` for an unknown key. */
export type KeyResolver<S> = (db: D1Database, key: string) => Promise<{ site: S; kind: KeyKind } | undefined>;

/** What a keyed route sees: the site its key belongs to and the key's kind. */
export type KeyEnv<S> = AppEnv & { Variables: { site: S; keyKind: KeyKind } };

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/**
 * Checks that a resolved key is one of the accepted kinds: 401 `unauthorized` for a missing or
 * unknown key, 403 `forbidden` for a key of another kind.
 */
export function assertKeyKind(found: { kind: KeyKind } | undefined, kinds: readonly KeyKind[]): void {
  if (!found) throw new ApiError(401, 'unauthorized', 'Missing or unknown API key');
  if (!kinds.includes(found.kind)) {
    throw new ApiError(403, 'forbidden', `This endpoint needs a ${kinds.join(' or ')} key, not a ${found.kind} key`);
  }
}

/**
 * Requires `Authorization: Bearer KEY` with a key of one of `kinds`, within the site's API rate
 * limit; sets `site` (as `resolve` finds it) and `keyKind`.
 *
 * @example stats.use(requireKey(resolveKey, 'read'))
 */
export const requireKey = <S extends { id: string }>(resolve: KeyResolver<S>, ...kinds: KeyKind[]) =>
  createMiddleware<KeyEnv<S>>(async function requireKey(c, next) {
    const key = bearerToken(c.req.header('Authorization'));
    const found = key ? await resolve(c.env.DB, key) : undefined;
    assertKeyKind(found, kinds);
    await enforceRateLimit(c.env.API_SITE_LIMITER, found!.site.id, 'site');
    c.set('site', found!.site);
    c.set('keyKind', found!.kind);
    await next();
  });

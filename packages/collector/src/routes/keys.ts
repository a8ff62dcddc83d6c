import type { RotateKeyResponse } from '@lasttouch/shared';
import { rotateKeySchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { checkAdmin } from '../auth/admin.js';
import { bearerToken } from '../auth/bearer.js';
import type { AppEnv } from '../env.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { parseOrThrow } from '../http/validate.js';
import { demoSiteSeeded } from '../sites/demo.js';
import { authenticate } from '../sites/require-key.js';
import { rotateKey, rotateLinkSecret, siteExists } from '../sites/rotation.js';

/** Which site a rotation is for: the read key's own, or the one the admin token names. */
async function siteOf(c: Parameters<typeof checkAdmin>[0], siteId: string | undefined): Promise<string> {
  if (siteId === undefined) {
    const key = bearerToken(c.req.header('Authorization'));
    const found = await authenticate(c.req.raw, c.env, key, ['read'], c.env.API_ADDRESS_LIMITER);
    await enforceRateLimit(c.env.API_SITE_LIMITER, found.site.id, 'site');
    return found.site.id;
  }
  await checkAdmin(c, { allowShortToken: (ctx) => demoSiteSeeded(ctx.env.DB) });
  let exists: boolean;
  try {
    exists = await siteExists(c.env.DB, siteId);
  } catch (err) {
    console.error('site lookup failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The collector cannot read its sites right now; retry later');
  }
  if (!exists) throw new ApiError(404, 'not_found', 'No such site');
  return siteId;
}

/**
 * `POST /v1/keys/rotate` (read key, or the admin token with `siteId`): `{kind}` → `201 {key}`,
 * shown once. The replaced agent or read key stops at once, the write key 30 days later (script
 * tags sit in caches). `kind: "link-secret"` starts a new link-signing secret → `201 {keyId}`;
 * tokens signed before keep landing until they expire. See docs/ingestion.md.
 */
export const keys = new Hono<AppEnv>().post('/rotate', async (c) => {
  const input = parseOrThrow(rotateKeySchema, await readJson(c.req.raw, JSON_BODY), 'invalid_request');
  const siteId = await siteOf(c, input.siteId);
  const now = Date.now();
  let answer: RotateKeyResponse;
  try {
    if (input.kind === 'link-secret') {
      const keyId = await rotateLinkSecret(c.env.DB, siteId, now);
      if (keyId === undefined) {
        throw new ApiError(
          409,
          'rotation_exhausted',
          'The link secret was rotated 255 times, as many key ids as a token can name',
        );
      }
      answer = { keyId };
    } else {
      answer = { key: await rotateKey(c.env.DB, siteId, input.kind, now) };
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    console.error('key rotation failed', err instanceof Error ? err.message : String(err));
    throw unavailable('The key could not be rotated; nothing changed, send the request again');
  }
  return c.json(answer, 201, { 'Cache-Control': 'no-store' });
});

import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { sha256 } from '../crypto/hash.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http/errors.js';
import { addressKey, enforceRateLimit } from '../http/rate-limit.js';
import { bearerToken } from './bearer.js';

/** The shortest `ADMIN_TOKEN` admin routes accept: 32 characters leave guessing hopeless. */
const ADMIN_TOKEN_MIN_LENGTH = 32;
/** Period of `ADMIN_LIMITER` in wrangler.jsonc, seconds. */
const ADMIN_LIMIT_PERIOD_SECONDS = 60;

/**
 * Compares two secrets in constant time: comparing their digests gives equal-length inputs, so
 * neither the content nor the length of the configured token leaks through timing.
 */
async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export interface AdminOptions {
  /**
   * Whether this deployment tolerates an `ADMIN_TOKEN` shorter than the minimum: local
   * development only, where `pnpm dev` defaults it to `dev-admin-token`. Handed in by the route,
   * which knows how to tell (the demo site is seeded).
   */
  allowShortToken?: (c: Context<AppEnv>) => Promise<boolean>;
}

/** The short-token refusal is logged once per isolate, not on every request. */
let shortTokenLogged = false;

/**
 * Requires `Authorization: Bearer ADMIN_TOKEN`. Admin routes are closed (403 `admin_disabled`)
 * without a configured token, and with one shorter than 32 characters (a Worker has no start-up
 * hook to refuse it at, so every admin request says why and the first one logs it), except where
 * `allowShortToken` says this is local development. Guesses are limited per connecting address
 * before the token is compared.
 */
export async function checkAdmin(c: Context<AppEnv>, options: AdminOptions = {}): Promise<void> {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) {
    throw new ApiError(403, 'admin_disabled', 'Admin routes are disabled: set the ADMIN_TOKEN secret on the collector');
  }
  const address = await addressKey(c.req.raw);
  if (address !== undefined) {
    await enforceRateLimit(c.env.ADMIN_LIMITER, address, 'address', ADMIN_LIMIT_PERIOD_SECONDS);
  }
  if (expected.length < ADMIN_TOKEN_MIN_LENGTH && !(await options.allowShortToken?.(c))) {
    const message = `ADMIN_TOKEN is shorter than ${ADMIN_TOKEN_MIN_LENGTH} characters: admin routes stay closed until a longer secret is set (wrangler secret put ADMIN_TOKEN)`;
    if (!shortTokenLogged) {
      shortTokenLogged = true;
      console.error(message);
    }
    throw new ApiError(403, 'admin_disabled', message);
  }
  const given = bearerToken(c.req.header('Authorization'));
  if (!given || !(await secretsEqual(given, expected))) {
    throw new ApiError(401, 'unauthorized', 'Missing or wrong admin token (Authorization: Bearer ADMIN_TOKEN)');
  }
}

/**
 * `checkAdmin` as middleware.
 *
 * @example sites.post('/', requireAdmin({ allowShortToken }), …)
 */
export const requireAdmin = (options: AdminOptions = {}) =>
  createMiddleware<AppEnv>(async function requireAdmin(c, next) {
    await checkAdmin(c, options);
    await next();
  });

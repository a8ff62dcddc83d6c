import { createMiddleware } from 'hono/factory';
import { sha256 } from '../crypto/hash.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http/errors.js';
import { bearerToken } from './bearer.js';

/**
 * Compares two secrets in constant time: comparing their digests gives equal-length inputs, so
 * neither the content nor the length of the configured token leaks through timing.
 */
async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Requires `Authorization: Bearer ADMIN_TOKEN`. Without a configured token, admin routes are
 * closed (403) rather than open.
 *
 * @example sites.use(requireAdmin())
 */
export const requireAdmin = () =>
  createMiddleware<AppEnv>(async function requireAdmin(c, next) {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) {
      throw new ApiError(
        403,
        'admin_disabled',
        'Site creation is disabled: set the ADMIN_TOKEN secret on the collector',
      );
    }
    const given = bearerToken(c.req.header('Authorization'));
    if (!given || !(await secretsEqual(given, expected))) {
      throw new ApiError(401, 'unauthorized', 'Missing or wrong admin token (Authorization: Bearer ADMIN_TOKEN)');
    }
    await next();
  });

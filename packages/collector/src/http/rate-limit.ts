import { ApiError } from './errors.js';

/** The period every limiter in wrangler.jsonc counts in: the earliest a refused client may retry. */
const RATE_LIMIT_PERIOD_SECONDS = 10;

/**
 * Counts one request against `key` and refuses it with 429 and `Retry-After` past the limit.
 * Nothing is read or stored for a refused request, so the client's retry is the whole recovery.
 */
export async function enforceRateLimit(limiter: RateLimit, key: string, what: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) {
    throw new ApiError(429, 'rate_limited', `Too many requests for this ${what}; retry later`, undefined, {
      'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
    });
  }
}

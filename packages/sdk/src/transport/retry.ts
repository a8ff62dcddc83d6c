const BASE_MS = 1000;
const CAP_MS = 60_000;

/**
 * What to do after a send: the delay before retrying in ms, or -1 when the batch is done with.
 * `status` 0 is a network error. Network errors, 429 and 5xx are retried with exponential
 * backoff and jitter, or after `Retry-After` (delta-seconds, the form the collector sends) when given;
 * 2xx is accepted, and any other status is a request the collector will never accept, so retrying
 * cannot help.
 *
 * @example retryDelay(503, 0, '7') // 7000
 */
export function retryDelay(status: number, attempt: number, retryAfter?: string | null): number {
  if (status && status !== 429 && status < 500) return -1;
  return retryAfter && +retryAfter >= 0
    ? +retryAfter * 1000
    : Math.min(CAP_MS, BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
}

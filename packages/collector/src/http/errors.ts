import type { ErrorBody } from '@lasttouch/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error that becomes the API's error body `{error: {code, message, details?}}` (`ErrorBody`) with its
 * status. Handlers throw it; `onError` in `app.ts` renders it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** How long a client waits before resending a request whose write did not (fully) happen. */
const RETRY_AFTER_SECONDS = '5';

/**
 * A 503 with `Retry-After`: the request's write failed or is incomplete, and sending the same
 * request again is safe (every write behind these answers is idempotent).
 *
 * @example throw unavailable('unavailable', 'Events could not be stored; send the batch again later')
 */
export const unavailable = (code: string, message: string): ApiError =>
  new ApiError(503, code, message, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });

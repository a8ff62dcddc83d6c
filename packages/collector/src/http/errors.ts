import type { ErrorBody } from '@lasttouch/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error that becomes the contract's `{error: {code, message, details?}}` body with its
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

/** Seconds a client waits before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The 503 of a storage failure (a write or a read): the client retries after `Retry-After`,
 * and dedupe by id makes a retried write harmless.
 *
 * @example throw unavailable('Events could not be stored; send the batch again later')
 */
export const unavailable = (message: string): ApiError =>
  new ApiError(503, 'unavailable', message, undefined, { 'Retry-After': String(RETRY_AFTER_SECONDS) });

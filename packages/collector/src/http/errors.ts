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

import { describeIssues } from '@lasttouch/shared/validate';
import { ApiError } from './errors.js';

type SchemaError = Parameters<typeof describeIssues>[0];

/** What this module needs of a zod schema (the collector does not depend on zod itself). */
interface Schema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: SchemaError };
}

/**
 * Parses a request body with a schema, or throws a 400 whose details list every issue as
 * `{path, message}` so a client can point at the field.
 *
 * @example const input = parseOrThrow(createSiteSchema, body, 'invalid_request')
 */
export function parseOrThrow<T>(schema: Schema<T>, input: unknown, code: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new ApiError(400, code, describeIssues(result.error), details);
}

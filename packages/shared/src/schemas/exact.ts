import type * as z from 'zod';

/**
 * `true` when `A` and `B` are the same type: every field, nested, optional or not, both ways
 * (the compiler's identity check, stricter than assignability either way).
 */
export type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/**
 * Pins a schema to the API type it describes: `exact<WidgetStatsRow>()(schema)` does not compile
 * unless what the schema parses to is exactly `WidgetStatsRow`, so neither can change alone.
 * At run time it returns the schema unchanged.
 *
 * @example export const linkResponse = exact<LinkResponse>()(z.strictObject({ url: z.string() }));
 */
export const exact =
  <T>() =>
  <S extends z.ZodType>(
    schema: S & (Same<z.output<S>, T> extends true ? unknown : { schemaDiffersFrom: T; schemaParsesTo: z.output<S> }),
  ): S =>
    schema;

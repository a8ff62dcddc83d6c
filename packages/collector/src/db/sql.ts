/**
 * One SQL text per allowed column name, built once: for queries that group by a column the
 * request chooses, so what reaches SQL is always one of these constants, never request input.
 *
 * @example const BY_GROUP = perColumn(CHAT_GROUPS, (column) => `select ${column} … group by ${column}`)
 */
export const perColumn = <C extends string>(columns: readonly C[], sql: (column: C) => string): Record<C, string> =>
  Object.fromEntries(columns.map((column) => [column, sql(column)])) as Record<C, string>;

/**
 * A D1 binding that adds up D1's own `meta` (rows read and written) of every statement run
 * through it, so a bench or a test can tell what a real code path costs the database. `first`
 * and `raw` carry no meta in D1's API, so they run as `all` and are shaped like the original.
 *
 * @example
 * const { db, usage } = meterD1(env.DB);
 * await loadInteractions(db, siteId, visitorId);
 * usage.rowsRead; // rows SQLite touched, as D1 bills them
 */
export interface D1Usage {
  /** D1 calls: a batch is one, whatever it holds (as the per-invocation limit counts them). */
  calls: number;
  statements: number;
  /** Statements of the largest batch. */
  maxBatch: number;
  rowsRead: number;
  rowsWritten: number;
  /** Every statement run, in order, with its bound values and meta (kept only when asked for). */
  log: { sql: string; params: unknown[]; rowsRead: number; rowsWritten: number }[];
}

type Meta = { rows_read?: number; rows_written?: number };

class MeteredStatement {
  readonly inner: D1PreparedStatement;
  readonly sql: string;
  readonly params: unknown[];
  private readonly usage: D1Usage;
  private readonly keepLog: boolean;

  constructor(inner: D1PreparedStatement, sql: string, params: unknown[], usage: D1Usage, keepLog: boolean) {
    this.inner = inner;
    this.sql = sql;
    this.params = params;
    this.usage = usage;
    this.keepLog = keepLog;
  }

  record(meta: Meta): void {
    const rowsRead = meta.rows_read ?? 0;
    const rowsWritten = meta.rows_written ?? 0;
    this.usage.statements++;
    this.usage.rowsRead += rowsRead;
    this.usage.rowsWritten += rowsWritten;
    if (this.keepLog) this.usage.log.push({ sql: this.sql, params: this.params, rowsRead, rowsWritten });
  }

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.inner.bind(...values), this.sql, values, this.usage, this.keepLog);
  }

  async all<T>(): Promise<D1Result<T>> {
    this.usage.calls++;
    this.usage.maxBatch = Math.max(this.usage.maxBatch, 1);
    const result = await this.inner.all<T>();
    this.record(result.meta);
    return result;
  }

  async run<T>(): Promise<D1Result<T>> {
    this.usage.calls++;
    this.usage.maxBatch = Math.max(this.usage.maxBatch, 1);
    const result = await this.inner.run<T>();
    this.record(result.meta);
    return result;
  }

  async first<T>(column?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (!row) return null;
    return (column === undefined ? row : (row[column] ?? null)) as T;
  }

  async raw<T extends unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
    const { results } = await this.all<Record<string, unknown>>();
    const rows = results.map((r) => Object.values(r) as T);
    if (!options?.columnNames) return rows;
    return [Object.keys(results[0] ?? {}) as T, ...rows];
  }
}

export const emptyUsage = (): D1Usage => ({
  calls: 0,
  statements: 0,
  maxBatch: 0,
  rowsRead: 0,
  rowsWritten: 0,
  log: [],
});

/** `inner` metered into `usage` (a fresh one by default); `log: true` keeps every statement. */
export function meterD1(
  inner: D1Database,
  options: { usage?: D1Usage; log?: boolean } = {},
): { db: D1Database; usage: D1Usage } {
  const usage = options.usage ?? emptyUsage();
  const keepLog = options.log ?? false;
  const db = {
    prepare: (sql: string) => new MeteredStatement(inner.prepare(sql), sql, [], usage, keepLog),
    async batch(statements: MeteredStatement[]) {
      usage.calls++;
      usage.maxBatch = Math.max(usage.maxBatch, statements.length);
      const results = await inner.batch(statements.map((s) => s.inner));
      for (const [i, r] of results.entries()) statements[i]?.record(r.meta);
      return results;
    },
    exec: (sql: string) => {
      usage.calls++;
      return inner.exec(sql);
    },
    dump: () => inner.dump(),
    // A session's reads are metered into the same usage.
    withSession: (constraint?: string) =>
      meterD1(inner.withSession(constraint) as unknown as D1Database, { usage, log: keepLog }).db,
  };
  return { db: db as unknown as D1Database, usage };
}

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
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** Every statement run, in order, with its bound values and meta. */
  log: { sql: string; params: unknown[]; rowsRead: number; rowsWritten: number }[];
}

type Meta = { rows_read?: number; rows_written?: number };

class MeteredStatement {
  readonly inner: D1PreparedStatement;
  readonly sql: string;
  readonly params: unknown[];
  private readonly usage: D1Usage;

  constructor(inner: D1PreparedStatement, sql: string, params: unknown[], usage: D1Usage) {
    this.inner = inner;
    this.sql = sql;
    this.params = params;
    this.usage = usage;
  }

  record(meta: Meta): void {
    const rowsRead = meta.rows_read ?? 0;
    const rowsWritten = meta.rows_written ?? 0;
    this.usage.statements++;
    this.usage.rowsRead += rowsRead;
    this.usage.rowsWritten += rowsWritten;
    this.usage.log.push({ sql: this.sql, params: this.params, rowsRead, rowsWritten });
  }

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.inner.bind(...values), this.sql, values, this.usage);
  }

  async all<T>(): Promise<D1Result<T>> {
    const result = await this.inner.all<T>();
    this.record(result.meta);
    return result;
  }

  async run<T>(): Promise<D1Result<T>> {
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

export function meterD1(inner: D1Database): { db: D1Database; usage: D1Usage } {
  const usage: D1Usage = { statements: 0, rowsRead: 0, rowsWritten: 0, log: [] };
  const db = {
    prepare: (sql: string) => new MeteredStatement(inner.prepare(sql), sql, [], usage),
    async batch(statements: MeteredStatement[]) {
      const results = await inner.batch(statements.map((s) => s.inner));
      for (const [i, r] of results.entries()) statements[i]?.record(r.meta);
      return results;
    },
    exec: (sql: string) => inner.exec(sql),
    dump: () => inner.dump(),
    withSession: () => {
      throw new Error('meterD1: sessions are not metered');
    },
  };
  return { db: db as unknown as D1Database, usage };
}

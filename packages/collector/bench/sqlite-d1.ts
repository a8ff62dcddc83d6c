/**
 * A D1Database over `node:sqlite`, for seeding the collector's local D1 file from Node with the
 * collector's own ingest code (see bench/seed.ts). Only what that code uses: prepare, bind, all,
 * first, run, raw and batch (one transaction, as D1's). Values are bound as D1 binds them
 * (booleans as 0/1).
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

type Row = Record<string, unknown>;

const toSql = (v: unknown): SQLInputValue => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined) throw new TypeError('D1_TYPE_ERROR: undefined is not a bindable value');
  return v as SQLInputValue;
};

class Statement {
  private readonly db: SqliteD1;
  readonly sql: string;
  readonly params: SQLInputValue[];

  constructor(db: SqliteD1, sql: string, params: SQLInputValue[] = []) {
    this.db = db;
    this.sql = sql;
    this.params = params;
  }

  bind(...values: unknown[]): Statement {
    return new Statement(this.db, this.sql, values.map(toSql));
  }

  /** Synchronous execution: the batch runs these inside its transaction. */
  execute(): {
    results: Row[];
    meta: { changes: number; last_row_id: number; rows_read: number; rows_written: number };
  } {
    const stmt = this.db.statement(this.sql);
    if (stmt.columns().length > 0) {
      const results = stmt.all(...this.params) as Row[];
      return { results, meta: { changes: 0, last_row_id: 0, rows_read: 0, rows_written: 0 } };
    }
    const r = stmt.run(...this.params);
    return {
      results: [],
      meta: { changes: Number(r.changes), last_row_id: Number(r.lastInsertRowid), rows_read: 0, rows_written: 0 },
    };
  }

  async all() {
    return { success: true, ...this.execute() };
  }

  async run() {
    return this.all();
  }

  async first(column?: string) {
    const row = this.execute().results[0];
    if (!row) return null;
    return column === undefined ? row : (row[column] ?? null);
  }

  async raw(options?: { columnNames?: boolean }) {
    const stmt = this.db.statement(this.sql);
    stmt.setReturnArrays(true);
    try {
      const rows = stmt.all(...this.params) as unknown as unknown[][];
      return options?.columnNames ? [stmt.columns().map((c) => c.name), ...rows] : rows;
    } finally {
      stmt.setReturnArrays(false);
    }
  }
}

export class SqliteD1 {
  readonly sqlite: DatabaseSync;
  private readonly cache = new Map<string, StatementSync>();

  constructor(file: string) {
    this.sqlite = new DatabaseSync(file);
    // A bulk load into a throwaway database: no fsync per commit, and a page cache big enough
    // for the indexes of 10^6 events (SQLite's default is 2 MB).
    this.sqlite.exec('pragma busy_timeout = 5000; pragma synchronous = off; pragma cache_size = -262144');
  }

  statement(sql: string): StatementSync {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  prepare(sql: string): Statement {
    return new Statement(this, sql);
  }

  async batch(statements: Statement[]) {
    this.sqlite.exec('begin');
    try {
      const results = statements.map((s) => ({ success: true, ...s.execute() }));
      this.sqlite.exec('commit');
      return results;
    } catch (err) {
      this.sqlite.exec('rollback');
      throw err;
    }
  }

  close(): void {
    this.cache.clear();
    this.sqlite.close();
  }
}

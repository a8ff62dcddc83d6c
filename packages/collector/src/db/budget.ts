/**
 * The D1 budget of one invocation (an HTTP request or a queue batch). The platform allows 50
 * subrequests per invocation on the free plan (1,000 on the paid one), and a D1 batch is one
 * call whatever it holds, up to statements D1 accepts; lasttouch keeps to the free plan's 50 so
 * one request's cost never depends on a visitor's history.
 */
export const CALLS_PER_INVOCATION = 50;
export const STATEMENTS_PER_BATCH = 1000;

export class BudgetExceeded extends Error {}

/** Counts D1 calls made through a wrapped binding and refuses any beyond the budget. */
export class D1Budget {
  calls = 0;
  statements = 0;
  maxBatch = 0;

  constructor(readonly limit: number = CALLS_PER_INVOCATION) {}

  get remaining(): number {
    return this.limit - this.calls;
  }

  charge(statements: number): void {
    if (this.calls >= this.limit) throw new BudgetExceeded(`more than ${this.limit} D1 calls in one invocation`);
    if (statements > STATEMENTS_PER_BATCH) {
      throw new BudgetExceeded(`a D1 batch of ${statements} statements (at most ${STATEMENTS_PER_BATCH})`);
    }
    this.calls++;
    this.statements += statements;
    this.maxBatch = Math.max(this.maxBatch, statements);
  }
}

/**
 * `db` with every call charged to `budget`: `batch` counts once, a single statement's `all`,
 * `first`, `run` or `raw` once.
 */
export function metered(db: D1Database, budget: D1Budget): D1Database {
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        // Native getters need the real object as `this`, never the proxy.
        const value = Reflect.get(target, prop);
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
        if (prop === 'all' || prop === 'first' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            budget.charge(1);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    targets.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          budget.charge(statements.length);
          return target.batch(statements.map(unwrap));
        };
      }
      if (prop === 'withSession') {
        return (...args: Parameters<D1Database['withSession']>) =>
          metered(target.withSession(...args) as unknown as D1Database, budget);
      }
      if (prop === 'exec') {
        return (sql: string) => {
          budget.charge(1);
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** D1's batch needs its own statements, not proxies of them. */
const targets = new WeakMap<object, D1PreparedStatement>();
function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return targets.get(statement) ?? statement;
}

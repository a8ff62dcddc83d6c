/**
 * A D1 binding whose writes fail at a given rate (the soak's failure injection, bench only): a
 * D1 call that writes (a batch holding an insert, update or delete, or such a single
 * statement) fails with probability `rate`; half of those fail before anything is applied, the
 * other half after the batch committed (the connection dropped on the way back), which is the
 * case a retry must not count twice. Reads are left alone.
 *
 * @example const db = faultyD1(env.DB, { rate: 0.2, random: Math.random, onFail: () => n++ });
 */
export interface Faults {
  rate: number;
  random: () => number;
  onFail: () => void;
}

const WRITE = /^\s*(insert|update|delete|replace)\b/i;

export function faultyD1(inner: D1Database, faults: Faults): D1Database {
  const sqlOf = new WeakMap<object, string>();
  const real = new WeakMap<object, D1PreparedStatement>();

  /** Whether this call fails, and when: before anything ran or after it committed. */
  const draw = (): 'before' | 'after' | null => {
    if (faults.random() >= faults.rate) return null;
    faults.onFail();
    return faults.random() < 0.5 ? 'before' : 'after';
  };
  const failing = async <T>(when: 'before' | 'after' | null, run: () => Promise<T>): Promise<T> => {
    if (when === 'before') throw new Error('injected D1 failure (nothing applied)');
    const result = await run();
    if (when === 'after') throw new Error('injected D1 failure (applied, answer lost)');
    return result;
  };

  const wrap = (sql: string, statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop === 'bind') return (...args: unknown[]) => wrap(sql, target.bind(...args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) =>
            failing(WRITE.test(sql) ? draw() : null, () =>
              (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
            );
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    sqlOf.set(proxy, sql);
    real.set(proxy, statement);
    return proxy;
  };

  const faulty: D1Database = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(sql, target.prepare(sql));
      // Local D1 has no replicas: the faulty database serves as its own session, faults included.
      if (prop === 'withSession') return () => faulty;
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          const writes = statements.some((s) => WRITE.test(sqlOf.get(s) ?? ''));
          return failing(writes ? draw() : null, () => target.batch(statements.map((s) => real.get(s) ?? s)));
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return faulty;
}

/**
 * D1 bindings for tests of the consumer's bounds and failures: every call counted (a `batch` is
 * one call, as the per-invocation limit counts them), its largest batch remembered, and chosen
 * statements made to fail, to simulate a failure at an exact point.
 */
export interface WrappedD1 {
  db: D1Database;
  calls: () => number;
  maxBatch: () => number;
}

export function wrapD1(db: D1Database, fail: (sql: string) => boolean = () => false): WrappedD1 {
  let calls = 0;
  let maxBatch = 0;
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqls = new WeakMap<object, string>();
  const wrap = (sql: string, statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(sql, target.bind(...args));
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw') {
          return (...args: unknown[]) => {
            calls++;
            maxBatch = Math.max(maxBatch, 1);
            if (fail(sql)) return Promise.reject(new Error(`injected failure: ${sql.slice(0, 40)}`));
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    sqls.set(proxy, sql);
    return proxy;
  };
  const wrapped = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(sql, target.prepare(sql));
      // Local D1 has no replicas: the wrapper serves as its own session, so reads stay counted.
      if (prop === 'withSession') return () => wrapped;
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          calls++;
          maxBatch = Math.max(maxBatch, statements.length);
          if (statements.some((s) => fail(sqls.get(s) ?? ''))) return Promise.reject(new Error('injected failure'));
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: wrapped, calls: () => calls, maxBatch: () => maxBatch };
}

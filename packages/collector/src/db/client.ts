import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema/index.js';

const build = (d1: D1Database) => drizzle(d1, { schema });

export type Db = ReturnType<typeof build>;

/** Building an instance walks the whole schema, so each D1 binding gets one, reused. */
const instances = new WeakMap<D1Database, Db>();

/** The drizzle instance over a D1 binding. */
export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = build(d1);
    instances.set(d1, db);
  }
  return db;
}

/**
 * The D1 databases of this deployment: bindings named `DB`, `DB_2`, `DB_3`, … in
 * `wrangler.jsonc`. `DB` also holds the directory (sites, keys, secrets); a site's own data lives
 * in the database its `sites.database` names, and no query spans two databases.
 */
const NAME = /^DB(?:_[1-9]\d*)?$/;

const isD1 = (value: unknown): value is D1Database =>
  typeof value === 'object' && value !== null && typeof (value as D1Database).prepare === 'function';

/** Every D1 binding of `env` that holds site data, `DB` first. */
export function databaseNames(env: object): string[] {
  return Object.entries(env)
    .filter(([name, value]) => NAME.test(name) && isD1(value))
    .map(([name]) => name)
    .sort((a, b) => (a === 'DB' ? -1 : b === 'DB' ? 1 : a.localeCompare(b, 'en', { numeric: true })));
}

/** The binding a site's data lives in; throws for a name this deployment does not bind. */
export function databaseOf(env: object, name: string): D1Database {
  const db = (env as Record<string, unknown>)[name];
  if (!NAME.test(name) || !isD1(db)) throw new Error(`no D1 database bound as ${name}`);
  return db;
}

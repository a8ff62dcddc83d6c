// Run by `pnpm db:generate` right after drizzle-kit: drizzle cannot declare WITHOUT ROWID, so
// the new migration's CREATE TABLEs get it here, before the migration is ever applied. A table
// keyed by its primary key then writes one row per insert instead of two (row + key index),
// which is what D1 bills (docs/scaling.md). `dead_letters` (AUTOINCREMENT) and `step_guard` (no key) keep their rowid.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEEP_ROWID = new Set(['dead_letters', 'step_guard']);
const dir = new URL('../migrations/', import.meta.url).pathname;
const newest = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .at(-1);
if (!newest) process.exit(0);
const file = join(dir, newest);
const sql = readFileSync(file, 'utf8');
const out = sql.replace(/CREATE TABLE `([a-z_]+)` \(([\s\S]*?)\n\);/g, (statement, table) =>
  KEEP_ROWID.has(table) ? statement : statement.replace(/\n\);$/, '\n) WITHOUT ROWID;'),
);
if (out !== sql) {
  writeFileSync(file, out);
  console.log(`without-rowid: ${newest}`);
}

/**
 * The layering of the collector's src/ (docs/architecture.md), checked by `pnpm test`: data flows
 * down, routes -> domains -> infrastructure. Fails when folders import each other (any cycle
 * between folders or the top-level files), when an infrastructure folder imports a domain, or
 * when anything but app.ts and index.ts imports routes/. Tests are not sources and are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const src = resolve(import.meta.dirname, '../src');
const INFRASTRUCTURE = ['http', 'auth', 'db', 'time', 'crypto', 'env.ts'];
const unitOf = (file) => relative(src, file).split(sep)[0].replace(/\.js$/, '.ts');
const imports = new Map(); // unit -> Map(imported unit -> the file that imports it)
const problems = [];
for (const name of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (!name.endsWith('.ts') || /\.(test|spec)\.ts$/.test(name)) continue;
  const file = join(src, name);
  const from = unitOf(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
    const to = unitOf(resolve(dirname(file), spec));
    if (to === from) continue;
    if (!imports.has(from)) imports.set(from, new Map());
    imports.get(from).set(to, name);
    if (to === 'routes' && from !== 'app.ts' && from !== 'index.ts') problems.push(`${name} imports routes/`);
    if (INFRASTRUCTURE.includes(from) && !INFRASTRUCTURE.includes(to))
      problems.push(`${name} (infrastructure) imports ${to}`);
  }
}
// Depth-first search: an edge back to a unit still on the path closes a cycle.
const state = new Map();
const visit = (unit, path) => {
  state.set(unit, 'open');
  for (const [to, file] of imports.get(unit) ?? []) {
    if (state.get(to) === 'open')
      problems.push(`cycle: ${[...path.slice(path.indexOf(to)), unit, to].join(' -> ')} (${file})`);
    else if (!state.has(to)) visit(to, [...path, unit]);
  }
  state.set(unit, 'done');
};
for (const unit of imports.keys()) if (!state.has(unit)) visit(unit, []);
if (problems.length > 0) {
  console.error(`Layering of packages/collector/src broken (see docs/architecture.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const units = new Set([...imports.keys(), ...[...imports.values()].flatMap((to) => [...to.keys()])]);
console.log(`layers: ${units.size} folders and top-level files of src/, no cycle, infrastructure imports no domain`);

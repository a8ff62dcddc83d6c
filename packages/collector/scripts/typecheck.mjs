/**
 * `pnpm typecheck` of the collector: its six TypeScript projects (worker and tests, Node scripts
 * and e2e, dashboard, dashboard bench, benches, workerd bench), as many at once as the machine
 * has cores. One after another they took half a minute of CI on two cores.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

const PROJECTS = [
  'tsconfig.json',
  'tsconfig.node.json',
  'dashboard',
  'dashboard/tsconfig.bench.json',
  'bench',
  'bench/workerd',
];

/** Runs `tsc -p project`, answering its exit code and output (printed whole, not interleaved). */
const check = (project) =>
  new Promise((resolve) => {
    const child = spawn(tsc, ['-p', project], { cwd: root });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ project, code, output }));
  });

const queue = [...PROJECTS];
const failed = [];
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    for (let project = queue.shift(); project !== undefined; project = queue.shift()) {
      const { code, output } = await check(project);
      if (output) process.stdout.write(output);
      if (code !== 0) failed.push(project);
    }
  }),
);
if (failed.length > 0) {
  console.error(`typecheck failed: ${failed.join(', ')}`);
  process.exit(1);
}

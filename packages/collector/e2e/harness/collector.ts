import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const collectorDir = fileURLToPath(new URL('../..', import.meta.url));
const wrangler = join(collectorDir, 'node_modules', '.bin', 'wrangler');
const run = promisify(execFile);

export const ADMIN_TOKEN = 'e2e-admin-token';

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Collector {
  origin: string;
  port: number;
  persistDir: string;
  /** Stops the worker (the database stays, so `start` brings the same collector back). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the worker and deletes its database. */
  dispose(): Promise<void>;
  /** Rows of a read-only SQL query against the collector's local D1 (what a merchant's audit would see). */
  query<Row>(sql: string): Promise<Row[]>;
}

/**
 * The collector under `wrangler dev` on a free loopback port with a fresh local D1 (its own
 * persistence folder), migrations applied as `pnpm dev` applies them.
 */
export async function startCollector(): Promise<Collector> {
  const port = await freePort();
  const persistDir = await mkdtemp(join(tmpdir(), 'lasttouch-e2e-'));
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' };
  await run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], {
    cwd: collectorDir,
    env,
  });

  let child: ChildProcess | undefined;
  let output = '';
  const origin = `http://127.0.0.1:${port}`;

  const start = async () => {
    output = '';
    child = spawn(
      wrangler,
      [
        'dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--persist-to',
        persistDir,
        '--var',
        `ADMIN_TOKEN:${ADMIN_TOKEN}`,
        '--show-interactive-dev-session=false',
        '--log-level',
        'warn',
      ],
      { cwd: collectorDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`wrangler dev exited (${code}):\n${output.slice(-4000)}`))),
    );
    exited.catch(() => {});
    try {
      await Promise.race([waitFor(async () => (await fetch(`${origin}/health`)).ok, `collector on ${origin}`), exited]);
    } catch (err) {
      // A worker that never came up must not outlive the suite.
      await stop();
      throw err;
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-(proc.pid as number), 'SIGKILL');
      } catch {}
    }, 5_000);
    await gone;
    clearTimeout(killer);
    // The port must be free again before a restart binds it.
    await waitFor(
      async () =>
        !(await fetch(`${origin}/health`).then(
          () => true,
          () => false,
        )),
      `${origin} to close`,
      10_000,
    );
  };

  await start();
  return {
    origin,
    port,
    persistDir,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(persistDir, { recursive: true, force: true });
    },
    async query<Row>(sql: string) {
      const { stdout } = await run(
        wrangler,
        ['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql],
        { cwd: collectorDir, env, maxBuffer: 64 * 1024 * 1024 },
      );
      return (JSON.parse(stdout) as { results: Row[] }[])[0]?.results ?? [];
    },
  };
}

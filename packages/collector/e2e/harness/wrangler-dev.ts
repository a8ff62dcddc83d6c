/**
 * Workers under `wrangler dev` on loopback, for the end-to-end suite, the benchmarks and the soak
 * run: the collector itself, or another entry point or config (the bench and no-op workers),
 * each on a free port with a fresh local D1. One harness, so every number and every run sees
 * the collector served the same way. A worker started in one process (the e2e suite's shared
 * collector, started by its global setup) is reached from another with `runningWorker`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';

const collectorDir = join(import.meta.dirname, '../..');
const wrangler = join(collectorDir, 'node_modules', '.bin', 'wrangler');
const run = promisify(execFile);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' };

/** `ADMIN_TOKEN` of every worker the harness starts (the collector refuses one under 32 characters). */
export const ADMIN_TOKEN = 'harness-admin-token-0123456789abcdef';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether anything answers at `url` (`healthy`: with a 2xx). */
const answers = (url: string, healthy = false): Promise<boolean> =>
  fetch(url).then(
    (res) => !healthy || res.ok,
    () => false,
  );

/** A worker's address and local D1, without the power to stop it: what a process that did not start it gets. */
export interface RunningWorker {
  /** Where it listens (another port after `start` if the first was taken meanwhile). */
  readonly origin: string;
  readonly persistDir: string;
  /** Rows of a read-only SQL query against its local D1 (what a merchant's audit would see). */
  query<Row>(sql: string): Promise<Row[]>;
}

export interface Worker extends RunningWorker {
  /** Stops the worker (the database stays, so `start` brings the same one back). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the worker and deletes its database. */
  dispose(): Promise<void>;
}

/** The SQLite file of the one local D1 database under a `--persist-to` folder. */
function d1File(persistDir: string): string {
  const dir = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (files.length !== 1) throw new Error(`expected one D1 database under ${dir}, found ${files.length}`);
  return join(dir, files[0]!);
}

/**
 * Reads the file itself, opened read-only beside the running worker: D1 keeps it in WAL mode, so a
 * reader sees the last committed state without blocking the worker. (`wrangler d1 execute --local`
 * starts a workerd per query: seconds each on two cores, which polling tests paid every round.)
 */
async function queryD1<Row>(persistDir: string, sql: string): Promise<Row[]> {
  const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}

/** The worker `startWorker` started in another process, from its origin and persist folder. */
export function runningWorker(origin: string, persistDir: string): RunningWorker {
  return { origin, persistDir, query: <Row>(sql: string) => queryD1<Row>(persistDir, sql) };
}

export interface WorkerOptions {
  /** Its wrangler config, relative to the collector package; the collector's own by default. */
  config?: string;
  /** Another entry point, run with the config's bindings (the bench worker with the collector's). */
  script?: string;
  /** Apply the migrations to its fresh local D1 first, as `pnpm dev` does (default: yes). */
  d1?: boolean;
}

/**
 * `wrangler dev [SCRIPT] -c CONFIG` on a free loopback port with `ADMIN_TOKEN` set, up once
 * `/health` answers. A worker that never comes up is stopped, and its folder removed, before the
 * error is thrown; a port taken between choosing and binding it (the machine is shared) gets
 * another try.
 */
export async function startWorker({
  config = 'wrangler.jsonc',
  script,
  d1 = true,
}: WorkerOptions = {}): Promise<Worker> {
  const persistDir = await mkdtemp(join(tmpdir(), 'lasttouch-dev-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  const origin = () => `http://127.0.0.1:${port}`;

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return;
    const pid = proc.pid;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }, 5_000);
    await gone;
    clearTimeout(killer);
    // Nothing may hold the port (or the database) once stop returns: a restart binds it again.
    const deadline = Date.now() + 10_000;
    while (await answers(`${origin()}/health`)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${origin()} to close`);
      await sleep(100);
    }
  };

  const launch = async () => {
    let output = '';
    const proc = spawn(
      wrangler,
      [
        'dev',
        ...(script ? [script] : []),
        '-c',
        config,
        // Its own name: other dev sessions of the collector (tests running meanwhile) share the registry.
        '--name',
        `lasttouch-dev-${port}`,
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
    child = proc;
    // BENCH_DEBUG=1 shows the workers' logs (errors of the app included).
    const show = process.env.BENCH_DEBUG === '1';
    const keep = (d: Buffer) => {
      output += d;
      if (show) process.stderr.write(d);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) =>
        reject(new Error(`wrangler dev -c ${config} exited (${code}):\n${output.slice(-4000)}`)),
      ),
    );
    exited.catch(() => {});
    const deadline = Date.now() + 90_000;
    try {
      while (!(await Promise.race([answers(`${origin()}/health`, true), exited]))) {
        if (Date.now() > deadline) throw new Error(`timed out starting ${config}:\n${output.slice(-4000)}`);
        await sleep(100);
      }
    } catch (err) {
      // A worker that never came up must not outlive the run.
      await stop();
      throw err;
    }
  };

  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch();
      } catch (err) {
        if (attempt === 3 || !/Address already in use/.test(String(err))) throw err;
        port = await freePort();
      }
    }
  };

  // The worker runs in its own process group, so it would outlive a process that exits without
  // disposing of it (vitest exits on SIGINT or SIGTERM without its teardown): that exit takes it along.
  const orphaned = () => {
    try {
      if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {}
    rmSync(persistDir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  try {
    if (d1) {
      const local = ['--local', '-c', config, '--persist-to', persistDir];
      await run(wrangler, ['d1', 'migrations', 'apply', 'DB', ...local], { cwd: collectorDir, env });
    }
    await start();
  } catch (err) {
    process.off('exit', orphaned);
    await rm(persistDir, { recursive: true, force: true });
    throw err;
  }
  return {
    get origin() {
      return origin();
    },
    persistDir,
    start,
    stop,
    async dispose() {
      process.off('exit', orphaned);
      await stop();
      await rm(persistDir, { recursive: true, force: true });
    },
    query: <Row>(sql: string) => queryD1<Row>(persistDir, sql),
  };
}

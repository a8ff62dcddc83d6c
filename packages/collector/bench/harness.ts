/**
 * Workers under `wrangler dev` for the benchmarks, started as the end-to-end harness starts the
 * collector (e2e/harness/collector.ts): the collector (`wrangler.jsonc`) and the bench workers
 * (their own configs) all sit on the same harness, so their numbers compare.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ADMIN_TOKEN = 'bench-admin-token';

const collectorDir = join(import.meta.dirname, '..');
const wrangler = join(collectorDir, 'node_modules', '.bin', 'wrangler');
const run = promisify(execFile);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' };

/** A free TCP port on loopback, chosen by the OS. */
function freePort(): Promise<number> {
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

export interface Worker {
  origin: string;
  persistDir: string;
  /** Stops the worker; its database stays, so `start` brings the same one back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the worker and deletes its database. */
  dispose(): Promise<void>;
}

/**
 * `wrangler dev [SCRIPT] -c CONFIG` on a free loopback port with a fresh local D1 (migrations
 * applied when the config binds one), `ADMIN_TOKEN` set as for the collector. A `script` runs
 * another entry point with the config's bindings (the bench worker with the collector's).
 */
export async function startWorker(config: string, opts: { d1?: boolean; script?: string } = {}): Promise<Worker> {
  let port = await freePort();
  const persistDir = await mkdtemp(join(tmpdir(), 'lasttouch-bench-'));
  if (opts.d1) {
    await run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '-c', config, '--persist-to', persistDir], {
      cwd: collectorDir,
      env,
    });
  }
  let origin = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    let output = '';
    const proc = spawn(
      wrangler,
      [
        'dev',
        ...(opts.script ? [opts.script] : []),
        '-c',
        config,
        // Its own name: other dev sessions of the collector (tests running meanwhile) share the registry.
        '--name',
        `lasttouch-bench-${port}`,
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
    proc.stdout?.on('data', (d) => {
      output += d;
      if (show) process.stderr.write(d);
    });
    proc.stderr?.on('data', (d) => {
      output += d;
      if (show) process.stderr.write(d);
    });
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) =>
        reject(new Error(`wrangler dev -c ${config} exited (${code}):\n${output.slice(-4000)}`)),
      ),
    );
    exited.catch(() => {});
    const deadline = Date.now() + 90_000;
    for (;;) {
      const up = await Promise.race([
        fetch(`${origin}/health`).then(
          () => true,
          () => false,
        ),
        exited,
      ]);
      if (up) return;
      if (Date.now() > deadline) throw new Error(`timed out starting ${config}:\n${output.slice(-4000)}`);
      await sleep(100);
    }
  };

  /** A port taken between choosing and binding it (the machine is shared) gets another try. */
  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch();
      } catch (err) {
        if (attempt === 3 || !/Address already in use/.test(String(err))) throw err;
        port = await freePort();
        origin = `http://127.0.0.1:${port}`;
      }
    }
  };

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
    // Nothing may hold the database (or the port) once stop returns.
    while (
      await fetch(`${origin}/health`).then(
        () => true,
        () => false,
      )
    )
      await sleep(100);
  };

  await start();
  return {
    get origin() {
      return origin;
    },
    persistDir,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(persistDir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `fetch` that fails loudly on an unexpected status and returns the parsed JSON body. */
export async function call<T>(
  url: string,
  init: { method?: string; key?: string; body?: unknown; expect?: number; text?: boolean } = {},
): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body === undefined
        ? {}
        : { 'content-type': init.text ? 'text/plain;charset=UTF-8' : 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (res.status !== (init.expect ?? 200))
    throw new Error(
      `${init.method ?? (init.body === undefined ? 'GET' : 'POST')} ${url} answered ${res.status}: ${text}`,
    );
  return JSON.parse(text) as T;
}

export interface Site {
  siteId: string;
  writeKey: string;
  agentKey: string;
  readKey: string;
}

export const SHOP = 'https://shop.example';

export const createSite = (origin: string): Promise<Site> =>
  call(`${origin}/v1/sites`, { key: ADMIN_TOKEN, body: { name: 'Bench shop', allowedOrigins: [SHOP] }, expect: 201 });

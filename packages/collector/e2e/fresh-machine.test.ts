// The README's run command, exactly as written, on a "fresh machine": a copy of the working tree, a PATH
// holding only an old Node (< 22), its npm and basic system tools (no pnpm, no Node 24), an empty HOME.
// It must install what is missing, build and serve the collector; changing PORT must need no hand step.
// Run by `pnpm test:fresh-machine` (vitest.fresh.config.ts), which `.ci/run` runs after `pnpm test`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness/wrangler-dev.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const demo = JSON.parse(readFileSync(new URL('../scripts/demo-site.json', import.meta.url), 'utf8'));

/** The one command of the README's "Run it" section. */
function readmeRunCommand(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Run it'));
  const block = section?.match(/```sh\n([^\n]+)\n```/);
  if (!block?.[1]) throw new Error('README.md has no one-line ```sh block under "## Run it"');
  return block[1];
}

const nodeMajor = (node: string) =>
  Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]']).toString());

/** A directory on PATH whose `node` is older than 22 and has npm and npx beside it (Debian's nodejs here). */
function oldNodeDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const node = join(dir, 'node');
    if (!existsSync(node) || !['npm', 'npx'].every((tool) => existsSync(join(dir, tool)))) continue;
    if (nodeMajor(node) < 22) return dir;
  }
  throw new Error(
    "This test needs a Node older than 22 with npm on PATH (the fresh machine it stands for), e.g. Debian's " +
      '`apt-get install nodejs npm`.',
  );
}

// What a fresh machine has besides Node and npm; absent ones are left out (that machine would lack them too).
const SYSTEM_TOOLS = `bash sh env git curl tar gzip cat ls cp mv rm mkdir rmdir ln chmod touch dirname basename
  readlink realpath uname id head tail sed grep awk tr sort uniq wc cut date mktemp sleep find xargs`.split(/\s+/);

function freshPath(bin: string): void {
  mkdirSync(bin);
  const oldNode = oldNodeDir();
  for (const tool of ['node', 'npm', 'npx']) symlinkSync(join(oldNode, tool), join(bin, tool));
  for (const tool of SYSTEM_TOOLS) {
    const found = ['/usr/bin', '/bin'].map((dir) => join(dir, tool)).find((path) => existsSync(path));
    if (found) symlinkSync(found, join(bin, tool));
  }
}

/** The working tree as a clone would have it (tracked and new files, nothing ignored: no node_modules, no builds). */
function copyWorkingTree(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot })
    .toString()
    .split('\0')
    .filter((file) => file && existsSync(join(repoRoot, file)));
  for (const file of files) cpSync(join(repoRoot, file), join(to, file));
}

/** Processes (of this user) started with `marker` in their environment: everything the run command started. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** Waits until no process carries `marker`; the ones still running after `timeoutMs`. */
async function lingering(marker: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = processesWith(marker);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The machine's network settings (a proxy, a TLS-intercepting CA) belong to the machine, not to the user's HOME.
const NETWORK_ENV =
  `NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy
  no_proxy`.split(/\s+/);
const networkEnv = () =>
  Object.fromEntries(NETWORK_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));

interface Run {
  origin: string;
  output(): string;
  /** Ctrl-C in the terminal: SIGINT to the whole process group, then every started process must be gone. */
  stop(): Promise<void>;
}

describe('the README run command on a fresh machine', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lasttouch-fresh-'));
  const home = join(tmp, 'home');
  const bin = join(tmp, 'bin');
  const repo = join(tmp, 'repo');
  // Every process the run command starts inherits it: how the test finds them after Ctrl-C.
  const runId = randomUUID();
  const marker = `LASTTOUCH_FRESH_RUN=${runId}`;
  const command = readmeRunCommand();
  const runs: Run[] = [];

  async function start(): Promise<Run> {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    // Nothing else inherited from this test's environment (pnpm's npm_config_*, Node 24 on PATH, the real HOME).
    const env = {
      ...networkEnv(),
      PATH: bin,
      HOME: home,
      PORT: String(port),
      LANG: 'C.UTF-8',
      LASTTOUCH_FRESH_RUN: runId,
    };
    const child: ChildProcess = spawn('bash', ['-c', command], {
      cwd: repo,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), 'SIGINT');
        } catch {}
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
      // Anything left (a worker the CLI failed to stop) is killed so it cannot outlive the suite, and fails the test.
      const left = await lingering(marker, 10_000);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      expect(left, `processes still running after Ctrl-C:\n${output.slice(-2000)}`).toEqual([]);
    };
    let stopped: Promise<void> | undefined;
    const run: Run = {
      origin,
      output: () => output,
      stop: () => {
        stopped ??= stop();
        return stopped;
      },
    };
    runs.push(run);
    const failed = exited.then(() => {
      throw new Error(`\`${command}\` exited before the collector answered:\n${output.slice(-4000)}`);
    });
    failed.catch(() => {});
    await Promise.race([
      waitFor(async () => (await fetch(`${origin}/health`)).status === 200, `${origin}/health`, 300_000),
      failed,
    ]);
    return run;
  }

  const settings = async (origin: string) =>
    (await fetch(`${origin}/v1/settings`, { headers: { Authorization: `Bearer ${demo.readKey}` } })).json() as Promise<{
      allowedOrigins: string[];
      creditPolicy: string;
    }>;

  beforeAll(() => {
    mkdirSync(home);
    mkdirSync(repo);
    freshPath(bin);
    copyWorkingTree(repo);
  });

  afterAll(async () => {
    await Promise.allSettled(runs.map((run) => run.stop()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('installs what is missing and serves the collector, its demo and the demo site', async () => {
    const run = await start();
    expect(run.output()).toContain('installing Node 24');
    const page = await fetch(`${run.origin}/demo/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`data-api="${run.origin}"`);
    expect((await fetch(`${run.origin}/lasttouch.js`)).status).toBe(200);
    expect((await settings(run.origin)).allowedOrigins).toContain(run.origin);
    // A merchant's own origin and setting, which a later start must keep.
    const put = await fetch(`${run.origin}/v1/settings`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${demo.readKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowedOrigins: ['https://shop.example', run.origin], creditPolicy: 'first' }),
    });
    expect(put.status).toBe(200);
    await run.stop();
  }, 600_000);

  it('starts again on another PORT without installing anything, the demo allowing the new origins', async () => {
    const first = runs[0];
    if (!first) throw new Error('the first run did not start');
    const run = await start();
    expect(run.output()).not.toMatch(/bootstrap: .*installing/);
    const after = await settings(run.origin);
    expect(after.allowedOrigins).toEqual([
      'https://shop.example',
      first.origin,
      run.origin,
      run.origin.replace('127.0.0.1', 'localhost'),
    ]);
    expect(after.creditPolicy).toBe('first');
    await run.stop();
  }, 300_000);
});

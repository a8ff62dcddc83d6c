// `pnpm dev`: build the SDK, copy it into the assets, migrate the local D1, seed the demo site
// (same keys on every run), then run `wrangler dev` on 127.0.0.1. Works offline.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyAssets } from './copy-assets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = JSON.parse(readFileSync(join(root, 'scripts/demo-site.json'), 'utf8'));
const port = process.env.PORT || '8787';
// The collector refuses an ADMIN_TOKEN shorter than 32 characters except where the demo site is
// seeded (local development), so this short default works here and nowhere else.
const adminToken = process.env.ADMIN_TOKEN || 'dev-admin-token';
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

function run(command, args, what, { quiet = false } = {}) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'inherit'] });
  if (result.status !== 0) {
    if (quiet) process.stdout.write(result.stdout);
    console.error(`dev: ${what} failed (${command} ${args.join(' ')})`);
    process.exit(result.status ?? 1);
  }
}

const sqlString = (value) => `'${String(value).replaceAll("'", "''")}'`;
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * Idempotent: an existing demo site and its keys are kept; its settings only gain this port's origins
 * (patched in place, so the merchant's other origins and every other setting stay as they are).
 */
function seedSql() {
  const now = Date.now();
  // The collector's own origins: the demo storefront is served by the collector, and the tagged-link
  // example needs an allowed origin to tag (an open tagger would be an open redirect).
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const settings = {
    allowedOrigins: origins,
    attributionWindows: { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} },
    creditPolicy: 'every',
  };
  const keys = [
    ['write', demo.writeKey],
    ['agent', demo.agentKey],
    ['read', demo.readKey],
  ];
  return [
    `INSERT OR IGNORE INTO sites (id, name, settings, database, settings_version, created_at) VALUES (${sqlString(demo.siteId)}, ${sqlString(demo.name)}, ${sqlString(JSON.stringify(settings))}, 'DB', 0, ${now});`,
    ...['link', 'customer'].map(
      (purpose) =>
        `INSERT OR IGNORE INTO site_secrets (site_id, purpose, key_id, secret, created_at) VALUES (${sqlString(demo.siteId)}, '${purpose}', 1, ${sqlString(randomBytes(32).toString('base64url'))}, ${now});`,
    ),
    ...origins.map(
      (origin) =>
        `UPDATE sites SET settings = json_insert(settings, '$.allowedOrigins[#]', ${sqlString(origin)}) WHERE id = ${sqlString(demo.siteId)} AND NOT EXISTS (SELECT 1 FROM json_each(settings, '$.allowedOrigins') WHERE value = ${sqlString(origin)});`,
    ),
    ...keys.map(
      ([kind, key]) =>
        `INSERT OR IGNORE INTO api_keys (hash, site_id, kind, created_at) VALUES (${sqlString(sha256(key))}, ${sqlString(demo.siteId)}, ${sqlString(kind)}, ${now});`,
    ),
  ].join(' ');
}

run('pnpm', ['--filter', '@lasttouch/sdk', 'build'], 'building the SDK');
copyAssets();
run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], 'applying migrations to the local D1');
run('wrangler', ['d1', 'execute', 'DB', '--local', '--command', seedSql()], 'seeding the demo site', { quiet: true });

const base = `http://127.0.0.1:${port}`;
console.log(`
lasttouch collector (local)
  API          ${base}/v1/…
  demo shop    ${base}/demo/
  dashboard    ${base}/dashboard  (paste the read key below)
  script tag   ${base}/lasttouch.js
  admin token  ${adminToken === 'dev-admin-token' ? 'dev-admin-token (set ADMIN_TOKEN to change)' : '(from ADMIN_TOKEN)'}

demo site "${demo.siteId}" keys
  write  ${demo.writeKey}
  agent  ${demo.agentKey}
  read   ${demo.readKey}
`);

const wrangler = spawn(
  'wrangler',
  [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    port,
    '--var',
    `ADMIN_TOKEN:${adminToken}`,
    '--show-interactive-dev-session=false',
  ],
  { cwd: root, env, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => wrangler.kill(signal));
wrangler.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

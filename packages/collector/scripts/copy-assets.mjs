// Copies the SDK's built script tag into the collector's static assets: `/lasttouch.js` (short
// cache, always the current build), `/v/<sdk version>/lasttouch.js` (immutable), and the same two
// for `lasttouch.debug.js`, the build whose `data-debug` logs to the console. Then builds the
// merchant dashboard (`/dashboard`) into the same assets, and copies the API reference's
// self-contained bundle (`/docs/scalar.js`, the page `/docs` loads: nothing from another host).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../dashboard/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '../../sdk');
const publicDir = join(here, '../public');

/** Copies Scalar's standalone API reference (one file, its styles inside) to `public/docs/`. */
function copyReference() {
  // Its package exports no file path of the bundle: read it where pnpm links the package.
  const bundle = join(here, '../node_modules/@scalar/api-reference/dist/browser/standalone.js');
  mkdirSync(join(publicDir, 'docs'), { recursive: true });
  copyFileSync(bundle, join(publicDir, 'docs/scalar.js'));
  return '/docs/scalar.js';
}

/** Copies the built SDK into `public/`; throws with a clear message when it was not built. */
export function copyAssets() {
  const built = join(sdkDir, 'dist/lasttouch.js');
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: build the SDK first (pnpm --filter @lasttouch/sdk build)`);
  }
  const { version } = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8'));
  mkdirSync(join(publicDir, 'v', version), { recursive: true });
  const paths = [];
  for (const file of ['lasttouch.js', 'lasttouch.debug.js']) {
    for (const path of [`/${file}`, `/v/${version}/${file}`]) {
      copyFileSync(join(sdkDir, 'dist', file), join(publicDir, path));
      paths.push(path);
    }
  }
  paths.push(...buildDashboard(), copyReference());
  return { version, paths };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { paths } = copyAssets();
    console.log(`copied the SDK and the API reference, built the dashboard: ${paths.join(', ')}`);
  } catch (err) {
    console.error(`copy-assets: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

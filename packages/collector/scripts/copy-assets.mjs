// Copies the SDK's built script tag into the collector's static assets: `/lasttouch.js` (short
// cache, always the current build) and `/v/<sdk version>/lasttouch.js` (immutable).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sdkDir = join(here, '../../sdk');
const publicDir = join(here, '../public');

/** Copies the built SDK into `public/`; throws with a clear message when it was not built. */
export function copyAssets() {
  const built = join(sdkDir, 'dist/lasttouch.js');
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: build the SDK first (pnpm --filter @lasttouch/sdk build)`);
  }
  const { version } = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8'));
  const versioned = join(publicDir, 'v', version, 'lasttouch.js');
  mkdirSync(dirname(versioned), { recursive: true });
  copyFileSync(built, join(publicDir, 'lasttouch.js'));
  copyFileSync(built, versioned);
  return { version, paths: ['/lasttouch.js', `/v/${version}/lasttouch.js`] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { paths } = copyAssets();
    console.log(`copied the SDK to ${paths.join(' and ')}`);
  } catch (err) {
    console.error(`copy-assets: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

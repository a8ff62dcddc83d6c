// Builds the merchant dashboard into the collector's static assets: `public/dashboard.html`
// (served at `/dashboard`) and its script and stylesheet under `public/dashboard/`, named by
// content hash so they can be cached for good. Preact and uPlot are bundled in; nothing is loaded
// from another host, and no script is inline (the page's CSP, in public/_headers, allows none).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '../public');

/** Builds the page; returns the paths it wrote, relative to `public/`, and their sizes. */
export function buildDashboard({ outDir = publicDir } = {}) {
  const assetDir = join(outDir, 'dashboard');
  rmSync(assetDir, { recursive: true, force: true });
  mkdirSync(assetDir, { recursive: true });
  const result = buildSync({
    entryPoints: { app: join(here, 'src/main.tsx') },
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(here, 'tsconfig.json'),
    outdir: assetDir,
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  // The API types are imported type-only; a validator (zod) in the page would be dead weight.
  const stray = Object.keys(result.metafile.inputs).filter((input) =>
    /[/\\]zod[/\\]|shared[/\\]src[/\\]validate/.test(input),
  );
  if (stray.length > 0) throw new Error(`the dashboard bundle pulls in validators: ${stray.join(', ')}`);

  const outputs = Object.keys(result.metafile.outputs).map((path) => join(process.cwd(), path));
  const js = outputs.find((p) => p.endsWith('.js'));
  const css = outputs.find((p) => p.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild wrote no script or stylesheet: ${outputs.join(', ')}`);
  const html = readFileSync(join(here, 'index.html'), 'utf8')
    .replace('%JS%', `dashboard/${basename(js)}`)
    .replace('%CSS%', `dashboard/${basename(css)}`);
  writeFileSync(join(outDir, 'dashboard.html'), html);
  return [join(outDir, 'dashboard.html'), js, css].map((p) => `/${relative(outDir, p)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(`built the dashboard: ${buildDashboard().join(', ')}`);
  } catch (err) {
    console.error(`dashboard build: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

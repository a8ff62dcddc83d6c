/**
 * Where the bytes of the script tag come from: builds `dist/lasttouch.js` in memory exactly as
 * `pnpm build` does, with a source map, and gives each source module the minified characters the
 * map attributes to it. Brotli does not add up per module, so each module's brotli figure is its
 * marginal cost: the whole file's brotli-11 size minus that of the file without the module's
 * characters (what deleting the module would save, roughly).
 */
import { relative, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';
import { type OutputOptions, type RollupOptions, rollup } from 'rollup';
import configs from '../rollup.config.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const TAG = 'dist/lasttouch.js';

/** Brotli at quality 11, as a server or CDN precompresses static files (and as the size test measures). */
export const brotli = (code: string | Buffer) =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

export interface ModuleSize {
  module: string;
  minified: number;
  /** Brotli-11 bytes the file loses without this module's characters. */
  brotliMarginal: number;
}

export async function moduleSizes(): Promise<{ code: string; modules: ModuleSize[] }> {
  const config = (configs as RollupOptions[]).find((c) => (c.output as OutputOptions).file === TAG);
  if (!config) throw new Error(`no rollup config for ${TAG}`);
  const bundle = await rollup({ ...config, logLevel: 'silent' });
  const { output } = await bundle.generate({ ...(config.output as OutputOptions), sourcemap: true });
  await bundle.close();
  const { map } = output[0];
  if (!map) throw new Error('no source map');
  // The map's comment is not part of the shipped file.
  const code = output[0].code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '');
  const lines = code.split('\n');
  const owner: string[][] = lines.map((line) => new Array(line.length).fill('(bundle wrapper)'));
  decode(map.mappings).forEach((segments, line) => {
    segments.forEach((segment, i) => {
      if (segment.length < 2) return;
      const source = relative(ROOT, resolve(ROOT, 'packages/sdk/dist', map.sources[segment[1] as number] as string));
      const end = segments[i + 1]?.[0] ?? (lines[line] as string).length;
      for (let column = segment[0]; column < end; column++) (owner[line] as string[])[column] = source;
    });
  });
  const chars = new Map<string, number>();
  for (const line of owner) for (const source of line) chars.set(source, (chars.get(source) ?? 0) + 1);
  const whole = brotli(code);
  const modules = [...chars].map(([module, minified]) => {
    const without = lines.map((line, l) => [...line].filter((_, c) => owner[l]?.[c] !== module).join('')).join('\n');
    return { module, minified, brotliMarginal: whole - brotli(without) };
  });
  modules.sort((a, b) => b.minified - a.minified);
  return { code, modules };
}

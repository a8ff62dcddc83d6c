// @vitest-environment node
import { relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type OutputOptions, type RollupOptions, rollup } from 'rollup';
import { beforeAll, describe, expect, it } from 'vitest';
import configs from '../rollup.config.mjs';

// What this feature set measures (issue 20): a regression fails. The goal is GOAL.
const BUDGET = 2983;
const GOAL = 2048;
const root = resolve(import.meta.dirname, '../../..');

let code = '';
let modules: string[] = [];

/** Builds the tag exactly as `pnpm build` does, in memory, so the numbers are never stale. */
beforeAll(async () => {
  const config = (configs as RollupOptions[]).find((c) => (c.output as OutputOptions).file === 'dist/lasttouch.js')!;
  const bundle = await rollup({ ...config, logLevel: 'silent' });
  const { output } = await bundle.generate(config.output as OutputOptions);
  code = output[0].code;
  modules = output[0].moduleIds.map((id) => relative(root, id));
  await bundle.close();
}, 60_000);

describe('dist/lasttouch.js', () => {
  it(`fits in ${BUDGET} bytes brotli-11`, () => {
    const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const gzip = gzipSync(code, { level: 9 }).length;
    console.info(`lasttouch.js: ${code.length} B minified, ${gzip} B gzip-9, ${brotli} B brotli-11 (goal ${GOAL})`);
    expect(brotli).toBeLessThanOrEqual(BUDGET);
  });

  it('holds only SDK sources and shared types and constants: no validator, no zod, no test helpers', () => {
    expect(modules.length).toBeGreaterThan(5);
    for (const id of modules) {
      expect(id).toMatch(/^packages\/(sdk\/src|shared\/src)\/[^/]+(\/[^/]+)?\.ts$/);
      expect(id).not.toMatch(/validate|zod|testing/);
    }
    for (const marker of ['zod', 'safeParse', 'ZodError', 'strictObject']) expect(code).not.toContain(marker);
  });

  it('has no debug output', () => {
    expect(code).not.toContain('console');
    expect(code).not.toContain('[lasttouch]');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const packages = join(import.meta.dirname, '../../..');

/** Every TypeScript source under `dir`, tests and specs aside. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !/\.(test|spec)\.ts$/.test(f))
    .map((f) => join(dir, f));

describe('@lasttouch/shared/testing', () => {
  it('is imported by no SDK or collector source: it is for tests and benchmarks only', () => {
    const files = [...sources(join(packages, 'sdk/src')), ...sources(join(packages, 'collector/src'))];
    expect(files.length).toBeGreaterThan(20);
    const importers = files.filter((f) => readFileSync(f, 'utf8').includes('@lasttouch/shared/testing'));
    expect(importers).toEqual([]);
  });
});

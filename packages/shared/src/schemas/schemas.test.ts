import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as schemas from './index.js';

const src = join(import.meta.dirname, '..');
const sdk = join(src, '../../sdk/src');

/** Every TypeScript source under `dir`, tests aside. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !/\.(test|spec)\.ts$/.test(f))
    .map((f) => join(dir, f));

describe('@lasttouch/shared/schemas', () => {
  it('never reaches the SDK: no SDK source imports it, nor the root entry that the SDK does', () => {
    const importers = sources(sdk).filter((f) =>
      /@lasttouch\/shared\/(schemas|validate)/.test(readFileSync(f, 'utf8')),
    );
    expect(importers).toEqual([]);
    // The root entry's own modules (what `@lasttouch/shared` loads) import neither zod nor these.
    const root = readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(root).toContain('index.ts');
    for (const file of root) {
      expect(readFileSync(join(src, file), 'utf8'), file).not.toMatch(/from '(zod|\.\/schemas|\.\/validate)/);
    }
  });

  it('turns every schema into JSON Schema', () => {
    const all: [string, z.ZodType][] = Object.entries(schemas);
    expect(all.length).toBeGreaterThan(20);
    for (const [name, schema] of all) expect(() => z.toJSONSchema(schema, { io: 'output' }), name).not.toThrow();
  });
});

import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './document.js';

// In Node: both validators compile JSON Schemas to code, which workerd does not allow.

/** Every Schema Object of the document with where it stands, components and inline ones alike. */
function schemasOf(node: unknown, path: string[] = [], found: [string, object][] = []): [string, object][] {
  if (typeof node !== 'object' || node === null) return found;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'schema' || path.at(-1) === 'schemas') found.push([[...path, key].join('/'), value]);
    else schemasOf(value, [...path, key], found);
  }
  return found;
}

describe('the OpenAPI document', () => {
  const document = structuredClone(openApiDocument('https://collector.example/lt'));

  it('passes the OpenAPI 3.1 schema, every $ref resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('holds only valid JSON Schemas (2020-12, the dialect of OpenAPI 3.1)', () => {
    // The OpenAPI schema leaves Schema Objects open; the JSON Schema meta-schema does not.
    const ajv = new Ajv2020({ strict: false });
    const schemas = schemasOf(document);
    expect(schemas.length).toBeGreaterThan(50);
    for (const [where, schema] of schemas) {
      expect(ajv.validateSchema(schema), `${where}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });
});

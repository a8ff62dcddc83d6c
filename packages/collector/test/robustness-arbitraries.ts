/**
 * Hostile values for the robustness properties (test/robustness-*.test.ts): each arbitrary
 * yields values that are invalid for one kind of field by construction, so the expected answer
 * (a rejection) never depends on the validator under test.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';

/** Inputs per endpoint and property: `ROBUSTNESS_RUNS` (the bench run uses 10000), 200 by default. */
export const RUNS = Number((env as unknown as { ROBUSTNESS_RUNS?: string }).ROBUSTNESS_RUNS) || 200;
/** The seed of every robustness property, so a failure replays exactly. */
export const SEED = 20_261_127;

/**
 * A number literal placed verbatim in the JSON text: JSON values cannot be NaN or Infinity,
 * but `1e400` parses to Infinity and `9007199254740993` loses precision.
 */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with every `Raw` written as its literal text. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Raw ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v,
  );
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)]!);
}

/** `{...base, [key]: value}` with `key` an own property even when it is `__proto__`. */
export function withField(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export const SQL_HTML = [
  "'; drop table events; --",
  "1' or '1'='1",
  '" or ""="',
  "Robert'); DELETE FROM sites;--",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "</textarea><svg onload=alert('x')>",
  '{{constructor.constructor("alert(1)")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${7*7}',
  '../../../etc/passwd',
  '%00%0d%0a',
  '\u202eevil\u202c',
  'ǅ̸̢͔̤̝̠̪͇̝̺̦̺̝͔̤̝̺̦̺̝͔̤̝̺̦̺',
  '💥🔥👨‍👩‍👧‍👦',
  '__proto__',
  'constructor',
] as const;

/** Number literals JSON cannot carry faithfully, and plain out-of-range numbers. */
export const rawNumber = fc
  .constantFrom('1e400', '-1e400', '9007199254740993', '18446744073709551616', '1e308', '-1', '-0.5')
  .map((text) => new Raw(text));

/** Deeply nested arrays or objects. */
export const deep = fc
  .tuple(fc.integer({ min: 64, max: 4000 }), fc.boolean())
  .map(([n, arrays]) => new Raw(arrays ? '['.repeat(n) + ']'.repeat(n) : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`));

/** Anything but a string. */
export const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  rawNumber,
  deep,
);

/** Anything but a number. */
export const notNumber = fc.oneof(
  fc.string(),
  fc.constantFrom('12', '1e400', 'NaN', 'Infinity', '-0', ''),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
  deep,
);

const CONTROL = fc.integer({ min: 0, max: 0x1f }).chain((c) => fc.constantFrom(String.fromCharCode(c), '\u007f'));
const OUTSIDE_ID = fc.constantFrom(
  ' ',
  '<',
  '>',
  "'",
  '"',
  ';',
  '/',
  '\\',
  '%',
  '#',
  '?',
  '&',
  '=',
  'é',
  '💥',
  '\u202e',
  '\u0000',
  '\n',
);

/** Strings that are not opaque ids (`[A-Za-z0-9._:-]{1,128}`): wrong type, empty, too long, other characters. */
export const badId = fc.oneof(
  notString,
  fc.constant(''),
  fc.integer({ min: 129, max: 5000 }).map((n) => 'a'.repeat(n)),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9._:-]{0,60}$/), OUTSIDE_ID, fc.stringMatching(/^[A-Za-z0-9._:-]{0,60}$/))
    .map(([a, b, c]) => a + b + c),
  fc.constantFrom(...SQL_HTML.filter((s) => !/^[A-Za-z0-9._:-]+$/.test(s))),
);

/** Strings that are not labels (printable text up to `max`): wrong type, empty, too long, control characters. */
export const badLabel = (max = 128) =>
  fc.oneof(
    notString,
    fc.constant(''),
    fc.integer({ min: max + 1, max: max + 5000 }).map((n) => 'x'.repeat(n)),
    fc.tuple(fc.string({ maxLength: 40 }), CONTROL, fc.string({ maxLength: 40 })).map(([a, b, c]) => a + b + c),
  );

/** Half of a surrogate pair on its own: not text UTF-8 can hold (see the test that refuses it). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Printable text a label must accept and keep byte for byte: markup, SQL, unicode. */
export const legalLabel = fc
  .oneof(
    fc.constantFrom(...SQL_HTML),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    fc.tuple(fc.constantFrom(...SQL_HTML), fc.string({ unit: 'grapheme-ascii', maxLength: 20 })).map(([a, b]) => a + b),
  )
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a label may not hold control characters
  .filter((s) => s.length >= 1 && s.length <= 128 && !/[\u0000-\u001f\u007f]/.test(s) && !LONE_SURROGATE.test(s));

/** Keys a strict object must refuse, prototype pollution first. */
export const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'x', '', ' '),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** A whole body that is not an object of the endpoint's shape. */
export const badBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
  notString,
  deep,
);

/** Request body text that is not JSON at all. */
export const notJson = fc.oneof(
  fc.string({ maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.constantFrom('{', '{"a":', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":-}', '[1,]', '\uFEFF{}x', 'null null'),
);

/** Instants a stats query must refuse: not ISO 8601, or out of the calendar. */
export const badInstant = fc.oneof(
  fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d{2}-\d{2}/.test(s)),
  fc.constantFrom(
    '2026-13-01',
    '2026-00-10',
    '2026-11-32',
    '2026-11-01T25:00:00Z',
    '2026-11-01T10:61:00Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01',
    '99999-01-01',
    '1e400',
    'NaN',
    '-0',
    '2026-11-01T00:00:00+25:00',
    "2026-11-01' or '1'='1",
    '<script>',
  ),
);

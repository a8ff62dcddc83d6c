/**
 * CSV for every `GET /v1/stats/*` answer: the JSON rows as a spreadsheet reads them, so a
 * download equals the API's rows (one serializer; the dashboard uses this one too).
 */

/** RFC 4180 line end, after every line including the last. */
const CRLF = '\r\n';
/** A field holding one of these must be quoted (RFC 4180, 2.6). */
const NEEDS_QUOTES = /[",\r\n]/;
/**
 * Leading characters that make Excel, LibreOffice and Google Sheets read a cell as a formula
 * (OWASP's "CSV injection" list). A store's data (campaign names, order ids, customer labels)
 * reaches these files, so such a cell gets a leading `'`, which the spreadsheet shows as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The row's fields by column name, nested objects flattened to `parent.child`. */
function flatten(value: object, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  for (const [key, field] of Object.entries(value)) {
    const name = prefix + key;
    const json = jsonValue(field);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) flatten(json, `${name}.`, into);
    else into.set(name, json);
  }
  return into;
}

/** What JSON.stringify would write for the value (a Date as its ISO string), so CSV and JSON agree. */
function jsonValue(value: unknown): unknown {
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value) : value;
}

/** One field's text: JSON's spelling of numbers and booleans, strings made safe and quoted. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  // JSON writes NaN and ±Infinity as null; the CSV leaves the cell empty the same way.
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : '';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // Arrays (no stats row has one today) are written as their JSON text in one cell.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Rows as RFC 4180 CSV: a header of the JSON field names, then one line per row, each ended by
 * CRLF. Nested objects become dotted columns (`exposed.visitors`). `null` is an empty field,
 * numbers are written as JSON writes them and never altered, booleans as `true`/`false`.
 * String cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so a spreadsheet
 * shows them instead of running them; fields with a comma, quote, CR or LF are quoted, inner
 * quotes doubled.
 *
 * `columns` picks and orders the columns (flattened names); a column a row lacks is empty. By
 * default the columns are the rows' fields in the order first met: the first row's keys when
 * the rows share a shape, and still every field when a later row has one more (a nested
 * object that was `null` in the first row). Without rows the answer is the header of
 * `columns`, or the empty string when none are given.
 *
 * @example
 * toCsv([{ group: 'spring', exposed: { visitors: 812 }, lift: 0.515 }])
 * // 'group,exposed.visitors,lift\r\nspring,812,0.515\r\n'
 * @example
 * toCsv([], ['date', 'orders']) // 'date,orders\r\n'
 */
export function toCsv(rows: readonly object[], columns?: readonly string[]): string {
  const flat = rows.map((row) => flatten(row, '', new Map()));
  const names = columns ?? [...new Set(flat.flatMap((row) => [...row.keys()]))];
  if (names.length === 0) return '';
  const lines = [names.map(field).join(',')];
  for (const row of flat) lines.push(names.map((name) => field(row.get(name))).join(','));
  return lines.join(CRLF) + CRLF;
}

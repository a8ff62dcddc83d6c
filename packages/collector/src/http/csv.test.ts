import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/csv-reader.js';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header of the field names and one CRLF-ended line per row', () => {
    const csv = toCsv([
      { kind: 'popup', id: 'spring-sale', instances: 12, value: 99.5, currency: 'EUR' },
      { kind: 'block', id: 'hero', instances: 3, value: 0, currency: null },
    ]);
    expect(csv).toBe('kind,id,instances,value,currency\r\npopup,spring-sale,12,99.5,EUR\r\nblock,hero,3,0,\r\n');
  });

  it('quotes fields with a comma, quote, CR or LF and doubles inner quotes', () => {
    const csv = toCsv([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines', d: 'cr\rhere', e: 'plain' }]);
    expect(csv.split('\r\n')[1]).toBe('"x,y","say ""hi""","two\nlines","cr\rhere",plain');
  });

  it('writes null and undefined as empty fields, numbers as JSON does, booleans as true/false', () => {
    const csv = toCsv([
      { a: null, b: undefined, c: 0.1 + 0.2, d: 1e21, e: -0, f: -5, g: true, h: false, i: Number.NaN, j: 1.5e-7 },
    ]);
    expect(csv.split('\r\n')[1]).toBe(',,0.30000000000000004,1e+21,0,-5,true,false,,1.5e-7');
  });

  it('flattens nested objects into dotted columns (a lift row)', () => {
    const lift = {
      group: 'spring',
      currency: 'EUR',
      exposed: { visitors: 812, converters: 41, conversionRate: 0.0505 },
      holdout: { visitors: 90, converters: 3, conversionRate: 0.0333 },
      lift: 0.515,
      low: -0.42,
      high: null,
      significant: false,
    };
    expect(toCsv([lift])).toBe(
      'group,currency,exposed.visitors,exposed.converters,exposed.conversionRate,' +
        'holdout.visitors,holdout.converters,holdout.conversionRate,lift,low,high,significant\r\n' +
        'spring,EUR,812,41,0.0505,90,3,0.0333,0.515,-0.42,,false\r\n',
    );
  });

  it('defuses cells a spreadsheet would run as a formula, but never a number', () => {
    const cells = ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx', 'safe=1'];
    const csv = toCsv(
      cells.map((campaign) => ({ campaign, delta: -3 })),
      ['campaign', 'delta'],
    );
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      `"'=HYPERLINK(""http://x"")",-3`,
      "'+1,-3",
      "'-2+3,-3",
      "'@SUM(A1),-3",
      "'\tx,-3",
      `"'\rx",-3`,
      'safe=1,-3',
    ]);
  });

  it('takes the columns it is given, in their order, and writes a header even without rows', () => {
    expect(toCsv([], ['date', 'orders'])).toBe('date,orders\r\n');
    expect(toCsv([{ a: 1, b: 2, n: { x: 3 } }], ['n.x', 'a', 'missing'])).toBe('n.x,a,missing\r\n3,1,\r\n');
    expect(toCsv([])).toBe('');
  });

  it('keeps every field when a later row has more (a nested object null in the first row)', () => {
    const csv = toCsv([
      { id: 1, credited: null },
      { id: 2, credited: { action: 'popup_click' } },
    ]);
    expect(csv).toBe('id,credited,credited.action\r\n1,,\r\n2,,popup_click\r\n');
  });

  it('writes dates and arrays as JSON does', () => {
    const csv = toCsv([{ at: new Date(Date.UTC(2026, 10, 1)), tags: ['a', 'b'] }]);
    expect(csv.split('\r\n')[1]).toBe('2026-11-01T00:00:00.000Z,"[""a"",""b""]"');
  });

  it('reads back as the same fields (RFC 4180 round trip)', () => {
    const hostile = ['', ' ', ',', '"', '""', '\r\n', 'a\r\nb', 'é 😀', 'x"y,z', "'quoted'", '=1', '-'];
    const rows = hostile.map((text, i) => ({ i, text, nested: { text } }));
    const parsed = parseCsv(toCsv(rows));
    expect(parsed[0]).toEqual(['i', 'text', 'nested.text']);
    const defused = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
    expect(parsed.slice(1)).toEqual(hostile.map((text, i) => [String(i), defused(text), defused(text)]));
  });
});

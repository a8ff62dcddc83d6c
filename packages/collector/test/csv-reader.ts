/**
 * A strict RFC 4180 reader, to check that the collector's CSV reads back as the same fields: it
 * refuses a quote inside an unquoted field, a bare CR or LF outside quotes, a missing last CRLF.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === ',' || (c === '\r' && text[i + 1] === '\n')) {
      record.push(field);
      field = '';
      wasQuoted = false;
      if (c === '\r') {
        records.push(record);
        record = [];
        i++;
      }
    } else if (c === '"' && field === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
    } else if (c === '"' || c === '\r' || c === '\n' || wasQuoted) {
      throw new Error(`unexpected ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
    }
  }
  if (quoted || field !== '' || record.length > 0) throw new Error('the last record is not ended by CRLF');
  return records;
}

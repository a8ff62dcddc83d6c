import { ApiError } from './errors.js';

export const DEFAULT_PAGE_ROWS = 1000;
export const MAX_PAGE_ROWS = 5000;

/**
 * One page of rows: `cursor` is the previous page's `nextCursor` (opaque), `limit` how many rows
 * (default 1,000, at most 5,000). A page that is not the last answers the next cursor.
 *
 * @example paginate(rows, undefined, '2') // { rows: rows.slice(0, 2), nextCursor: 'Mg' }
 */
export function paginate<T>(
  rows: readonly T[],
  cursor: string | undefined,
  limit: string | undefined,
): { rows: T[]; nextCursor: string | undefined } {
  const size = limit === undefined ? DEFAULT_PAGE_ROWS : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_ROWS) {
    throw new ApiError(400, 'invalid_query', `limit: must be a whole number from 1 to ${MAX_PAGE_ROWS}`);
  }
  let start = 0;
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor);
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new ApiError(400, 'invalid_query', 'cursor: not a cursor of this API');
    start = decoded;
  }
  const end = start + size;
  const next =
    end < rows.length ? btoa(String(end)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '') : undefined;
  return { rows: rows.slice(start, end), nextCursor: next };
}

function decodeCursor(cursor: string): number {
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(cursor)) return Number.NaN;
  try {
    const text = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    return /^\d+$/.test(text) ? Number(text) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

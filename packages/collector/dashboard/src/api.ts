import type { ErrorBody } from '@lasttouch/shared';

/** What went wrong with a call, in the terms the page explains to the merchant. */
export type FailureKind =
  /** 401/403: a missing, wrong, rotated or non-read key. */
  | 'unauthorized'
  | 'rate_limited'
  /** 5xx: the collector (or its storage) is down or failing. */
  | 'unavailable'
  /** No answer at all: offline, DNS, refused connection. */
  | 'network'
  | 'not_found'
  /** 400 and other 4xx: the request was refused with a reason. */
  | 'invalid';

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null = null,
    /** Seconds to wait (429, 503), from `Retry-After`. */
    readonly retryAfter: number | null = null,
    /** The API's per-field issues of a 400. */
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export interface Client {
  /** The collector's base URL, ending in `/` (the page may be mounted under a path). */
  base: string;
  key: string;
  fetch?: typeof fetch;
}

export type Query = Record<string, string | undefined>;

/** The collector that serves this page: the folder of the page's own URL. */
export const collectorBase = (pageUrl: string): string => new URL('.', pageUrl).toString();

export function urlOf(client: Pick<Client, 'base'>, path: string, query: Query = {}): string {
  const url = new URL(path.replace(/^\//, ''), client.base);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** Seconds of a `Retry-After` header (delay form; a date is read as a delay from now). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

const isErrorBody = (body: unknown): body is ErrorBody =>
  typeof body === 'object' && body !== null && typeof (body as ErrorBody).error?.message === 'string';

const isIssues = (details: unknown): details is FieldIssue[] =>
  Array.isArray(details) && details.every((d) => typeof d?.path === 'string' && typeof d?.message === 'string');

/** Turns a non-2xx answer into an `ApiFailure` carrying the API's own message. */
async function failureOf(res: Response): Promise<ApiFailure> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {}
  const message = isErrorBody(body) ? body.error.message : `${res.status} ${res.statusText}`.trim();
  const issues = isErrorBody(body) && isIssues(body.error.details) ? body.error.details : [];
  const retryAfter = retryAfterSeconds(res.headers.get('Retry-After'));
  const kind: FailureKind =
    res.status === 401 || res.status === 403
      ? 'unauthorized'
      : res.status === 429
        ? 'rate_limited'
        : res.status === 404
          ? 'not_found'
          : res.status >= 500
            ? 'unavailable'
            : 'invalid';
  return new ApiFailure(kind, message, res.status, retryAfter, issues);
}

async function request(
  client: Client,
  method: 'GET' | 'PUT',
  path: string,
  query: Query,
  init: { body?: unknown; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${client.key}` };
  if (init.accept) headers.Accept = init.accept;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await (client.fetch ?? fetch)(urlOf(client, path, query), {
      method,
      headers,
      body: init.body === undefined ? null : JSON.stringify(init.body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiFailure('network', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) throw await failureOf(res);
  return res;
}

export async function getJson<T>(client: Client, path: string, query: Query = {}): Promise<T> {
  return (await request(client, 'GET', path, query)).json() as Promise<T>;
}

export async function putJson<T>(client: Client, path: string, body: unknown): Promise<T> {
  return (await request(client, 'PUT', path, {}, { body })).json() as Promise<T>;
}

/** How many pages of one answer the page follows before it stops (a runaway cursor). */
const MAX_PAGES = 100;

/**
 * A stats answer with every page's rows: routes whose rows grow without bound answer
 * `nextCursor` while more follow.
 */
export async function getAllRows<E extends { rows: unknown[]; nextCursor?: string }>(
  client: Client,
  path: string,
  query: Query = {},
): Promise<E> {
  const first = await getJson<E>(client, path, query);
  let cursor = first.nextCursor;
  for (let page = 1; cursor && page < MAX_PAGES; page++) {
    const next = await getJson<E>(client, path, { ...query, cursor });
    first.rows.push(...next.rows);
    cursor = next.nextCursor;
  }
  delete first.nextCursor;
  return first;
}

/**
 * The API's own CSV of a stats route (`format=csv`): the page never serializes rows itself. A
 * long answer comes in pages, the next one named by `X-Next-Cursor`; each page repeats the
 * header row, which the file keeps once.
 */
export async function getCsv(client: Client, path: string, query: Query = {}): Promise<Blob> {
  const csv = { ...query, format: 'csv' };
  let res = await request(client, 'GET', path, csv, { accept: 'text/csv' });
  const parts = [await res.text()];
  let cursor = res.headers.get('X-Next-Cursor');
  for (let page = 1; cursor && page < MAX_PAGES; page++) {
    res = await request(client, 'GET', path, { ...csv, cursor }, { accept: 'text/csv' });
    const text = await res.text();
    parts.push(text.slice(text.indexOf('\n') + 1));
    cursor = res.headers.get('X-Next-Cursor');
  }
  return new Blob(parts, { type: 'text/csv' });
}

/** A failure in words a merchant can act on. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof ApiFailure))
    return `Something went wrong in this page: ${err instanceof Error ? err.message : err}`;
  switch (err.kind) {
    case 'unauthorized':
      return err.status === 403
        ? `This key may not read the site's data (403: ${err.message}). Enter the site's read key (it starts with ltr_).`
        : `The collector did not accept this key (401: ${err.message}). It may be mistyped or rotated: enter the current read key.`;
    case 'rate_limited':
      return `Too many requests: the collector asks to wait${err.retryAfter === null ? ' a moment' : ` ${err.retryAfter} s`} before trying again.`;
    case 'unavailable':
      return `The collector is not able to answer right now (${err.status}: ${err.message}).${err.retryAfter === null ? '' : ` It asks to retry in ${err.retryAfter} s.`}`;
    case 'network':
      return `The collector could not be reached (${err.message}). Check that it is running and that this computer is online.`;
    case 'not_found':
      return `Not found (404): ${err.message}`;
    case 'invalid':
      return `The collector refused the request (${err.status}): ${err.message}`;
  }
}

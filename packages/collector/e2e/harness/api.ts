import type { CreateSiteResponse } from '@lasttouch/shared';
import { ADMIN_TOKEN } from './wrangler-dev.ts';

/**
 * `fetch` that fails loudly on an unexpected status and returns the parsed JSON body. An object
 * body goes as JSON, or as `text/plain` (what `sendBeacon` sends) with `text`.
 *
 * @example await call(`${origin}/v1/links`, { key: site.agentKey, body, expect: 201 })
 */
export async function call<T>(
  url: string,
  init: { method?: string; key?: string; body?: unknown; expect?: number; text?: boolean } = {},
): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const res = await fetch(url, {
    method,
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body === undefined
        ? {}
        : { 'content-type': init.text ? 'text/plain;charset=UTF-8' : 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (res.status !== (init.expect ?? 200)) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A thin client of the collector's HTTP API, as a merchant's backend would use it. */
export class CollectorApi {
  // A plain field, not a parameter property: the benches run this file with Node's type stripping.
  readonly origin: string;

  constructor(origin: string) {
    this.origin = origin;
  }

  createSite(allowedOrigins: string[]): Promise<CreateSiteResponse> {
    return call(`${this.origin}/v1/sites`, {
      key: ADMIN_TOKEN,
      body: { name: 'Test shop', allowedOrigins },
      expect: 201,
    });
  }

  get<T>(path: string, key: string): Promise<T> {
    return call(`${this.origin}${path}`, { key });
  }

  post<T>(path: string, key: string, body: unknown, expected = 200): Promise<T> {
    return call(`${this.origin}${path}`, { key, body, expect: expected });
  }

  put<T>(path: string, key: string, body: unknown): Promise<T> {
    return call(`${this.origin}${path}`, { method: 'PUT', key, body });
  }
}

/** Polls `read` until `done` holds (or fails with the last value): wait on conditions, not time. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (e) {
      error = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}${error ? `; last error: ${error}` : ''}`,
  );
}

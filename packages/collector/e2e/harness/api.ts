import type { CreateSiteResponse } from '@lasttouch/shared';
import { ADMIN_TOKEN } from './collector.js';

/** A thin client of the collector's HTTP API, as a merchant's backend would use it. */
export class CollectorApi {
  constructor(readonly origin: string) {}

  async createSite(allowedOrigins: string[]): Promise<CreateSiteResponse> {
    return this.call('POST', '/v1/sites', ADMIN_TOKEN, { name: 'E2E shop', allowedOrigins }, 201);
  }

  get<T>(path: string, key: string): Promise<T> {
    return this.call('GET', path, key, undefined, 200);
  }

  post<T>(path: string, key: string, body: unknown, expected = 200): Promise<T> {
    return this.call('POST', path, key, body, expected);
  }

  put<T>(path: string, key: string, body: unknown): Promise<T> {
    return this.call('PUT', path, key, body, 200);
  }

  private async call<T>(method: string, path: string, key: string, body: unknown, expected: number): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
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

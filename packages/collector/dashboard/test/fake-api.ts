import type { ErrorBody } from '@lasttouch/shared';

export const BASE = 'https://collector.test/';

export interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** An answer of the fake collector; an Error is a network failure. */
export type Answer = { status?: number; body?: unknown; text?: string; headers?: Record<string, string> } | Error;

/**
 * A collector in a function: `'GET /v1/stats/widgets'` → answer (or a function of the call).
 * Routes not given answer the API's 404; every call is recorded.
 */
export function fakeApi(routes: Record<string, Answer | ((call: Call) => Answer)>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const call: Call = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {})),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    const notFound: Answer = {
      status: 404,
      body: { error: { code: 'not_found', message: `No route for ${call.method} ${call.path}` } } satisfies ErrorBody,
    };
    const answer = route === undefined ? notFound : typeof route === 'function' ? route(call) : route;
    if (answer instanceof Error) throw answer;
    const text = answer.text ?? JSON.stringify(answer.body ?? null);
    return new Response(text, {
      status: answer.status ?? 200,
      headers: { 'content-type': answer.text === undefined ? 'application/json' : 'text/csv', ...answer.headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A Storage in memory. */
export function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/**
 * The OpenAPI document (`/openapi.json`) and the API reference (`/docs`): every route of app.ts
 * is in the document, the document is served with the server it was reached through, the page
 * loads nothing from another host, and the contract check that `call` runs on every answer
 * (test/contract.ts) refuses an answer that drifted. The document's validity against the
 * OpenAPI 3.1 schema is checked in Node (src/openapi/document.node.spec.ts).
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { openApiDocument } from '../src/openapi/document.js';
import { conformsToDocument } from './contract.js';
import { cspDirectives } from './csp.js';
import { BASE_URL, call, createSite } from './helpers.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** `METHOD /path/{param}` of every operation of the document. */
const documented = () =>
  Object.entries(openApiDocument().paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {})
      .filter((k) => METHODS.includes(k))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );

/** A Hono route's path as the document writes it: `/v1/orders/{orderId}`, `/demo/{file}` for `/demo/*`. */
const documentPath = (path: string) =>
  (path.length > 1 ? path.replace(/\/$/, '') : path).replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{file}');

/** `METHOD /path/{param}` of every handler app.ts routes (middleware, registered as ALL, aside). */
const routed = () => [
  ...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${documentPath(r.path)}`)),
];

describe('the OpenAPI document', () => {
  it('has every route of app.ts', () => {
    const operations = new Set(documented());
    const routes = routed();
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !operations.has(r))).toEqual([]);
  });

  it('lists beyond them only files the assets serve, and the key rotation', () => {
    const routes = new Set(routed());
    const extra = documented().filter((op) => !routes.has(op));
    const assets = [
      'GET /lasttouch.js',
      'GET /lasttouch.debug.js',
      'GET /v/{version}/lasttouch.js',
      'GET /dashboard',
      'GET /demo/{file}',
    ];
    // `POST /v1/keys/rotate` is documented ahead of its handler (routes/keys.ts, another branch).
    expect(extra.filter((op) => ![...assets, 'POST /v1/keys/rotate'].includes(op))).toEqual([]);
  });

  it('names an auth scheme for every key kind, and one on every API operation', () => {
    const document = openApiDocument();
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(
      ['adminToken', 'agentKey', 'readKey', 'writeKey'].sort(),
    );
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!path.startsWith('/v1/')) continue;
      for (const method of METHODS) {
        const operation = (item as Record<string, { security?: unknown[] }>)[method];
        if (operation) expect(operation.security?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });

  it('is served with the server it was reached through, readable from any origin', async () => {
    const root = await call('/openapi.json');
    expect(root.status).toBe(200);
    expect(root.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const document = await root.json<{ openapi: string; servers: { url: string }[] }>();
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: BASE_URL }]);
    const mounted = await (await call(`${env.BASE_PATH}/openapi.json`)).json<{ servers: { url: string }[] }>();
    expect(mounted.servers).toEqual([{ url: `${BASE_URL}${env.BASE_PATH}` }]);
  });
});

describe('GET /docs', () => {
  it('is a page whose CSP lets it load and call only its own origin', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const csp = cspDirectives(res.headers.get('Content-Security-Policy') ?? '');
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const html = await res.text();
    expect(html).not.toMatch(/\b(?:https?:)?\/\/[a-z]/i);
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).toContain('data-url="/openapi.json"');
    // The only script element without src is data, never run.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toEqual([expect.stringContaining('type="application/json"')]);
  });

  it('under the base path, points at the document and the bundle there', async () => {
    const html = await (await call(`${env.BASE_PATH}/docs`)).text();
    expect(html).toContain(`src="${env.BASE_PATH}/docs/scalar.js"`);
    expect(html).toContain(`data-url="${env.BASE_PATH}/openapi.json"`);
    // Not an operation of the API: past the contract check.
    const bundle = await exports.default.fetch(`${BASE_URL}${env.BASE_PATH}/docs/scalar.js`);
    expect(bundle.status, 'public/docs/ is copied by `pnpm build`').toBe(200);
    expect(bundle.headers.get('Content-Type')).toMatch(/javascript/);
  });
});

describe('the contract check of every answer', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  it('passes a real answer and refuses one that drifted from the document', async () => {
    const site = await createSite();
    const real = await call('/v1/settings', { headers: { Authorization: `Bearer ${site.readKey}` } });
    const settings = await real.clone().json<Record<string, unknown>>();
    await conformsToDocument('GET', '/v1/settings', real);

    const { acceptsAnyOrigin: _, ...missing } = settings;
    await expect(conformsToDocument('GET', '/v1/settings', answer(200, missing))).rejects.toThrow(/acceptsAnyOrigin/);
    await expect(conformsToDocument('GET', '/v1/settings', answer(200, { ...settings, extra: 1 }))).rejects.toThrow(
      /does not match/,
    );
    await expect(conformsToDocument('GET', '/v1/settings', answer(418, { error: {} }))).rejects.toThrow(
      /status 418 is not in the document/,
    );
    await expect(
      conformsToDocument('POST', '/v1/events', answer(429, { error: { code: 'rate_limited', message: 'later' } })),
    ).rejects.toThrow(/requires header Retry-After/);
    await expect(conformsToDocument('GET', '/v1/nothing', answer(200, {}))).rejects.toThrow(/no operation/);
  });
});

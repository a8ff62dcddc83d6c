import type { Context } from 'hono';
import { getPathNoStrict } from 'hono/utils/url';
import type { AppEnv } from '../env.js';

/** Path segments only: no trailing slash, nothing a URL would read as a query or a host. */
const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/;

interface MountEnv {
  /** `vars.BASE_PATH` of wrangler.jsonc: where the collector answers besides the root. */
  BASE_PATH?: string;
}

const refused = new Set<string>();

/** The configured base path, or `''` for none. A malformed one is logged once and ignored. */
export function basePathOf(env: MountEnv | undefined): string {
  const base = env?.BASE_PATH ?? '';
  if (base === '' || BASE_PATH.test(base)) return base;
  if (!refused.has(base)) {
    refused.add(base);
    console.error(
      `BASE_PATH ${JSON.stringify(base)} ignored: it must look like /lt (path segments, no trailing slash)`,
    );
  }
  return '';
}

/** The base path `path` came through, or `''` when it did not. */
const prefixOf = (path: string, base: string): string =>
  base !== '' && (path === base || path.startsWith(`${base}/`)) ? base : '';

/**
 * Hono's path of a request (not strict about a trailing slash, so `/demo/` is `/demo`), the
 * base path taken off: `/lt/v1/events` routes as `/v1/events`. The collector then answers on a
 * Worker route of the store's own domain (`shop.example/lt/*`) as it does at its own root.
 *
 * @example new Hono({ getPath: mountedPath })
 */
export function mountedPath(request: Request, options?: { env?: MountEnv }): string {
  const path = getPathNoStrict(request);
  const base = prefixOf(path, basePathOf(options?.env));
  return base === '' ? path : path.slice(base.length) || '/';
}

/** The base path this request came through (`''` at the root): what a page's own links start with. */
export const mountPrefix = (c: Context<AppEnv>): string => prefixOf(getPathNoStrict(c.req.raw), basePathOf(c.env));

/**
 * Static files the collector serves under its base path too: the tag (current and versioned
 * builds) and the API reference's script. At the root the platform serves them before the
 * worker runs; under the base path only the worker sees the request. (The dashboard's page
 * loads its assets from the root, so it is served at the root only.)
 */
const MOUNTED_ASSETS = /^\/(?:v\/[^/]+\/)?lasttouch(?:\.debug)?\.js$|^\/docs\/[^/]+\.(?:js|css)$/;

/**
 * Under the base path, a GET of one of the static files above: its answer from the assets,
 * as at the root. `undefined` for anything else (the caller answers 404).
 */
export async function mountedAsset(c: Context<AppEnv>): Promise<Response | undefined> {
  if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || mountPrefix(c) === '') return undefined;
  if (!MOUNTED_ASSETS.test(c.req.path)) return undefined;
  const url = new URL(c.req.url);
  url.pathname = c.req.path;
  const asset = await c.env.ASSETS.fetch(new Request(url, c.req.raw));
  return asset.status === 404 ? undefined : asset;
}

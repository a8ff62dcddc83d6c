import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { mountPrefix } from '../http/base-path.js';
import { htmlSecurityHeaders } from '../http/security-headers.js';
import { OPENAPI_INFO, openApiDocument } from '../openapi/document.js';

/**
 * The reference page's only script is the API reference bundle of this origin (copied into
 * public/docs/ by scripts/copy-assets.mjs); it injects its styles, hence inline styles; it may
 * only call this origin (the document, and "try it" requests), and nothing may frame it.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the reference must not do: fetch fonts, send telemetry, offer hosted services. */
const REFERENCE_CONFIGURATION = {
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  documentDownloadType: 'json',
};

const escapeAttribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/** The page: the document's url and the settings as data (no inline script), then the bundle. */
const docsPage = (prefix: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${OPENAPI_INFO.title}</title>
</head>
<body>
<script id="api-reference" type="application/json" data-url="${prefix}/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(REFERENCE_CONFIGURATION))}"></script>
<script src="${prefix}/docs/scalar.js"></script>
</body>
</html>
`;

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the API, its server the origin and base path
 * the request came through; readable from any origin (client generators, other tools' pages).
 * `GET /docs`: the API reference page, every asset from this origin.
 */
export const docs = new Hono<AppEnv>()
  .get('/openapi.json', (c) =>
    c.json(openApiDocument(new URL(c.req.url).origin + mountPrefix(c)), 200, {
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-cache',
    }),
  )
  .get('/docs', (c) =>
    c.html(docsPage(mountPrefix(c)), 200, { ...htmlSecurityHeaders(DOCS_CSP), 'Cache-Control': 'no-cache' }),
  );

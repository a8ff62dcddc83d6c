import { LIMITS } from '@lasttouch/shared';
import {
  agentHoursResponse,
  agentParam,
  chatStats,
  chatStatsQuery,
  createSiteResponse,
  customerIdParam,
  dailyStats,
  dailyStatsQuery,
  errorBody,
  eventBatch,
  groupStats,
  healthResponse,
  ingestResponse,
  liftStats,
  liftStatsQuery,
  linkResponse,
  orderDetail,
  orderIdParam,
  pagedStatsQuery,
  replayResponse,
  rotateKeyResponse,
  settingsResponse,
  statsQuery,
  topActions,
  visitorIdParam,
  widgetStats,
} from '@lasttouch/shared/schemas';
import {
  agentHoursSchema,
  createSiteSchema,
  linkSchema,
  orderSchema,
  rotateKeySchema,
  settingsUpdateSchema,
} from '@lasttouch/shared/validate';
import {
  type CreateDocumentOptions,
  createDocument,
  createSchema,
  type ZodObjectInput,
  type ZodOpenApiContentObject,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiResponsesObject,
  type ZodOpenApiSchemaObject,
} from 'zod-openapi';

/*
 * The collector's OpenAPI 3.1 document, built from the schemas of `@lasttouch/shared`: request
 * bodies from the validators the routes parse with, answers from `@lasttouch/shared/schemas`
 * (pinned to the API types). test/openapi.test.ts checks that every route of app.ts is
 * here; test/contract.ts checks every answer of the worker-level tests against it.
 */

type Responses = ZodOpenApiResponsesObject;

const stringHeader = (description: string) => ({ description, schema: { type: 'string' as const } });
const retryAfter = {
  required: true,
  description: 'Seconds to wait before sending the same request again',
  schema: { type: 'integer' as const, minimum: 1 },
};

const json = (schema: ZodOpenApiSchemaObject): ZodOpenApiContentObject => ({ 'application/json': { schema } });

const error = (description: string, headers?: Record<string, unknown>) => ({
  description,
  content: json(errorBody),
  ...(headers ? { headers } : {}),
});

const rateLimited = error('Rate limited', { 'Retry-After': retryAfter });

/** The answers every keyed or bodied operation may give besides its own. */
const errors = {
  badRequest: { 400: error('Malformed or invalid: `details` lists each issue as `{path, message}`') },
  key: {
    401: error('Missing or unknown key'),
    403: error('A key of another kind'),
    429: rateLimited,
  },
  body: {
    413: error('Body too large'),
    415: error('Not `application/json`'),
  },
  admin: { 401: error('Missing or wrong admin token'), 429: rateLimited },
  storage: { 503: error('Storage failed (reads included); retry after `Retry-After`', { 'Retry-After': retryAfter }) },
  internal: { 500: error('Unexpected failure') },
} satisfies Record<string, Responses>;

const keyed = (responses: Responses): Responses => ({
  ...responses,
  ...errors.key,
  ...errors.storage,
  ...errors.internal,
});
const bodied = (responses: Responses): Responses => keyed({ ...responses, ...errors.badRequest, ...errors.body });

const READ = [{ readKey: [] }];

const csvStats = (schema: ZodOpenApiSchemaObject, description: string): Responses => ({
  200: {
    description: `${description}. As CSV with \`format=csv\` or \`Accept: text/csv\`: a header row of the JSON field names, one line per row, the next page's cursor in \`X-Next-Cursor\``,
    content: {
      'application/json': { schema },
      'text/csv': { schema: { type: 'string' } },
    },
    headers: { 'X-Next-Cursor': stringHeader('CSV answers only: the cursor of the next page, when one follows') },
  },
  ...errors.badRequest,
});

/** A `GET /v1/stats/*` operation: read key, a range in the site's days, JSON or CSV. */
const stats = (
  summary: string,
  schema: ZodOpenApiSchemaObject,
  query: ZodObjectInput,
  description = summary,
): ZodOpenApiOperationObject => ({
  tags: ['Stats'],
  summary,
  description:
    "Counted in the site's days (midnight to midnight in its `timezone` setting); `from` and `to` are echoed as the instants read.",
  security: READ,
  requestParams: { query },
  responses: keyed(csvStats(schema, description)),
});

const html = (summary: string, description: string, responses: Responses = {}): ZodOpenApiOperationObject => ({
  tags: ['Pages'],
  summary,
  description,
  security: [],
  responses: {
    200: { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
    ...responses,
  },
});

/** The demo runs only where `pnpm dev` seeded its site; looking is limited per address. */
const demoErrors: Responses = {
  404: error('This collector runs no demo site'),
  429: errors.key[429],
  ...errors.storage,
};
const demoPage = (description: string) => html('Demo storefront', description, demoErrors);

const script = (summary: string, description: string): ZodOpenApiOperationObject => ({
  tags: ['Script'],
  summary,
  description: `${description}. Served under the base path too (\`/lt/lasttouch.js\`, docs/first-party.md).`,
  security: [],
  responses: {
    200: { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } },
    404: error('No such file'),
  },
});

const erasure = (what: string, path: ZodObjectInput): ZodOpenApiOperationObject => ({
  tags: ['Erasure'],
  summary: `Erase a ${what}`,
  description: `Every stored row that names the ${what} loses the id or is deleted; anonymous aggregates stay, so past stats do not change. The same request again is a \`204\` too.`,
  security: READ,
  requestParams: { path },
  responses: keyed({ 204: { description: 'Erased (or nothing was stored)' }, ...errors.badRequest }),
});

export const OPENAPI_INFO = {
  title: 'lasttouch collector API',
  version: '1',
  description:
    'Events from the browser tag, server-side orders, tagged links, stats and settings of one site per key. ' +
    'Errors are `{error: {code, message, details?}}` with the status that says what went wrong.',
};

const spec: ZodOpenApiObject = {
  openapi: '3.1.0',
  info: OPENAPI_INFO,
  tags: [
    { name: 'Ingest', description: "The browser tag's batches" },
    { name: 'Orders' },
    { name: 'Links', description: 'Tagged links for offsite chat' },
    { name: 'Stats' },
    { name: 'Settings' },
    { name: 'Erasure' },
    { name: 'Sites and keys' },
    { name: 'Operations', description: 'For whoever runs the collector' },
    { name: 'Script', description: 'The storefront tag (contract section 1)' },
    { name: 'Pages', description: 'What a person opens in a browser' },
    { name: 'Service' },
  ],
  components: {
    // Named so clients generated from the document get these names (answers are named by their `id`).
    schemas: {
      CreateSiteRequest: createSiteSchema,
      OrderRequest: orderSchema,
      LinkRequest: linkSchema,
      SettingsUpdate: settingsUpdateSchema,
      AgentHoursRequest: agentHoursSchema,
      RotateKeyRequest: rotateKeySchema,
    },
    securitySchemes: {
      writeKey: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ltw_…',
        description:
          "The site's public write key (the script tag's `data-site`): only sends events. The SDK sends it in the batch's `k` instead.",
      },
      agentKey: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'lta_…',
        description: 'Creates tagged links, nothing else.',
      },
      readKey: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ltr_…',
        description: 'Secret: stats, settings, server-side orders, erasure, key rotation.',
      },
      adminToken: {
        type: 'http',
        scheme: 'bearer',
        description: "The collector's `ADMIN_TOKEN` secret: creates sites (unset: closed).",
      },
    },
  },
  paths: {
    '/v1/events': {
      post: {
        tags: ['Ingest'],
        summary: "A batch of the browser tag's events",
        description:
          'Each event is validated on its own: invalid ones are reported by index, the valid ones are kept. ' +
          '`202` only once the accepted events are durable; the same event id again is a duplicate, counted once. ' +
          'Sent as `text/plain` by `sendBeacon` (no CORS preflight). When the request comes from the same site as ' +
          'the collector (a first-party mount), the answer also sets the visitor cookie.',
        security: [{ writeKey: [] }, {}],
        requestBody: {
          required: true,
          description: `At most ${LIMITS.bodyBytes} bytes and ${LIMITS.eventsPerBatch} events`,
          content: {
            'application/json': { schema: eventBatch },
            'text/plain': { schema: eventBatch },
          },
        },
        responses: bodied({
          202: {
            description: 'Accepted: durable, deduplicated by event id',
            content: json(ingestResponse),
            headers: {
              'Set-Cookie': stringHeader(
                'Same-site requests only (first-party mount): `lt_v=<visitor id>; Max-Age=34560000; Path=/; SameSite=Lax` (`Secure` on https), when every event of the batch carries the same well-formed visitor id',
              ),
            },
          },
          403: error("A key of another kind, or an origin not in the site's allowed origins (`origin_not_allowed`)"),
        }),
      },
    },
    '/v1/orders': {
      post: {
        tags: ['Orders'],
        summary: 'Server-side order report',
        description:
          "Merges with the SDK's checkout of the same `orderId` and marks it verified. Reports apply in the order received: the latest stands (placed → refunded → placed counts the order again).",
        security: READ,
        requestBody: { required: true, content: json(orderSchema) },
        responses: bodied({ 200: { description: 'The order as it now merges', content: json(orderDetail) } }),
      },
    },
    '/v1/orders/{orderId}': {
      get: {
        tags: ['Orders'],
        summary: 'An order and its attribution',
        description: 'Whether it is verified, the credited interaction and the candidates considered.',
        security: READ,
        requestParams: { path: orderIdParam },
        responses: keyed({
          200: { description: 'The order', content: json(orderDetail) },
          404: error('No such order'),
        }),
      },
    },
    '/v1/links': {
      post: {
        tags: ['Links'],
        summary: 'Tag a link to the store',
        description:
          'A signed token added to a url of one of the allowed origins; the issue is counted for `contacts`.',
        security: [{ agentKey: [] }, { readKey: [] }],
        requestBody: { required: true, content: json(linkSchema) },
        responses: bodied({ 201: { description: 'The tagged url', content: json(linkResponse) } }),
      },
    },
    '/v1/stats/widgets': {
      get: stats('One row per widget', widgetStats, pagedStatsQuery),
    },
    '/v1/stats/campaigns': {
      get: stats('One row per campaign', groupStats, pagedStatsQuery),
    },
    '/v1/stats/sequences': {
      get: stats('One row per sequence', groupStats, pagedStatsQuery),
    },
    '/v1/stats/top-actions': {
      get: stats(
        'Interaction types ranked by the orders they preceded',
        topActions,
        statsQuery,
        'Most orders first; `link_landing` rows name their channel',
      ),
    },
    '/v1/stats/daily': {
      get: stats('One row per day of the range', dailyStats, dailyStatsQuery),
    },
    '/v1/stats/chat': {
      get: stats(
        'Chat contacts and the orders after them',
        chatStats,
        chatStatsQuery,
        'Per channel, agent or conversation, with the site totals',
      ),
    },
    '/v1/stats/lift': {
      get: stats('Holdout against exposed visitors', liftStats, liftStatsQuery),
    },
    '/v1/settings': {
      get: {
        tags: ['Settings'],
        summary: "The site's settings",
        security: READ,
        responses: keyed({ 200: { description: 'The settings', content: json(settingsResponse) } }),
      },
      put: {
        tags: ['Settings'],
        summary: 'Change settings',
        description:
          'Any subset of the top-level fields; each given field replaces the stored one. A change of windows or credit policy re-attributes every order within a minute.',
        security: READ,
        requestBody: { required: true, content: json(settingsUpdateSchema) },
        responses: bodied({ 200: { description: 'The full settings', content: json(settingsResponse) } }),
      },
    },
    '/v1/agents/{agent}/hours': {
      put: {
        tags: ['Settings'],
        summary: "An agent's production hours on a day",
        description: "For the chat stats' `turnoverPerHour`; the latest value for a day stands.",
        security: READ,
        requestParams: { path: agentParam },
        requestBody: { required: true, content: json(agentHoursSchema) },
        responses: bodied({ 200: { description: 'What is stored', content: json(agentHoursResponse) } }),
      },
    },
    '/v1/visitors/{visitorId}': { delete: erasure('visitor', visitorIdParam) },
    '/v1/customers/{customerId}': { delete: erasure('customer', customerIdParam) },
    '/v1/sites': {
      post: {
        tags: ['Sites and keys'],
        summary: 'Create a site',
        description: 'Answers its three keys, once: only their hashes are stored.',
        security: [{ adminToken: [] }],
        requestBody: { required: true, content: json(createSiteSchema) },
        responses: {
          201: { description: 'The site and its keys', content: json(createSiteResponse) },
          ...errors.badRequest,
          ...errors.admin,
          403: error('Site creation is closed: no `ADMIN_TOKEN` is set (`admin_disabled`)'),
          ...errors.body,
          ...errors.storage,
          ...errors.internal,
        },
      },
    },
    '/v1/keys/rotate': {
      post: {
        tags: ['Sites and keys'],
        summary: 'Replace a key',
        description:
          'The new key is answered once. The old agent or read key stops working at once, the old write key 30 days later (script tags sit in caches). `link-secret` starts a new secret for signing tagged links: links signed before keep landing until they expire. The admin token names the site with `siteId`.',
        security: [{ readKey: [] }, { adminToken: [] }],
        requestBody: { required: true, content: json(rotateKeySchema) },
        responses: bodied({
          201: {
            description: 'The new key, or for `link-secret` the id of the new signing secret',
            content: json(rotateKeyResponse),
          },
          404: error('The admin token named no such site'),
          409: error('The link secret was rotated 255 times, as many key ids as a token can name'),
        }),
      },
    },
    '/v1/admin/dead-letters/replay': {
      post: {
        tags: ['Operations'],
        summary: 'Send parked work messages back to the queue',
        description:
          'Messages the work queue gave up on are kept in `dead_letters`; this sends up to 45 of them back, oldest first. A replayed message is worked like any other, so nothing counts twice. Call again while `remaining` is above 0 (`pnpm --filter @lasttouch/collector replay` does).',
        security: [{ adminToken: [] }],
        responses: {
          200: { description: 'How many were sent, and how many are left', content: json(replayResponse) },
          ...errors.admin,
          403: error('No `ADMIN_TOKEN` is set, or one too short to trust (`admin_disabled`)'),
          ...errors.storage,
          ...errors.internal,
        },
      },
    },
    '/health': {
      get: {
        tags: ['Service'],
        summary: 'Liveness',
        security: [],
        responses: { 200: { description: 'Up', content: json(healthResponse) } },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['Service'],
        summary: 'This document',
        security: [],
        responses: {
          200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/lasttouch.js': { get: script('The browser tag', 'The current build; cached for an hour') },
    '/lasttouch.debug.js': { get: script('The browser tag, debug build', 'Logs to the console with `data-debug`') },
    '/v/{version}/lasttouch.js': {
      get: {
        ...script('The browser tag, one version', 'Never changes: cached for a year'),
        parameters: [{ name: 'version', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/docs': { get: html('API reference', 'This document, to read and try') },
    '/dashboard': { get: html('Merchant dashboard', 'Asks for the read key; calls this API from the page') },
    '/agent': { get: html('Agent link page', 'Tag links by hand with an agent key') },
    '/demo': { get: demoPage('The SDK with pop-up, notification and block widgets') },
    '/demo/index.html': { get: demoPage('The same page as `/demo`') },
    '/demo/{file}': {
      get: {
        tags: ['Pages'],
        summary: "The demo storefront's script and styles",
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'The file',
            content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } },
          },
          ...demoErrors,
        },
      },
    },
  },
};

/**
 * A pipe from `unknown` (a check on the raw input before the real schema parses it, as the
 * settings' records have) says nothing about its input by itself: a client must send what its
 * second stage accepts, so that is what the document shows.
 */
const override: CreateDocumentOptions['override'] = ({ zodSchema, jsonSchema, io }) => {
  const def = zodSchema._zod.def;
  if (io === 'input' && def.type === 'pipe' && def.in._zod.def.type === 'unknown') {
    Object.assign(jsonSchema, createSchema(def.out, { io: 'input' }).schema);
  }
};

let built: ReturnType<typeof createDocument> | undefined;

/**
 * The document, built on first use (a few milliseconds of CPU, then kept for the isolate's
 * life). `servers` is the caller's: the origin and base path the request came through.
 */
export function openApiDocument(server?: string): ReturnType<typeof createDocument> {
  built ??= createDocument(spec, { override });
  return server ? { ...built, servers: [{ url: server }] } : built;
}

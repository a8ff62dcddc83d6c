/**
 * The contract test: every answer the worker gives in the worker-level tests (through `call` in
 * helpers.ts) is checked against the OpenAPI document `/openapi.json` serves. Its status must be
 * listed for the operation, its media type too, its JSON body must validate against the listed
 * schema, and the headers the document requires must be there. So the document cannot drift
 * from the code: a field added, renamed or made nullable in an answer, a new status, fails the
 * tests that see it. (Query strings are not checked: the API ignores parameters it does not
 * know, and the robustness tests send such.)
 */
import { env } from 'cloudflare:workers';
import { Validator } from '@cfworker/json-schema';
import { basePathOf } from '../src/http/base-path.js';
import { openApiDocument } from '../src/openapi/document.js';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, { required?: boolean }>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}

const document = openApiDocument() as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
};

/** The schema with every `$ref` to a component replaced by the component (none is recursive). */
function inline(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(inline);
  if (typeof node !== 'object' || node === null) return node;
  const ref = (node as Json).$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = document.components.schemas[name];
    if (!target) throw new Error(`the document has no schema ${ref}`);
    return inline(target);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
}

/** Each path template as a regex, literal paths before templated ones. */
const routes = Object.keys(document.paths)
  .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));

const validators = new Map<Json, Validator>();
const validatorOf = (schema: Json) => {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(inline(schema) as Json, '2020-12', false);
    validators.set(schema, validator);
  }
  return validator;
};

const errorSchema = document.components.schemas.ErrorBody as Json;

const mediaTypeOf = (res: Response) => (res.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Checks one answer of the worker against the document; throws with what differs. Preflights
 * (`OPTIONS`) are CORS, not operations. A path the document does not know must be a 404 with
 * the error body.
 *
 * @example await conformsToDocument('GET', '/v1/stats/widgets?from=2026-11-01', res)
 */
export async function conformsToDocument(method: string, url: string, res: Response): Promise<void> {
  if (method === 'OPTIONS') return;
  const { pathname } = new URL(url, 'https://collector.test');
  const base = basePathOf(env);
  let path = base && (pathname === base || pathname.startsWith(`${base}/`)) ? pathname.slice(base.length) : pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const what = `${method} ${url} → ${res.status}`;
  const template = routes.find((r) => r.pattern.test(path))?.template;
  // HEAD is answered as GET, without the body.
  const head = method === 'HEAD';
  const operation = template ? document.paths[template]?.[head ? 'get' : method.toLowerCase()] : undefined;
  if (!operation) {
    if (res.status !== 404) throw new Error(`${what}: the OpenAPI document has no operation ${method} ${path}`);
    if (!head) await checkBody(what, res, { content: { 'application/json': { schema: errorSchema } } });
    return;
  }
  const documented = operation.responses[String(res.status)];
  if (!documented) {
    throw new Error(
      `${what}: status ${res.status} is not in the document (it lists ${Object.keys(operation.responses)})`,
    );
  }
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if (header.required && !res.headers.has(name)) throw new Error(`${what}: the document requires header ${name}`);
  }
  if (!head) await checkBody(what, res, documented);
}

async function checkBody(what: string, res: Response, documented: ResponseObject): Promise<void> {
  const body = await res.clone().text();
  if (!documented.content) {
    if (body !== '') throw new Error(`${what}: the document lists no body, the answer has one`);
    return;
  }
  const type = mediaTypeOf(res);
  const media = documented.content[type];
  if (!media)
    throw new Error(
      `${what}: ${type || 'no Content-Type'} is not in the document (${Object.keys(documented.content)})`,
    );
  if (type !== 'application/json' || !media.schema) return;
  const result = validatorOf(media.schema).validate(JSON.parse(body));
  if (!result.valid) {
    const errors = result.errors.map((e) => `${e.instanceLocation} ${e.error}`).slice(0, 8);
    throw new Error(`${what}: the body does not match the document:\n  ${errors.join('\n  ')}\n${body.slice(0, 500)}`);
  }
}

import { linkSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { issueLink } from '../links/issue.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';

/** `POST /v1/links` (agent or read key): a tagged link to the site's store, recorded for `contacts`. */
export const links = new Hono<SiteEnv>().post('/', requireKey(resolveKey, 'agent', 'read'), async (c) => {
  const input = parseOrThrow(linkSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_request');
  const tagged = await issueLink(c.env.DB, c.var.site, input, Date.now());
  if (!tagged.ok) throw new ApiError(400, tagged.code, tagged.message);
  return c.json({ url: tagged.url }, 201);
});

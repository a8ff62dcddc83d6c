import { linkSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { createDb } from '../db/client.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { recordLink } from '../links/queries.js';
import { tagUrl } from '../links/tag-url.js';
import { newLinkId, signToken } from '../links/token.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';

/** `POST /v1/links` (agent or read key): a tagged link to the site's store, recorded for `contacts`. */
export const links = new Hono<SiteEnv>().post('/', requireKey(resolveKey, 'agent', 'read'), async (c) => {
  const input = parseOrThrow(linkSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_request');
  const site = c.var.site;
  const linkId = newLinkId();
  const issuedAt = Date.now();
  const token = await signToken({ siteId: site.id, secret: site.linkSecret, linkId, issuedAt });
  const tagged = tagUrl(input.url, token, site.settings.allowedOrigins);
  if (!tagged.ok) throw new ApiError(400, tagged.code, tagged.message);
  await recordLink(createDb(c.env.DB), { ...input, siteId: site.id, linkId, url: tagged.url, issuedAt });
  return c.json({ url: tagged.url }, 201);
});

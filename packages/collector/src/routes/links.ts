import { linkSchema } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { databaseOf } from '../db/databases.js';
import { JSON_BODY, readJson } from '../http/body.js';
import { ApiError, unavailable } from '../http/errors.js';
import { parseOrThrow } from '../http/validate.js';
import { recordLink } from '../links/queries.js';
import { tagUrl } from '../links/tag-url.js';
import { newLinkId, signToken } from '../links/token.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';
import { currentLinkKey } from '../sites/site.js';

/**
 * `POST /v1/links` (agent or read key): a tagged link to the site's store, recorded for
 * `contacts`. Only the tagged url's origin and path are kept: its query can carry personal data.
 */
export const links = new Hono<SiteEnv>().post('/', requireKey('agent', 'read'), async (c) => {
  const input = parseOrThrow(linkSchema, await readJson(c.req.raw, JSON_BODY), 'invalid_request');
  const site = c.var.site;
  const linkId = newLinkId();
  const issuedAt = Date.now();
  const { keyId, secret } = currentLinkKey(site);
  const token = await signToken({ siteId: site.id, keyId, secret, linkId, issuedAt });
  const tagged = tagUrl(input.url, token, site.settings.allowedOrigins);
  if (!tagged.ok) throw new ApiError(400, tagged.code, tagged.message);
  const { origin, pathname } = new URL(tagged.url);
  try {
    await recordLink(databaseOf(c.env, site.database), site.id, { ...input, linkId, url: origin + pathname, issuedAt });
  } catch (err) {
    console.error('link not recorded', err instanceof Error ? err.message : String(err));
    throw unavailable('The link could not be recorded; ask again');
  }
  return c.json({ url: tagged.url }, 201);
});

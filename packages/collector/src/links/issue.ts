import type { LinkRequest } from '@lasttouch/shared';
import type { Site } from '../sites/site.js';
import { recordLink } from './queries.js';
import { type TagUrlResult, tagUrl } from './tag-url.js';
import { newLinkId, signToken } from './token.js';

/**
 * Issues a tagged link: a new link id and issue time signed into a token, the token added to
 * `input.url` (which must be on one of the site's allowed origins), and the link recorded for
 * landings and `contacts`. Nothing is recorded when the url cannot be tagged.
 */
export async function issueLink(d1: D1Database, site: Site, input: LinkRequest, now: number): Promise<TagUrlResult> {
  const linkId = newLinkId();
  const token = await signToken({ siteId: site.id, secret: site.linkSecret, linkId, issuedAt: now });
  const tagged = tagUrl(input.url, token, site.settings.allowedOrigins);
  if (tagged.ok) await recordLink(d1, { ...input, siteId: site.id, linkId, url: tagged.url, issuedAt: now });
  return tagged;
}

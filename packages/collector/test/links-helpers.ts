/**
 * Helpers for the tagged-link tests: issuing links through the API, or as the site would have
 * issued them in the past (recorded and signed with its current link key).
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM, type LinkRequest } from '@lasttouch/shared';
import { expect } from 'vitest';
import { recordLink } from '../src/links/queries.js';
import { newLinkId, signToken } from '../src/links/token.js';
import { callWithKey } from './helpers.js';

export const ORIGIN = 'https://shop.example';

/** A site as the link tests need it: its id and agent key. */
interface Keys {
  siteId: string;
  agentKey: string;
}

/** The token of a tagged url. */
export const tokenOf = (url: string): string => new URL(url).searchParams.get(LINK_PARAM)!;

/** Issues a link through `POST /v1/links` with the agent key and answers its token. */
export async function tag(site: Keys, conversation: string, channel: string, agent?: string): Promise<string> {
  const res = await callWithKey(site.agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p/1`, conversation, channel, ...(agent === undefined ? {} : { agent }) },
  });
  expect(res.status).toBe(201);
  return tokenOf((await res.json<{ url: string }>()).url);
}

/** The site's current link key (the highest key id). */
export async function linkKey(siteId: string): Promise<{ keyId: number; secret: string }> {
  const row = await env.DB.prepare(
    "select key_id as keyId, secret from site_secrets where site_id = ? and purpose = 'link' order by key_id desc limit 1",
  )
    .bind(siteId)
    .first<{ keyId: number; secret: string }>();
  return row!;
}

/**
 * A link issued at `issuedAt`, recorded and signed as `POST /v1/links` would have done then.
 * Answers its token and link id.
 */
export async function issuedAt(
  siteId: string,
  at: number,
  link: Omit<LinkRequest, 'url'>,
  db: D1Database = env.DB,
): Promise<{ token: string; linkId: string }> {
  const { keyId, secret } = await linkKey(siteId);
  const linkId = newLinkId();
  await recordLink(db, siteId, { ...link, linkId, url: `${ORIGIN}/p/1`, issuedAt: at });
  return { token: await signToken({ siteId, keyId, secret, linkId, issuedAt: at }), linkId };
}

/** A token altered in one character of its MAC: well formed, signed by nobody. */
export const tampered = (token: string): string => {
  const i = token.length - 5;
  return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
};

import { type KeyKind, LIMITS } from '@lasttouch/shared';
import { generateKey, hashKey } from '../auth/keys.js';
import { randomToken } from '../crypto/base64url.js';
import { forgetSite } from './write-key-cache.js';

const DAY_MS = 86_400_000;

/**
 * How long a replaced write key keeps working: it sits in script tags that pages, CDNs and
 * browsers cache. A replaced agent or read key stops at once (a leaked secret must).
 */
export const WRITE_KEY_GRACE_MS = 30 * DAY_MS;

/**
 * How long a replaced link secret is kept after its successor took over: the last token it
 * signed is genuine for the token lifetime, and its landing may reach the collector up to an
 * event's maximum age later (an offline queue), plus a day of margin.
 */
export const LINK_SECRET_KEPT_MS = LIMITS.tokenLifetimeMs + LIMITS.maxAgeMs + DAY_MS;

/** A token carries its key id in one byte; id 0 is never issued. */
const MAX_LINK_KEY_ID = 255;

const SITE_EXISTS = 'select 1 as found from sites where id = ?1';
const DROP_EXPIRED_KEYS = 'delete from api_keys where site_id = ?1 and expires_at is not null and expires_at <= ?2';
// A key already due to expire sooner keeps its earlier end.
const RETIRE_KEYS = `update api_keys set expires_at = ?3
  where site_id = ?1 and kind = ?2 and (expires_at is null or expires_at > ?3)`;
const INSERT_KEY = 'insert into api_keys (hash, site_id, kind, created_at) values (?1, ?2, ?3, ?4)';

const NEXT_LINK_SECRET = `insert into site_secrets (site_id, purpose, key_id, secret, created_at)
  select ?1, 'link', next, ?2, ?3
  from (select coalesce(max(key_id), 0) + 1 as next from site_secrets where site_id = ?1 and purpose = 'link')
  where next <= ${MAX_LINK_KEY_ID}
  returning key_id as keyId`;
// A secret whose successor took over longer ago than its tokens can land is no longer needed.
const PRUNE_LINK_SECRETS = `delete from site_secrets
  where site_id = ?1 and purpose = 'link' and exists (
    select 1 from site_secrets successor
    where successor.site_id = ?1 and successor.purpose = 'link' and successor.key_id = site_secrets.key_id + 1
      and successor.created_at <= ?2)`;

/** Whether a site exists in the directory (the admin token names sites by id). */
export async function siteExists(directory: D1Database, siteId: string): Promise<boolean> {
  return (await directory.prepare(SITE_EXISTS).bind(siteId).first()) !== null;
}

/**
 * Replaces a site's key of `kind` in one transaction and answers the new key, once (only its
 * hash is stored). The replaced key stops at once, a write key after `WRITE_KEY_GRACE_MS`; keys
 * whose end has passed are deleted. Two rotations at once: the later one's key stands.
 *
 * @example await rotateKey(env.DB, site.id, 'read', Date.now()) // 'ltr_…'
 */
export async function rotateKey(directory: D1Database, siteId: string, kind: KeyKind, now: number): Promise<string> {
  const key = generateKey(kind);
  const ends = kind === 'write' ? now + WRITE_KEY_GRACE_MS : now;
  await directory.batch([
    directory.prepare(DROP_EXPIRED_KEYS).bind(siteId, now),
    directory.prepare(RETIRE_KEYS).bind(siteId, kind, ends),
    directory.prepare(INSERT_KEY).bind(await hashKey(key), siteId, kind, now),
  ]);
  forgetSite(siteId);
  return key;
}

/**
 * Adds a site's next link-signing secret (the next key id), which signs every token from now
 * on; earlier secrets keep verifying their tokens until those can no longer land, then are
 * deleted. Answers the new key id, or `undefined` once the 255 ids a token can name are spent.
 */
export async function rotateLinkSecret(
  directory: D1Database,
  siteId: string,
  now: number,
): Promise<number | undefined> {
  const [inserted] = await directory.batch<{ keyId: number }>([
    directory.prepare(NEXT_LINK_SECRET).bind(siteId, randomToken(32), now),
    directory.prepare(PRUNE_LINK_SECRETS).bind(siteId, now - LINK_SECRET_KEPT_MS),
  ]);
  forgetSite(siteId);
  return inserted?.results[0]?.keyId;
}

import type { ResolvedKey } from './queries.js';

/**
 * Resolved write keys this isolate remembers, so `POST /v1/events` (one request per batch, a
 * page's script tag sending the same key) skips the directory read. Only write keys: a replaced
 * write key keeps working for 30 days anyway (`WRITE_KEY_GRACE_MS`), so remembering one for a
 * few seconds changes nothing a rotation promises, while a replaced read or agent key must stop
 * at once and is always read. A change this isolate makes to a site (settings, keys) forgets the
 * site here; another isolate sees it within `WRITE_KEY_CACHE_MS` (docs/ingestion.md).
 */
export const WRITE_KEY_CACHE_MS = 5_000;
/** Bounds the map of a long-lived isolate serving many sites. */
const MAX_KEYS = 1_000;

interface Remembered {
  found: ResolvedKey;
  until: number;
}

const remembered = new Map<string, Remembered>();

/** The write key's resolution if this isolate read it less than `WRITE_KEY_CACHE_MS` ago. */
export function rememberedKey(key: string, now: number): ResolvedKey | undefined {
  const entry = remembered.get(key);
  if (entry === undefined) return undefined;
  if (entry.until > now) return entry.found;
  remembered.delete(key);
  return undefined;
}

/** Keeps `found` if it is a write key, never past the key's own end. */
export function rememberKey(key: string, found: ResolvedKey, now: number): void {
  if (found.kind !== 'write') return;
  if (remembered.size >= MAX_KEYS) remembered.clear();
  remembered.set(key, {
    found,
    until: Math.min(now + WRITE_KEY_CACHE_MS, found.expiresAt ?? Number.POSITIVE_INFINITY),
  });
}

/** Forgets every remembered key of `siteId` (after a change to its settings or keys). */
export function forgetSite(siteId: string): void {
  for (const [key, entry] of remembered) if (entry.found.site.id === siteId) remembered.delete(key);
}

import type { IngestEvent } from '../ingest/event.js';
import type { LinkRow } from './queries.js';
import { type LinkSecrets, type TokenCheck, verifyToken } from './token.js';

/** Why a landing earned nothing: a token failure, or a genuine token whose link row is gone. */
export type LandingFailure = 'forged' | 'expired' | 'unknown_link';

/** Checks every landing's token of a batch (HMAC, no database): by event id. */
export async function checkLandings(
  siteId: string,
  secrets: LinkSecrets,
  landings: readonly IngestEvent[],
  now: number,
): Promise<Map<string, TokenCheck>> {
  const checks = await Promise.all(
    landings.map(async (e) => [e.id, await verifyToken(e.tk ?? '', { siteId, secrets, landedAt: e.ts, now })] as const),
  );
  return new Map(checks);
}

/** A valid landing: the link it came through. */
export type LandingOutcome = { ok: true; link: LinkRow } | { ok: false; reason: LandingFailure };

/**
 * What a landing is: every landing of a genuine token is a touch of the link's conversation at
 * the landing's time (re-opening a link days later touches the conversation again), whoever
 * lands (a forwarded link qualifies too; `forwarded` is told apart when shown, from the link's
 * first visitor). A forged, altered, foreign or expired token earns nothing and is counted.
 */
export function landingOutcome(check: TokenCheck | undefined, links: ReadonlyMap<string, LinkRow>): LandingOutcome {
  if (!check) return { ok: false, reason: 'forged' };
  if (!check.ok) return { ok: false, reason: check.reason };
  const link = links.get(check.linkId);
  return link ? { ok: true, link } : { ok: false, reason: 'unknown_link' };
}

/**
 * Whether a landing of `visitorId` at `ts` makes its visitor the link's recipient: it is the
 * earliest so far, and at the same millisecond the smaller visitor id wins, so the recipient
 * does not depend on the order landings arrive in (`recipientsStatement` decides alike in SQL).
 */
export const landsFirst = (link: Pick<LinkRow, 'recipientVisitor' | 'recipientTs'>, visitorId: string, ts: number) =>
  link.recipientTs === null ||
  ts < link.recipientTs ||
  (ts === link.recipientTs && link.recipientVisitor !== null && visitorId < link.recipientVisitor);

/** Whether a landing of `visitorId` is the link forwarded: another visitor landed first. */
export const isForwarded = (link: Pick<LinkRow, 'recipientVisitor'>, visitorId: string): boolean =>
  link.recipientVisitor !== null && link.recipientVisitor !== visitorId;

import type { WireEvent } from '@lasttouch/shared';
import { dropReplacedLanding, insertLandingInteraction, syncForwarded } from '../attribution/queries.js';
import { longestWindow } from '../attribution/windows.js';
import type { Deriver, IngestContext } from '../ingest/types.js';
import { enqueue } from '../jobs/queries.js';
import { countInvalidLanding } from '../stats/link-aggregates.js';
import { dayOf } from '../time/days.js';
import { type LandingTarget, loadLandingTarget, settleRecipient, upsertLanding } from './queries.js';
import { type TokenFailure, verifyToken } from './token.js';

/** Why a landing earned nothing: a token failure, or a well-signed token whose link row is gone. */
export type InvalidLanding = TokenFailure | 'unknown_link';

/**
 * Links read by one batch, by id, so each is read once however many landings it has. Links never
 * change once issued; the recipient is as stored before the batch, which is all the deriver uses
 * it for (whom to queue: a visitor landing in the batch is queued by its own landing).
 */
const batchLinks = new WeakMap<IngestContext, Map<string, Promise<LandingTarget | undefined>>>();

function landingTarget(ctx: IngestContext, linkId: string): Promise<LandingTarget | undefined> {
  const links = batchLinks.get(ctx) ?? new Map<string, Promise<LandingTarget | undefined>>();
  batchLinks.set(ctx, links);
  const target = links.get(linkId) ?? loadLandingTarget(ctx.db, ctx.site.id, linkId);
  links.set(linkId, target);
  return target;
}

/** Landings in time order, equal times by event id: the order "first" means, whatever the arrival order. */
const isBefore = (a: { ts: number; eventId: string }, b: { ts: number; eventId: string }): boolean =>
  a.ts < b.ts || (a.ts === b.ts && a.eventId < b.eventId);

/**
 * Stage 1 of a `landing` event: verifies its token and, when valid, records the landing as a
 * `link_landing` interaction of the link's channel for this visitor.
 *
 * - One contact per (link, visitor): the visitor's earliest landing by time (then event id). A
 *   later landing adds nothing, so re-opening an old link does not stretch its window; a landing
 *   that arrives late but happened earlier replaces the stored one, moving the interaction (and
 *   so the window's start) back to it.
 * - The visitor who landed first in time is the link's recipient; every other visitor's landing
 *   is the link forwarded: it still qualifies for that visitor, flagged `forwarded`. A late
 *   landing that happened before the recipient's makes its visitor the recipient and the former
 *   one forwarded, whose attribution is then queued to run again.
 * - An invalid token earns nothing and is counted per day and reason (`invalidLandings` in chat stats).
 *
 * So the result is the same in any arrival order. The decisions are made in SQL inside the
 * batch, so two landings in one batch, or two batches racing, agree on who was first.
 */
export const recordLanding: Deriver = async (ctx, event, wire: WireEvent) => {
  if (wire.t !== 'landing') return [];
  const { db, site, now } = ctx;
  const check = await verifyToken(wire.tk, {
    siteId: site.id,
    secret: site.linkSecret,
    landedAt: event.ts,
    now,
    maxAgeMs: longestWindow(site.settings),
  });
  const link = check.ok ? await landingTarget(ctx, check.linkId) : undefined;
  if (!check.ok || !link) {
    const reason: InvalidLanding = check.ok ? 'unknown_link' : check.reason;
    return [countInvalidLanding(db, site.id, dayOf(event.ts), reason)];
  }
  const landing = { ts: event.ts, eventId: event.eventId };
  const { recipient } = link;
  // The flag of the former recipient flips in SQL below; its attribution has to be redone.
  // (This visitor's own attribution is queued for every landing by jobs/ingest-hooks.ts.)
  const displaced = recipient && recipient.visitorId !== event.visitorId && isBefore(landing, recipient);
  const landed = { siteId: site.id, linkId: link.linkId, visitorId: event.visitorId, eventId: event.eventId };
  return [
    upsertLanding(db, { ...landed, ts: event.ts, conversation: link.conversation }),
    settleRecipient(db, site.id, link.linkId),
    dropReplacedLanding(db, landed),
    insertLandingInteraction(db, { ...landed, sessionId: event.sessionId, channel: link.channel, agent: link.agent }),
    // Flags that flipped above: the former recipient's, or this visitor's own.
    syncForwarded(db, site.id, link.linkId),
    ...(displaced ? [enqueue(db, site.id, 'visitor', recipient.visitorId, now)] : []),
  ];
};

import type { WireEvent } from '@lasttouch/shared';
import { longestWindow } from '../attribution/windows.js';
import { createDb } from '../db/client.js';
import type { Deriver } from '../ingest/derive.js';
import { dayOf } from '../stats/range.js';
import { loadLink } from './store.js';
import { type TokenFailure, verifyToken } from './token.js';

/** Why a landing earned nothing: a token failure, or a well-signed token whose link row is gone. */
export type InvalidLanding = TokenFailure | 'unknown_link';

const countInvalid = (db: D1Database, siteId: string, day: number, reason: InvalidLanding): D1PreparedStatement =>
  db
    .prepare(
      `insert into invalid_landings_daily (site_id, day, reason, landings) values (?, ?, ?, 1)
       on conflict (site_id, day, reason) do update set landings = landings + 1`,
    )
    .bind(siteId, day, reason);

/**
 * Stage 1 of a `landing` event: verifies its token and, when valid, records the landing as a
 * `link_landing` interaction of the link's channel for this visitor.
 *
 * - One contact per (link, visitor): the first stored landing is kept; the same visitor opening
 *   the link again adds nothing (so a window is not stretched by re-opening an old link).
 * - A landing by a visitor other than the first one to land is the link forwarded: it still
 *   qualifies for that visitor, flagged `forwarded`.
 * - An invalid token earns nothing and is counted per day and reason (`invalidLandings` in chat stats).
 *
 * Both decisions are made in SQL inside the batch, so two landings in one batch, or two batches
 * racing, cannot both become the first.
 */
export const landingDeriver: Deriver = async (ctx, event, wire: WireEvent) => {
  if (wire.t !== 'landing') return [];
  const { db, site, now } = ctx;
  const check = await verifyToken(wire.tk, {
    siteId: site.id,
    secret: site.linkSecret,
    landedAt: event.ts,
    now,
    maxAgeMs: longestWindow(site.settings),
  });
  const link = check.ok ? await loadLink(createDb(db), site.id, check.linkId) : undefined;
  if (!check.ok || !link) return [countInvalid(db, site.id, dayOf(event.ts), check.ok ? 'unknown_link' : check.reason)];
  return [
    db
      .prepare(
        `insert into link_landings (site_id, link_id, visitor_id, event_id, ts, conversation, forwarded)
         select ?1, ?2, ?3, ?4, ?5, ?6, exists (select 1 from link_landings where site_id = ?1 and link_id = ?2) where true
         on conflict (site_id, link_id, visitor_id) do nothing`,
      )
      .bind(site.id, link.linkId, event.visitorId, event.eventId, event.ts, link.conversation),
    // Only the landing just recorded above becomes an interaction: a repeat finds another event id there.
    db
      .prepare(
        `insert into interactions
           (site_id, event_id, visitor_id, session_id, ts, action, channel, conversation, agent, link_id, forwarded)
         select site_id, event_id, visitor_id, ?4, ts, 'link_landing', ?5, conversation, ?6, link_id, forwarded
         from link_landings where site_id = ?1 and link_id = ?2 and visitor_id = ?3 and event_id = ?7`,
      )
      .bind(site.id, link.linkId, event.visitorId, event.sessionId, link.channel, link.agent, event.eventId),
  ];
};

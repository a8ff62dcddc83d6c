import type { Action, WidgetKind } from '@lasttouch/shared';
import { and, eq } from 'drizzle-orm';
import { createDb } from '../db/client.js';
import { interactions } from '../db/schema/index.js';
import type { Interaction } from './rules.js';

/*
 * The `interactions` table: the qualifying interactions attribution chooses from, one row per
 * qualifying widget event or valid tagged-link landing.
 */

/** Every qualifying interaction of a visitor: the candidates of its orders (an index search). */
export async function loadInteractions(db: D1Database, siteId: string, visitorId: string): Promise<Interaction[]> {
  const rows = await createDb(db)
    .select({
      eventId: interactions.eventId,
      ts: interactions.ts,
      action: interactions.action,
      kind: interactions.kind,
      widgetId: interactions.widgetId,
      campaign: interactions.campaign,
      sequence: interactions.sequence,
      channel: interactions.channel,
      conversation: interactions.conversation,
      agent: interactions.agent,
      forwarded: interactions.forwarded,
    })
    .from(interactions)
    .where(and(eq(interactions.siteId, siteId), eq(interactions.visitorId, visitorId)));
  return rows.map((r) => ({ ...r, action: r.action as Action, kind: r.kind as WidgetKind | null }));
}

const INSERT_WIDGET_INTERACTION = `insert into interactions
    (site_id, event_id, visitor_id, session_id, ts, action, kind, widget_id, campaign, sequence)
  values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) on conflict do nothing`;

/** The interaction of a qualifying widget event. */
export const insertWidgetInteraction = (
  db: D1Database,
  i: {
    siteId: string;
    eventId: string;
    visitorId: string;
    sessionId: string;
    ts: number;
    action: Action;
    kind: string | null;
    widgetId: string | null;
    campaign: string | null;
    sequence: string | null;
  },
): D1PreparedStatement =>
  db
    .prepare(INSERT_WIDGET_INTERACTION)
    .bind(i.siteId, i.eventId, i.visitorId, i.sessionId, i.ts, i.action, i.kind, i.widgetId, i.campaign, i.sequence);

/** A landing of a link by a visitor, as the landing statements below key it. */
export interface LinkLanding {
  siteId: string;
  linkId: string;
  visitorId: string;
  eventId: string;
}

/** The visitor's earlier interaction through the link, once `link_landings` holds this landing instead. */
const DROP_REPLACED_LANDING = `delete from interactions
  where site_id = ?1 and visitor_id = ?3 and action = 'link_landing' and link_id = ?2 and event_id <> ?4
    and exists (select 1 from link_landings where site_id = ?1 and link_id = ?2 and visitor_id = ?3 and event_id = ?4)`;

/** When this landing became the visitor's earliest through the link, it replaces the later one's interaction. */
export const dropReplacedLanding = (db: D1Database, l: LinkLanding): D1PreparedStatement =>
  db.prepare(DROP_REPLACED_LANDING).bind(l.siteId, l.linkId, l.visitorId, l.eventId);

/** The `link_landing` interaction of a landing `link_landings` kept (none for a later landing). */
const INSERT_LANDING_INTERACTION = `insert into interactions
    (site_id, event_id, visitor_id, session_id, ts, action, channel, conversation, agent, link_id, forwarded)
  select site_id, event_id, visitor_id, ?5, ts, 'link_landing', ?6, conversation, ?7, link_id, forwarded
  from link_landings where site_id = ?1 and link_id = ?2 and visitor_id = ?3 and event_id = ?4`;

/** The landing as an interaction of the link's channel and agent, if it is the visitor's earliest. */
export const insertLandingInteraction = (
  db: D1Database,
  l: LinkLanding & { sessionId: string; channel: string; agent: string | null },
): D1PreparedStatement =>
  db
    .prepare(INSERT_LANDING_INTERACTION)
    .bind(l.siteId, l.linkId, l.visitorId, l.eventId, l.sessionId, l.channel, l.agent);

const SYNC_FORWARDED = `update interactions set forwarded = l.forwarded from link_landings l
  where l.site_id = ?1 and l.link_id = ?2 and interactions.site_id = ?1 and interactions.event_id = l.event_id
    and interactions.forwarded <> l.forwarded`;

/** Copies the `forwarded` flags of a link's landings onto their interactions where they differ. */
export const syncForwarded = (db: D1Database, siteId: string, linkId: string): D1PreparedStatement =>
  db.prepare(SYNC_FORWARDED).bind(siteId, linkId);

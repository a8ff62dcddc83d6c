import type { LinkRequest } from '@lasttouch/shared';

/** A link as issued, for the `links` row. */
export interface IssuedLink extends LinkRequest {
  linkId: string;
  /** The tagged url's origin and path: the query (and the token in it) is not kept. */
  url: string;
  issuedAt: number;
}

const INSERT_LINK = `insert into links (site_id, link_id, conversation, channel, agent, url, issued_at)
  values (?1, ?2, ?3, ?4, ?5, ?6, ?7)`;
const FIRST_LINK = `insert into conversations (site_id, conversation, first_link_at) values (?1, ?2, ?3)
  on conflict do update set first_link_at = min(first_link_at, excluded.first_link_at)`;

/**
 * Records an issued link and its conversation's first link time, in one transaction: a
 * conversation is a contact as soon as a link is sent, before anyone clicks.
 */
export async function recordLink(db: D1Database, siteId: string, link: IssuedLink): Promise<void> {
  await db.batch([
    db
      .prepare(INSERT_LINK)
      .bind(siteId, link.linkId, link.conversation, link.channel, link.agent ?? '', link.url, link.issuedAt),
    db.prepare(FIRST_LINK).bind(siteId, link.conversation, link.issuedAt),
  ]);
}

/** A link as a landing needs it. */
export interface LinkRow {
  linkId: string;
  conversation: string;
  channel: string;
  agent: string;
  recipientVisitor: string | null;
  recipientTs: number | null;
}

const BY_IDS = `select link_id as linkId, conversation, channel, agent, recipient_visitor as recipientVisitor,
    recipient_ts as recipientTs
  from links where site_id = ?1 and link_id in (select value from json_each(?2))`;

export const linksByIdsStatement = (db: D1Database, siteId: string, ids: string[]): D1PreparedStatement =>
  db.prepare(BY_IDS).bind(siteId, JSON.stringify(ids));

export const toLinks = (result: D1Result<Record<string, unknown>> | undefined): Map<string, LinkRow> =>
  new Map((result?.results ?? []).map((r) => [r.linkId as string, r as unknown as LinkRow]));

const RECIPIENTS = `update links set recipient_visitor = n.visitor, recipient_ts = n.ts
  from (select j.value->>0 as link, j.value->>1 as visitor, j.value->>2 as ts from json_each(?2) j) n
  where links.site_id = ?1 and links.link_id = n.link
    and (links.recipient_ts is null or links.recipient_ts > n.ts
      or (links.recipient_ts = n.ts and links.recipient_visitor > n.visitor))`;

/**
 * Each link's recipient becomes the given visitor if it landed before anyone else did, or at the
 * same millisecond with a smaller visitor id (one entry per link: the first landing of the
 * batch by `landsFirst`).
 */
export const recipientsStatement = (
  db: D1Database,
  siteId: string,
  landings: { linkId: string; visitorId: string; ts: number }[],
): D1PreparedStatement =>
  db.prepare(RECIPIENTS).bind(siteId, JSON.stringify(landings.map((l) => [l.linkId, l.visitorId, l.ts])));

const SET_HOURS = `insert into agent_hours (site_id, agent, date, hours) values (?1, ?2, ?3, ?4)
  on conflict do update set hours = excluded.hours`;

export const setAgentHoursStatement = (
  db: D1Database,
  siteId: string,
  agent: string,
  date: string,
  hours: number,
): D1PreparedStatement => db.prepare(SET_HOURS).bind(siteId, agent, date, hours);

import type { Action, WidgetKind } from '@lasttouch/shared';
import { MAX_ORDERS_PER_STEP } from '../orders/queries.js';
import type { Interaction } from './rules.js';

/** A `touches` row: a click, a hover or a valid landing of a visitor. */
export interface Touch {
  visitorId: string;
  ts: number;
  eventId: string;
  sessionId: string;
  type: 'click' | 'hover' | 'landing';
  /** Null for what cannot earn credit (a pop-up or block hover). */
  action: Action | null;
  kind: WidgetKind | null;
  widgetId: string | null;
  campaign: string | null;
  sequence: string | null;
  linkId: string | null;
  channel: string | null;
  conversation: string | null;
  agent: string | null;
  clientTs: number;
}

/** The action a widget event qualifies as, if any: pop-up and block clicks, notification clicks and hovers. */
export function qualifyingAction(type: string, kind: WidgetKind | undefined): Action | null {
  if (type === 'click' && kind !== undefined) return `${kind}_click`;
  if (type === 'hover' && kind === 'notification') return 'notification_hover';
  return null;
}

const COLUMNS = [
  'visitor_id',
  'ts',
  'event_id',
  'session_id',
  'type',
  'action',
  'kind',
  'widget_id',
  'campaign',
  'sequence',
  'link_id',
  'channel',
  'conversation',
  'agent',
  'client_ts',
] as const;

const INSERT = `insert into touches (site_id, ${COLUMNS.join(', ')})
  select ?1, ${COLUMNS.map((_, i) => `j.value->>${i}`).join(', ')} from json_each(?2) j`;

/** Stores touches in one statement (per 500). */
export function insertTouchesStatements(db: D1Database, siteId: string, touches: Touch[]): D1PreparedStatement[] {
  const rows = touches.map((t) => [
    t.visitorId,
    t.ts,
    t.eventId,
    t.sessionId,
    t.type,
    t.action,
    t.kind,
    t.widgetId,
    t.campaign,
    t.sequence,
    t.linkId,
    t.channel,
    t.conversation,
    t.agent,
    t.clientTs,
  ]);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    statements.push(db.prepare(INSERT).bind(siteId, JSON.stringify(rows.slice(i, i + 500))));
  }
  return statements;
}

const SESSION_FIRSTS = `select session_id as sessionId, type, kind, widget_id as widgetId, coalesce(campaign, '') as campaign,
    coalesce(sequence, '') as sequence, min(ts) as ts
  from touches where site_id = ?1 and visitor_id in (select value from json_each(?2))
    and session_id in (select value from json_each(?3)) and type in ('click', 'hover')
  group by session_id, type, kind, widget_id, campaign, sequence`;

/** When each of these sessions first clicked or hovered each widget (read before a batch's touches are written). */
export const sessionFirstsStatement = (
  db: D1Database,
  siteId: string,
  visitors: string[],
  sessions: string[],
): D1PreparedStatement => db.prepare(SESSION_FIRSTS).bind(siteId, JSON.stringify(visitors), JSON.stringify(sessions));

/** How many qualifying touches per visitor attribution reads for one person: the latest ones. */
export const MAX_TOUCHES_PER_PERSON = 2000;

/**
 * A person's qualifying touches from `since` up to the last order the step reads (the
 * `MAX_ORDERS_PER_STEP`-th from `from`, of its devices or its customer id): the latest
 * `MAX_TOUCHES_PER_PERSON` of those.
 */
const LAST_ORDER = (owner: string, index: string) => `(select max(ts) from (select ts from orders indexed by ${index}
    where site_id = ?1 and ${owner} and ts >= ?4 order by ts limit ${MAX_ORDERS_PER_STEP}))`;
const UP_TO = (customer: boolean) => {
  const visitors = LAST_ORDER('visitor_id in (select value from json_each(?2))', 'orders_site_visitor_ts');
  if (!customer) return `coalesce(${visitors}, 9e15)`;
  const byCustomer = LAST_ORDER('customer_hash = ?5', 'orders_site_customer');
  return `coalesce(max(coalesce(${visitors}, 0), coalesce(${byCustomer}, 0)), 9e15)`;
};
const PERSON_TOUCHES = (
  customer: boolean,
) => `select t.visitor_id as visitorId, t.ts, t.event_id as eventId, t.action, t.kind,
    t.widget_id as widgetId, t.campaign, t.sequence, t.channel, t.conversation, t.agent, t.link_id as linkId,
    c.first_link_at as firstLinkAt, l.recipient_visitor as recipientVisitor
  from touches t left join conversations c on c.site_id = t.site_id and c.conversation = t.conversation
    left join links l on l.site_id = t.site_id and l.link_id = t.link_id
  where t.site_id = ?1 and t.visitor_id in (select value from json_each(?2)) and t.action is not null and t.ts >= ?3
    and t.ts <= ${UP_TO(customer)}
  order by t.ts desc limit ${MAX_TOUCHES_PER_PERSON}`;

/** The qualifying touches attribution reads for a person (see `PERSON_TOUCHES`). */
export const personTouchesStatement = (
  db: D1Database,
  siteId: string,
  visitors: string[],
  since: number,
  from: number,
  customerHash: string | null,
): D1PreparedStatement =>
  customerHash === null
    ? db.prepare(PERSON_TOUCHES(false)).bind(siteId, JSON.stringify(visitors), since, from)
    : db.prepare(PERSON_TOUCHES(true)).bind(siteId, JSON.stringify(visitors), since, from, customerHash);

/** A qualifying touch as attribution loads it: with its conversation's first link and its link's recipient. */
export type TouchRow = Interaction & { firstLinkAt: number | null; recipientVisitor: string | null };

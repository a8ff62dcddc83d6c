import type { Deriver, StoredEvent } from '../ingest/types.js';
import { dayOf } from '../time/days.js';
import { dayBounds, type StatsRange } from './query.js';

/*
 * The widget aggregates (`widget_daily`, `group_daily`, `group_visitor_daily`, and the
 * `distinct_facts` behind their distinct counts): written for every new widget event, read by
 * the widget, campaign and sequence stats.
 */

/** Widget events: the widget, campaign and sequence aggregates. */
export const countWidgetEvent: Deriver = async (ctx, event) => widgetEventStatements(ctx.db, event);

/**
 * Statements that keep the widget, campaign and sequence aggregates of one new widget event.
 * Plain counters (instances, dismisses) are incremented; distinct counts (sessions with a click
 * or hover, sessions that started a campaign) go through `distinctFacts`; the visitors shown a campaign or
 * sequence are kept per day (`groupVisitorDaily`).
 */
function widgetEventStatements(db: D1Database, event: StoredEvent): D1PreparedStatement[] {
  const day = dayOf(event.ts);
  const widget = {
    site_id: event.siteId,
    kind: event.kind ?? '',
    widget_id: event.widgetId ?? '',
    campaign: event.campaign ?? '',
    sequence: event.sequence ?? '',
  };
  const widgetCounter = (column: string): Counter => ({ table: 'widget_daily', column, keys: widget });
  const subject = JSON.stringify([widget.kind, widget.widget_id, widget.campaign, widget.sequence]);
  const fact = (name: string, member: string, counter: Counter) =>
    distinctCount(db, { siteId: event.siteId, fact: name, subject, member, day }, counter);

  switch (event.type) {
    case 'instance':
      return [
        increment(db, widgetCounter('instances'), day),
        ...(['campaign', 'sequence'] as const).flatMap((groupType) => {
          const groupId = event[groupType];
          if (!groupId) return [];
          const started: Counter = {
            table: 'group_daily',
            column: 'started',
            keys: { site_id: event.siteId, group_type: groupType, group_id: groupId },
          };
          return [
            ...distinctCount(
              db,
              { siteId: event.siteId, subject: groupId, day, fact: `${groupType}_started`, member: event.sessionId },
              started,
            ),
            db
              .prepare(
                `insert into group_visitor_daily (site_id, group_type, group_id, day, visitor_id) values (?, ?, ?, ?, ?)
                 on conflict do nothing`,
              )
              .bind(event.siteId, groupType, groupId, day, event.visitorId),
          ];
        }),
      ];
    case 'dismiss':
      return [increment(db, widgetCounter('dismisses'), day)];
    case 'click':
      return fact('widget_click', event.sessionId, widgetCounter('clicks'));
    case 'hover':
      return fact('widget_hover', event.sessionId, widgetCounter('hovers'));
    default:
      return [];
  }
}

/** A counter column of a per-day aggregate row, identified by its key columns besides `day`. */
interface Counter {
  table: 'widget_daily' | 'group_daily';
  column: string;
  keys: Record<string, string>;
}

function increment(db: D1Database, c: Counter, day: number): D1PreparedStatement {
  const names = Object.keys(c.keys);
  return db
    .prepare(
      `insert into ${c.table} (${names.join(', ')}, day, ${c.column}) values (${names.map(() => '?').join(', ')}, ?, 1)
       on conflict (${names.join(', ')}, day) do update set ${c.column} = ${c.column} + 1`,
    )
    .bind(...Object.values(c.keys), day);
}

interface Fact {
  siteId: string;
  fact: string;
  subject: string;
  member: string;
  day: number;
}

/**
 * Counts `member` once for the subject, on the day of its earliest occurrence. A late event
 * from an earlier day moves the count there, so the result never depends on arrival order.
 * The three statements run in order inside the event's transaction; the first two read the
 * fact as it was before this event.
 */
function distinctCount(db: D1Database, f: Fact, c: Counter): D1PreparedStatement[] {
  const names = Object.keys(c.keys);
  const values = Object.values(c.keys);
  const factKey = 'site_id = ? and fact = ? and subject = ? and member = ?';
  const factArgs = [f.siteId, f.fact, f.subject, f.member];
  return [
    db
      .prepare(
        `update ${c.table} set ${c.column} = ${c.column} - 1
         where ${names.map((n) => `${n} = ?`).join(' and ')}
           and day = (select day from distinct_facts where ${factKey} and day > ?)`,
      )
      .bind(...values, ...factArgs, f.day),
    db
      .prepare(
        `insert into ${c.table} (${names.join(', ')}, day, ${c.column})
         select ${names.map(() => '?').join(', ')}, ?, 1
         where not exists (select 1 from distinct_facts where ${factKey} and day <= ?)
         on conflict (${names.join(', ')}, day) do update set ${c.column} = ${c.column} + 1`,
      )
      .bind(...values, f.day, ...factArgs, f.day),
    db
      .prepare(
        `insert into distinct_facts (site_id, fact, subject, member, day) values (?, ?, ?, ?, ?)
         on conflict (site_id, fact, subject, member) do update set day = min(day, excluded.day)`,
      )
      .bind(...factArgs, f.day),
  ];
}

// Labels cannot hold control characters (shared validators), so this never occurs inside one.
export const KEY_SEP = '\u0001';

/** A widget's identity as one SQL string: kind, id, campaign and sequence joined by `KEY_SEP`. */
export const WIDGET_KEY = `kind || '${KEY_SEP}' || widget_id || '${KEY_SEP}' || campaign || '${KEY_SEP}' || sequence`;

export interface WidgetCounters {
  /** `WIDGET_KEY` */
  key: string;
  instances: number;
  clicks: number;
  hovers: number;
  dismisses: number;
}

/** Every widget's counters over the range's days. */
export async function widgetCounters(db: D1Database, siteId: string, range: StatsRange): Promise<WidgetCounters[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select ${WIDGET_KEY} as key, sum(instances) as instances, sum(clicks) as clicks, sum(hovers) as hovers,
         sum(dismisses) as dismisses
       from widget_daily where site_id = ?1 and day >= ?2 and day < ?3
       group by kind, widget_id, campaign, sequence`,
    )
    .bind(siteId, firstDay, endDay)
    .all<WidgetCounters>();
  return results;
}

export interface GroupCounters {
  /** The campaign or sequence. */
  key: string;
  started: number;
  profiles: number;
}

/**
 * Every campaign's or sequence's counters over the range: sessions count on the day they
 * started; visitors once over all the range's days.
 */
export async function groupCounters(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
): Promise<GroupCounters[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select key, sum(started) as started, sum(profiles) as profiles from (
         select group_id as key, sum(started) as started, 0 as profiles from group_daily
         where site_id = ?1 and day >= ?2 and day < ?3 and group_type = ?4 group by group_id
         union all
         select group_id, 0, count(distinct visitor_id) from group_visitor_daily
         where site_id = ?1 and group_type = ?4 and day >= ?2 and day < ?3 group by group_id
       ) group by key`,
    )
    .bind(siteId, firstDay, endDay, groupType)
    .all<GroupCounters>();
  return results;
}

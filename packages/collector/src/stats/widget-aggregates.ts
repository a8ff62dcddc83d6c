import type { Deriver, StoredEvent } from '../ingest/types.js';
import { dayOf } from '../time/days.js';
import { rowsInRange, type StatsRange } from './query.js';

/*
 * The widget aggregates (`widget_daily`, `group_daily`, `group_visitor_daily`, and the
 * `distinct_facts` behind their distinct counts): written for every new widget event, read by
 * the widget, campaign and sequence stats.
 */

/** Widget events: the widget, campaign and sequence aggregates. */
export const countWidgetEvent: Deriver = async (ctx, event) => widgetEventStatements(ctx.db, event);

/** A per-day counter table and the columns that key its rows besides `day`. */
const WIDGET_DAILY = { table: 'widget_daily', keys: ['site_id', 'kind', 'widget_id', 'campaign', 'sequence'] } as const;
const GROUP_DAILY = { table: 'group_daily', keys: ['site_id', 'group_type', 'group_id'] } as const;
type CounterTable = typeof WIDGET_DAILY | typeof GROUP_DAILY;

/** `?from, ?from+1, …`: `count` numbered placeholders. */
const placeholders = (count: number, from = 1): string =>
  Array.from({ length: count }, (_, i) => `?${from + i}`).join(', ');

/** Adds one to `column` of the row (keys…, day), creating the row. Binds: keys…, day. */
function incrementSql({ table, keys }: CounterTable, column: string): string {
  const n = keys.length;
  return `insert into ${table} (${keys.join(', ')}, day, ${column}) values (${placeholders(n)}, ?${n + 1}, 1)
    on conflict (${keys.join(', ')}, day) do update set ${column} = ${column} + 1`;
}

/**
 * A distinct count of `column` (see `distinctCount`). Both statements bind: keys…, then the
 * fact's site, name, subject and member, then the day.
 */
function distinctCountSql({ table, keys }: CounterTable, column: string) {
  const n = keys.length;
  const fact = `site_id = ?${n + 1} and fact = ?${n + 2} and subject = ?${n + 3} and member = ?${n + 4}`;
  const day = `?${n + 5}`;
  return {
    /** The fact was first seen on a later day: its count leaves that day… */
    leaveLaterDay: `update ${table} set ${column} = ${column} - 1
      where ${keys.map((key, i) => `${key} = ?${i + 1}`).join(' and ')}
        and day = (select day from distinct_facts where ${fact} and day > ${day})`,
    /** …and lands on this one, as a fact never seen before does. */
    countOnDay: `insert into ${table} (${keys.join(', ')}, day, ${column})
      select ${placeholders(n)}, ${day}, 1
      where not exists (select 1 from distinct_facts where ${fact} and day <= ${day})
      on conflict (${keys.join(', ')}, day) do update set ${column} = ${column} + 1`,
  };
}

const INCREMENT_INSTANCES = incrementSql(WIDGET_DAILY, 'instances');
const INCREMENT_DISMISSES = incrementSql(WIDGET_DAILY, 'dismisses');
const COUNT_CLICK_SESSIONS = distinctCountSql(WIDGET_DAILY, 'clicks');
const COUNT_HOVER_SESSIONS = distinctCountSql(WIDGET_DAILY, 'hovers');
const COUNT_STARTED_SESSIONS = distinctCountSql(GROUP_DAILY, 'started');

/** The earliest day a fact was seen. */
const RECORD_FACT = `insert into distinct_facts (site_id, fact, subject, member, day) values (?1, ?2, ?3, ?4, ?5)
  on conflict (site_id, fact, subject, member) do update set day = min(day, excluded.day)`;

const INSERT_GROUP_VISITOR = `insert into group_visitor_daily (site_id, group_type, group_id, day, visitor_id)
  values (?1, ?2, ?3, ?4, ?5) on conflict do nothing`;

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
function distinctCount(
  db: D1Database,
  sql: ReturnType<typeof distinctCountSql>,
  keys: readonly string[],
  f: Fact,
): D1PreparedStatement[] {
  const fact = [f.siteId, f.fact, f.subject, f.member];
  return [
    db.prepare(sql.leaveLaterDay).bind(...keys, ...fact, f.day),
    db.prepare(sql.countOnDay).bind(...keys, ...fact, f.day),
    db.prepare(RECORD_FACT).bind(...fact, f.day),
  ];
}

/**
 * Statements that keep the widget, campaign and sequence aggregates of one new widget event.
 * Plain counters (instances, dismisses) are incremented; distinct counts (sessions with a click
 * or hover, sessions that started a campaign) go through `distinct_facts`; the visitors shown a
 * campaign or sequence are kept per day (`group_visitor_daily`).
 */
function widgetEventStatements(db: D1Database, event: StoredEvent): D1PreparedStatement[] {
  const day = dayOf(event.ts);
  const widget = [event.siteId, event.kind ?? '', event.widgetId ?? '', event.campaign ?? '', event.sequence ?? ''];
  const subject = JSON.stringify(widget.slice(1));
  const session = (fact: string): Fact => ({ siteId: event.siteId, fact, subject, member: event.sessionId, day });

  switch (event.type) {
    case 'instance':
      return [
        db.prepare(INCREMENT_INSTANCES).bind(...widget, day),
        ...(['campaign', 'sequence'] as const).flatMap((groupType) => {
          const groupId = event[groupType];
          if (!groupId) return [];
          return [
            ...distinctCount(db, COUNT_STARTED_SESSIONS, [event.siteId, groupType, groupId], {
              siteId: event.siteId,
              subject: groupId,
              day,
              fact: `${groupType}_started`,
              member: event.sessionId,
            }),
            db.prepare(INSERT_GROUP_VISITOR).bind(event.siteId, groupType, groupId, day, event.visitorId),
          ];
        }),
      ];
    case 'dismiss':
      return [db.prepare(INCREMENT_DISMISSES).bind(...widget, day)];
    case 'click':
      return distinctCount(db, COUNT_CLICK_SESSIONS, widget, session('widget_click'));
    case 'hover':
      return distinctCount(db, COUNT_HOVER_SESSIONS, widget, session('widget_hover'));
    default:
      return [];
  }
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

const WIDGET_COUNTERS = `select ${WIDGET_KEY} as key, sum(instances) as instances, sum(clicks) as clicks,
    sum(hovers) as hovers, sum(dismisses) as dismisses
  from widget_daily where site_id = ?1 and day >= ?2 and day < ?3
  group by kind, widget_id, campaign, sequence`;

/** Every widget's counters over the range's days. */
export async function widgetCounters(db: D1Database, siteId: string, range: StatsRange): Promise<WidgetCounters[]> {
  return rowsInRange<WidgetCounters>(db, WIDGET_COUNTERS, siteId, range);
}

export interface GroupCounters {
  /** The campaign or sequence. */
  key: string;
  started: number;
  profiles: number;
}

/** Sessions count on the day they started; visitors once over all the range's days. */
const GROUP_COUNTERS = `select key, sum(started) as started, sum(profiles) as profiles from (
    select group_id as key, sum(started) as started, 0 as profiles from group_daily
    where site_id = ?1 and day >= ?2 and day < ?3 and group_type = ?4 group by group_id
    union all
    select group_id, 0, count(distinct visitor_id) from group_visitor_daily
    where site_id = ?1 and group_type = ?4 and day >= ?2 and day < ?3 group by group_id
  ) group by key`;

/** Every campaign's or sequence's counters over the range. */
export async function groupCounters(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
): Promise<GroupCounters[]> {
  return rowsInRange<GroupCounters>(db, GROUP_COUNTERS, siteId, range, groupType);
}

import type { Exposure } from './contribution.js';

/**
 * Lift groups a widget's eligibility counts in: the whole site, its campaign, the widget itself.
 *
 * @example liftGroups('popup', 'spring-sale', 'spring') // ['site', 'c:spring', 'w:popup:spring-sale']
 */
export const liftGroups = (kind: string, widgetId: string, campaign: string | undefined): string[] => [
  'site',
  ...(campaign ? [`c:${campaign}`] : []),
  `w:${kind}:${widgetId}`,
];

const UPSERT = `insert into exposures (site_id, visitor_id, group_key, cohort, first_ts)
  select ?1, j.value->>0, j.value->>1, j.value->>2, j.value->>3 from json_each(?2) j where true
  on conflict (site_id, visitor_id, group_key) do update set first_ts = min(first_ts, excluded.first_ts)`;

/**
 * Records first eligibilities. A visitor's cohort stays the one of its first eligibility: a
 * change of `data-holdout` does not move a visitor between cohorts mid-measurement.
 */
export const upsertExposuresStatement = (
  db: D1Database,
  siteId: string,
  exposures: Pick<Exposure, 'visitorId' | 'groupKey' | 'cohort' | 'firstTs'>[],
): D1PreparedStatement =>
  db.prepare(UPSERT).bind(siteId, JSON.stringify(exposures.map((e) => [e.visitorId, e.groupKey, e.cohort, e.firstTs])));

const BY_VISITORS = `select visitor_id as visitorId, group_key as groupKey, cohort, first_ts as firstTs,
    converted_ts as convertedTs
  from exposures where site_id = ?1 and visitor_id in (select value from json_each(?2))`;

export const exposuresStatement = (db: D1Database, siteId: string, visitors: string[]): D1PreparedStatement =>
  db.prepare(BY_VISITORS).bind(siteId, JSON.stringify(visitors));

const SET_CONVERTED = `update exposures set converted_ts = (select j.value->>2 from json_each(?2) j
    where j.value->>0 = exposures.visitor_id and j.value->>1 = exposures.group_key)
  where site_id = ?1 and (visitor_id, group_key) in (select j.value->>0, j.value->>1 from json_each(?2) j)`;

export const setConvertedStatement = (
  db: D1Database,
  siteId: string,
  changes: { visitorId: string; groupKey: string; convertedTs: number | null }[],
): D1PreparedStatement =>
  db.prepare(SET_CONVERTED).bind(siteId, JSON.stringify(changes.map((c) => [c.visitorId, c.groupKey, c.convertedTs])));

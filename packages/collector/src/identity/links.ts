import { type CustomerLink, MAX_DEVICES } from './person.js';

const UPSERT = (table: 'customer_visitors' | 'visitor_customers', first: string, second: string) =>
  `insert into ${table} (site_id, ${first}, ${second}, learned_at)
   select ?1, j.value->>0, j.value->>1, j.value->>2 from json_each(?2) j where true
   on conflict do update set learned_at = min(learned_at, excluded.learned_at)`;

const BY_CUSTOMER = UPSERT('customer_visitors', 'customer_hash', 'visitor_id');
const BY_VISITOR = UPSERT('visitor_customers', 'visitor_id', 'customer_hash');

/** Records links between visitors and customers (both directions), keeping the earliest time learned. */
export function upsertLinksStatements(db: D1Database, siteId: string, links: CustomerLink[]): D1PreparedStatement[] {
  if (links.length === 0) return [];
  return [
    db.prepare(BY_CUSTOMER).bind(siteId, JSON.stringify(links.map((l) => [l.customerHash, l.visitorId, l.learnedAt]))),
    db.prepare(BY_VISITOR).bind(siteId, JSON.stringify(links.map((l) => [l.visitorId, l.customerHash, l.learnedAt]))),
  ];
}

/**
 * Every link that decides who owns the activity of these visitors and customers: the links of
 * the seed visitors, of the (at most `MAX_DEVICES` latest) devices of their customers and of the
 * seed customers. One statement: the person of a touch or order is decided in memory from these.
 */
const CLOSURE = `with seeds(v) as (select value from json_each(?2)),
  custs(c) as (
    select customer_hash from visitor_customers where site_id = ?1 and visitor_id in (select v from seeds)
    union select value from json_each(?3)),
  devices(v) as (
    select visitor_id from (
      select visitor_id, row_number() over (partition by customer_hash order by learned_at desc, visitor_id) as n
      from customer_visitors where site_id = ?1 and customer_hash in (select c from custs))
    where n <= ${MAX_DEVICES}
    union select v from seeds)
  select visitor_id as visitorId, customer_hash as customerHash, learned_at as learnedAt
  from visitor_customers where site_id = ?1 and visitor_id in (select v from devices)`;

export const linkClosureStatement = (
  db: D1Database,
  siteId: string,
  visitors: string[],
  customers: string[],
): D1PreparedStatement => db.prepare(CLOSURE).bind(siteId, JSON.stringify(visitors), JSON.stringify(customers));

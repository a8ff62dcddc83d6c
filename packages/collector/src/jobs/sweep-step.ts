import type { Site } from '../sites/site.js';
import { attributionStep } from './attribution-step.js';
import { advanceJob, finishJob } from './jobs-queries.js';
import type { WorkMessage } from './messages.js';
import { noSeeds } from './seeds.js';

/** Persons (visitors or customers with orders) one sweep step takes. */
const PAGE = 100;
/** A step's progress is recorded with a lease: if no progress comes by then, the cron resends it. */
export const SWEEP_LEASE_MS = 60_000;

const VISITORS = `select distinct visitor_id as id from orders indexed by orders_site_visitor_ts
  where site_id = ?1 and visitor_id > ?2 order by visitor_id limit ?3`;
const CUSTOMERS = `select distinct customer_hash as id from orders
  where site_id = ?1 and visitor_id is null and customer_hash is not null and customer_hash > ?2 order by customer_hash limit ?3`;

/**
 * One step of a settings sweep: re-attributes the next page of persons with orders (visitors in
 * id order, then customers whose orders name no visitor) under the site's current settings.
 * A sweep for an older settings version than the site's stops: the newer sweep covers it.
 */
export async function sweepStep(
  db: D1Database,
  directory: D1Database,
  site: Site,
  message: Extract<WorkMessage, { k: 'sweep' }>,
  now: number,
): Promise<WorkMessage[]> {
  if (message.version !== site.settingsVersion) return [];
  const [phase, after] = parseCursor(message.cursor);
  const { results } = await db
    .prepare(phase === 'v' ? VISITORS : CUSTOMERS)
    .bind(site.id, after, PAGE)
    .all<{ id: string }>();
  const seeds = noSeeds();
  for (const { id } of results) (phase === 'v' ? seeds.visitors : seeds.customers).set(id, null);
  const remaining = await attributionStep(db, site, seeds, [], [], now);
  const last = results.at(-1)?.id;
  const next = results.length < PAGE ? (phase === 'v' ? 'c:' : null) : `${phase}:${last}`;
  const follow: WorkMessage[] = remaining.length > 0 ? [{ k: 'persons', site: site.id, requests: remaining }] : [];
  const job = { siteId: site.id, kind: 'sweep', version: message.version } as const;
  if (next === null) {
    await finishJob(directory, job, message.cursor);
    return follow;
  }
  if (!(await advanceJob(directory, job, message.cursor, next, now, now + SWEEP_LEASE_MS))) return follow;
  return [...follow, { k: 'sweep', site: site.id, version: message.version, cursor: next }];
}

/** `v:<after>` (visitors after that id; '' first) or `c:<after>` (customers). */
function parseCursor(cursor: string | null): ['v' | 'c', string] {
  if (cursor === null) return ['v', ''];
  return [cursor.startsWith('c:') ? 'c' : 'v', cursor.slice(2)];
}

import type { Exposure } from '../attribution/contribution.js';
import { exposuresStatement, liftGroups, upsertExposuresStatement } from '../attribution/exposures.js';
import {
  insertTouchesStatements,
  qualifyingAction,
  sessionFirstsStatement,
  type Touch,
} from '../attribution/touches.js';
import { claimStatements, stepSeqOf, stepSeqStatement } from '../db/site-steps.js';
import { upsertLinksStatements } from '../identity/links.js';
import type { CustomerLink } from '../identity/person.js';
import { idsOf, insertIdsStatement, splitDuplicates, storedIdsStatement } from '../ingest/dedupe.js';
import type { IngestEvent } from '../ingest/event.js';
import { checkLandings, landingOutcome, landsFirst } from '../links/landing.js';
import { type LinkRow, linksByIdsStatement, recipientsStatement, toLinks } from '../links/queries.js';
import type { TokenCheck } from '../links/token.js';
import { type MergedOrder, mergeOrder, type OrderReport } from '../orders/merge.js';
import {
  appendReportsStatement,
  type OrderRow,
  ordersByIdsStatement,
  reportsStatement,
  toOrders,
  toReports,
  upsertOrdersStatement,
} from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { Fold } from '../stats/fold.js';
import { foldStatements, sketchReads, storedSketches } from '../stats/fold-sql.js';
import { type SessionFact, sessionFactsStatement, upsertSessionFactsStatement } from '../stats/session-facts.js';
import { foldWidgetEvents, type SessionFirst } from '../stats/widget-counts.js';
import { slotOf } from '../time/slots.js';
import type { Seeds } from './seeds.js';

const unique = <T>(items: Iterable<T>): T[] => [...new Set(items)];
const rows = (r: D1Result<Record<string, unknown>> | undefined) => (r?.results ?? []) as unknown[];

/** What an ingest step leaves for attribution: whom to re-attribute, and orders no one owns. */
export interface IngestOutcome {
  seeds: Seeds;
  orphans: OrderRow[];
  accepted: number;
  duplicates: number;
}

/**
 * Stores a site's accepted events (from one or more queue messages) and merges the orders whose
 * reports changed, in one read and one write of the site's database:
 *
 * 1. read: which ids are stored already, the links the landings name, the sessions' first
 *    showings and clicks, the visitors' eligibilities, the orders' logs and rows, the sketches
 *    the batch adds visitors to;
 * 2. fold every new event into touches, facts, reports and aggregate deltas in memory;
 * 3. write it all in one D1 batch (a transaction): the event ids go in with plain inserts, so a
 *    concurrent writer of the same ids fails the batch and the queue retries it.
 *
 * Answers the persons whose attribution may have changed (the caller runs it next).
 */
export async function ingestStep(
  db: D1Database,
  site: Site,
  events: readonly IngestEvent[],
  orderIds: readonly string[],
  now: number,
): Promise<IngestOutcome> {
  const landings = events.filter((e) => e.t === 'landing');
  const checks = await checkLandings(site.id, site.linkSecrets, landings, now);
  const linkIds = unique([...checks.values()].flatMap((c) => (c.ok ? [c.linkId] : [])));
  const factSessions = unique(events.filter((e) => e.t === 'instance' && (e.c || e.q)).map((e) => e.s));
  const touchEvents = events.filter((e) => e.t === 'click' || e.t === 'hover');
  const eligibleVisitors = unique(events.filter((e) => e.t === 'eligible').map((e) => e.v));
  const changedOrders = unique([...events.flatMap((e) => (e.t === 'checkout' ? [e.o!] : [])), ...orderIds]);

  // Sketch cells the batch may add to, read with everything else (a superset: duplicates too).
  const probe = new Fold();
  foldSketchCells(probe, events);
  const sketchQueries = sketchReads(db, site.id, probe);

  const reads = [
    storedIdsStatement(
      db,
      site.id,
      events.map((e) => e.id),
      now,
    ),
    linksByIdsStatement(db, site.id, linkIds),
    sessionFactsStatement(db, site.id, factSessions),
    sessionFirstsStatement(db, site.id, unique(touchEvents.map((e) => e.v)), unique(touchEvents.map((e) => e.s))),
    exposuresStatement(db, site.id, eligibleVisitors),
    reportsStatement(db, site.id, changedOrders),
    ordersByIdsStatement(db, site.id, changedOrders),
    stepSeqStatement(db, site.id),
    ...sketchQueries.map((q) => q.statement),
  ];
  const results = await db.batch<Record<string, unknown>>(reads);
  const [stored, linkRows, factRows, firstRows, exposureRows, reportRows, orderRows, seqRow] = results;
  const links = toLinks(linkRows);
  const { fresh, duplicates } = splitDuplicates(events, idsOf(stored));

  const fold = new Fold();
  const seeds: Seeds = { visitors: new Map(), customers: new Map() };
  const touches: Touch[] = [];
  const newReports: { orderId: string; report: Omit<OrderReport, 'seq'> }[] = [];
  const customerLinks: CustomerLink[] = [];
  const recipients = new Map<string, { linkId: string; visitorId: string; ts: number }>();
  const eligibility = new Map<string, Pick<Exposure, 'visitorId' | 'groupKey' | 'cohort' | 'firstTs'>>();

  for (const e of fresh) {
    const slot = slotOf(e.ts);
    switch (e.t) {
      case 'landing': {
        const outcome = landingOutcome(checks.get(e.id), links);
        if (!outcome.ok) {
          fold.add('site_slots', [slot, `landing_${outcome.reason}`], { count: 1 });
          break;
        }
        const { link } = outcome;
        touches.push({
          ...touchBase(e),
          type: 'landing',
          action: 'link_landing',
          linkId: link.linkId,
          channel: link.channel,
          conversation: link.conversation,
          agent: link.agent === '' ? null : link.agent,
        });
        if (landsFirst(link, e.v, e.ts)) {
          recipients.set(link.linkId, { linkId: link.linkId, visitorId: e.v, ts: e.ts });
          link.recipientTs = e.ts;
          link.recipientVisitor = e.v;
        }
        break;
      }
      case 'click':
      case 'hover': {
        const action = qualifyingAction(e.t, e.k);
        touches.push({
          ...touchBase(e),
          type: e.t,
          action,
          kind: e.k ?? null,
          widgetId: e.w ?? null,
          campaign: e.c ?? null,
          sequence: e.q ?? null,
        });
        break;
      }
      case 'checkout':
        newReports.push({
          orderId: e.o!,
          report: {
            source: 'sdk',
            visitorId: e.v,
            customerHash: null,
            ts: e.ts,
            valueMinor: e.val!,
            currency: e.cur!,
            status: 'placed',
            receivedAt: now,
          },
        });
        break;
      case 'identify':
        customerLinks.push({ customerHash: e.cu!, visitorId: e.v, learnedAt: e.ts });
        break;
      case 'eligible': {
        const cohort = e.h === 1 ? 1 : 0;
        for (const groupKey of liftGroups(e.k!, e.w!, e.c)) {
          fold.addVisitor('lift_slots', [slot, groupKey, cohort], e.v);
          const key = `${e.v}|${groupKey}`;
          const before = eligibility.get(key);
          if (!before || e.ts < before.firstTs)
            eligibility.set(key, { visitorId: e.v, groupKey, cohort, firstTs: e.ts });
        }
        break;
      }
      case 'drop':
        fold.add('site_slots', [slot, 'dropped'], { count: e.n! });
        break;
    }
  }
  const facts = foldWidgetEvents(
    fold,
    fresh.filter((e) => e.t === 'instance' || e.t === 'dismiss' || e.t === 'click' || e.t === 'hover'),
    rows(factRows) as SessionFact[],
    rows(firstRows) as SessionFirst[],
  );

  // An eligibility that is new, or earlier than the stored one, changes which orders count for lift.
  const storedExposures = new Map((rows(exposureRows) as Exposure[]).map((x) => [`${x.visitorId}|${x.groupKey}`, x]));
  const exposures = [...eligibility.entries()]
    .filter(([key, x]) => {
      const before = storedExposures.get(key);
      return !before || x.firstTs < before.firstTs;
    })
    .map(([, x]) => x);
  // Seeds come from every event of the step, duplicates too: a duplicate may be the retry of a
  // step whose write committed but whose attribution never ran.
  for (const e of events) seedEvent(seeds, e, checks, links);

  const { merged, current, orphans } = mergeOrders(
    changedOrders,
    toReports(reportRows),
    newReports,
    toOrders(orderRows),
  );
  for (const { before, after } of current) {
    const from = before ? Math.min(before.ts, after.ts) : after.ts;
    for (const o of before ? [before, after] : [after]) {
      if (o.visitorId !== null) seedVisitor(seeds, o.visitorId, from);
      if (o.customerHash !== null) seedCustomer(seeds, o.customerHash, from);
    }
    // A server order naming both ties the visitor to the customer, like `identify`.
    if (after.visitorId !== null && after.customerHash !== null) {
      customerLinks.push({ customerHash: after.customerHash, visitorId: after.visitorId, learnedAt: after.ts });
    }
  }

  const sketches = storedSketches(sketchQueries, results.slice(reads.length - sketchQueries.length));
  const writes = [
    ...claimStatements(db, site.id, stepSeqOf(seqRow)),
    ...(fresh.length > 0
      ? [
          insertIdsStatement(
            db,
            site.id,
            fresh.map((e) => e.id),
            now,
          ),
        ]
      : []),
    ...insertTouchesStatements(db, site.id, touches),
    ...(facts.length > 0 ? [upsertSessionFactsStatement(db, site.id, facts)] : []),
    ...(exposures.length > 0 ? [upsertExposuresStatement(db, site.id, exposures)] : []),
    ...upsertLinksStatements(db, site.id, customerLinks),
    ...(recipients.size > 0 ? [recipientsStatement(db, site.id, [...recipients.values()])] : []),
    ...(newReports.length > 0 ? [appendReportsStatement(db, site.id, newReports)] : []),
    ...(merged.length > 0
      ? [
          upsertOrdersStatement(
            db,
            site.id,
            merged.map((m) => ({ orderId: m.orderId, order: m.after })),
            now,
          ),
        ]
      : []),
    ...foldStatements(db, site.id, fold, sketches),
  ];
  // Nothing to write but the claim: skip the write (and the claim) altogether.
  if (writes.length > 2) await db.batch(writes);
  return { seeds, orphans, accepted: fresh.length, duplicates };
}

/** Whom an event can move credit for, and from when. */
function seedEvent(
  seeds: Seeds,
  e: IngestEvent,
  checks: Map<string, TokenCheck>,
  links: ReadonlyMap<string, LinkRow>,
): void {
  switch (e.t) {
    case 'landing':
      if (landingOutcome(checks.get(e.id), links).ok) seedVisitor(seeds, e.v, e.ts);
      break;
    case 'click':
    case 'hover':
      if (qualifyingAction(e.t, e.k)) seedVisitor(seeds, e.v, e.ts);
      break;
    case 'eligible':
      // Orders from the first eligibility on count for lift.
      seedVisitor(seeds, e.v, e.ts);
      break;
    case 'identify':
      seedVisitor(seeds, e.v, null);
      seedCustomer(seeds, e.cu!, null);
      break;
  }
}

const touchBase = (e: IngestEvent) => ({
  visitorId: e.v,
  ts: e.ts,
  eventId: e.id,
  sessionId: e.s,
  kind: null,
  widgetId: null,
  campaign: null,
  sequence: null,
  linkId: null,
  channel: null,
  conversation: null,
  agent: null,
  clientTs: e.cts,
});

/** The sketch cells a batch's events can add a visitor to (showings and eligibilities). */
function foldSketchCells(fold: Fold, events: readonly IngestEvent[]): void {
  for (const e of events) {
    const slot = slotOf(e.ts);
    if (e.t === 'instance') {
      if (e.c) fold.addVisitor('group_slots', [slot, 'campaign', e.c], e.v);
      if (e.q) fold.addVisitor('group_slots', [slot, 'sequence', e.q], e.v);
    } else if (e.t === 'eligible') {
      for (const g of liftGroups(e.k!, e.w!, e.c)) fold.addVisitor('lift_slots', [slot, g, e.h === 1 ? 1 : 0], e.v);
    }
  }
}

function seedVisitor(seeds: Seeds, visitorId: string, from: number | null): void {
  seeds.visitors.set(visitorId, earlier(seeds.visitors, visitorId, from));
}

function seedCustomer(seeds: Seeds, customerHash: string, from: number | null): void {
  seeds.customers.set(customerHash, earlier(seeds.customers, customerHash, from));
}

const earlier = (map: Map<string, number | null>, key: string, from: number | null): number | null => {
  if (!map.has(key)) return from;
  const before = map.get(key)!;
  return before === null || from === null ? null : Math.min(before, from);
};

const SAME_FIELDS = ['visitorId', 'customerHash', 'ts', 'valueMinor', 'currency', 'status', 'verified'] as const;
const sameOrder = (a: MergedOrder, b: MergedOrder) => SAME_FIELDS.every((f) => a[f] === b[f]);

/**
 * Merges each order's log (stored reports, then this step's new SDK reports, which are appended
 * after them). Answers every order as merged now (`current`, whose persons are re-attributed
 * even when nothing changed: this may be the retry of a step whose attribution never ran), those
 * whose stored fields change (`merged`), and those with no one to credit (`orphans`).
 */
function mergeOrders(
  ids: readonly string[],
  stored: Map<string, OrderReport[]>,
  added: readonly { orderId: string; report: Omit<OrderReport, 'seq'> }[],
  rowsBefore: OrderRow[],
): { merged: MergedPair[]; current: MergedPair[]; orphans: OrderRow[] } {
  const before = new Map(rowsBefore.map((o) => [o.orderId, o]));
  const current: MergedPair[] = [];
  const orphans: OrderRow[] = [];
  for (const orderId of ids) {
    const log = [...(stored.get(orderId) ?? [])];
    let seq = Math.max(0, ...log.map((r) => r.seq));
    for (const a of added) if (a.orderId === orderId) log.push({ ...a.report, seq: ++seq });
    const after = mergeOrder(log);
    const row = before.get(orderId);
    if (!after || row?.erased) continue;
    current.push({ orderId, before: row, after });
    // Attributed to nobody, but counted in totals; compared with what it applied, so a retry is harmless.
    if (after.visitorId === null && after.customerHash === null) {
      orphans.push({ ...after, orderId, applied: row?.applied ?? null, erased: false });
    }
  }
  return { merged: current.filter((m) => !m.before || !sameOrder(m.before, m.after)), current, orphans };
}

interface MergedPair {
  orderId: string;
  before: OrderRow | undefined;
  after: MergedOrder;
}

import { setConvertedStatement } from '../attribution/exposures.js';
import {
  PERSON_STATEMENTS,
  type PersonRequest,
  personData,
  personStatements,
  planPersons,
} from '../attribution/persons.js';
import {
  type AppliedChange,
  type ConvertedChange,
  moveConverters,
  reattributeOrphans,
  reattributePerson,
} from '../attribution/reattribute.js';
import { SETTLED_AFTER_MS } from '../attribution/windows.js';
import { claimStatements, stepSeqOf, stepSeqStatement } from '../db/site-steps.js';
import { linkClosureStatement } from '../identity/links.js';
import { type CustomerLink, type PersonKey, personsOf } from '../identity/person.js';
import { type OrderRow, setAppliedStatement } from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { Fold } from '../stats/fold.js';
import { foldStatements, sketchReads, storedSketches } from '../stats/fold-sql.js';
import type { Seeds } from './seeds.js';

/** How many persons one attribution step loads; the rest continue in a queued message. */
export const PERSONS_PER_STEP = 100;

/**
 * Re-attributes the persons that `seeds` and `requests` name, within a bounded step:
 *
 * 1. read the customer links around them (who owns which device's activity);
 * 2. read each person's orders, touches and eligibilities (at most `PERSONS_PER_STEP` persons,
 *    each load bounded too);
 * 3. compute every owned order's contribution with the pure rules and fold the differences;
 * 4. read the lift sketches the fold adds converters to (only when some moved);
 * 5. write the new contributions, converter times and aggregate deltas in one D1 batch.
 *
 * Re-running it changes nothing (contributions are compared with what was applied), so a step
 * that failed half way is simply run again. Answers the persons still to do.
 */
export async function attributionStep(
  db: D1Database,
  site: Site,
  seeds: Seeds,
  requests: readonly PersonRequest[],
  orphans: readonly OrderRow[],
  now: number,
): Promise<PersonRequest[]> {
  const fold = new Fold();
  const applied: AppliedChange[] = reattributeOrphans(orphans, site.settings, fold);
  const converted: ConvertedChange[] = [];
  const remaining: PersonRequest[] = [];

  const keyed = (prefix: 'v:' | 'c:') => requests.flatMap((r) => (r.key.startsWith(prefix) ? [r.key.slice(2)] : []));
  const visitors = [...new Set([...seeds.visitors.keys(), ...keyed('v:')])];
  const customers = [...new Set([...seeds.customers.keys(), ...keyed('c:')])];
  if (visitors.length + customers.length + orphans.length === 0) return [];
  const [closure, seqRow] = await db.batch<Record<string, unknown>>([
    linkClosureStatement(db, site.id, visitors, customers),
    stepSeqStatement(db, site.id),
  ]);
  const seq = stepSeqOf(seqRow);
  if (visitors.length + customers.length > 0) {
    const links = closure!.results as unknown as CustomerLink[];
    const wanted: PersonRequest[] = [
      ...requests,
      ...[...seeds.visitors].flatMap(([v, from]) => personsOf(v, links).map((key) => ({ key, from }))),
      ...[...seeds.customers].map(([c, from]) => ({ key: `c:${c}` as PersonKey, from })),
    ];
    const plans = planPersons(wanted, links, site.settings);
    const taken = plans.slice(0, PERSONS_PER_STEP);
    remaining.push(...plans.slice(PERSONS_PER_STEP).map(({ key, from }) => ({ key, from })));
    if (taken.length > 0) {
      const results = await db.batch<Record<string, unknown>>(taken.flatMap((p) => personStatements(db, site.id, p)));
      const loaded = taken.map((plan, i) =>
        personData(plan, results.slice(i * PERSON_STATEMENTS, (i + 1) * PERSON_STATEMENTS)),
      );
      for (const data of loaded) {
        const result = reattributePerson(data, links, site.settings, fold, now - SETTLED_AFTER_MS);
        applied.push(...result.applied);
        if (result.continueFrom !== null) remaining.push({ key: data.plan.key, from: result.continueFrom });
      }
      converted.push(...moveConverters(loaded, fold));
    }
  }

  const sketchQueries = sketchReads(db, site.id, fold);
  const sketches =
    sketchQueries.length > 0
      ? storedSketches(sketchQueries, await db.batch<Record<string, unknown>>(sketchQueries.map((q) => q.statement)))
      : new Map();
  const writes = [
    ...claimStatements(db, site.id, seq),
    ...(applied.length > 0 ? [setAppliedStatement(db, site.id, applied)] : []),
    ...(converted.length > 0 ? [setConvertedStatement(db, site.id, converted)] : []),
    ...foldStatements(db, site.id, fold, sketches),
  ];
  if (writes.length > 2) await db.batch(writes);
  return remaining;
}

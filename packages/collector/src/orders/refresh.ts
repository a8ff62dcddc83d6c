import { mergeOrder } from './merge.js';
import { loadOrder, loadSources, type OrderRow, updateMerged } from './queries.js';

/**
 * Re-merges an order from its sources and writes the merged fields. Returns the visitors whose
 * attribution it touches (the previous and the new one), or the row itself when it has none.
 */
export async function refreshOrder(
  db: D1Database,
  siteId: string,
  orderId: string,
  now: number,
): Promise<{ visitors: string[]; orphan?: OrderRow }> {
  const [before, sources] = await Promise.all([loadOrder(db, siteId, orderId), loadSources(db, siteId, orderId)]);
  const merged = mergeOrder(sources);
  if (!before || !merged) return { visitors: [] };
  const same =
    before.visitorId === merged.visitorId &&
    before.ts === merged.ts &&
    before.valueMinor === merged.valueMinor &&
    before.currency === merged.currency &&
    before.status === merged.status &&
    before.verified === merged.verified;
  if (!same) {
    // The merge is a function of the sources alone, so concurrent refreshes write the same thing.
    await updateMerged(db, siteId, orderId, merged, now);
  }
  const visitors = [before.visitorId, merged.visitorId].filter((v): v is string => v !== null);
  if (merged.visitorId !== null) return { visitors: [...new Set(visitors)] };
  const orphan = { ...before, ...merged };
  return { visitors, orphan };
}

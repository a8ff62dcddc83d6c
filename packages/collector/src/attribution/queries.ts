import type { Action, WidgetKind } from '@lasttouch/shared';
import type { Interaction } from './rules.js';

interface InteractionRow extends Omit<Interaction, 'forwarded' | 'kind'> {
  kind: WidgetKind | null;
  forwarded: number;
}

/** Every qualifying interaction of a visitor: the candidates of its orders. */
export async function loadInteractions(db: D1Database, siteId: string, visitorId: string): Promise<Interaction[]> {
  const { results } = await db
    .prepare(
      `select event_id as eventId, ts, action, kind, widget_id as widgetId, campaign, sequence, channel, conversation,
        agent, forwarded from interactions where site_id = ? and visitor_id = ?`,
    )
    .bind(siteId, visitorId)
    .all<InteractionRow>();
  return results.map((r) => ({ ...r, action: r.action as Action, forwarded: Boolean(r.forwarded) }));
}

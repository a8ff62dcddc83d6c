import type { Action } from '@lasttouch/shared';
import type { Deriver, StoredEvent } from '../ingest/types.js';

/** The action a widget event qualifies as (contract section 2), if any. */
export function qualifyingAction(event: Pick<StoredEvent, 'type' | 'kind'>): Action | null {
  if (event.type === 'click') {
    if (event.kind === 'popup') return 'popup_click';
    if (event.kind === 'notification') return 'notification_click';
    if (event.kind === 'block') return 'block_click';
  }
  if (event.type === 'hover' && event.kind === 'notification') return 'notification_hover';
  return null;
}

/** Widget events that qualify: the candidate row attribution reads (`interactions`). */
export const recordInteraction: Deriver = async (ctx, event) => {
  const action = qualifyingAction(event);
  if (!action) return [];
  return [
    ctx.db
      .prepare(
        `insert into interactions (site_id, event_id, visitor_id, session_id, ts, action, kind, widget_id, campaign, sequence)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      )
      .bind(
        event.siteId,
        event.eventId,
        event.visitorId,
        event.sessionId,
        event.ts,
        action,
        event.kind ?? null,
        event.widgetId ?? null,
        event.campaign ?? null,
        event.sequence ?? null,
      ),
  ];
};

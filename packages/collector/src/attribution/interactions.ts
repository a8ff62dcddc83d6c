import type { Action } from '@lasttouch/shared';
import type { Deriver, StoredEvent } from '../ingest/types.js';
import { insertWidgetInteraction } from './queries.js';

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
    insertWidgetInteraction(ctx.db, {
      siteId: event.siteId,
      eventId: event.eventId,
      visitorId: event.visitorId,
      sessionId: event.sessionId,
      ts: event.ts,
      action,
      kind: event.kind ?? null,
      widgetId: event.widgetId ?? null,
      campaign: event.campaign ?? null,
      sequence: event.sequence ?? null,
    }),
  ];
};

import { ACTIONS, type Action } from '@lasttouch/shared';
import type { Deriver, StoredEvent } from '../ingest/types.js';
import { insertWidgetInteraction } from './queries.js';

/**
 * The action a widget event qualifies as, if any: `kind_type` when that is one of `ACTIONS`.
 * A popup or block qualifies by a click, a notification by a click or a hover; showings and
 * dismisses never do (a click on a dismiss control arrives as a dismiss).
 *
 * @example qualifyingAction({ type: 'hover', kind: 'notification' }) // 'notification_hover'
 */
export function qualifyingAction(event: Pick<StoredEvent, 'type' | 'kind'>): Action | null {
  const action = `${event.kind}_${event.type}`;
  return (ACTIONS as readonly string[]).includes(action) ? (action as Action) : null;
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

import type { Action, ChatGroupBy, InteractionView } from '@lasttouch/shared';
import { KIND_LABELS } from './settings-model.js';

export const ACTION_LABELS: Record<Action, string> = {
  popup_click: 'Pop-up click',
  notification_click: 'Notification click',
  notification_hover: 'Notification hover',
  block_click: 'Block click',
  link_landing: 'Tagged link opened',
};

export const CHAT_GROUP_LABELS: Record<ChatGroupBy, string> = {
  channel: 'Channel',
  agent: 'Agent',
  conversation: 'Conversation',
};

/**
 * An interaction in a sentence: "Pop-up click on “spring-sale” (campaign spring, sequence
 * welcome)" or "Tagged link opened from whatsapp, conversation conv-1 (forwarded)".
 */
export function describeInteraction(i: InteractionView): string {
  if (i.action === 'link_landing') {
    const where = [i.channel ? `from ${i.channel}` : null, i.conversation ? `conversation ${i.conversation}` : null]
      .filter(Boolean)
      .join(', ');
    const forwarded = i.forwarded ? ' (forwarded: opened by another visitor than the first)' : '';
    return `${ACTION_LABELS[i.action]}${where ? ` ${where}` : ''}${forwarded}`;
  }
  const what = i.kind ? KIND_LABELS[i.kind].toLowerCase() : 'widget';
  const verb = i.action.endsWith('_hover') ? 'hover' : 'click';
  const groups = [i.campaign ? `campaign ${i.campaign}` : null, i.sequence ? `sequence ${i.sequence}` : null]
    .filter(Boolean)
    .join(', ');
  const label = `${what[0]?.toUpperCase()}${what.slice(1)} ${verb}`;
  return `${label} on “${i.id ?? '?'}”${groups ? ` (${groups})` : ''}`;
}

import { EVENT_TYPES, WIDGET_KINDS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { qualifyingAction } from './touches.js';

describe('qualifyingAction', () => {
  it('qualifies popup and block clicks and notification clicks and hovers, nothing else', () => {
    const qualifying = WIDGET_KINDS.flatMap((kind) =>
      EVENT_TYPES.flatMap((type) => {
        const action = qualifyingAction(type, kind);
        return action ? [[kind, type, action]] : [];
      }),
    );
    expect(qualifying).toEqual([
      ['popup', 'click', 'popup_click'],
      ['notification', 'click', 'notification_click'],
      ['notification', 'hover', 'notification_hover'],
      ['block', 'click', 'block_click'],
    ]);
    expect(qualifyingAction('landing', undefined)).toBeNull();
    expect(qualifyingAction('checkout', undefined)).toBeNull();
  });
});

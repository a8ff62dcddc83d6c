import { EVENT_TYPES, WIDGET_KINDS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { qualifyingAction } from './interactions.js';

describe('qualifyingAction', () => {
  it('qualifies popup and block clicks and notification clicks and hovers, nothing else', () => {
    const qualifying = WIDGET_KINDS.flatMap((kind) =>
      EVENT_TYPES.flatMap((type) => {
        const action = qualifyingAction({ kind, type });
        return action ? [[kind, type, action]] : [];
      }),
    );
    expect(qualifying).toEqual([
      ['popup', 'click', 'popup_click'],
      ['notification', 'click', 'notification_click'],
      ['notification', 'hover', 'notification_hover'],
      ['block', 'click', 'block_click'],
    ]);
    expect(qualifyingAction({ type: 'landing', kind: null })).toBeNull();
    expect(qualifyingAction({ type: 'checkout' })).toBeNull();
  });
});

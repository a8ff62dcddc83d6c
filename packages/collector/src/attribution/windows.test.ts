import type { Settings } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../sites/site.js';
import { longestWindow, windowFor } from './windows.js';

const base = defaultSettings();
const withWindows = (windows: Partial<Settings['attributionWindows']>): Settings => ({
  ...base,
  attributionWindows: { ...base.attributionWindows, ...windows },
});

describe('windowFor', () => {
  const s = withWindows({ default: 100, kinds: { popup: 50 }, channels: { sms: 20 }, campaigns: { spring: 10 } });

  it('prefers campaign over channel over kind over default, in milliseconds', () => {
    expect(windowFor({ campaign: 'spring', channel: 'sms', kind: 'popup' }, s)).toBe(10_000);
    expect(windowFor({ campaign: 'other', channel: 'sms', kind: null }, s)).toBe(20_000);
    expect(windowFor({ campaign: null, channel: 'email', kind: 'popup' }, s)).toBe(50_000);
    expect(windowFor({ campaign: null, channel: null, kind: 'block' }, s)).toBe(100_000);
  });

  it('ignores names inherited from Object.prototype', () => {
    expect(windowFor({ campaign: 'constructor', channel: 'toString', kind: null }, s)).toBe(100_000);
  });

  it('knows the longest window of a site', () => {
    expect(longestWindow(s)).toBe(100_000);
    expect(longestWindow(withWindows({ default: 5, channels: { email: 432_000 } }))).toBe(432_000_000);
  });
});

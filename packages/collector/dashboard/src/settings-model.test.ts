import { describe, expect, it } from 'vitest';
import * as fx from '../test/fixtures.js';
import {
  changedFields,
  fieldOfIssue,
  fromForm,
  issuesByField,
  secondsOf,
  toForm,
  windowInput,
} from './settings-model.js';

describe('settings form', () => {
  it('shows windows in the largest unit that divides them', () => {
    expect(windowInput(1_209_600)).toEqual({ amount: '14', unit: 'days' });
    expect(windowInput(5400)).toEqual({ amount: '90', unit: 'minutes' });
    expect(windowInput(61)).toEqual({ amount: '61', unit: 'seconds' });
    expect(windowInput(undefined)).toEqual({ amount: '', unit: 'days' });
  });

  it('reads typed windows as seconds, leaving invalid ones for the API to refuse', () => {
    expect(secondsOf({ amount: '0.1', unit: 'days' })).toBe(8640);
    expect(secondsOf({ amount: '1.5', unit: 'seconds' })).toBe(1.5);
    expect(secondsOf({ amount: '0', unit: 'days' })).toBe(0);
    expect(secondsOf({ amount: ' ', unit: 'days' })).toBeNull();
  });

  it('gives back the settings it was made from', () => {
    const form = toForm(fx.settings);
    expect(form.kinds).toEqual({
      popup: { amount: '1', unit: 'days' },
      notification: { amount: '', unit: 'days' },
      block: { amount: '', unit: 'days' },
    });
    const { acceptsAnyOrigin: _, ...stored } = fx.settings;
    expect(fromForm(form)).toEqual(stored);
    expect(changedFields(fx.settings, form)).toEqual({});
  });

  it('sends only the top-level fields that changed', () => {
    const form = toForm(fx.settings);
    form.channels.push({ name: 'email', amount: '5', unit: 'days' });
    form.campaigns.push({ name: '', amount: '', unit: 'days' });
    expect(changedFields(fx.settings, form)).toEqual({
      attributionWindows: {
        default: 1_209_600,
        kinds: { popup: 86_400 },
        channels: { sms: 86_400, email: 432_000 },
        campaigns: {},
      },
    });
    form.timezone = 'America/New_York';
    form.origins = 'https://shop.example\n\n https://www.shop.example ';
    expect(Object.keys(changedFields(fx.settings, form)).sort()).toEqual([
      'allowedOrigins',
      'attributionWindows',
      'timezone',
    ]);
    expect(changedFields(fx.settings, form).allowedOrigins).toEqual([
      'https://shop.example',
      'https://www.shop.example',
    ]);
  });

  it('keeps a reserved name as the merchant typed it', () => {
    const form = toForm(fx.settings);
    form.campaigns.push({ name: '__proto__', amount: '1', unit: 'days' });
    const sent = JSON.parse(JSON.stringify(changedFields(fx.settings, form)));
    expect(Object.hasOwn(sent.attributionWindows.campaigns, '__proto__')).toBe(true);
  });

  it('puts each API issue beside the field it names', () => {
    const form = toForm(fx.settings);
    form.campaigns.push({ name: 'summer.sale', amount: '0', unit: 'days' });
    expect(fieldOfIssue('attributionWindows.default', form)).toBe('settings-window-default');
    expect(fieldOfIssue('attributionWindows.kinds.popup', form)).toBe('settings-kind-popup');
    expect(fieldOfIssue('attributionWindows.kinds.banner', form)).toBe('settings-kinds');
    expect(fieldOfIssue('attributionWindows.channels.sms', form)).toBe('settings-channels-0');
    expect(fieldOfIssue('attributionWindows.campaigns.summer.sale', form)).toBe('settings-campaigns-0');
    expect(fieldOfIssue('allowedOrigins.0', form)).toBe('settings-origins');
    expect(fieldOfIssue('timezone', form)).toBe('settings-timezone');
    expect(fieldOfIssue('', form)).toBe('form');
    expect(
      issuesByField(
        [
          { path: 'allowedOrigins.0', message: 'must be an origin' },
          { path: 'allowedOrigins.1', message: 'must be an origin too' },
        ],
        form,
      ),
    ).toEqual({ 'settings-origins': 'must be an origin; must be an origin too' });
  });
});

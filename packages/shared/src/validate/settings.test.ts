import { describe, expect, it } from 'vitest';
import { originMatches, parseOriginPattern, settingsSchema, settingsUpdateSchema } from './settings.js';

const valid = {
  allowedOrigins: ['https://shop.example', 'http://127.0.0.1:8787'],
  attributionWindows: {
    default: 1_209_600,
    kinds: { popup: 86_400 },
    channels: { sms: 86_400 },
    campaigns: { spring: 1 },
  },
  creditPolicy: 'first',
  timezone: 'UTC',
};

describe('settings validation', () => {
  it('accepts a complete example', () => {
    expect(settingsSchema.safeParse(valid).success).toBe(true);
  });

  it('takes origins only, not urls with paths or trailing slashes', () => {
    for (const origin of ['https://shop.example/', 'https://shop.example/path', 'ftp://shop.example', 'shop.example']) {
      expect(settingsSchema.safeParse({ ...valid, allowedOrigins: [origin] }).success).toBe(false);
    }
  });

  it('bounds windows to whole seconds from 1 to a year', () => {
    for (const seconds of [0, 1.5, 31_536_001, -1]) {
      const windows = { ...valid.attributionWindows, default: seconds };
      expect(settingsSchema.safeParse({ ...valid, attributionWindows: windows }).success).toBe(false);
    }
    const badKind = { ...valid.attributionWindows, kinds: { banner: 10 } };
    expect(settingsSchema.safeParse({ ...valid, attributionWindows: badKind }).success).toBe(false);
  });

  it('needs at least one known field in an update', () => {
    expect(settingsUpdateSchema.safeParse({}).success).toBe(false);
    expect(settingsUpdateSchema.safeParse({ creditPolicy: 'last' }).success).toBe(false);
    expect(settingsUpdateSchema.safeParse({ creditPolicy: 'every' }).success).toBe(true);
    expect(settingsUpdateSchema.safeParse({ unknown: 1 }).success).toBe(false);
  });
});

describe('reserved keys', () => {
  it('refuses __proto__ as a kind, campaign or channel name instead of dropping it', () => {
    const kinds = JSON.parse('{"__proto__": 60}');
    expect(settingsUpdateSchema.safeParse({ attributionWindows: { ...valid.attributionWindows, kinds } }).success).toBe(
      false,
    );
    const campaigns = JSON.parse('{"__proto__": 60}');
    const result = settingsUpdateSchema.safeParse({ attributionWindows: { ...valid.attributionWindows, campaigns } });
    expect(result.success).toBe(false);
    const channels = JSON.parse('{"__proto__": 60}');
    expect(
      settingsUpdateSchema.safeParse({ attributionWindows: { ...valid.attributionWindows, channels } }).success,
    ).toBe(false);
  });
});

describe('wildcard origins', () => {
  it('takes https://*.shop.example, with a port too, and refuses a * anywhere else', () => {
    for (const ok of ['https://*.shop.example', 'http://*.shop.example:8080', 'https://*.a.b.shop.example']) {
      expect(settingsSchema.safeParse({ ...valid, allowedOrigins: [ok] }).success, ok).toBe(true);
    }
    for (const bad of [
      '*',
      'https://*',
      'https://*.example',
      'https://*.localhost',
      'https://a.*.shop.example',
      'https://*shop.example',
      'https://**.shop.example',
      'https://*.*.shop.example',
      'https://shop.*',
      'https://*.shop.example/',
      'https://*.shop.example/path',
      'https://*.Shop.example',
      '*.shop.example',
      'ftp://*.shop.example',
      'https://*.[::1]',
    ]) {
      expect(settingsSchema.safeParse({ ...valid, allowedOrigins: [bad] }).success, bad).toBe(false);
    }
    expect(parseOriginPattern('https://*.shop.example')).toEqual({
      protocol: 'https:',
      host: 'shop.example',
      port: '',
      wildcard: true,
    });
  });

  it('matches subdomains at any depth, never the bare suffix, a look-alike, another scheme or port', () => {
    const allowed = ['https://*.shop.example', 'http://localhost:8080'];
    for (const yes of ['https://de.shop.example', 'https://www.eu.shop.example', 'http://localhost:8080']) {
      expect(originMatches(allowed, yes), yes).toBe(true);
    }
    for (const no of [
      'https://shop.example',
      'https://evilshop.example',
      'https://shop.example.evil.example',
      'https://de.shop.example.evil.example',
      'http://de.shop.example',
      'https://de.shop.example:8443',
      'https://*.shop.example',
      'https://de.shop.example/',
      'null',
      'http://localhost:8081',
      '',
    ]) {
      expect(originMatches(allowed, no), no).toBe(false);
    }
    expect(originMatches(['https://shop.example'], 'https://shop.example')).toBe(true);
    expect(originMatches(['https://shop.example'], 'https://de.shop.example')).toBe(false);
  });
});

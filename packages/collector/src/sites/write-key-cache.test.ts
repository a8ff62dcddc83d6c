import type { KeyKind } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import type { ResolvedKey } from './queries.js';
import { defaultSettings, type Site } from './site.js';
import { forgetSite, rememberedKey, rememberKey, WRITE_KEY_CACHE_MS } from './write-key-cache.js';

const site = (id: string): Site => ({
  id,
  name: id,
  settings: defaultSettings(),
  database: 'DB',
  settingsVersion: 0,
  linkSecrets: new Map(),
  customerSecret: 'secret',
});
const resolved = (id: string, kind: KeyKind, expiresAt: number | null = null): ResolvedKey => ({
  site: site(id),
  kind,
  expiresAt,
});
const T = 1_800_000_000_000;

describe('write-key cache', () => {
  it('remembers a write key for WRITE_KEY_CACHE_MS, then reads again', () => {
    const found = resolved('s-ttl', 'write');
    rememberKey('ltw_ttl', found, T);
    expect(rememberedKey('ltw_ttl', T + WRITE_KEY_CACHE_MS - 1)).toBe(found);
    expect(rememberedKey('ltw_ttl', T + WRITE_KEY_CACHE_MS)).toBeUndefined();
    // Once expired it is gone, even for an earlier clock.
    expect(rememberedKey('ltw_ttl', T)).toBeUndefined();
  });

  it('never remembers a read or agent key: their replacement must stop them at once', () => {
    rememberKey('ltr_x', resolved('s-kinds', 'read'), T);
    rememberKey('lta_x', resolved('s-kinds', 'agent'), T);
    expect(rememberedKey('ltr_x', T)).toBeUndefined();
    expect(rememberedKey('lta_x', T)).toBeUndefined();
  });

  it('never keeps a replaced write key past its own end', () => {
    rememberKey('ltw_ending', resolved('s-end', 'write', T + 1_000), T);
    expect(rememberedKey('ltw_ending', T + 999)).toBeDefined();
    expect(rememberedKey('ltw_ending', T + 1_000)).toBeUndefined();
  });

  it('forgets every key of a site that changed, and only those', () => {
    rememberKey('ltw_a1', resolved('s-a', 'write'), T);
    rememberKey('ltw_a2', resolved('s-a', 'write'), T);
    rememberKey('ltw_b', resolved('s-b', 'write'), T);
    forgetSite('s-a');
    expect(rememberedKey('ltw_a1', T)).toBeUndefined();
    expect(rememberedKey('ltw_a2', T)).toBeUndefined();
    expect(rememberedKey('ltw_b', T)?.site.id).toBe('s-b');
  });
});

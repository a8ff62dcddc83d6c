import { describe, expect, it } from 'vitest';
import { addressKey, clientNetwork } from './rate-limit.js';

const withAddress = (address?: string) =>
  new Request('https://collector.test/', address === undefined ? {} : { headers: { 'CF-Connecting-IP': address } });

describe('clientNetwork', () => {
  it('is an IPv4 address itself, an IPv6 address its /64, an IPv4-mapped address its IPv4 address', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:DB8:AA:BB::ffff')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:0db8:00aa:00bb::')).toBe('2001:db8:aa:bb::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('is nothing for loopback (wrangler dev on this machine)', () => {
    for (const loopback of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(clientNetwork(loopback), loopback).toBeUndefined();
    }
  });

  it('keeps what is not an address as it is (it is hashed like any other)', () => {
    for (const odd of ['not an ip', '1:2:3', '::1::2', '2001:db8:zz::1', '1.2.3.999', '']) {
      expect(clientNetwork(odd), odd).toBe(odd);
    }
  });
});

describe('addressKey', () => {
  it('hashes the network, so no address reaches a limiter', async () => {
    const key = await addressKey(withAddress('203.0.113.7'));
    expect(key).toMatch(/^a:[0-9a-f]{32}$/);
    expect(key).not.toContain('203');
    expect(await addressKey(withAddress('2001:db8:aa:bb::1'))).toBe(await addressKey(withAddress('2001:db8:aa:bb::2')));
    expect(await addressKey(withAddress('2001:db8:aa:bc::1'))).not.toBe(
      await addressKey(withAddress('2001:db8:aa:bb::1')),
    );
  });

  it('is nothing without CF-Connecting-IP or from loopback', async () => {
    expect(await addressKey(withAddress())).toBeUndefined();
    expect(await addressKey(withAddress(' '))).toBeUndefined();
    expect(await addressKey(withAddress('127.0.0.1'))).toBeUndefined();
  });
});

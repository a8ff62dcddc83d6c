import { describe, expect, it } from 'vitest';
import { tagUrl } from './tag-url.js';

const ORIGINS = ['https://shop.example', 'http://localhost:8080'];
const tag = (url: string, origins: readonly string[] = ORIGINS) => tagUrl(url, 'TOKEN', origins);

describe('tagUrl', () => {
  it('adds lt_c after the existing query and keeps the hash', () => {
    expect(tag('https://shop.example/p/1?size=m&q=a%20b+c#reviews')).toEqual({
      ok: true,
      url: 'https://shop.example/p/1?size=m&q=a%20b+c&lt_c=TOKEN#reviews',
    });
    expect(tag('https://shop.example')).toEqual({ ok: true, url: 'https://shop.example/?lt_c=TOKEN' });
    expect(tag('http://localhost:8080/?#top')).toEqual({ ok: true, url: 'http://localhost:8080/?lt_c=TOKEN#top' });
  });

  it('replaces every existing lt_c, however it is spelled', () => {
    expect(tag('https://shop.example/?lt_c=old&a=1&lt%5Fc=older&lt_c&b=2')).toEqual({
      ok: true,
      url: 'https://shop.example/?a=1&b=2&lt_c=TOKEN',
    });
    expect(tag('https://shop.example/?lt_cx=1&xlt_c=2')).toEqual({
      ok: true,
      url: 'https://shop.example/?lt_cx=1&xlt_c=2&lt_c=TOKEN',
    });
  });

  it('keeps a malformed escape in another parameter untouched', () => {
    expect(tag('https://shop.example/?a=%E0%A4%A&lt_c=x')).toEqual({
      ok: true,
      url: 'https://shop.example/?a=%E0%A4%A&lt_c=TOKEN',
    });
  });

  it.each([
    ['javascript:alert(1)', 'invalid_url'],
    ['JavaScript://shop.example/%0aalert(1)', 'invalid_url'],
    ['data:text/html,hi', 'invalid_url'],
    ['ftp://shop.example/file', 'invalid_url'],
    ['//shop.example/p/1', 'invalid_url'],
    ['/p/1', 'invalid_url'],
    ['shop.example/p/1', 'invalid_url'],
    ['https://user:pass@shop.example/', 'invalid_url'],
    ['https://shop.example@evil.example/', 'invalid_url'],
    ['https://evil.example/?u=https://shop.example', 'origin_not_allowed'],
    ['https://shop.example.evil.example/', 'origin_not_allowed'],
    ['http://shop.example/', 'origin_not_allowed'],
    ['https://shop.example:8443/', 'origin_not_allowed'],
  ])('refuses %s (%s)', (url, code) => {
    expect(tag(url)).toMatchObject({ ok: false, code });
  });

  it('tags nothing while the site has no allowed origins', () => {
    expect(tag('https://shop.example/', [])).toMatchObject({ ok: false, code: 'no_allowed_origins' });
  });

  it('normalizes what URL normalizes (host case, default port) before comparing origins', () => {
    expect(tag('HTTPS://Shop.Example:443/a')).toEqual({ ok: true, url: 'https://shop.example/a?lt_c=TOKEN' });
  });

  it('tags subdomains of a wildcard origin, never its bare suffix or a look-alike', () => {
    const wildcard = ['https://*.shop.example'];
    expect(tag('https://de.shop.example/p/1?a=1', wildcard)).toEqual({
      ok: true,
      url: 'https://de.shop.example/p/1?a=1&lt_c=TOKEN',
    });
    expect(tag('https://www.eu.shop.example/', wildcard)).toMatchObject({ ok: true });
    for (const url of [
      'https://shop.example/',
      'https://evilshop.example/',
      'https://de.shop.example.evil.example/',
      'http://de.shop.example/',
      'https://*.shop.example/',
    ]) {
      expect(tag(url, wildcard), url).toMatchObject({ ok: false });
    }
  });
});

import { exports } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { parseArgs, requestLink } from '../scripts/tag-link-client.mjs';
import { BASE_URL, createSite } from './helpers.js';

const ORIGIN = 'https://shop.example';
const env = (key: string) => ({ LASTTOUCH_API: BASE_URL, LASTTOUCH_AGENT_KEY: key });
const worker = (url: string, init: RequestInit) => exports.default.fetch(url, init);

describe('tag-link script', () => {
  it('parses both argument spellings and takes the key from the environment only', () => {
    expect(
      parseArgs(['--url', `${ORIGIN}/p`, '--conversation=wa 1', '--channel', 'sms', '--agent=ana'], env('lta_x')),
    ).toEqual({
      ok: true,
      options: {
        api: BASE_URL,
        key: 'lta_x',
        body: { url: `${ORIGIN}/p`, conversation: 'wa 1', channel: 'sms', agent: 'ana' },
      },
    });
    expect(
      parseArgs(['--url', 'u', '--conversation', 'c', '--channel', 'sms', '--api', 'https://other.test'], env('k')),
    ).toMatchObject({ ok: true, options: { api: 'https://other.test' } });
    expect(parseArgs(['--url', 'u', '--channel', 'sms'], env('k'))).toMatchObject({
      ok: false,
      message: /missing --conversation/,
    });
    expect(parseArgs(['--key', 'k'], env('k'))).toMatchObject({ ok: false, message: /unknown argument --key/ });
    expect(parseArgs(['--url'], env('k'))).toMatchObject({ ok: false, message: /--url needs a value/ });
    expect(
      parseArgs(['--url', 'u', '--conversation', 'c', '--channel', 's'], { LASTTOUCH_API: BASE_URL }),
    ).toMatchObject({
      ok: false,
      message: /LASTTOUCH_AGENT_KEY/,
    });
  });

  it('returns the tagged url from the real API, and the API error otherwise', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const ok = parseArgs(
      ['--url', `${ORIGIN}/p?x=1`, '--conversation', 'c-1', '--channel', 'email'],
      env(site.agentKey),
    );
    if (!ok.ok) throw new Error(ok.message);
    const url = await requestLink(ok.options, worker);
    expect(url.startsWith(`${ORIGIN}/p?x=1&${LINK_PARAM}=`)).toBe(true);

    const other = parseArgs(
      ['--url', 'https://evil.example/', '--conversation', 'c', '--channel', 'sms'],
      env(site.agentKey),
    );
    if (!other.ok) throw new Error(other.message);
    await expect(requestLink(other.options, worker)).rejects.toThrow(
      /^400 origin_not_allowed: https:\/\/evil.example is not/,
    );
    const wrongKey = parseArgs(['--url', `${ORIGIN}/`, '--conversation', 'c', '--channel', 'sms'], env(site.writeKey));
    if (!wrongKey.ok) throw new Error(wrongKey.message);
    await expect(requestLink(wrongKey.options, worker)).rejects.toThrow(/^403 forbidden/);
  });
});

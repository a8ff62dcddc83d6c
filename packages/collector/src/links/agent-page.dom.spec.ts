import {
  type HTMLButtonElement,
  type HTMLElement,
  type HTMLFormElement,
  type HTMLInputElement,
  Window,
} from 'happy-dom';
import { describe, expect, it, vi } from 'vitest';
import { AGENT_HTML, AGENT_SCRIPT } from './agent-page-html.js';

const ORIGIN = 'https://collector.test';

interface Options {
  storedKey?: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  clipboard?: (text: string) => Promise<void>;
}

/** The page as a browser would build it, with its script run against fakes of the network and clipboard. */
function openPage(options: Options = {}) {
  const window = new Window({ url: `${ORIGIN}/agent` });
  const { document } = window;
  document.write(AGENT_HTML.replace(/<script>[\s\S]*<\/script>/, ''));
  if (options.storedKey) window.localStorage.setItem('lasttouch.agentKey', options.storedKey);
  const fetch = vi.fn(
    options.fetch ?? (async () => Response.json({ url: 'https://shop.example/p?lt_c=T' }, { status: 201 })),
  );
  const writeText = vi.fn(options.clipboard ?? (async () => undefined));
  new Function('document', 'localStorage', 'fetch', 'navigator', AGENT_SCRIPT)(document, window.localStorage, fetch, {
    clipboard: { writeText },
  });
  const $ = <T = HTMLInputElement>(id: string) => document.getElementById(id) as unknown as T;
  const fill = (fields: Record<string, string>) => {
    for (const [id, value] of Object.entries(fields)) {
      const el = $(id);
      el.value = value;
      el.dispatchEvent(new window.Event('change'));
    }
  };
  const submit = async () => {
    $<HTMLFormElement>('link-form').dispatchEvent(new window.Event('submit', { cancelable: true }));
    // The script disables the button while the request runs, so enabled again means done.
    const button = $<HTMLFormElement>('link-form').querySelector('button[type=submit]') as HTMLButtonElement;
    await vi.waitFor(() => expect(button.disabled).toBe(false));
  };
  const click = async (id: string) => {
    $<HTMLButtonElement>(id).click();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { window, $, fill, submit, click, fetch, writeText };
}

const FORM = { key: 'lta_secret', url: 'https://shop.example/p', conversation: 'wa-1' };

describe('agent page script', () => {
  it('posts the form to /v1/links with the key and shows the tagged link', async () => {
    const page = openPage();
    page.fill({ ...FORM, agent: ' ana ' });
    await page.submit();
    expect(page.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = page.fetch.mock.calls[0]!;
    expect(url).toBe('/v1/links');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer lta_secret' });
    expect(JSON.parse(init.body as string)).toEqual({
      url: 'https://shop.example/p',
      conversation: 'wa-1',
      channel: 'whatsapp',
      agent: 'ana',
    });
    expect(page.$('tagged').value).toBe('https://shop.example/p?lt_c=T');
    expect(page.$('result').hidden).toBe(false);
    expect(page.$('error').hidden).toBe(true);
  });

  it('remembers the key and agent name, and forgets the key on request', async () => {
    const first = openPage();
    first.fill({ ...FORM, agent: 'ana' });
    await first.submit();
    expect(first.window.localStorage.getItem('lasttouch.agentKey')).toBe('lta_secret');

    const page = openPage({ storedKey: 'lta_kept' });
    expect(page.$('key').value).toBe('lta_kept');
    await page.click('forget-key');
    expect(page.$('key').value).toBe('');
    expect(page.window.localStorage.getItem('lasttouch.agentKey')).toBeNull();
  });

  it('sends an other channel as typed, lowercased, and omits an empty agent', async () => {
    const page = openPage();
    expect(page.$('other-channel-field').hidden).toBe(true);
    page.fill({ ...FORM, channel: 'other' });
    expect(page.$('other-channel-field').hidden).toBe(false);
    page.fill({ 'other-channel': 'Line' });
    await page.submit();
    expect(JSON.parse(page.fetch.mock.calls[0]![1].body as string)).toEqual({
      url: FORM.url,
      conversation: 'wa-1',
      channel: 'line',
    });
  });

  it('shows an API error as plain text, markup included', async () => {
    const message = '<img src=x onerror=alert(1)> is not one of the allowed origins';
    const page = openPage({
      fetch: async () => Response.json({ error: { code: 'origin_not_allowed', message } }, { status: 400 }),
    });
    page.fill(FORM);
    await page.submit();
    const error = page.$<HTMLElement>('error');
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe(`Error 400: ${message}`);
    expect(error.children).toHaveLength(0);
    expect(page.$('result').hidden).toBe(true);
  });

  it('says so when the answer is not JSON or the collector cannot be reached', async () => {
    const broken = openPage({ fetch: async () => new Response('oops', { status: 502 }) });
    broken.fill(FORM);
    await broken.submit();
    expect(broken.$('error').textContent).toBe('Error 502: HTTP 502');

    const offline = openPage({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    offline.fill(FORM);
    await offline.submit();
    expect(offline.$('error').textContent).toBe('Could not reach the collector: Failed to fetch');
  });

  it('copies the link, or selects it when the clipboard is refused', async () => {
    const page = openPage();
    page.fill(FORM);
    await page.submit();
    await page.click('copy');
    expect(page.writeText).toHaveBeenCalledWith('https://shop.example/p?lt_c=T');
    expect(page.$('copy-status').textContent).toBe('Copied.');

    const refused = openPage({ clipboard: async () => Promise.reject(new Error('denied')) });
    refused.fill(FORM);
    await refused.submit();
    await refused.click('copy');
    expect(refused.$('copy-status').textContent).toMatch(/Press Ctrl\+C/);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { add, io, mockFetch, tagGlobal, useTagPage } from './dom.js';

const pkg = resolve(import.meta.dirname, '..');
const dist = (file: string) => resolve(pkg, 'dist', file);
let tag = '';

beforeAll(() => {
  // `pnpm test` builds first; a bare `vitest run` builds here.
  if (!existsSync(dist('lasttouch.js')) || !existsSync(dist('lasttouch.debug.js'))) {
    execFileSync(process.execPath, [resolve(pkg, 'node_modules/rollup/dist/bin/rollup'), '-c'], { cwd: pkg });
  }
  tag = readFileSync(dist('lasttouch.js'), 'utf8');
}, 60_000);

const w = tagGlobal;
useTagPage();

describe('the debug tag', () => {
  it('logs with a bare data-debug attribute', async () => {
    mockFetch();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const script = document.createElement('script');
    script.setAttribute('data-site', 'ltw_min');
    script.setAttribute('data-api', 'https://collector.test');
    script.setAttribute('data-debug', '');
    document.head.append(script);
    new Function(readFileSync(dist('lasttouch.debug.js'), 'utf8'))();
    await vi.advanceTimersByTimeAsync(0);
    w.lasttouch!('click', { kind: 'popup', id: 'p' });
    expect(log).toHaveBeenCalledWith('[lasttouch]', 'click', expect.objectContaining({ w: 'p' }));
  });
});

describe('the minified tag', () => {
  it('tracks widgets, replays the stub, picks up lt_c and checks out, as the sources do', async () => {
    const net = mockFetch();
    history.replaceState(null, '', '/?a=1&lt_c=tok#h');
    const script = document.createElement('script');
    Object.assign(script.dataset, { site: 'ltw_min', api: 'https://collector.test/' });
    document.head.append(script);
    const q: unknown[] = [['click', { kind: 'popup', id: 'queued' }]];
    w.lasttouch = Object.assign(() => {}, { q });
    const el = add('<div data-lt-widget="popup" data-lt-id="p"><button data-lt-dismiss>x</button></div>');
    new Function(tag)();
    new Function(tag)(); // loaded twice: ignored
    // The tracker starts in a task of its own.
    await vi.advanceTimersByTimeAsync(0);
    io().report(el, 1);
    el.click();
    (el.firstElementChild as HTMLElement).click();
    w.lasttouch!('checkout', { orderId: 'o1', value: 9.99, currency: 'USD' });
    w.lasttouch!('checkout', { orderId: 'o2', value: -1, currency: 'USD' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(location.search + location.hash).toBe('?a=1#h');
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.url).toBe('https://collector.test/v1/events');
    expect(net.events().map((e) => `${e.t}:${e.w ?? e.tk ?? e.o}`)).toEqual([
      'landing:tok',
      'click:queued',
      'instance:p',
      'click:p',
      'dismiss:p',
      'checkout:o1',
      // The tag does not validate (the debug build does): the collector rejects it on its own.
      'checkout:o2',
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, reset, track } from '../../test/dom.js';
import { withoutToken } from './landing.js';

describe('withoutToken', () => {
  it.each([
    ['?lt_c=T', '', ['T', '/p']],
    ['?lt_c=T', '#h', ['T', '/p#h']],
    ['?a=1&lt_c=T&b=2', '#x', ['T', '/p?a=1&b=2#x']],
    ['?a=1&lt_c=T', '', ['T', '/p?a=1']],
    ['?lt_c=T&b=%20x+y', '', ['T', '/p?b=%20x+y']],
    ['?xlt_c=T&b=2', '', [undefined, '/p?xlt_c=T&b=2']],
    ['', '#lt_c=T', [undefined, '/p#lt_c=T']],
  ])('%s%s', (search, hash, expected) => {
    expect(withoutToken({ pathname: '/p', search, hash })).toEqual(expected);
  });
});

describe('tagged-link landing', () => {
  beforeEach(() => reset());
  afterEach(() => reset());

  it('sends the token and removes only lt_c from the address, without reloading', async () => {
    vi.useFakeTimers();
    history.replaceState({ router: 1 }, '', '/shoes?color=red&lt_c=tok.en-1_x&size=42#reviews');
    const replace = vi.spyOn(history, 'replaceState');
    const net = mockFetch();
    track();
    expect(location.pathname + location.search + location.hash).toBe('/shoes?color=red&size=42#reviews');
    expect(history.state).toEqual({ router: 1 });
    expect(replace).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.events()).toEqual([expect.objectContaining({ t: 'landing', tk: 'tok.en-1_x', p: '/shoes' })]);
  });

  it('leaves the token in place while the visitor may not be tracked, and sends it on consent', async () => {
    vi.useFakeTimers();
    history.replaceState(null, '', '/?lt_c=abc');
    const net = mockFetch();
    const t = track({ consent: 'required' });
    expect(location.search).toBe('?lt_c=abc');
    t.consent(true);
    expect(location.search).toBe('');
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.events().map((e) => e.tk)).toEqual(['abc']);
  });

  it('picks up a token arriving through a History API navigation', async () => {
    vi.useFakeTimers();
    const net = mockFetch();
    track();
    history.pushState(null, '', '/next?lt_c=spa');
    expect(location.href).toBe('https://shop.test/next');
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.events().map((e) => e.tk)).toEqual(['spa']);
  });
});

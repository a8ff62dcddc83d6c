import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryDelay } from './retry.js';

/** Jitter as `Math.random` returning `r`. */
const jitter = (r: number) => vi.spyOn(Math, 'random').mockReturnValue(r);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('retryDelay', () => {
  it('retries network errors, 429 and 5xx', () => {
    jitter(1);
    for (const status of [0, 429, 500, 502, 503, 504]) expect(retryDelay(status, 0, null)).toBe(1000);
  });

  it('is done with a 2xx (accepted), whatever Retry-After says', () => {
    for (const status of [200, 202]) expect(retryDelay(status, 3, '7')).toBe(-1);
  });

  it('never retries other 4xx', () => {
    for (const status of [400, 401, 403, 404, 413, 422]) expect(retryDelay(status, 0, null)).toBe(-1);
  });

  it('backs off exponentially with jitter, capped at a minute', () => {
    jitter(1);
    expect([0, 1, 2, 3].map((n) => retryDelay(503, n, null))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(0, 20, null)).toBe(60_000);
    jitter(0);
    expect(retryDelay(503, 3, null)).toBe(4000);
  });

  it('honours Retry-After seconds', () => {
    expect(retryDelay(429, 5, '7')).toBe(7000);
    expect(retryDelay(503, 0, '0')).toBe(0);
    jitter(1);
    expect(retryDelay(503, 0, 'soon')).toBe(1000);
  });
});

import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry.js';

describe('retryDelay', () => {
  it('retries network errors, 429 and 5xx', () => {
    for (const status of [0, 429, 500, 502, 503, 504]) expect(retryDelay(status, 0, null, () => 1)).toBe(1000);
  });

  it('never retries other 4xx', () => {
    for (const status of [400, 401, 403, 404, 413, 422]) expect(retryDelay(status, 0, null)).toBe(-1);
  });

  it('backs off exponentially with jitter, capped at a minute', () => {
    expect([0, 1, 2, 3].map((n) => retryDelay(503, n, null, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(503, 3, null, () => 0)).toBe(4000);
    expect(retryDelay(0, 20, null, () => 1)).toBe(60_000);
  });

  it('honours Retry-After seconds', () => {
    expect(retryDelay(429, 5, '7')).toBe(7000);
    expect(retryDelay(503, 0, '0')).toBe(0);
    expect(retryDelay(503, 0, 'soon', () => 1)).toBe(1000);
  });
});

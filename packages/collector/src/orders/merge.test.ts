import { describe, expect, it } from 'vitest';
import { mergeOrder, type OrderSource } from './merge.js';

let seq = 0;
const src = (fields: Partial<OrderSource>): OrderSource => ({
  source: 'sdk',
  sourceKey: `k${++seq}`,
  visitorId: 'v1',
  ts: 1000,
  valueMinor: 1250,
  currency: 'EUR',
  status: 'placed',
  receivedAt: 5000,
  seq,
  ...fields,
});

describe('mergeOrder', () => {
  it('is undefined without sources', () => {
    expect(mergeOrder([])).toBeUndefined();
  });

  it('takes an SDK-only order as reported, unverified', () => {
    expect(mergeOrder([src({})])).toEqual({
      visitorId: 'v1',
      ts: 1000,
      valueMinor: 1250,
      currency: 'EUR',
      status: 'placed',
      verified: false,
    });
  });

  it("lets the server's value win, keeps the SDK's time and visitor, and marks it verified", () => {
    const merged = mergeOrder([
      src({ source: 'server', visitorId: null, ts: 9000, valueMinor: 1300, receivedAt: 9500 }),
      src({ ts: 1000 }),
    ]);
    expect(merged).toEqual({
      visitorId: 'v1',
      ts: 1000,
      valueMinor: 1300,
      currency: 'EUR',
      status: 'placed',
      verified: true,
    });
  });

  it('takes the latest server report, by receive time then insertion', () => {
    const a = src({ source: 'server', valueMinor: 1, receivedAt: 10 });
    const b = src({ source: 'server', valueMinor: 2, status: 'refunded', receivedAt: 20 });
    const c = src({ source: 'server', valueMinor: 3, receivedAt: 20 });
    expect(mergeOrder([c, b, a])).toMatchObject({ valueMinor: 3, status: 'placed' });
    expect(mergeOrder([a, b])).toMatchObject({ valueMinor: 2, status: 'refunded' });
  });

  it('ranks SDK reports by time and event id, whatever their arrival', () => {
    const early = src({ sourceKey: 'b', ts: 100, valueMinor: 1, receivedAt: 900 });
    const late = src({ sourceKey: 'a', ts: 200, valueMinor: 2, receivedAt: 100, visitorId: 'v2' });
    expect(mergeOrder([late, early])).toMatchObject({ ts: 100, valueMinor: 1, visitorId: 'v1' });
    expect(mergeOrder([early, late])).toMatchObject({ ts: 100, valueMinor: 1, visitorId: 'v1' });
  });

  it('dates a server-only order by its ts, else by its first report', () => {
    const first = src({ source: 'server', ts: null, visitorId: null, receivedAt: 700 });
    expect(mergeOrder([first, src({ source: 'server', ts: null, visitorId: 'v9', receivedAt: 800 })])).toMatchObject({
      ts: 700,
      visitorId: 'v9',
    });
    expect(mergeOrder([first, src({ source: 'server', ts: 300, visitorId: null, receivedAt: 800 })])).toMatchObject({
      ts: 300,
      visitorId: null,
    });
  });
});

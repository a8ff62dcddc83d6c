import { describe, expect, it } from 'vitest';
import { mergeOrder, type OrderReport } from './merge.js';

let seq = 0;
const report = (fields: Partial<OrderReport>): OrderReport => ({
  seq: ++seq,
  source: 'sdk',
  visitorId: 'v1',
  customerHash: null,
  ts: 1000,
  valueMinor: 1250,
  currency: 'EUR',
  status: 'placed',
  receivedAt: 5000,
  ...fields,
});
const server = (fields: Partial<OrderReport> = {}) =>
  report({ source: 'server', visitorId: null, ts: null, ...fields });

describe('mergeOrder', () => {
  it('is undefined without reports', () => {
    expect(mergeOrder([])).toBeUndefined();
  });

  it('takes an SDK-only order as reported, unverified', () => {
    const sdk = report({});
    const { visitorId, customerHash, ts, valueMinor, currency, status } = sdk;
    expect(mergeOrder([sdk])).toEqual({
      visitorId,
      customerHash,
      ts,
      valueMinor,
      currency,
      status,
      verified: false,
      conflict: false,
    });
  });

  it("lets the server's latest report stand for value and status, verified, in the order received", () => {
    const sdk = report({ ts: 1000 });
    const placed = server({ valueMinor: 4000 });
    const refunded = server({ valueMinor: 4000, status: 'refunded' });
    const placedAgain = server({ valueMinor: 4000 });
    expect(mergeOrder([sdk, placed, refunded])).toMatchObject({ status: 'refunded', verified: true });
    expect(mergeOrder([sdk, placed, refunded, placedAgain])).toMatchObject({ status: 'placed', valueMinor: 4000 });
    // Applied by `seq` (the order received), not by the order of the array.
    expect(mergeOrder([placedAgain, refunded, placed, sdk])).toMatchObject({ status: 'placed' });
  });

  it("keeps the SDK's visitor and time when the server does not give them", () => {
    expect(mergeOrder([report({ ts: 1000 }), server({ valueMinor: 1300 })])).toMatchObject({
      visitorId: 'v1',
      ts: 1000,
      valueMinor: 1300,
      verified: true,
    });
  });

  it("gives the server's visitor, customer and time priority over any SDK report", () => {
    expect(
      mergeOrder([
        report({ visitorId: 'attacker', ts: 1 }),
        server({ visitorId: 'buyer', ts: 9000, customerHash: 'c' }),
      ]),
    ).toMatchObject({ visitorId: 'buyer', ts: 9000, customerHash: 'c' });
  });

  it('ignores SDK reports received after the server reported: a known order id cannot be taken over', () => {
    const merged = mergeOrder([
      report({ visitorId: 'buyer', ts: 5000 }),
      server(),
      report({ visitorId: 'attacker', ts: 1 }),
    ]);
    expect(merged).toMatchObject({ visitorId: 'buyer', ts: 5000, conflict: false });
  });

  it('credits nobody when SDK reports disagree on the visitor and the server names none', () => {
    expect(mergeOrder([report({ visitorId: 'a' }), report({ visitorId: 'b' })])).toMatchObject({
      visitorId: null,
      conflict: true,
    });
    expect(mergeOrder([report({ visitorId: 'a' }), report({ visitorId: 'b' }), server()])).toMatchObject({
      visitorId: null,
      conflict: true,
    });
    expect(
      mergeOrder([report({ visitorId: 'a' }), report({ visitorId: 'b' }), server({ visitorId: 'a' })]),
    ).toMatchObject({ visitorId: 'a', conflict: false });
  });

  it('falls back to the first server report’s receive time when nobody gave a time', () => {
    expect(mergeOrder([server({ receivedAt: 7000 }), server({ receivedAt: 8000 })])).toMatchObject({ ts: 7000 });
  });
});

import { describe, expect, it } from 'vitest';
import { chatRows, chatTotals } from './chat-stats.js';

const credit = (group: string, currency: string, orders: number, valueMinor: number, msToOrder = 0) => ({
  group,
  currency,
  orders,
  valueMinor,
  msToOrder,
});

describe('chatRows', () => {
  it('rounds rates to 3 decimals and money to the minor unit of each currency', () => {
    const rows = chatRows(
      [{ group: 'sms', contacts: 3 }],
      [credit('sms', 'EUR', 1, 4000, 3_600_499), credit('sms', 'JPY', 2, 1001)],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        conversionRate: 0.333,
        turnoverPerContact: 13.33,
        averageSecondsBeforePurchase: 3600,
      }),
      expect.objectContaining({
        currency: 'JPY',
        turnoverAfterContact: 1001,
        averageOrderValueAfterContact: 501,
        turnoverPerContact: 334,
      }),
    ]);
  });

  it('gives null ratios to orders credited to a group without contacts in the range', () => {
    expect(chatRows([], [credit('wa-old', 'EUR', 2, 5000, 7_200_000)])).toEqual([
      {
        group: 'wa-old',
        contacts: 0,
        transactionsAfterContact: 2,
        turnoverAfterContact: 50,
        conversionRate: null,
        averageOrderValueAfterContact: 25,
        averageSecondsBeforePurchase: 3600,
        turnoverPerContact: null,
        currency: 'EUR',
      },
    ]);
  });

  it('puts credits of links without agent in the "" group, with its contacts', () => {
    expect(chatRows([{ group: '', contacts: 2 }], [credit('', 'EUR', 1, 100)])).toEqual([
      expect.objectContaining({ group: '', contacts: 2, transactionsAfterContact: 1, currency: 'EUR' }),
    ]);
  });

  it('orders rows by contacts, then group, then currency', () => {
    const rows = chatRows(
      [
        { group: 'b', contacts: 1 },
        { group: 'a', contacts: 1 },
        { group: 'c', contacts: 5 },
      ],
      [credit('a', 'USD', 1, 1), credit('a', 'EUR', 1, 1)],
    );
    expect(rows.map((r) => [r.group, r.currency])).toEqual([
      ['c', null],
      ['a', 'EUR'],
      ['a', 'USD'],
      ['b', null],
    ]);
  });
});

describe('chatTotals', () => {
  it('converts to major units with the average rounded to the minor unit', () => {
    expect(chatTotals([{ currency: 'EUR', orders: 3, valueMinor: 10000 }])).toEqual([
      { websiteTransactions: 3, websiteTurnover: 100, websiteAverageOrderValue: 33.33, currency: 'EUR' },
    ]);
  });
});

import { ACTIONS, type Action, type Settings } from '@lasttouch/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../sites/site.js';
import {
  attributePerson,
  candidates,
  compareInteractions,
  describeLoss,
  type Interaction,
  inWindow,
  type OrderPoint,
} from './rules.js';
import { windowFor } from './windows.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

const kindOf = (action: Action) => (action === 'link_landing' ? null : (action.split('_')[0] as 'popup'));

const interaction = (fields: Partial<Interaction> & { eventId: string }): Interaction => {
  const action = fields.action ?? 'popup_click';
  return {
    ts: T0,
    action,
    kind: kindOf(action),
    widgetId: action === 'link_landing' ? null : 'w',
    campaign: null,
    sequence: null,
    channel: action === 'link_landing' ? 'whatsapp' : null,
    conversation: action === 'link_landing' ? 'conv' : null,
    agent: null,
    visitorId: 'v',
    linkId: action === 'link_landing' ? 'link' : null,
    ...fields,
  };
};

const settingsWith = (
  patch: Partial<Settings['attributionWindows']> = {},
  policy: Settings['creditPolicy'] = 'every',
) => {
  const s = defaultSettings();
  return { ...s, creditPolicy: policy, attributionWindows: { ...s.attributionWindows, ...patch } };
};

const winners = (result: ReturnType<typeof attributePerson>) =>
  Object.fromEntries(result.map((r) => [r.orderId, r.credited?.eventId ?? null]));

describe('inWindow and candidates', () => {
  const s = settingsWith({ default: 60 });
  const i = interaction({ eventId: 'a', ts: T0 });

  it('takes exactly the window and refuses one millisecond more', () => {
    expect(inWindow(i, T0 + 60_000, s)).toBe(true);
    expect(inWindow(i, T0 + 60_001, s)).toBe(false);
  });

  it('takes an interaction at the order time and refuses one after it', () => {
    expect(inWindow(i, T0, s)).toBe(true);
    expect(inWindow(i, T0 - 1, s)).toBe(false);
  });

  it('lists candidates best first and leaves out those outside their window', () => {
    const list = [
      interaction({ eventId: 'old', ts: T0 - 61_000 }),
      interaction({ eventId: 'b', ts: T0 - 1000 }),
      interaction({ eventId: 'c', ts: T0 - 10 }),
      interaction({ eventId: 'late', ts: T0 + 1 }),
    ];
    expect(candidates({ orderId: 'o', ts: T0 }, list, s).map((c) => c.eventId)).toEqual(['c', 'b']);
  });
});

describe('attributePerson', () => {
  const order = (orderId: string, ts: number): OrderPoint => ({ orderId, ts });

  it('leaves an order with no interaction unattributed', () => {
    const [r] = attributePerson([order('o', T0)], [], settingsWith());
    expect(r).toEqual({ orderId: 'o', credited: null, considered: [] });
  });

  it('credits the latest candidate and says why the others lost', () => {
    const s = settingsWith({ default: 3600 });
    const list = [
      interaction({ eventId: 'old', ts: T0 - 2 * 3_600_000 }),
      interaction({ eventId: 'early', ts: T0 - 60_000, action: 'block_click' }),
      interaction({ eventId: 'last', ts: T0 - 1000, action: 'notification_hover' }),
      interaction({ eventId: 'after', ts: T0 + 1 }),
    ];
    const [r] = attributePerson([order('o', T0)], list, s);
    expect(r?.credited?.eventId).toBe('last');
    expect(r?.considered.map((c) => [c.interaction.eventId, c.lost?.code ?? null])).toEqual([
      ['last', null],
      ['early', 'earlier'],
      ['old', 'outside_window'],
    ]);
  });

  it('breaks ties on time by action priority, then by the smaller event id', () => {
    const s = settingsWith();
    const tie = [
      interaction({ eventId: 'z', action: 'notification_hover' }),
      interaction({ eventId: 'y', action: 'block_click' }),
      interaction({ eventId: 'x', action: 'popup_click' }),
      interaction({ eventId: 'w', action: 'popup_click' }),
    ];
    const [r] = attributePerson([order('o', T0 + 5)], tie, s);
    expect(r?.credited?.eventId).toBe('w');
    expect(r?.considered.map((c) => c.lost?.code ?? null)).toEqual([
      null,
      'tie_event_id',
      'tie_priority',
      'tie_priority',
    ]);
    const landing = interaction({ eventId: 'zz', action: 'link_landing' });
    expect(attributePerson([order('o', T0 + 5)], [...tie, landing], s)[0]?.credited?.eventId).toBe('zz');
  });

  it('uses the campaign window before the kind window', () => {
    const s = settingsWith({ default: 100, kinds: { popup: 10 }, campaigns: { spring: 50 } });
    const spring = interaction({ eventId: 's', ts: T0, campaign: 'spring' });
    const plain = interaction({ eventId: 'p', ts: T0 + 1 });
    const [r] = attributePerson([order('o', T0 + 30_000)], [spring, plain], s);
    expect(r?.credited?.eventId).toBe('s');
    expect(r?.considered.find((c) => c.interaction.eventId === 'p')?.lost).toEqual({
      code: 'outside_window',
      windowMs: 10_000,
    });
  });

  it('credits every order to its last interaction under "every"', () => {
    const clicks = [interaction({ eventId: 'a', ts: T0 })];
    const orders = [order('o1', T0 + DAY), order('o2', T0 + 2 * DAY), order('o3', T0 + 3 * DAY)];
    expect(winners(attributePerson(orders, clicks, settingsWith({}, 'every')))).toEqual({ o1: 'a', o2: 'a', o3: 'a' });
  });

  it('credits an interaction at most its first order under "first"', () => {
    const list = [
      interaction({ eventId: 'a', ts: T0 }),
      interaction({ eventId: 'b', ts: T0 + 10 }),
      interaction({ eventId: 'c', ts: T0 + 2 * DAY + 10 }),
    ];
    const orders = [order('o1', T0 + DAY), order('o2', T0 + 2 * DAY), order('o3', T0 + 3 * DAY)];
    const r = attributePerson(orders, list, settingsWith({}, 'first'));
    expect(winners(r)).toEqual({ o1: 'b', o2: null, o3: 'c' });
    expect(r[1]?.considered.map((c) => c.lost)).toEqual([
      { code: 'spent', firstOrderId: 'o1' },
      { code: 'spent', firstOrderId: 'o1' },
    ]);
    expect(describeLoss(r[1]!.considered[0]!.lost!)).toContain('o1');
  });

  it('spends an interaction on the first of two orders at the same time (by order id)', () => {
    const list = [interaction({ eventId: 'a', ts: T0 })];
    const r = attributePerson([order('o2', T0 + 5), order('o1', T0 + 5)], list, settingsWith({}, 'first'));
    expect(winners(r)).toEqual({ o1: 'a', o2: null });
  });

  it('describes every loss', () => {
    expect(describeLoss({ code: 'outside_window', windowMs: 86_400_000 })).toBe(
      'outside its attribution window (86400 seconds)',
    );
    expect(describeLoss({ code: 'earlier' })).toBe('earlier than the credited interaction');
    expect(describeLoss({ code: 'tie_priority' })).toMatch(/ranks higher/);
    expect(describeLoss({ code: 'tie_event_id' })).toMatch(/smaller event id/);
  });
});

// Small time scale so windows, ties and orders collide often.
const arbSettings = fc.record({
  default: fc.integer({ min: 1, max: 40 }),
  popup: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  spring: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  sms: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  policy: fc.constantFrom('every' as const, 'first' as const),
});
const toSettings = (a: ArbSettings): Settings =>
  settingsWith(
    {
      default: a.default,
      kinds: a.popup ? { popup: a.popup } : {},
      campaigns: a.spring ? { spring: a.spring } : {},
      channels: a.sms ? { sms: a.sms } : {},
    },
    a.policy,
  );
type ArbSettings = { default: number; popup?: number; spring?: number; sms?: number; policy: 'every' | 'first' };

const arbInteraction = fc
  .record({
    n: fc.integer({ min: 0, max: 1e6 }),
    ts: fc.integer({ min: 0, max: 120_000 }),
    action: fc.constantFrom(...ACTIONS),
    campaign: fc.constantFrom(null, 'spring', 'fall'),
    channel: fc.constantFrom('sms', 'whatsapp'),
  })
  .map((r) =>
    interaction({
      eventId: `e${r.n}`,
      ts: r.ts - (r.ts % 1000),
      action: r.action,
      campaign: r.action === 'link_landing' ? null : r.campaign,
      channel: r.action === 'link_landing' ? r.channel : null,
    }),
  );
const arbInteractions = fc.uniqueArray(arbInteraction, { selector: (i) => i.eventId, maxLength: 12 });
const arbOrders = fc.uniqueArray(
  fc
    .record({ orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5'), ts: fc.integer({ min: 0, max: 120 }) })
    .map((o) => ({
      orderId: o.orderId,
      ts: o.ts * 1000,
    })),
  { selector: (o) => o.orderId, maxLength: 5 },
);

const params = { seed: 20261127, numRuns: 400 };

describe('attributePerson properties', () => {
  it('is independent of input order', () => {
    fc.assert(
      fc.property(arbSettings, arbOrders, arbInteractions, fc.integer(), (a, orders, list, salt) => {
        const s = toSettings(a);
        const shuffled = [...list].sort((x, y) => ((x.ts ^ salt) % 7) - ((y.ts ^ salt) % 7));
        expect(winners(attributePerson([...orders].reverse(), shuffled, s))).toEqual(
          winners(attributePerson(orders, list, s)),
        );
      }),
      params,
    );
  });

  it('credits under "every" the best-ranked interaction inside its window, if any', () => {
    fc.assert(
      fc.property(arbSettings, arbOrders, arbInteractions, (a, orders, list) => {
        const s = toSettings({ ...a, policy: 'every' });
        for (const r of attributePerson(orders, list, s)) {
          const ts = orders.find((o) => o.orderId === r.orderId)!.ts;
          // Brute force: the maximum under the ranking among interactions inside their window.
          const inside = list.filter((i) => i.ts <= ts && ts - i.ts <= windowFor(i, s));
          const best = inside.reduce<Interaction | null>(
            (m, i) => (m === null || compareInteractions(i, m) < 0 ? i : m),
            null,
          );
          expect(r.credited).toBe(best);
          expect(r.considered.filter((c) => c.lost === null).length).toBe(best ? 1 : 0);
          expect(r.considered.length).toBe(list.filter((i) => i.ts <= ts).length);
        }
      }),
      params,
    );
  });

  it('spends each interaction at most once under "first", on the first order at or after it', () => {
    fc.assert(
      fc.property(arbSettings, arbOrders, arbInteractions, (a, orders, list) => {
        const s = toSettings({ ...a, policy: 'first' });
        const every = winners(attributePerson(orders, list, { ...s, creditPolicy: 'every' }));
        const result = attributePerson(orders, list, s);
        const used = result.flatMap((r) => (r.credited ? [r.credited.eventId] : []));
        expect(new Set(used).size).toBe(used.length);
        for (const r of result) {
          if (!r.credited) continue;
          const ts = orders.find((o) => o.orderId === r.orderId)!.ts;
          const earlierOrder = orders.some(
            (o) =>
              o.orderId !== r.orderId &&
              o.ts >= r.credited!.ts &&
              (o.ts < ts || (o.ts === ts && o.orderId < r.orderId)),
          );
          expect(earlierOrder).toBe(false);
        }
        // Where the "every" winner is unspent, both policies agree.
        for (const r of result) {
          const w = every[r.orderId];
          if (w && r.considered.find((c) => c.interaction.eventId === w)?.lost?.code !== 'spent') {
            expect(r.credited?.eventId).toBe(w);
          }
        }
      }),
      params,
    );
  });

  it('lets a late interaction take exactly the orders it wins and leave the others alone', () => {
    fc.assert(
      fc.property(arbSettings, arbOrders, arbInteractions, arbInteraction, (a, orders, list, late) => {
        fc.pre(!list.some((i) => i.eventId === late.eventId));
        const s = toSettings({ ...a, policy: 'every' });
        const before = winners(attributePerson(orders, list, s));
        const after = attributePerson(orders, [...list, late], s);
        for (const r of after) {
          const won = r.credited?.eventId === late.eventId;
          expect(won ? late.eventId : before[r.orderId]).toBe(r.credited?.eventId ?? null);
        }
      }),
      params,
    );
  });
});

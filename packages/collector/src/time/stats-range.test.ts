import { describe, expect, it } from 'vitest';
import { SLOT_MS, slotOf } from './slots.js';
import {
  type LocalDay,
  MAX_RANGE_DAYS,
  parseStatsRange,
  type StatsRange,
  type StatsRangeResult,
} from './stats-range.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');

function range(from: string | undefined, to: string | undefined, tz: string, now = NOW): StatsRange {
  const result = parseStatsRange({ from, to }, tz, now);
  if (!result.ok) throw new Error(result.message);
  return result;
}

function error(from: string | undefined, to: string | undefined, tz: string, now = NOW): string {
  const result: StatsRangeResult = parseStatsRange({ from, to }, tz, now);
  if (result.ok) throw new Error(`expected ${from}..${to} in ${tz} to be refused`);
  expect(result.code).toBe('invalid_range');
  return result.message;
}

const slots = (day: LocalDay): number => day.slotTo - day.slotFrom;
const day = (r: StatsRange, date: string): LocalDay => r.days.find((d) => d.date === date)!;

/** The invariants every range holds, whatever the zone. */
function expectContiguous(r: StatsRange): void {
  expect(r.from).toBe(r.days[0]!.from);
  expect(r.to).toBe(r.days.at(-1)!.to);
  for (const [i, d] of r.days.entries()) {
    expect(d.slotFrom).toBe(Math.ceil(d.from / SLOT_MS));
    expect(d.slotTo).toBe(Math.ceil(d.to / SLOT_MS));
    const next = r.days[i + 1];
    if (next === undefined) continue;
    expect(next.from, d.date).toBe(d.to);
    expect(next.slotFrom, d.date).toBe(d.slotTo);
  }
}

describe('slots', () => {
  it('are UTC half hours', () => {
    expect(slotOf(0)).toBe(0);
    expect(slotOf(SLOT_MS - 1)).toBe(0);
    expect(slotOf(SLOT_MS)).toBe(1);
    expect(slotOf(-1)).toBe(-1);
  });
});

describe('parseStatsRange: days in the site zone', () => {
  it('reads local days in UTC', () => {
    const r = range('2026-11-01', '2026-11-30', 'UTC');
    expect(r.days).toHaveLength(30);
    expect(r.from).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(r.to).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(r.days.every((d) => slots(d) === 48)).toBe(true);
    expectContiguous(r);
  });

  it('has the 23- and 25-hour days of Paris (46 and 50 slots)', () => {
    const spring = range('2026-03-28', '2026-03-30', 'Europe/Paris');
    expect(spring.days.map(slots)).toEqual([48, 46, 48]);
    expect(day(spring, '2026-03-29').to - day(spring, '2026-03-29').from).toBe(23 * HOUR);
    expectContiguous(spring);
    const autumn = range('2026-10-24', '2026-10-26', 'Europe/Paris');
    expect(autumn.days.map(slots)).toEqual([48, 50, 48]);
    expect(day(autumn, '2026-10-25').to - day(autumn, '2026-10-25').from).toBe(25 * HOUR);
    expect(autumn.from).toBe(Date.parse('2026-10-23T22:00:00Z'));
    expect(autumn.to).toBe(Date.parse('2026-10-26T23:00:00Z'));
    expectContiguous(autumn);
  });

  it('has the 23- and 25-hour days of Los Angeles', () => {
    const r = range('2026-03-01', '2026-11-30', 'America/Los_Angeles');
    expect(day(r, '2026-03-08').to - day(r, '2026-03-08').from).toBe(23 * HOUR);
    expect(slots(day(r, '2026-03-08'))).toBe(46);
    expect(slots(day(r, '2026-11-01'))).toBe(50);
    expect(r.days.filter((d) => slots(d) !== 48).map((d) => d.date)).toEqual(['2026-03-08', '2026-11-01']);
    expectContiguous(r);
  });

  it('is exact in half-hour zones: Kolkata (+5:30) and Lord Howe (30-minute DST)', () => {
    const kolkata = range('2026-01-01', '2026-12-31', 'Asia/Kolkata');
    expect(kolkata.days).toHaveLength(365);
    expect(kolkata.days.every((d) => d.from === d.slotFrom * SLOT_MS && slots(d) === 48)).toBe(true);
    expectContiguous(kolkata);
    const lordHowe = range('2026-01-01', '2026-12-31', 'Australia/Lord_Howe');
    expect(lordHowe.days.every((d) => d.from === d.slotFrom * SLOT_MS)).toBe(true);
    // DST ends 2026-04-05 (a 24.5-hour day) and starts 2026-10-04 (23.5 hours).
    expect(slots(day(lordHowe, '2026-04-05'))).toBe(49);
    expect(slots(day(lordHowe, '2026-10-04'))).toBe(47);
    expect(lordHowe.days.filter((d) => slots(d) !== 48)).toHaveLength(2);
    expectContiguous(lordHowe);
  });

  it('starts each Kathmandu (+5:45) day 15 minutes late, the documented approximation', () => {
    const r = range('2026-11-01', '2026-11-03', 'Asia/Kathmandu');
    expect(r.from).toBe(Date.parse('2026-10-31T18:15:00Z'));
    for (const d of r.days) {
      expect(d.slotFrom * SLOT_MS - d.from).toBe(15 * 60_000);
      expect(slots(d)).toBe(48);
    }
    expectContiguous(r);
  });

  it('stays contiguous across a skipped midnight and a skipped day', () => {
    expectContiguous(range('2026-09-01', '2026-09-30', 'America/Santiago'));
    const apia = range('2011-12-29', '2011-12-31', 'Pacific/Apia');
    expect(apia.days.map(slots)).toEqual([48, 0, 48]);
    expectContiguous(apia);
  });
});

describe('parseStatsRange: bounds', () => {
  it('defaults to the last 30 days up to and including the local today', () => {
    const r = range(undefined, undefined, 'UTC');
    expect(r.days).toHaveLength(30);
    expect(r.days[0]!.date).toBe('2026-10-22');
    expect(r.days.at(-1)!.date).toBe('2026-11-20');
    // 23:30 UTC is already tomorrow in Paris.
    const late = range(undefined, undefined, 'Europe/Paris', Date.parse('2026-11-20T23:30:00Z'));
    expect(late.days.at(-1)!.date).toBe('2026-11-21');
    expect(late.to).toBe(Date.parse('2026-11-21T23:00:00Z'));
    // And still yesterday in Los Angeles.
    expect(
      range(undefined, undefined, 'America/Los_Angeles', Date.parse('2026-11-21T05:00:00Z')).days.at(-1)!.date,
    ).toBe('2026-11-20');
  });

  it('fills the missing bound: from alone runs to today, to alone has 30 days', () => {
    expect(range('2026-11-18', undefined, 'UTC').days.map((d) => d.date)).toEqual([
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    const r = range(undefined, '2026-03-31', 'UTC');
    expect(r.days[0]!.date).toBe('2026-03-02');
    expect(r.days).toHaveLength(30);
  });

  it('takes a single day, to being inclusive as a date', () => {
    expect(range('2026-11-01', '2026-11-01', 'Europe/Paris').days).toHaveLength(1);
  });

  it('takes instants on a local midnight, to being exclusive as an instant', () => {
    const r = range('2026-10-31T23:00:00Z', '2026-11-03T00:00:00+01:00', 'Europe/Paris');
    expect(r.days.map((d) => d.date)).toEqual(['2026-11-01', '2026-11-02']);
    expect(range('2026-10-31T18:15:00.000Z', '2026-11-01', 'Asia/Kathmandu').days).toHaveLength(1);
    expect(
      range('2026-11-01T07:00Z', '2026-11-02T00:00:00-08:00', 'America/Los_Angeles').days.map((d) => d.date),
    ).toEqual(['2026-11-01']);
    // The first instant of a day whose midnight was skipped counts as its midnight.
    expect(range('2026-09-06T04:00:00Z', '2026-09-06', 'America/Santiago').days).toHaveLength(1);
  });

  it('refuses an instant that is not a local midnight, naming the zone and a way out', () => {
    expect(error('2026-11-01T12:00:00Z', undefined, 'Europe/Paris')).toBe(
      'from: 2026-11-01T12:00:00Z is not a midnight in Europe/Paris; give a date such as 2026-11-01 or a local midnight such as 2026-10-31T23:00:00.000Z',
    );
    // A UTC midnight is not a Paris one.
    expect(error('2026-11-01', '2026-11-03T00:00:00Z', 'Europe/Paris')).toMatch(
      /^to: .* not a midnight in Europe\/Paris/,
    );
    expect(error('2026-10-31T18:30:00Z', undefined, 'Asia/Kathmandu')).toMatch(
      /Asia\/Kathmandu.*2026-10-31T18:15:00\.000Z/,
    );
  });

  it('refuses impossible dates and times, instants without an offset and other shapes', () => {
    expect(error('2026-02-30', '2026-03-05', 'UTC')).toBe('from: 2026-02-30 is not a calendar date');
    expect(error('2026-01-01', '2026-13-01', 'UTC')).toBe('to: 2026-13-01 is not a calendar date');
    expect(error('2026-11-01T24:00:00Z', undefined, 'UTC')).toMatch(/not a real date and time/);
    expect(error('2026-02-29T00:00:00Z', undefined, 'UTC')).toMatch(/not a real date and time/);
    expect(error('2026-11-01T00:00:00', undefined, 'UTC')).toMatch(/has no UTC offset/);
    for (const bad of ['yesterday', '1762000000000', '2026-11-1', '', '2026-11-01T00:00:00+1']) {
      expect(error(bad, undefined, 'UTC')).toMatch(
        /is neither a date such as 2026-11-01 nor an ISO 8601 instant at a midnight in UTC/,
      );
    }
  });

  it('refuses from after to, an empty range, and more than 400 days', () => {
    expect(error('2026-11-02', '2026-11-01', 'UTC')).toBe('from (2026-11-02) is after to (2026-11-01)');
    expect(error('2026-11-21', undefined, 'UTC')).toBe('from (2026-11-21) is after to (2026-11-20)');
    expect(error('2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'UTC')).toMatch(/the range is empty/);
    expect(range('2025-10-17', '2026-11-20', 'UTC').days).toHaveLength(MAX_RANGE_DAYS);
    expect(error('2025-10-16', '2026-11-20', 'UTC')).toBe('the range spans 401 days; at most 400');
    expect(error('1969-12-31', '1970-01-02', 'UTC')).toBe('from: 1969-12-31 is before 1970-01-01');
  });

  it('reaches the last representable day', () => {
    expect(range('9999-12-31', '9999-12-31', 'UTC').to).toBe(Date.UTC(10_000, 0, 1));
  });
});

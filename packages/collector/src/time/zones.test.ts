import { TRICKY_TIME_ZONES } from '@lasttouch/shared/testing';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  canonicalTimeZone,
  isCalendarDate,
  isTimeZone,
  localDate,
  localMidnight,
  localMidnights,
  utcOffset,
} from './zones.js';

const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);

describe('isTimeZone', () => {
  it('takes IANA names the runtime knows, UTC and Etc zones included', () => {
    for (const name of [...TRICKY_TIME_ZONES, 'Etc/GMT-2']) {
      expect(isTimeZone(name), name).toBe(true);
    }
  });

  it('refuses empty names, unknown names and fixed offsets (which Intl would take)', () => {
    for (const name of ['', ' ', 'Paris', 'Europe/Nowhere', 'Z', '+02:00', '-05:00', '+0530', '\u221202:00', 'UTC+2']) {
      expect(isTimeZone(name), name).toBe(false);
    }
  });

  it('names the zone the way the runtime spells it', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('+02:00')).toBeNull();
  });
});

describe('calendar dates', () => {
  it('tells real dates from impossible ones', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-1', '']) {
      expect(isCalendarDate(bad), bad).toBe(false);
    }
  });

  it('counts days across months, years and leap days', () => {
    expect(addDays('2026-10-31', 1)).toBe('2026-11-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-11-01', -29)).toBe('2026-10-03');
  });
});

describe('localDate', () => {
  it('reads the date on the local wall clock, on both sides of local midnight', () => {
    expect(localDate(utc('2026-10-31T22:59:59.999Z'), 'Europe/Paris')).toBe('2026-10-31');
    expect(localDate(utc('2026-10-31T23:00:00Z'), 'Europe/Paris')).toBe('2026-11-01');
    expect(localDate(utc('2026-11-01T06:59:59.999Z'), 'America/Los_Angeles')).toBe('2026-10-31');
    expect(localDate(utc('2026-11-01T07:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-01');
    expect(localDate(utc('2026-10-31T18:29:59.999Z'), 'Asia/Kolkata')).toBe('2026-10-31');
    expect(localDate(utc('2026-10-31T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-11-01');
    expect(localDate(utc('2026-10-31T18:14:59.999Z'), 'Asia/Kathmandu')).toBe('2026-10-31');
    expect(localDate(utc('2026-10-31T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-11-01');
    expect(localDate(utc('2026-11-01T00:00:00Z'), 'UTC')).toBe('2026-11-01');
  });

  it('knows the offsets, DST included', () => {
    expect(utcOffset(utc('2026-07-01T00:00:00Z'), 'Europe/Paris')).toBe(2 * HOUR);
    expect(utcOffset(utc('2026-12-01T00:00:00Z'), 'Europe/Paris')).toBe(HOUR);
    expect(utcOffset(utc('2026-07-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * HOUR);
    expect(utcOffset(utc('2026-12-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe(11 * HOUR);
    expect(utcOffset(utc('2026-07-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(5.75 * HOUR);
  });
});

describe('localMidnight', () => {
  it('finds the first instant of a local date', () => {
    const cases: [string, string, string][] = [
      ['Europe/Paris', '2026-11-01', '2026-10-31T23:00:00Z'],
      ['Europe/Paris', '2026-07-01', '2026-06-30T22:00:00Z'],
      ['America/Los_Angeles', '2026-11-01', '2026-11-01T07:00:00Z'],
      ['America/Los_Angeles', '2026-11-02', '2026-11-02T08:00:00Z'],
      ['Asia/Kolkata', '2026-11-01', '2026-10-31T18:30:00Z'],
      ['Asia/Kathmandu', '2026-11-01', '2026-10-31T18:15:00Z'],
      ['Australia/Lord_Howe', '2026-04-05', '2026-04-04T13:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-06', '2026-04-05T13:30:00Z'],
      ['UTC', '2026-11-01', '2026-11-01T00:00:00Z'],
      ['UTC', '9999-12-31', '9999-12-31T00:00:00Z'],
    ];
    for (const [tz, date, iso] of cases)
      expect(new Date(localMidnight(date, tz)).toISOString(), `${tz} ${date}`).toBe(new Date(iso).toISOString());
  });

  it('starts a day whose midnight DST skips at the jump (clocks go from 24:00 to 01:00)', () => {
    // Chile springs forward at 24:00 -04 on the first Sunday of September from 2023 on.
    const santiago = localMidnight('2026-09-06', 'America/Santiago');
    expect(santiago).toBe(utc('2026-09-06T04:00:00Z'));
    expect(localDate(santiago - 1, 'America/Santiago')).toBe('2026-09-05');
    // Lebanon springs forward at 00:00 on the last Sunday of March.
    const beirut = localMidnight('2026-03-29', 'Asia/Beirut');
    expect(beirut).toBe(utc('2026-03-28T22:00:00Z'));
    expect(localDate(beirut - 1, 'Asia/Beirut')).toBe('2026-03-28');
  });

  it('takes the first of two midnights when a fall-back repeats it', () => {
    // Lebanon falls back at 00:00 (+03) to 23:00 (+02) the day before: Saturday lasts 25 hours.
    expect(localMidnight('2026-10-24', 'Asia/Beirut')).toBe(utc('2026-10-23T21:00:00Z'));
    expect(localMidnight('2026-10-25', 'Asia/Beirut')).toBe(utc('2026-10-24T22:00:00Z'));
  });

  it('gives a day the zone skipped whole no length', () => {
    // Samoa moved across the date line: 2011-12-29 23:59:59 was followed by 2011-12-31 00:00.
    expect(localMidnight('2011-12-30', 'Pacific/Apia')).toBe(localMidnight('2011-12-31', 'Pacific/Apia'));
    expect(localMidnight('2011-12-31', 'Pacific/Apia')).toBe(utc('2011-12-30T10:00:00Z'));
  });

  it('is consistent with localDate on every day of a year, in every zone tried', () => {
    for (const tz of [...TRICKY_TIME_ZONES, 'America/Santiago', 'Asia/Beirut']) {
      for (let date = '2026-01-01'; date < '2027-01-01'; date = addDays(date, 1)) {
        const midnight = localMidnight(date, tz);
        expect(localDate(midnight, tz), `${tz} ${date}`).toBe(date);
        expect(localDate(midnight - 1, tz), `${tz} ${date}`).toBe(addDays(date, -1));
      }
    }
  });

  it('gives the same midnights one day after the other as one at a time', () => {
    const spans: [string, string, number][] = [
      ['Europe/Paris', '2026-01-01', 365],
      ['America/Los_Angeles', '2026-01-01', 365],
      ['Australia/Lord_Howe', '2026-01-01', 365],
      ['Asia/Kathmandu', '2026-10-01', 40],
      ['America/Santiago', '2026-08-20', 40],
      ['Asia/Beirut', '2026-03-20', 230],
      ['Pacific/Apia', '2011-12-20', 20],
    ];
    for (const [tz, first, days] of spans) {
      const oneByOne = Array.from({ length: days + 1 }, (_, i) => localMidnight(addDays(first, i), tz));
      expect(localMidnights(first, days, tz), tz).toEqual(oneByOne);
    }
  });

  it('answers NaN for something that is not a date', () => {
    expect(localMidnight('2026-11', 'UTC')).toBeNaN();
  });
});

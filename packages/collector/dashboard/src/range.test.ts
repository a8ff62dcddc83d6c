import { describe, expect, it } from 'vitest';
import { addDays, answeredRange, dateIn, datesOf, daysBetween, isDate, presetRange, rangeProblem } from './range.js';

describe('site days', () => {
  it('knows which date it is in the site’s zone, not the browser’s', () => {
    const lateEvening = Date.parse('2026-11-22T23:30:00Z');
    expect(dateIn('UTC', lateEvening)).toBe('2026-11-22');
    expect(dateIn('Europe/Paris', lateEvening)).toBe('2026-11-23');
    expect(dateIn('America/Los_Angeles', Date.parse('2026-11-23T05:00:00Z'))).toBe('2026-11-22');
    expect(dateIn('Pacific/Kiritimati', Date.parse('2026-11-22T10:30:00Z'))).toBe('2026-11-23');
  });

  it('falls back to UTC for a zone the browser does not know', () => {
    expect(dateIn('Mars/Olympus', Date.parse('2026-11-22T23:30:00Z'))).toBe('2026-11-22');
  });

  it('reads the days an answer counted from its instants, in its zone', () => {
    const paris = { from: '2026-10-23T22:00:00.000Z', to: '2026-11-22T23:00:00.000Z', timezone: 'Europe/Paris' };
    expect(answeredRange(paris)).toEqual({ timeZone: 'Europe/Paris', from: '2026-10-24', to: '2026-11-22' });
    const utc = { from: '2026-10-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', timezone: 'UTC' };
    expect(answeredRange(utc)).toEqual({ timeZone: 'UTC', from: '2026-10-24', to: '2026-11-22' });
  });

  it('counts presets back from today, today included', () => {
    expect(presetRange('today', '2026-11-22')).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    expect(presetRange('7d', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(presetRange('30d', '2026-03-01')).toEqual({ from: '2026-01-31', to: '2026-03-01' });
    expect(daysBetween(presetRange('30d', '2026-03-29'))).toBe(30);
  });

  it('does calendar arithmetic on dates across months, years and DST changes', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(datesOf({ from: '2026-10-24', to: '2026-10-27' })).toEqual([
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
      '2026-10-27',
    ]);
  });

  it('explains a custom range it cannot ask for', () => {
    expect(isDate('2026-02-30')).toBe(false);
    expect(rangeProblem({ from: '2026-02-30', to: '2026-03-01' })).toMatch(/YYYY-MM-DD/);
    expect(rangeProblem({ from: '2026-03-02', to: '2026-03-01' })).toMatch(/not be after/);
    expect(rangeProblem({ from: '2025-01-01', to: '2026-03-01' })).toMatch(/400 days/);
    expect(rangeProblem({ from: '2026-03-01', to: '2026-03-01' })).toBeNull();
  });
});

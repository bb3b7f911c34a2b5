// Sample times read as UTC instants: epoch numbers, digit strings, RFC 3339, and local times in a declared
// zone, at the calendar's and the clocks' edges (issue 16: a repeated autumn hour read as its second occurrence).
import { describe, expect, it } from 'vitest';
import { isKnownZone, localToUtc, toInstant } from '../../../shared/domain/telemetry/time.js';

const ok = (ms: number) => ({ ok: true, ms });
const bad = (reason: string) => expect.objectContaining({ ok: false, reason });

describe('local times across daylight-saving changes', () => {
  it('reads 02:30 on 25 October 2026 in Paris, which happens twice, as its first occurrence: 00:30 UTC (summer time)', () => {
    expect(toInstant('2026-10-25T02:30:00', 'ms', 'Europe/Paris')).toEqual(ok(Date.UTC(2026, 9, 25, 0, 30)));
    expect(localToUtc(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Paris')).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('reads 01:30 on 1 November 2026 in New York, which happens twice, as its first occurrence: 05:30 UTC (EDT)', () => {
    expect(toInstant('2026-11-01T01:30:00', 'ms', 'America/New_York')).toEqual(
      ok(Date.UTC(2026, 10, 1, 5, 30)),
    );
  });

  it('reads the hour after the repeat once: 03:30 on 25 October 2026 in Paris is 02:30 UTC', () => {
    expect(toInstant('2026-10-25T03:30:00', 'ms', 'Europe/Paris')).toEqual(ok(Date.UTC(2026, 9, 25, 2, 30)));
  });

  it('reads a skipped spring time past the jump: 02:30 on 29 March 2026 in Paris is 03:30 summer time (01:30 UTC)', () => {
    expect(toInstant('2026-03-29T02:30:00', 'ms', 'Europe/Paris')).toEqual(ok(Date.UTC(2026, 2, 29, 1, 30)));
    expect(toInstant('2026-03-08T02:30:00', 'ms', 'America/New_York')).toEqual(
      ok(Date.UTC(2026, 2, 8, 7, 30)),
    );
  });

  it('keeps seconds and milliseconds of a local time: 14:00:05.125 in Paris in July is 12:00:05.125 UTC', () => {
    expect(toInstant('2026-07-01T14:00:05.125', 'ms', 'Europe/Paris')).toEqual(
      ok(Date.UTC(2026, 6, 1, 12, 0, 5, 125)),
    );
    expect(toInstant('2026-01-01 00:59:59.5', 'ms', 'Asia/Kolkata')).toEqual(
      ok(Date.UTC(2025, 11, 31, 19, 29, 59, 500)),
    );
  });
});

describe('RFC 3339 spellings', () => {
  it.each([
    ['a lower-case t and z', '2026-11-25t12:00:00z', Date.UTC(2026, 10, 25, 12)],
    ['a space for the T', '2026-11-25 12:00:00Z', Date.UTC(2026, 10, 25, 12)],
    ['an offset without a colon', '2026-11-25T13:00:00+0100', Date.UTC(2026, 10, 25, 12)],
    ['an offset with minutes', '2026-11-25T17:45:00+05:45', Date.UTC(2026, 10, 25, 12)],
    ['a one-digit fraction: .5 s', '2026-11-25T12:00:00.5Z', Date.UTC(2026, 10, 25, 12, 0, 0, 500)],
    ['a leap second, as the first instant of the next minute', '2026-12-31T23:59:60Z', Date.UTC(2027, 0, 1)],
    ['29 February of a leap year', '2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['29 February 2000 (divisible by 400)', '2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['the last second of a day', '2026-04-30T23:59:59Z', Date.UTC(2026, 3, 30, 23, 59, 59)],
  ])('reads %s', (_name, time, ms) => {
    expect(toInstant(time, 'ms', undefined)).toEqual(ok(ms));
  });

  it('reads a microsecond fraction as a fraction of a millisecond: .000123 is 0.123 ms (to the precision binary has in 2026)', () => {
    const r = toInstant('2026-11-25T12:00:00.000123Z', 'ms', undefined);
    expect(r.ok && r.ms - Date.UTC(2026, 10, 25, 12)).toBeCloseTo(0.123, 3);
  });

  it.each([
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 0', '2026-00-10T00:00:00Z'],
    ['day 0', '2026-04-00T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['32 January', '2026-01-32T00:00:00Z'],
    ['29 February of a common year', '2026-02-29T00:00:00Z'],
    ['29 February 2100 (divisible by 100, not 400)', '2100-02-29T00:00:00Z'],
    ['hour 24', '2026-04-01T24:00:00Z'],
    ['minute 60', '2026-04-01T10:60:00Z'],
    ['second 61', '2026-04-01T10:00:61Z'],
  ])('refuses %s as not a calendar date-time', (_name, time) => {
    expect(toInstant(time, 'ms', undefined)).toEqual({
      ok: false,
      reason: 'bad_timestamp',
      problem: `"${time}" is not a calendar date-time`,
    });
  });

  it('accepts 31 December and 30 April, the last days of their months', () => {
    expect(toInstant('2026-12-31T00:00:00Z', 'ms', undefined)).toEqual(ok(Date.UTC(2026, 11, 31)));
    expect(toInstant('2026-04-30T00:00:00+00:00', 'ms', undefined)).toEqual(ok(Date.UTC(2026, 3, 30)));
  });

  it('knows the length of every month of 2026: its last day is read, the day after is refused', () => {
    const last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    last.forEach((days, i) => {
      const mm = String(i + 1).padStart(2, '0');
      expect(toInstant(`2026-${mm}-${days}T00:00:00Z`, 'ms', undefined)).toEqual(ok(Date.UTC(2026, i, days)));
      expect(toInstant(`2026-${mm}-${days + 1}T00:00:00Z`, 'ms', undefined)).toEqual(bad('bad_timestamp'));
    });
  });

  it('refuses an impossible offset: +24:00 and +01:60', () => {
    for (const time of ['2026-04-01T10:00:00+24:00', '2026-04-01T10:00:00+01:60']) {
      expect(toInstant(time, 'ms', undefined)).toEqual({
        ok: false,
        reason: 'bad_timestamp',
        problem: `"${time}" has an impossible offset`,
      });
    }
    expect(toInstant('2026-04-01T10:00:00-23:59', 'ms', undefined)).toEqual(
      ok(Date.UTC(2026, 3, 1, 10) + (23 * 60 + 59) * 60_000),
    );
  });

  it('refuses text that is no time, quoting its first 40 characters', () => {
    const text = `yesterday at noon ${'x'.repeat(40)}`;
    expect(toInstant(text, 'ms', undefined)).toEqual({
      ok: false,
      reason: 'bad_timestamp',
      problem: `"${text.slice(0, 40)}" is neither RFC 3339, a local date-time nor an epoch number`,
    });
    expect(toInstant(' 2026-04-01T10:00:00Z', 'ms', undefined)).toEqual(bad('bad_timestamp'));
    expect(toInstant('2026-04-01T10:00:00Zjunk', 'ms', undefined)).toEqual(bad('bad_timestamp'));
  });

  it('names the unknown zone it was given', () => {
    expect(toInstant('2026-04-01T10:00:00', 'ms', 'Mars/Olympus')).toEqual({
      ok: false,
      reason: 'unknown_time_zone',
      problem: '"Mars/Olympus" is not an IANA time zone',
    });
    expect(toInstant('2026-04-01T10:00:00', 'ms', '')).toEqual({
      ok: false,
      reason: 'missing_time_zone',
      problem: `"2026-04-01T10:00:00" has no offset: declare the agent's IANA timeZone on the batch or the sample`,
    });
  });
});

describe('epoch times', () => {
  const T = Date.UTC(2026, 10, 25, 12);

  it('reads epoch numbers in each unit: seconds, milliseconds, microseconds, nanoseconds', () => {
    expect(toInstant(T / 1000 + 0.25, 's', undefined)).toEqual(ok(T + 250));
    expect(toInstant(T, 'ms', undefined)).toEqual(ok(T));
    expect(toInstant(T * 1000, 'us', undefined)).toEqual(ok(T));
    expect(toInstant(T * 1e6, 'ns', undefined)).toEqual(ok(T));
  });

  it('refuses a number that is not finite', () => {
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(toInstant(x, 'ms', undefined)).toEqual({
        ok: false,
        reason: 'bad_timestamp',
        problem: 'is not a finite number',
      });
    }
  });

  it('reads digit strings in each unit, microseconds keeping their fraction of a millisecond', () => {
    expect(toInstant(`${T / 1000}`, 's', undefined)).toEqual(ok(T));
    expect(toInstant(`${T}`, 'ms', undefined)).toEqual(ok(T));
    expect(toInstant(`${T}250`, 'us', undefined)).toEqual(ok(T + 0.25));
    expect(toInstant(`${T}000500`, 'ns', undefined)).toEqual(ok(T + 0.0005));
    expect(toInstant('-1500', 'ms', undefined)).toEqual(ok(-1500));
  });

  it('reads a microsecond digit string by integer division, exact to the nearest double: 1796004730458213 us is 1796004730458.213 ms', () => {
    // Multiplying the whole number by 1e-3 would give 1796004730458.2131 (0.001 has no exact binary form).
    expect(toInstant('1796004730458213', 'us', undefined)).toEqual(ok(1796004730458.213));
  });

  it('does not read 25 digits as an epoch number', () => {
    expect(toInstant('1'.repeat(25), 'ns', undefined)).toEqual(bad('bad_timestamp'));
  });
});

describe('time zone names', () => {
  it('knows IANA zones and not invented ones, the same on every call', () => {
    expect([isKnownZone('Europe/Paris'), isKnownZone('Europe/Paris')]).toEqual([true, true]);
    expect([isKnownZone('Mars/Olympus'), isKnownZone('Mars/Olympus')]).toEqual([false, false]);
  });
});

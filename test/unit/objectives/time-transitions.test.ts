import { describe, expect, it } from 'vitest';
import {
  calendarPeriod,
  firstTransition,
  hhmmToMinutes,
  isoDate,
  lastTransition,
  localParts,
  offsetAt,
  supportedIntervals,
  transitionsBetween,
  weekdayOf,
  zonedToUtc,
  zoneOffset,
} from '../../../shared/domain/objectives/time.js';

const H = 3_600_000;
const PARIS = 'Europe/Paris';
const NY = 'America/New_York';
// EU rule: clocks change at 01:00 UTC on the last Sunday of March and of October.
const PARIS_SPRING_2026 = Date.UTC(2026, 2, 29, 1);
const PARIS_AUTUMN_2026 = Date.UTC(2026, 9, 25, 1);

describe('offset changes of a zone, from the remembered transitions', () => {
  it('finds the two changes of 2026 in Paris: +1 h to +2 h at 01:00 UTC on 29 March, back at 01:00 UTC on 25 October', () => {
    expect(transitionsBetween(PARIS, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))).toEqual([
      { at: PARIS_SPRING_2026, before: H, after: 2 * H },
      { at: PARIS_AUTUMN_2026, before: 2 * H, after: H },
    ]);
  });

  it('gives the offset in force to the millisecond: +1 h one millisecond before the spring change, +2 h at it', () => {
    expect(zoneOffset(PARIS_SPRING_2026 - 1, PARIS)).toBe(H);
    expect(zoneOffset(PARIS_SPRING_2026, PARIS)).toBe(2 * H);
    expect(zoneOffset(PARIS_AUTUMN_2026 - 1, PARIS)).toBe(2 * H);
    expect(zoneOffset(PARIS_AUTUMN_2026, PARIS)).toBe(H);
    expect(zoneOffset(Date.UTC(2026, 0, 1), PARIS)).toBe(H);
  });

  it('counts a change at the start of a range and not one at its end (from <= at < to)', () => {
    const autumn = { at: PARIS_AUTUMN_2026, before: 2 * H, after: H };
    expect(firstTransition(PARIS, PARIS_AUTUMN_2026, PARIS_AUTUMN_2026 + 1)).toEqual(autumn);
    expect(lastTransition(PARIS, PARIS_AUTUMN_2026, PARIS_AUTUMN_2026 + 1)).toEqual(autumn);
    expect(transitionsBetween(PARIS, PARIS_AUTUMN_2026, PARIS_AUTUMN_2026 + 1)).toEqual([autumn]);
    expect(firstTransition(PARIS, PARIS_AUTUMN_2026 - H, PARIS_AUTUMN_2026)).toBeUndefined();
    expect(lastTransition(PARIS, PARIS_AUTUMN_2026 - H, PARIS_AUTUMN_2026)).toBeUndefined();
    expect(transitionsBetween(PARIS, PARIS_AUTUMN_2026 - H, PARIS_AUTUMN_2026)).toEqual([]);
    expect(firstTransition(PARIS, PARIS_AUTUMN_2026 + 1, PARIS_AUTUMN_2026 + H)).toBeUndefined();
    expect(lastTransition(PARIS, PARIS_AUTUMN_2026 + 1, PARIS_AUTUMN_2026 + H)).toBeUndefined();
  });

  it('gives the first and the last change of a range holding both, and nothing for an empty or reversed range', () => {
    const year = [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)] as const;
    expect(firstTransition(PARIS, ...year)?.at).toBe(PARIS_SPRING_2026);
    expect(lastTransition(PARIS, ...year)?.at).toBe(PARIS_AUTUMN_2026);
    for (const [from, to] of [
      [PARIS_SPRING_2026, PARIS_SPRING_2026],
      [PARIS_AUTUMN_2026 + 1, PARIS_SPRING_2026],
    ]) {
      expect(firstTransition(PARIS, from!, to!)).toBeUndefined();
      expect(lastTransition(PARIS, from!, to!)).toBeUndefined();
      expect(transitionsBetween(PARIS, from!, to!)).toEqual([]);
    }
  });

  it('widens what it remembers backwards and forwards: New York 2026, then 2019, then 2031 (second Sunday of March, first of November)', () => {
    const ny = (from: number, to: number) =>
      transitionsBetween(NY, from, to).map((x) => new Date(x.at).toISOString());
    expect(ny(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
    ]);
    expect(ny(Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1))).toEqual([
      '2019-03-10T07:00:00.000Z',
      '2019-11-03T06:00:00.000Z',
    ]);
    expect(ny(Date.UTC(2031, 0, 1), Date.UTC(2032, 0, 1))).toEqual([
      '2031-03-09T07:00:00.000Z',
      '2031-11-02T06:00:00.000Z',
    ]);
    // Every year between is known too: 2019 to 2031 has 13 springs and 13 autumns.
    expect(transitionsBetween(NY, Date.UTC(2019, 0, 1), Date.UTC(2032, 0, 1))).toHaveLength(26);
    expect(zoneOffset(Date.UTC(2019, 6, 1), NY)).toBe(-4 * H);
    expect(zoneOffset(Date.UTC(2019, 0, 1), NY)).toBe(-5 * H);
    expect(zoneOffset(Date.UTC(2031, 11, 31), NY)).toBe(-5 * H);
  });

  it('finds no change in a zone without daylight saving time: Kolkata stays at +5:30', () => {
    expect(transitionsBetween('Asia/Kolkata', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))).toEqual([]);
    expect(zoneOffset(Date.UTC(2026, 6, 1), 'Asia/Kolkata')).toBe(5.5 * H);
  });

  it('pins a half-hour change to its minute: Lord Howe goes from +11 h to +10:30 at 15:00 UTC on 4 April 2026', () => {
    expect(firstTransition('Australia/Lord_Howe', Date.UTC(2026, 0, 1), Date.UTC(2026, 6, 1))).toEqual({
      at: Date.UTC(2026, 3, 4, 15),
      before: 11 * H,
      after: 10.5 * H,
    });
  });
});

describe('wall-clock offsets read through Intl', () => {
  it('reads the offset of an instant inside a minute, and of one before 1970', () => {
    expect(offsetAt(Date.UTC(2026, 6, 1, 12, 0, 30, 250), PARIS)).toBe(2 * H);
    expect(offsetAt(Date.UTC(1969, 11, 31, 23, 59, 30), 'Asia/Kolkata')).toBe(5.5 * H);
    expect(offsetAt(-1, PARIS)).toBe(H);
  });

  it('reads the wall-clock parts at an instant, midnight as hour 0', () => {
    expect(localParts(Date.UTC(2026, 6, 1, 22, 5), PARIS)).toEqual({
      year: 2026,
      month: 7,
      day: 2,
      hour: 0,
      minute: 5,
    });
  });
});

describe('local calendar helpers', () => {
  it('numbers ISO weekdays from Monday: 30 November 2026 is 0, 6 December 2026 is 6', () => {
    expect(weekdayOf({ year: 2026, month: 11, day: 30 })).toBe(0);
    expect(weekdayOf({ year: 2026, month: 12, day: 6 })).toBe(6);
  });

  it('writes a local date with four-digit years and two-digit months and days', () => {
    expect(isoDate({ year: 987, month: 3, day: 4 })).toBe('0987-03-04');
  });

  it('reads "24:00" as the end of the day (1,440 minutes) and "07:45" as 465', () => {
    expect(hhmmToMinutes('24:00')).toBe(1440);
    expect(hhmmToMinutes('07:45')).toBe(465);
  });

  it('maps a wall time on a day without a change through the one offset in force', () => {
    expect(zonedToUtc({ year: 2026, month: 7, day: 1 }, 9 * 60, PARIS)).toBe(Date.UTC(2026, 6, 1, 7));
  });

  it('makes the fourth quarter of 2026 in Paris run from 1 October 00:00 (+2 h) to 1 January 00:00 (+1 h)', () => {
    expect(calendarPeriod('quarter', Date.UTC(2026, 10, 15), PARIS)).toEqual({
      start: Date.UTC(2026, 8, 30, 22),
      end: Date.UTC(2026, 11, 31, 23),
    });
  });
});

describe('supported hours across local days', () => {
  const weekdays = {
    kind: 'calendar' as const,
    windows: [{ days: ['mon'], start: '09:00', end: '17:00' }],
    holidays: [],
  };

  it('finds Monday 09:00–17:00 in Auckland (+13 h in January) though it falls on Sunday and Monday in UTC', () => {
    // Monday 5 January 2026, 09:00–17:00 NZDT is Sunday 4 January 20:00 UTC to Monday 5 January 04:00 UTC.
    const from = Date.UTC(2026, 0, 4, 12);
    const to = Date.UTC(2026, 0, 5, 12);
    expect(supportedIntervals(weekdays, 'Pacific/Auckland', from, to)).toEqual([
      { start: Date.UTC(2026, 0, 4, 20), end: Date.UTC(2026, 0, 5, 4) },
    ]);
  });

  it('clips the hours to the range asked, and finds none in a range outside them', () => {
    const from = Date.UTC(2026, 10, 30, 10); // Monday 30 November, 11:00 in Paris
    expect(supportedIntervals(weekdays, PARIS, from, Date.UTC(2026, 10, 30, 12))).toEqual([
      { start: from, end: Date.UTC(2026, 10, 30, 12) },
    ]);
    expect(
      supportedIntervals(weekdays, PARIS, Date.UTC(2026, 10, 30, 16), Date.UTC(2026, 10, 30, 20)),
    ).toEqual([]);
  });

  it('keeps the hours of the last day of a range that ends in them, a whole month later', () => {
    const from = Date.UTC(2026, 9, 31);
    const to = Date.UTC(2026, 10, 30, 9); // Monday 30 November, 10:00 in Paris
    const got = supportedIntervals(weekdays, PARIS, from, to);
    expect(got.at(-1)).toEqual({ start: Date.UTC(2026, 10, 30, 8), end: to });
    // Mondays 2, 9, 16, 23 and 30 November.
    expect(got).toHaveLength(5);
  });
});

import { describe, expect, it } from 'vitest';
import { SliceGrid } from '../../../shared/domain/objectives/slices.js';
import {
  calendarPeriod,
  firstTransition,
  lastTransition,
  supportedIntervals,
  transitionsBetween,
  zoneOffset,
} from '../../../shared/domain/objectives/time.js';

// Offset changes that fall at exactly 00:00 UTC on 1 January, found by probing every IANA zone Intl knows
// (Node 20's tz data) at each 1 January 00:00 UTC and one minute before, 1900-2035. Both are in tzdata's own words:
// - Europe/Lisbon: "-0:36:45 LMT 1912 Jan 1 0:00u", then WET (+0). Offsets are read to the minute, so local mean
//   time is -37 min (00:00 UTC showed 23:23:15, read 23:23).
// - Antarctica/Casey: "-00 until 1969", then +08: 00:00 UTC on 1 January 1969 is 08:00 local.
// The zone's span of years is remembered per zone (module state): each test asks the year BEFORE the change first,
// so the change sits at the end of the first year scanned, which is where it was lost.
const MIN = 60_000;
const H = 3_600_000;
const LISBON = 'Europe/Lisbon';
const CASEY = 'Antarctica/Casey';
const LISBON_1912 = Date.UTC(1912, 0, 1);
const CASEY_1969 = Date.UTC(1969, 0, 1);

describe('an offset change at exactly 00:00 UTC on 1 January', () => {
  it("finds Lisbon's change from local mean time (-37 min) to WET (+0) at 00:00 UTC on 1 January 1912", () => {
    expect(zoneOffset(Date.UTC(1911, 6, 1), LISBON)).toBe(-37 * MIN);
    const change = { at: LISBON_1912, before: -37 * MIN, after: 0 };
    // Portugal's first summer time was 1916: this is the only change between July 1911 and July 1912.
    expect(transitionsBetween(LISBON, Date.UTC(1911, 6, 1), Date.UTC(1912, 6, 1))).toEqual([change]);
    expect(firstTransition(LISBON, Date.UTC(1911, 6, 1), Date.UTC(1912, 6, 1))).toEqual(change);
    expect(lastTransition(LISBON, Date.UTC(1911, 6, 1), Date.UTC(1912, 6, 1))).toEqual(change);
    expect(zoneOffset(LISBON_1912 - 1, LISBON)).toBe(-37 * MIN);
    expect(zoneOffset(LISBON_1912, LISBON)).toBe(0);
    expect(zoneOffset(Date.UTC(1912, 5, 1), LISBON)).toBe(0);
  });

  it('gives Casey +8 h through 1969 once 1968 has been asked: the change at 00:00 UTC on 1 January is not lost', () => {
    expect(zoneOffset(Date.UTC(1968, 5, 1), CASEY)).toBe(0);
    expect(zoneOffset(Date.UTC(1969, 5, 1), CASEY)).toBe(8 * H);
    expect(transitionsBetween(CASEY, Date.UTC(1968, 0, 1), Date.UTC(1970, 0, 1))).toEqual([
      { at: CASEY_1969, before: 0, after: 8 * H },
    ]);
  });

  it("keeps local midnight as the daily slice boundary across Lisbon's change: 31 December 1911 lasts 23 h 23 min", () => {
    // Local midnight under -37 min is 00:37 UTC; at 00:00 UTC on 1 January the clock jumps from 23:23 to 00:00,
    // so that instant is midnight of 1 January, and from then midnight is 00:00 UTC.
    const days = SliceGrid.of(LISBON, 1440).boundaries(Date.UTC(1911, 11, 30), Date.UTC(1912, 0, 3));
    expect(days).toEqual([
      Date.UTC(1911, 11, 30, 0, 37),
      Date.UTC(1911, 11, 31, 0, 37),
      LISBON_1912,
      Date.UTC(1912, 0, 2),
    ]);
    expect(days[2]! - days[1]!).toBe(23 * H + 23 * MIN);
  });

  it('starts January 1969 in Casey at the change and gives its first day 16 hours, each later day 24', () => {
    // Midnight of 1 January (00:00 under +0) never shows: the month and the day start when the clock jumps to
    // 08:00, at 00:00 UTC. Midnight of 2 January is 00:00 under +8, 16:00 UTC on 1 January; 1 February is
    // 16:00 UTC on 31 January.
    const grid = SliceGrid.of(CASEY, 1440);
    expect(grid.boundaries(Date.UTC(1968, 11, 31), Date.UTC(1969, 0, 3))).toEqual([
      Date.UTC(1968, 11, 31),
      CASEY_1969,
      Date.UTC(1969, 0, 1, 16),
      Date.UTC(1969, 0, 2, 16),
    ]);
    const january = calendarPeriod('month', Date.UTC(1969, 0, 15), CASEY);
    expect(january).toEqual({ start: CASEY_1969, end: Date.UTC(1969, 0, 31, 16) });
    expect(calendarPeriod('month', Date.UTC(1968, 11, 15), CASEY)).toEqual({
      start: Date.UTC(1968, 11, 1),
      end: CASEY_1969,
    });
    // 31 daily slices: one of 16 hours, then 30 of 24 hours.
    expect(grid.runs(january.start, january.end)).toEqual([
      { start: CASEY_1969, sliceMs: 16 * H, count: 1 },
      { start: Date.UTC(1969, 0, 1, 16), sliceMs: 24 * H, count: 30 },
    ]);
  });
});

describe('supported hours at a fall-back that crosses local midnight', () => {
  // St. John's (Newfoundland) changed at 00:01 local until 2011: on 29 October 2006 at 02:31 UTC the clock went
  // from 00:00:59 (NDT, -2:30) back to 23:01 on 28 October (NST, -3:30). So 00:00 on 29 October first shows at
  // 02:30 UTC, BEFORE the wall clock returns to 28 October for the repeated hour.
  const STJ = 'America/St_Johns';
  const cal = {
    kind: 'calendar' as const,
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '01:00' }],
    holidays: [],
  };

  it("counts the day after the range's last local date when the range ends in the repeated hour: 30 min of 29 October", () => {
    // Range 02:00-03:00 UTC: 23:30 on 28 October (NDT) to 23:30 on 28 October again (NST, second time), so the
    // end's local date is 28 October. The window of 29 October 00:00-01:00 starts at its first occurrence, 02:30
    // UTC (00:00 at -2:30), and is cut at the range's end, 03:00 UTC; 28 October's window (02:30-03:30 UTC on the
    // 28th) is long over.
    expect(supportedIntervals(cal, STJ, Date.UTC(2006, 9, 29, 2), Date.UTC(2006, 9, 29, 3))).toEqual([
      { start: Date.UTC(2006, 9, 29, 2, 30), end: Date.UTC(2006, 9, 29, 3) },
    ]);
  });
});

describe('a daily slice that starts at an offset change skipping midnight', () => {
  // Chile (America/Santiago) went from -4 to -3 at 04:00 UTC on 8 September 2024: the wall clock jumped from 00:00
  // to 01:00, so that day starts at the change and lasts 23 hours, to midnight under -3 (03:00 UTC on the 9th).
  const SANTIAGO = 'America/Santiago';
  const CHANGE = Date.UTC(2024, 8, 8, 4);

  it('gives the change as its own earliest boundary, as floor already did', () => {
    const grid = SliceGrid.of(SANTIAGO, 1440);
    expect(grid.floor(CHANGE)).toBe(CHANGE);
    expect(grid.ceil(CHANGE)).toBe(CHANGE);
    expect(grid.ceil(CHANGE + 1)).toBe(Date.UTC(2024, 8, 9, 3));
  });

  it('moves past a change that is not a boundary: Paris at 01:00 UTC on 29 March 2026 (02:00 to 03:00) to midnight', () => {
    // Midnight of 29 March showed at 23:00 UTC on the 28th; the change skips 02:00-03:00 only, so the next daily
    // boundary is midnight of the 30th under +2, 22:00 UTC on the 29th. Hourly, the change is a boundary (03:00).
    const change = Date.UTC(2026, 2, 29, 1);
    expect(SliceGrid.of('Europe/Paris', 1440).ceil(change)).toBe(Date.UTC(2026, 2, 29, 22));
    expect(SliceGrid.of('Europe/Paris', 60).ceil(change)).toBe(change);
  });

  it('counts the 23-hour day when a range starts exactly at the change: 4 days start in the next 72 hours', () => {
    // Days start at 04:00 UTC on the 8th, then 03:00 UTC on the 9th, 10th and 11th (all before 04:00 on the 11th).
    const grid = SliceGrid.of(SANTIAGO, 1440);
    const to = CHANGE + 72 * H;
    expect(grid.runs(CHANGE, to)).toEqual([
      { start: CHANGE, sliceMs: 23 * H, count: 1 },
      { start: Date.UTC(2024, 8, 9, 3), sliceMs: 24 * H, count: 3 },
    ]);
    expect(grid.count(CHANGE, to)).toBe(4);
  });
});

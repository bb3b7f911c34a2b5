import { describe, expect, it } from 'vitest';
import {
  bucketsIn,
  SLICE_MINUTES,
  SliceGrid,
  sliceMinutesProblem,
  sliceStatsOf,
  UnsupportedSliceLengthError,
} from '../../../shared/domain/objectives/slices.js';
import type { RollupBucket } from '../../../shared/domain/rollups.js';

const M = 60_000;
const H = 60 * M;
/** Monday 5 January 2026, 00:00 UTC. */
const T0 = Date.UTC(2026, 0, 5);

describe('the slice lengths Accord can count', () => {
  it('are exactly the whole 5-minute multiples that divide a day', () => {
    // 1440 = 2^5 · 3^2 · 5: the lengths are 5 × every divisor of 288 = 2^5 · 3^2.
    expect(SLICE_MINUTES).toEqual([
      5, 10, 15, 20, 30, 40, 45, 60, 80, 90, 120, 160, 180, 240, 360, 480, 720, 1440,
    ]);
  });

  it('refuses zero, negative and fractional lengths as not a whole number of minutes', () => {
    expect(sliceMinutesProblem(0)).toBe('0 is not a whole number of minutes');
    expect(sliceMinutesProblem(-5)).toBe('-5 is not a whole number of minutes');
    expect(sliceMinutesProblem(7.5)).toBe('7.5 is not a whole number of minutes');
  });

  it('names every length that would do when one does not divide a day', () => {
    // 1440 / 25 = 57.6.
    expect(sliceMinutesProblem(25)).toBe(
      '25-minute slices do not divide a day, so they cannot follow local midnight (use one of 5, 10, 15, 20, 30, 40, 45, 60, 80, 90, 120, 160, 180, 240, 360, 480, 720, 1440)',
    );
  });

  it('still names the length in an error raised for one that is in fact supported', () => {
    const e = new UnsupportedSliceLengthError(60);
    expect(e.message).toBe('unsupported time slice: 60 is not supported');
    expect(e.details).toEqual([{ path: 'timeSlice.minutes', problem: '60 is not supported' }]);
  });
});

describe('45-minute slices across the spring change in London (29 March 2026, 01:00 UTC)', () => {
  // Local boundaries 00:00, 00:45, 01:30, 02:15, 03:00, … GMT then BST. Clocks jump from 01:00 GMT to 02:00 BST, so
  // 01:30 never shows: that slice starts at the change instead (01:00 UTC), and the next boundary is 02:15 BST
  // (01:15 UTC). Both slices around the change last 15 minutes.
  const day = Date.UTC(2026, 2, 29);
  const grid = SliceGrid.of('Europe/London', 45);

  it('gives the two slices around the change 15 minutes each and resumes the 45-minute rhythm after them', () => {
    expect(grid.runs(day, day + 3 * H)).toEqual([
      { start: day, sliceMs: 45 * M, count: 1 },
      { start: day + 45 * M, sliceMs: 15 * M, count: 2 },
      { start: day + 75 * M, sliceMs: 45 * M, count: 3 },
    ]);
    expect(grid.boundaries(day, day + 3 * H).map((t) => (t - day) / M)).toEqual([0, 45, 60, 75, 120, 165]);
    expect(grid.count(day, day + 3 * H)).toBe(6);
  });
});

describe('hour slices across the autumn change in London (25 October 2026, 01:00 UTC)', () => {
  // Clocks go back from 02:00 BST to 01:00 GMT at 01:00 UTC: the repeated 01:00 is a boundary of its own, so the
  // hour slice that starts at 00:00 UTC (01:00 BST) ends at 01:00 UTC, and the next one starts there.
  const change = Date.UTC(2026, 9, 25, 1);
  const grid = SliceGrid.of('Europe/London', 60);

  it('starts a slice at the repeated 01:00: the latest boundary at or before 01:00 and 01:30 UTC is 01:00 UTC', () => {
    expect(grid.floor(change)).toBe(change);
    expect(grid.floor(change + 30 * M)).toBe(change);
    expect(grid.floor(change - 1)).toBe(change - H);
  });
});

describe('slice counts computed from a series’ buckets', () => {
  const bucket = (at: number, good: number, total: number): RollupBucket => ({
    sliKey: 'svc_pay/availability',
    bucketStart: at,
    good,
    total,
    count: 0,
    sum: 0,
    min: 0,
    max: 0,
  });
  const request = {
    sliKey: 'svc_pay/availability',
    sliceMinutes: 60,
    timeZone: 'UTC',
    target: 0.9,
    fromMs: T0 + 30 * M,
    toMs: T0 + 3 * H + 30 * M,
  };

  it('count only the complete slices of the request, ignoring buckets of the cut slices at either end', () => {
    // Complete hour slices: 01:00 and 02:00. A store read from 00:30 to 03:30 also returns the 00:30 bucket and
    // the 03:00 and 03:05 ones (all bad), which belong to slices the request does not cover.
    const stats = sliceStatsOf(
      [
        bucket(T0 + 30 * M, 0, 10),
        bucket(T0 + H, 10, 10),
        bucket(T0 + 2 * H, 5, 10),
        bucket(T0 + 3 * H, 0, 10),
        bucket(T0 + 3 * H + 5 * M, 0, 10),
      ],
      request,
    );
    // 01:00 is good (10/10), 02:00 bad (5/10): ratios 1 + 0.5.
    expect(stats).toEqual({ slices: 2, good: 1, bad: 1, ratioSum: 1.5 });
  });
});

describe('whole 5-minute buckets in a slice', () => {
  it('are its length in 5-minute steps, wherever it starts', () => {
    expect(bucketsIn(T0, T0 + H)).toBe(12);
    // London's 23-hour day of 29 March 2026: midnight GMT (00:00 UTC) to midnight BST (23:00 UTC).
    expect(bucketsIn(Date.UTC(2026, 2, 29), Date.UTC(2026, 2, 29, 23))).toBe(276);
  });
});

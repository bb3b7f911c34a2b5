/**
 * Timeslices on the agreement's local calendar.
 *
 * A slice length L (minutes) must divide a day and be a whole number of 5-minute rollup buckets, so that
 * every slice is a set of whole buckets and every local day a whole number of slices. Slice boundaries are
 * the instants at which the agreement's wall clock reads a multiple of L after local midnight, every
 * occurrence of it:
 * - a 23-hour day (clocks go forward) has the wall times of the skipped hour missing: a slice that would
 *   start inside the gap starts at the change instead, so daily slices last 23 hours, hourly slices number
 *   23 and a 2-hour slice holding the change lasts 1 hour;
 * - a 25-hour day (clocks go back) shows the repeated wall times twice: both occurrences are boundaries, so
 *   daily slices last 25 hours, hourly slices number 25 and a 2-hour slice holding the change lasts 3 hours.
 * Local midnight is therefore always a boundary (or, where midnight itself is skipped, the change that
 * skips it), in every zone and at both changes. A bucket belongs to the slice that holds its start.
 */

import { ValidationError } from '../errors.js';
import { BUCKET_MS, type RollupBucket } from '../rollups.js';
import { meetsRatio } from './exact.js';
import {
  DAY_MS,
  firstTransition,
  lastTransition,
  MINUTE_MS,
  type OffsetTransition,
  zoneOffset,
} from './time.js';

/** Slice lengths (minutes) that divide a day and are whole 5-minute buckets: 5, 10, 15, 20, 30, … 1440. */
// Stryker disable all: evaluated once when the module loads, before Stryker switches any mutant on, so no run can kill a mutant of this constant; slices-edges.test.ts pins the list value by value, and each of its mutants fails that test when applied to the source
export const SLICE_MINUTES: readonly number[] = Array.from({ length: 288 }, (_, i) => (i + 1) * 5).filter(
  (m) => 1440 % m === 0,
);
// Stryker restore all

/** Why a slice length cannot be used, or null when it can. */
export function sliceMinutesProblem(minutes: number): string | null {
  if (!Number.isInteger(minutes) || minutes <= 0) return `${minutes} is not a whole number of minutes`;
  if (minutes % 5 !== 0) {
    return `${minutes}-minute slices are finer than the 5-minute rollups: they cannot be counted (use a multiple of 5 minutes)`;
  }
  if (1440 % minutes !== 0) {
    return `${minutes}-minute slices do not divide a day, so they cannot follow local midnight (use one of ${SLICE_MINUTES.join(', ')})`;
  }
  return null;
}

/** A slice length that Accord cannot count exactly: refused wherever it enters, the domain included. */
export class UnsupportedSliceLengthError extends ValidationError {
  constructor(
    readonly minutes: number,
    path = 'timeSlice.minutes',
  ) {
    const problem = sliceMinutesProblem(minutes) ?? `${minutes} is not supported`;
    super(`unsupported time slice: ${problem}`, [{ path, problem }]);
  }
}

/** Throws UnsupportedSliceLengthError unless `minutes` is one of SLICE_MINUTES. */
export function assertSliceMinutes(minutes: number, path?: string): void {
  if (sliceMinutesProblem(minutes) !== null) throw new UnsupportedSliceLengthError(minutes, path);
}

/** A run of `count` consecutive slices of `sliceMs` each, the first starting at `start`. */
export interface SliceRun {
  start: number;
  sliceMs: number;
  count: number;
}

const mod = (a: number, m: number) => ((a % m) + m) % m;

/**
 * The slice grid of one length in one time zone. Between two offset changes the boundaries are an
 * arithmetic progression; the changes (a handful a year, remembered per zone) are handled on their own, so
 * every operation costs a few steps whatever the span.
 */
export class SliceGrid {
  readonly sliceMs: number;
  private static readonly grids = new Map<string, SliceGrid>();

  private constructor(
    readonly timeZone: string,
    readonly minutes: number,
  ) {
    this.sliceMs = minutes * MINUTE_MS;
  }

  /** The grid for a zone and a slice length; UnsupportedSliceLengthError for a length it cannot count. */
  static of(timeZone: string, minutes: number): SliceGrid {
    const key = `${timeZone}|${minutes}`;
    let g = SliceGrid.grids.get(key);
    // Stryker disable next-line ConditionalExpression: performance only: a grid built again for the same zone and length answers the same (it holds no state but its zone and length)
    if (!g) {
      assertSliceMinutes(minutes);
      g = new SliceGrid(timeZone, minutes);
      SliceGrid.grids.set(key, g);
    }
    return g;
  }

  /** Whether an offset change is itself a boundary: it skips (or lands on) a wall time that is one. */
  private changeIsBoundary(x: OffsetTransition): boolean {
    const L = this.sliceMs;
    if (mod(x.at + x.after, L) === 0) return true;
    // Forward: the wall times [at + before, at + after) never show; a boundary among them moves to `at`. (Backward,
    // the test is false by itself: the floor of at + after is at most at + after, below at + before.)
    return Math.floor((x.at + x.after) / L) * L >= x.at + x.before;
  }

  /** The latest boundary at or before t. */
  floor(t: number): number {
    for (;;) {
      const o = zoneOffset(t, this.timeZone);
      const c = t - mod(t + o, this.sliceMs);
      // A change at c itself is a boundary (c is on the grid of the offset it brings in), found here as one.
      const last = lastTransition(this.timeZone, c, t + 1);
      if (!last) return c;
      if (this.changeIsBoundary(last)) return last.at;
      t = last.at - 1;
    }
  }

  /** The earliest boundary at or after t. */
  ceil(t: number): number {
    // A change at t itself that is a boundary (one skipping midnight: America/Santiago, 04:00 UTC on 8 September
    // 2024) is off the regular grid of the offset it starts, and the search below only looks after t.
    const here = firstTransition(this.timeZone, t, t + 1);
    if (here && this.changeIsBoundary(here)) return t;
    for (;;) {
      const o = zoneOffset(t, this.timeZone);
      const c = t + mod(-(t + o), this.sliceMs);
      const first = firstTransition(this.timeZone, t + 1, c + 1);
      if (!first) return c;
      if (this.changeIsBoundary(first)) return first.at;
      t = first.at;
    }
  }

  /** The boundary after t (the end of the slice that holds t). */
  next(t: number): number {
    return this.ceil(t + 1);
  }

  /** The slices that start in [from, to), as arithmetic runs (a slice holding an offset change is its own run). */
  runs(from: number, to: number): SliceRun[] {
    const out: SliceRun[] = [];
    const L = this.sliceMs;
    let t = this.ceil(from);
    while (t < to) {
      if (mod(t + zoneOffset(t, this.timeZone), L) !== 0) {
        // A change that skipped a boundary's wall time: this slice starts there and is irregular.
        const end = this.next(t);
        out.push({ start: t, sliceMs: end - t, count: 1 });
        t = end;
        continue;
      }
      // Boundaries are t, t + L, … until the next offset change (or the end of the span).
      const change = firstTransition(this.timeZone, t + 1, to);
      const segmentEnd = change ? change.at : to;
      const k = Math.ceil((segmentEnd - t) / L);
      if (k > 1) out.push({ start: t, sliceMs: L, count: k - 1 });
      // The last slice of the segment may hold the change: it ends at the next boundary, whatever its length.
      const last = t + (k - 1) * L;
      const end = this.next(last);
      out.push({ start: last, sliceMs: end - last, count: 1 });
      t = end;
    }
    return merge(out);
  }

  /** Every boundary in [from, to), in order (for tests and small spans). */
  boundaries(from: number, to: number): number[] {
    const out: number[] = [];
    for (const r of this.runs(from, to)) for (let k = 0; k < r.count; k++) out.push(r.start + k * r.sliceMs);
    return out;
  }

  /** How many slices start in [from, to): the runs' walk, without building them. */
  count(from: number, to: number): number {
    const L = this.sliceMs;
    let n = 0;
    let t = this.ceil(from);
    while (t < to) {
      // From t, k starts are assumed L apart up to the next change; where t is irregular (a change skipped its wall
      // time) the true ones are t, then t + δ + jL (δ < L): as many lie before t + (k − 1)L, and the walk resumes at
      // the true boundary after that instant, so the count holds either way.
      const change = firstTransition(this.timeZone, t + 1, to);
      const k = Math.ceil(((change ? change.at : to) - t) / L);
      n += k;
      t = this.next(t + (k - 1) * L);
    }
    return n;
  }
}

function merge(runs: SliceRun[]): SliceRun[] {
  const out: SliceRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    // runs() emits each run where the previous one ended: runs of one length in a row are one run.
    if (last && last.sliceMs === r.sliceMs) {
      last.count += r.count;
    } else out.push({ ...r });
  }
  return out;
}

/**
 * Complete slices of `sliceMinutes` on the local-calendar grid of `timeZone` that start at or after fromMs
 * and end at or before toMs. A slice is good when good/total ≥ target (exactly), bad when below, empty when
 * it holds no events.
 */
export interface SliceRequest {
  sliKey: string;
  sliceMinutes: number;
  timeZone: string;
  /** The slice target, a ratio 0 < x ≤ 1. */
  target: number;
  fromMs: number;
  toMs: number;
}

export interface SliceStats {
  /** Slices in the range, empty ones included. */
  slices: number;
  good: number;
  bad: number;
  /** Sum of good/total over the slices with events (for ratio timeslices). */
  ratioSum: number;
}

/** The complete-slice span of a request: its first boundary at or after fromMs and last at or before toMs. */
export function sliceSpan(grid: SliceGrid, r: { fromMs: number; toMs: number }): [number, number] {
  const from = grid.ceil(r.fromMs);
  const to = grid.floor(r.toMs);
  return [from, Math.max(from, to)];
}

/** Slice stats computed directly from a series' buckets: the reference every adapter agrees with. */
export function sliceStatsOf(buckets: readonly RollupBucket[], r: SliceRequest): SliceStats {
  const grid = SliceGrid.of(r.timeZone, r.sliceMinutes);
  const [from, to] = sliceSpan(grid, r);
  const out: SliceStats = { slices: grid.count(from, to), good: 0, bad: 0, ratioSum: 0 };
  let sliceEnd = Number.NEGATIVE_INFINITY;
  let good = 0;
  let total = 0;
  const close = () => {
    if (total <= 0) return;
    out.ratioSum += good / total;
    if (meetsRatio(good, total, r.target)) out.good++;
    else out.bad++;
  };
  for (const b of buckets) {
    if (b.bucketStart < from || b.bucketStart >= to) continue;
    if (b.bucketStart >= sliceEnd) {
      close();
      good = 0;
      total = 0;
      sliceEnd = grid.next(b.bucketStart);
    }
    good += b.good;
    total += b.total;
  }
  close();
  return out;
}

/** Whole 5-minute buckets in a slice (every boundary is on a bucket boundary in zones whose offsets are). */
export function bucketsIn(start: number, end: number): number {
  return Math.round((end - start) / BUCKET_MS);
}

/** A day in milliseconds, for callers that reason about 23- and 25-hour days. */
export const NOMINAL_DAY_MS = DAY_MS;

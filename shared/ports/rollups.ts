/**
 * The rollup port shared by telemetry ingestion (writer) and the objectives engine (reader).
 *
 * An SLI is identified by its key `<serviceId>/<sliName>` (see `sliKey`). Rollups are kept per SLI per
 * 5-minute bucket aligned to the Unix epoch (bucketStart is a multiple of 300 000 ms, UTC).
 * A bucket carries both event counts (good/total, for availability and threshold SLIs) and value
 * aggregates (count/sum/min/max, for value SLIs such as latency); a writer fills what it has.
 *
 * Reading a window: adapters keep running (prefix) totals per SLI, maintained on write, so the sum over
 * any range is the difference of two cumulative reads (`cumulative`), whatever the range's length. That
 * is what makes evaluating a 90-day objective cost the same as a 28-day one.
 */
export const BUCKET_MS = 300_000;

export interface RollupBucket {
  sliKey: string;
  /** Start of the 5-minute bucket, epoch milliseconds (UTC), a multiple of BUCKET_MS. */
  bucketStart: number;
  good: number;
  total: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Increments to add into a bucket; merging is commutative so replays and out-of-order writes converge. */
export type RollupDelta = RollupBucket;

/**
 * Running totals of one SLI over every bucket that starts strictly before an instant.
 * `filled` counts the buckets that hold any data (total > 0 or count > 0): it measures coverage.
 */
export interface Cumulative {
  good: number;
  total: number;
  count: number;
  sum: number;
  filled: number;
}

export const ZERO_CUMULATIVE: Readonly<Cumulative> = Object.freeze({
  good: 0,
  total: 0,
  count: 0,
  sum: 0,
  filled: 0,
});

export interface CumulativeRequest {
  sliKey: string;
  /** Instants (epoch ms); each answer covers the buckets with bucketStart < instant. */
  instants: readonly number[];
}

/**
 * Complete slices of `sliceMs` on a grid anchored at `anchorMs` (slice starts are anchorMs + k·sliceMs) whose
 * start is at or after fromMs and whose end is at or before toMs. A slice is good when good/total >= target,
 * bad when below, empty when it holds no events.
 */
export interface SliceRequest {
  sliKey: string;
  sliceMs: number;
  anchorMs: number;
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

export interface RollupStore {
  /** Adds the deltas into their buckets (creating them), atomically for the whole call. */
  add(deltas: readonly RollupDelta[]): Promise<void>;
  /** Buckets of one SLI with fromMs <= bucketStart < toMs, in ascending bucketStart order. */
  read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]>;
  /**
   * Running totals at each requested instant, one array per request in the same order (O(log n) each).
   * An SLI without data answers zeros. Batched so that one evaluation run is one round trip.
   */
  cumulative(requests: readonly CumulativeRequest[]): Promise<Cumulative[][]>;
  /**
   * Slice counts for the timeslice budgeting methods, one answer per request. Adapters may keep running
   * slice counts per (SLI, slice length, grid, target), maintained as data arrives, so that the cost does not
   * grow with the range.
   */
  sliceStats(requests: readonly SliceRequest[]): Promise<SliceStats[]>;
}

/** The grid slice index holding an instant (slice k covers [anchor + k·slice, anchor + (k+1)·slice)). */
export function sliceIndex(ms: number, sliceMs: number, anchorMs: number): number {
  return Math.floor((ms - anchorMs) / sliceMs);
}

/** The first and last-plus-one complete slice indexes inside [fromMs, toMs). */
export function sliceRange(r: {
  sliceMs: number;
  anchorMs: number;
  fromMs: number;
  toMs: number;
}): [number, number] {
  const from = Math.ceil((r.fromMs - r.anchorMs) / r.sliceMs);
  const to = Math.floor((r.toMs - r.anchorMs) / r.sliceMs);
  return [from, Math.max(from, to)];
}

/** Slice stats computed directly from a series' buckets (the reference the adapters agree with). */
export function sliceStatsOf(buckets: readonly RollupBucket[], r: SliceRequest): SliceStats {
  const [from, to] = sliceRange(r);
  const good = new Map<number, number>();
  const total = new Map<number, number>();
  for (const b of buckets) {
    const k = sliceIndex(b.bucketStart, r.sliceMs, r.anchorMs);
    if (k < from || k >= to) continue;
    good.set(k, (good.get(k) ?? 0) + b.good);
    total.set(k, (total.get(k) ?? 0) + b.total);
  }
  const out: SliceStats = { slices: to - from, good: 0, bad: 0, ratioSum: 0 };
  for (const [k, t] of total) {
    if (t <= 0) continue;
    const ratio = good.get(k)! / t;
    out.ratioSum += ratio;
    if (ratio >= r.target) out.good++;
    else out.bad++;
  }
  return out;
}

export function sliKey(serviceId: string, sliName: string): string {
  return `${serviceId}/${sliName}`;
}

/** Whether a bucket holds any data at all (events or values). */
export function isFilled(b: { total: number; count: number }): boolean {
  return b.total > 0 || b.count > 0;
}

import { BUCKET_MS } from '../rollups.js';

/**
 * The backfill's columnar fast path (docs/backfill.md, "Backfill-4 round"), its pure part: a chunk's counter series as
 * columns (times and running totals), turned into increases and into rollup rows per (SLI, 5-minute bucket) with no
 * object per sample. The same semantics as live ingest's `applyCounters` and `rollupDeltas`, for the one shape the
 * fast path takes: cumulative counters feeding good or bad events, every sample new (after the series' stored last).
 */

/** One counter series of a chunk, mapped: where its samples go and the samples as columns. */
export interface ColumnWrite {
  /** Accord's series key (what the mapping rule answers: vendor, SLI, measure, labels). */
  series: string;
  vendorId: string;
  sliKey: string;
  measure: string;
  /** Good events add to good and total; bad events to total only. */
  feed: 'good' | 'bad';
  /** Epoch ms, strictly ascending. */
  times: ArrayLike<number>;
  /** Running totals (canonical units: counts), finite, at least 0. */
  values: ArrayLike<number>;
}

/** A series' stored counter state: its last accepted sample. */
export interface CounterStart {
  lastTs: number;
  lastValue: number;
}

/**
 * The increases of a counter's running totals, per sample, from its stored state: the first sample ever seen is the
 * baseline (0), a value at or above its predecessor adds the difference, one below it is a reset and adds its own value.
 * Source: Prometheus `extrapolatedRate` without extrapolation (promql/functions.go), as `applyCounters`.
 */
export function counterIncreases(values: ArrayLike<number>, start: CounterStart | undefined): Float64Array {
  const out = new Float64Array(values.length);
  let has = start !== undefined;
  let last = start?.lastValue ?? 0;
  // Stryker disable next-line EqualityOperator: a turn past the end writes out[length], which a typed array ignores
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = !has ? 0 : v < last ? v : v - last;
    has = true;
    last = v;
  }
  return out;
}

/** One SLI's rollup deltas in bucket order (bucket = epoch ms / BUCKET_MS): good and total events per bucket. */
export interface BucketColumns {
  buckets: number[];
  good: number[];
  total: number[];
}

/** Where `sliBucketsInto` writes: parallel arrays of at least as many elements as the parts hold samples. */
export interface BucketScratch {
  buckets: Float64Array;
  good: Float64Array;
  total: Float64Array;
}

/** One SLI's series, as `sliBucketsInto` reads them: increases per sample, good or bad events. */
export type BucketPart = { feed: 'good' | 'bad'; times: ArrayLike<number>; events: Float64Array };

/**
 * The rollup deltas of one SLI's series: per bucket, good += a good series' increases, total += every increase; only
 * non-zero increases count (a bucket only zero increases fall in gets no row, as in `rollupDeltas`). The series are
 * merged bucket by bucket (each one's buckets ascend); within a bucket they are added in the order given, each
 * series' samples in time order, which is the order live ingest adds them in.
 */
export function sliBuckets(parts: readonly BucketPart[]): BucketColumns {
  let samples = 0;
  for (const p of parts) samples += p.times.length;
  const scratch: BucketScratch = {
    buckets: new Float64Array(samples),
    good: new Float64Array(samples),
    total: new Float64Array(samples),
  };
  const n = sliBucketsInto(parts, scratch);
  return {
    buckets: Array.from(scratch.buckets.subarray(0, n)),
    good: Array.from(scratch.good.subarray(0, n)),
    total: Array.from(scratch.total.subarray(0, n)),
  };
}

/**
 * `sliBuckets` written into `out` (no array grown per SLI: the columnar writer reuses one scratch for every SLI of a
 * chunk): answers the number of buckets, in `out`'s first elements. `out`'s arrays must hold at least as many
 * elements as the parts hold samples (a bucket holds at least one sample).
 */
export function sliBucketsInto(parts: readonly BucketPart[], out: BucketScratch): number {
  let n = 0;
  const at = new Array<number>(parts.length).fill(0);
  // Skips each part's zero increases up front: `at[k]` is always a non-zero sample or the end.
  const skip = (k: number) => {
    const p = parts[k]!;
    let i = at[k]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end `events[i]` is undefined, never 0, so the loop stops at the same index without the bound
    while (i < p.times.length && p.events[i] === 0) i++;
    at[k] = i;
  };
  for (let k = 0; k < parts.length; k++) skip(k);
  for (;;) {
    let b = Number.POSITIVE_INFINITY;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      const i = at[k]!;
      if (i < p.times.length) b = Math.min(b, Math.floor(p.times[i]! / BUCKET_MS));
    }
    if (b === Number.POSITIVE_INFINITY) return n;
    let good = 0;
    let total = 0;
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      let i = at[k]!;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end `times[i]` is undefined, its bucket NaN, never b: the loop stops at the same index without the bound
      while (i < p.times.length && Math.floor(p.times[i]! / BUCKET_MS) === b) {
        const e = p.events[i]!;
        // Stryker disable next-line ConditionalExpression: adding a zero increase changes no sum (the bucket is chosen by a non-zero one)
        if (e !== 0) {
          if (p.feed === 'good') good += e;
          total += e;
        }
        i++;
      }
      at[k] = i;
      skip(k);
    }
    out.buckets[n] = b;
    out.good[n] = good;
    out.total[n] = total;
    n++;
  }
}

import type { SourcePolicy } from '../../schemas/telemetry.js';
import { BUCKET_MS, type RollupDelta } from '../rollups.js';
import type { Sample } from './model.js';

/** The 5-minute bucket (epoch-aligned, UTC) an instant falls in. */
export function bucketOf(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}

function empty(sliKey: string, bucketStart: number): RollupDelta {
  return { sliKey, bucketStart, good: 0, total: 0, count: 0, sum: 0, min: 0, max: 0 };
}

/**
 * What one sample adds to its SLI's bucket, by how it feeds (see `Feed`; the table is in docs/telemetry.md):
 * - good / bad events: good and total += n; total += n (n: a delta's value, a rate × interval, a counter's increase);
 * - good-only / total-only: a histogram's threshold bucket adds good, its count adds total;
 * - ratio (0..1, e.g. a probe's success): good += value, total += 1;
 * - duration (ms): a value aggregate (count, sum, min, max) and, with a threshold, one event that is good
 *   when the duration is within it;
 * - value: a value aggregate; none: nothing (stored raw only).
 */
export function addSample(
  d: RollupDelta,
  s: Pick<Sample, 'feed' | 'value' | 'events' | 'thresholdMs'>,
): void {
  switch (s.feed) {
    case 'good':
      d.good += s.events;
      d.total += s.events;
      return;
    case 'bad':
      d.total += s.events;
      return;
    case 'good-only':
      d.good += s.events;
      return;
    case 'total-only':
      d.total += s.events;
      return;
    case 'ratio':
      d.good += s.value;
      d.total += 1;
      return;
    case 'duration':
      if (s.thresholdMs !== undefined) {
        d.total += 1;
        if (s.value <= s.thresholdMs) d.good += 1;
      }
      addValue(d, s.value);
      return;
    case 'value':
      addValue(d, s.value);
      return;
    // Stryker disable next-line ConditionalExpression: the last case: falling through it ends the switch, as returning does
    case 'none':
      return;
  }
}

function addValue(d: RollupDelta, v: number): void {
  if (d.count === 0) {
    d.min = v;
    d.max = v;
  } else {
    // Stryker disable next-line EqualityOperator: at v = d.min, taking v as the minimum leaves it the same
    if (v < d.min) d.min = v;
    // Stryker disable next-line EqualityOperator: at v = d.max, taking v as the maximum leaves it the same
    if (v > d.max) d.max = v;
  }
  d.count += 1;
  d.sum += v;
}

/** The rollup deltas of samples, one per SLI and bucket; only samples that feed rollups count. */
export function rollupDeltas(samples: readonly Sample[]): RollupDelta[] {
  // Looked up by SLI then bucket (no key string per sample); answered in the order the buckets were first met.
  const bySli = new Map<string, Map<number, RollupDelta>>();
  const out: RollupDelta[] = [];
  let lastSli: string | undefined;
  let buckets: Map<number, RollupDelta> | undefined;
  for (const s of samples) {
    if (!s.rollup || s.feed === 'none' || (s.cumulative && s.events === 0)) continue;
    const b = bucketOf(s.timestampMs);
    // `!buckets` only narrows the type (it is undefined only before the first sample, when lastSli is too).
    // Stryker disable next-line ConditionalExpression: looking the SLI up again (`true`) finds the same map
    if (s.sliKey !== lastSli || !buckets) {
      lastSli = s.sliKey;
      buckets = bySli.get(s.sliKey);
      if (!buckets) {
        buckets = new Map();
        bySli.set(s.sliKey, buckets);
      }
    }
    let d = buckets.get(b);
    if (!d) {
      d = empty(s.sliKey, b);
      buckets.set(b, d);
      out.push(d);
    }
    addSample(d, s);
  }
  return out;
}

/** Per-source bucket aggregates of one SLI (for comparing two sources). */
export interface SourceDelta extends RollupDelta {
  vendorId: string;
}

/** The per-vendor deltas of samples whose SLI has two declared sources. */
export function sourceDeltas(
  samples: readonly Sample[],
  sources: ReadonlyMap<string, SourcePolicy>,
): SourceDelta[] {
  const out = new Map<string, SourceDelta>();
  for (const s of samples) {
    if (!sources.has(s.sliKey) || s.feed === 'none') continue;
    const b = bucketOf(s.timestampMs);
    const k = `${s.sliKey}@${b}@${s.vendorId}`;
    let d = out.get(k);
    if (!d) {
      d = { ...empty(s.sliKey, b), vendorId: s.vendorId };
      out.set(k, d);
    }
    addSample(d, s);
  }
  return [...out.values()];
}

/** The comparable value of a bucket: the good ratio when it counts events, else the mean value. */
export function bucketValue(b: {
  good: number;
  total: number;
  count: number;
  sum: number;
}): number | undefined {
  if (b.total > 0) return b.good / b.total;
  if (b.count > 0) return b.sum / b.count;
  return undefined;
}

export interface Comparison {
  primaryValue: number;
  secondaryValue: number;
  difference: number;
  beyondTolerance: boolean;
}

/** Compares the two sources of one SLI over one bucket; undefined until both have reported. */
export function compareSources(
  policy: SourcePolicy,
  primary: { good: number; total: number; count: number; sum: number } | undefined,
  secondary: { good: number; total: number; count: number; sum: number } | undefined,
): Comparison | undefined {
  const p = primary && bucketValue(primary);
  const s = secondary && bucketValue(secondary);
  if (p === undefined || s === undefined) return undefined;
  const difference = Math.abs(p - s);
  // Rounding noise in float sums must not count as a discrepancy.
  return {
    primaryValue: p,
    secondaryValue: s,
    difference,
    beyondTolerance: difference > policy.tolerance + 1e-12,
  };
}

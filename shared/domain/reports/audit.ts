/**
 * The periodic SLA audit's own arithmetic, written apart from the objectives engine on purpose: it sums the raw
 * 5-minute buckets one by one (the engine reads running totals) and applies the contract's credit tiers itself,
 * so a fault in either the engine's maths or its stored data shows up as a difference.
 */

export interface AuditBucket {
  bucketStart: number;
  good: number;
  total: number;
}

export interface Span {
  start: number;
  end: number;
}

const BUCKET_MS = 300_000;

/**
 * Good and total events of the buckets whose start lies inside one of `included` and which no exclusion touches
 * (an exception window that cuts a bucket takes the whole bucket out, as the engine documents).
 */
export function sumBuckets(
  buckets: readonly AuditBucket[],
  included: readonly Span[],
  exclusions: readonly Span[],
): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (const b of buckets) {
    if (!included.some((s) => b.bucketStart >= s.start && b.bucketStart < s.end)) continue;
    if (exclusions.some((x) => x.start < b.bucketStart + BUCKET_MS && x.end > b.bucketStart)) continue;
    good += b.good;
    total += b.total;
  }
  return { good, total };
}

/** Compliance in percent by occurrences (good / total × 100); null without events. */
export function occurrencesCompliance(good: number, total: number): number | null {
  return total > 0 ? (good / total) * 100 : null;
}

/**
 * Compliance by time slices from raw buckets: slices of `sliceMs` from `anchor`, complete and inside
 * [from, to); a slice is good when good/total ≥ sliceTarget. Timeslices: good slices / slices with events;
 * ratio timeslices: the mean of the per-slice ratios. Null without events.
 */
export function slicesCompliance(
  buckets: readonly AuditBucket[],
  s: { sliceMs: number; anchor: number; from: number; to: number; sliceTarget: number; ratio: boolean },
): number | null {
  const first = Math.ceil((s.from - s.anchor) / s.sliceMs);
  const last = Math.floor((s.to - s.anchor) / s.sliceMs);
  const slices = new Map<number, { good: number; total: number }>();
  for (const b of buckets) {
    const k = Math.floor((b.bucketStart - s.anchor) / s.sliceMs);
    if (k < first || k >= last) continue;
    const x = slices.get(k) ?? { good: 0, total: 0 };
    x.good += b.good;
    x.total += b.total;
    slices.set(k, x);
  }
  let withData = 0;
  let good = 0;
  let ratioSum = 0;
  for (const x of slices.values()) {
    if (x.total <= 0) continue;
    withData++;
    const r = x.good / x.total;
    ratioSum += r;
    if (r >= s.sliceTarget) good++;
  }
  if (withData === 0) return null;
  return ((s.ratio ? ratioSum : good) / withData) * 100;
}

/** The credit a contract's tiers give at a compliance: the tier with the lowest threshold above it, capped. */
export function creditFor(
  terms: {
    monthlyCharge: number;
    capPercent: number;
    tiers: readonly { belowPercent: number; creditPercent: number }[];
  },
  compliance: number,
): { percent: number; amount: number } {
  let best: { belowPercent: number; creditPercent: number } | undefined;
  for (const t of terms.tiers) {
    if (compliance < t.belowPercent && (best === undefined || t.belowPercent < best.belowPercent)) best = t;
  }
  const percent = Math.min(best?.creditPercent ?? 0, terms.capPercent);
  return { percent, amount: Math.round(terms.monthlyCharge * percent) / 100 };
}

/**
 * Baselines: propose an objective from history. The history is cut into slices (an hour or a day), the
 * periods the user marks as peak or seasonal are left out, and the proposed target is a low percentile of
 * the per-slice compliance: "a target the service met in (100 − p)% of comparable slices". The figures used
 * are returned with the proposal so the user sees where it came from.
 */
import type { RollupBucket } from '../rollups.js';
import { clip, type Interval, normalize } from './intervals.js';
import { UnsupportedSliceLengthError } from './slices.js';
import { MINUTE_MS } from './time.js';

export interface BaselineRequest {
  from: number;
  to: number;
  sliceMinutes: number;
  /** Which percentile of the per-slice compliance to propose (10 = met in 90% of slices). */
  percentile: number;
  /** Peak or seasonal periods to leave out. */
  exclude: readonly (Interval & { label: string })[];
}

export interface BaselineProposal {
  proposedTargetPercent: number | null;
  percentile: number;
  /** Value of that percentile before rounding down to the proposal grid. */
  percentileValuePercent: number | null;
  data: {
    from: string;
    to: string;
    sliceMinutes: number;
    slicesUsed: number;
    slicesExcluded: number;
    slicesEmpty: number;
    goodEvents: number;
    totalEvents: number;
    overallCompliancePercent: number | null;
    excludedPeriods: { label: string; start: string; end: string }[];
    distribution: { p1: number; p10: number; p50: number; p90: number } | null;
  };
  /** Mean latency of the slices used at the same percentile (slowest side), when the SLI carries values. */
  latencyMs: { percentile: number; valueMs: number } | null;
  explanation: string;
}

/** Nearest-rank percentile of sorted values. */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Rounds a percentage down to a grid that reads like a contract: 0.5 below 99, 0.05 below 99.9, then 0.01. */
export function roundDownTarget(x: number): number {
  // Stryker disable next-line EqualityOperator: only x = 99 and x = 99.9 tell < from <=, and each is on both grids it falls between (99 on the 0.5 and 0.05 grids, 99.9 on the 0.05 and 0.01 grids), so either step returns it unchanged
  const step = x < 99 ? 0.5 : x < 99.9 ? 0.05 : 0.01;
  return Math.round(Math.floor(x / step + 1e-9) * step * 100) / 100;
}

/**
 * The baseline proposal. Slices are cut from `from` (no calendar here); UnsupportedSliceLengthError for a
 * slice that is not a whole number of 5-minute rollups (it would count one bucket in several slices' places).
 */
export function proposeBaseline(buckets: readonly RollupBucket[], req: BaselineRequest): BaselineProposal {
  if (!Number.isInteger(req.sliceMinutes) || req.sliceMinutes % 5 !== 0 || req.sliceMinutes <= 0) {
    throw new UnsupportedSliceLengthError(req.sliceMinutes, 'sliceMinutes');
  }
  const sliceMs = req.sliceMinutes * MINUTE_MS;
  const n = Math.max(0, Math.floor((req.to - req.from) / sliceMs));
  const good = new Float64Array(n);
  const total = new Float64Array(n);
  const vcount = new Float64Array(n);
  const vsum = new Float64Array(n);
  for (const b of buckets) {
    const i = Math.floor((b.bucketStart - req.from) / sliceMs);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a Float64Array drops writes outside 0..n-1 (the read gives undefined, the NaN sum is discarded), so skipping those buckets only saves work
    if (i < 0 || i >= n) continue;
    good[i]! += b.good;
    total[i]! += b.total;
    vcount[i]! += b.count;
    vsum[i]! += b.sum;
  }
  const excluded = normalize(req.exclude.map((x) => ({ start: x.start, end: x.end })));
  const ratios: number[] = [];
  const means: number[] = [];
  let used = 0;
  let skipped = 0;
  let emptyN = 0;
  let g = 0;
  let tt = 0;
  for (let i = 0; i < n; i++) {
    const s = req.from + i * sliceMs;
    if (clip(excluded, s, s + sliceMs).length > 0) {
      skipped++;
      continue;
    }
    if (total[i]! <= 0) {
      emptyN++;
      continue;
    }
    used++;
    g += good[i]!;
    tt += total[i]!;
    ratios.push((good[i]! / total[i]!) * 100);
    if (vcount[i]! > 0) means.push(vsum[i]! / vcount[i]!);
  }
  ratios.sort((a, b) => a - b);
  means.sort((a, b) => a - b);
  const pv = ratios.length > 0 ? percentileOf(ratios, req.percentile) : null;
  const proposed = pv === null ? null : Math.min(99.999, roundDownTarget(pv));
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    proposedTargetPercent: proposed === null || proposed <= 0 ? null : proposed,
    percentile: req.percentile,
    percentileValuePercent: pv === null ? null : r4(pv),
    data: {
      from: new Date(req.from).toISOString(),
      to: new Date(req.to).toISOString(),
      sliceMinutes: req.sliceMinutes,
      slicesUsed: used,
      slicesExcluded: skipped,
      slicesEmpty: emptyN,
      goodEvents: g,
      totalEvents: tt,
      overallCompliancePercent: tt > 0 ? r4((g / tt) * 100) : null,
      excludedPeriods: req.exclude.map((x) => ({
        label: x.label,
        start: new Date(x.start).toISOString(),
        end: new Date(x.end).toISOString(),
      })),
      distribution:
        ratios.length > 0
          ? {
              p1: r4(percentileOf(ratios, 1)),
              p10: r4(percentileOf(ratios, 10)),
              p50: r4(percentileOf(ratios, 50)),
              p90: r4(percentileOf(ratios, 90)),
            }
          : null,
    },
    latencyMs:
      means.length > 0
        ? { percentile: 100 - req.percentile, valueMs: r4(percentileOf(means, 100 - req.percentile)) }
        : null,
    explanation:
      pv === null
        ? 'no slice with data outside the excluded periods: no baseline can be proposed (no data is not 100%)'
        : `the ${req.percentile}th percentile of ${used} ${req.sliceMinutes}-minute slices is ${r4(pv)}%; rounded down to ${proposed}%, a target met in about ${100 - req.percentile}% of those slices`,
  };
}

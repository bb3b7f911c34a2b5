import { describe, expect, it } from 'vitest';
import {
  percentileOf,
  proposeBaseline,
  roundDownTarget,
} from '../../../shared/domain/objectives/baseline.js';
import { UnsupportedSliceLengthError } from '../../../shared/domain/objectives/slices.js';
import type { RollupBucket } from '../../../shared/ports/rollups.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2);

interface Slice {
  good: number;
  total: number;
  /** Latency values observed in the slice (count and their sum, milliseconds). */
  count: number;
  sum: number;
}

/** One 5-minute bucket at the start of each hour: a whole hourly slice's counts in one bucket. */
function hourly(slices: Slice[]): RollupBucket[] {
  return slices.map((s, h) => ({
    sliKey: 'svc_pay/latency',
    bucketStart: T0 + h * H,
    good: s.good,
    total: s.total,
    count: s.count,
    sum: s.sum,
    min: 0,
    max: 0,
  }));
}

const request = (hours: number, percentile = 10) => ({
  from: T0,
  to: T0 + hours * H,
  sliceMinutes: 60,
  percentile,
  exclude: [],
});

describe('baseline proposals: the figures shown beside the proposal', () => {
  // Ten hourly slices of 1,000 requests; slice h has 1000 − h good ones (100%, 99.9%, … 99.1%).
  // Each slice carries two latency values whose mean is given below, in an order that is not sorted.
  const means = [300, 100, 1000, 200, 500, 900, 400, 700, 600, 800];
  const slices: Slice[] = means.map((m, h) => ({ good: 1000 - h, total: 1000, count: 2, sum: 2 * m }));

  it('counts the good and total events of the slices it used and their overall compliance', () => {
    const p = proposeBaseline(hourly(slices), request(10));
    // good = 10 × 1000 − (0 + 1 + … + 9) = 10,000 − 45 = 9,955 of 10,000 → 99.55 %.
    expect(p.data.goodEvents).toBe(9955);
    expect(p.data.totalEvents).toBe(10000);
    expect(p.data.overallCompliancePercent).toBe(99.55);
  });

  it('gives the distribution of per-slice compliance at the 1st, 10th, 50th and 90th percentiles', () => {
    const p = proposeBaseline(hourly(slices), request(10));
    // Sorted: 99.1, 99.2, … 99.9, 100. Nearest rank of 10 values: p1 → rank 1, p10 → 1, p50 → 5, p90 → 9.
    expect(p.data.distribution).toEqual({ p1: 99.1, p10: 99.1, p50: 99.5, p90: 99.9 });
    expect(p.percentileValuePercent).toBe(99.1);
    // 99.1 is on the 0.05 grid (between 99 and 99.9).
    expect(p.proposedTargetPercent).toBe(99.1);
  });

  it('gives the mean latency of the slowest slices at the complementary percentile', () => {
    const p = proposeBaseline(hourly(slices), request(10));
    // A 10th-percentile target → latency at the 90th: the sorted means are 100 … 1000, rank ⌈0.9 × 10⌉ = 9 → 900 ms.
    expect(p.latencyMs).toEqual({ percentile: 90, valueMs: 900 });
  });

  it('explains the proposal with the percentile, the slices and the share of slices that met it', () => {
    const p = proposeBaseline(hourly(slices), request(10));
    expect(p.explanation).toBe(
      'the 10th percentile of 10 60-minute slices is 99.1%; rounded down to 99.1%, a target met in about 90% of those slices',
    );
  });

  it('reads the latency only from the slices that carry values', () => {
    // The first slice has values (mean 250 ms); the next two carry none (a rate SLI's buckets, count 0).
    const p = proposeBaseline(
      hourly([
        { good: 990, total: 1000, count: 4, sum: 1000 },
        { good: 1000, total: 1000, count: 0, sum: 0 },
        { good: 1000, total: 1000, count: 0, sum: 0 },
      ]),
      request(3),
    );
    // One mean only (1000 / 4 = 250 ms): every percentile of it is 250.
    expect(p.latencyMs).toEqual({ percentile: 90, valueMs: 250 });
  });

  it('gives no latency when no slice carries values, even with events to propose from', () => {
    const p = proposeBaseline(
      hourly([
        { good: 990, total: 1000, count: 0, sum: 0 },
        { good: 1000, total: 1000, count: 0, sum: 0 },
      ]),
      request(2),
    );
    expect(p.proposedTargetPercent).toBe(99);
    expect(p.latencyMs).toBeNull();
  });
});

describe('baseline proposals with nothing to propose', () => {
  it('proposes no target when no slice met any request (a 0% target is not a target)', () => {
    const p = proposeBaseline(
      hourly([
        { good: 0, total: 500, count: 0, sum: 0 },
        { good: 0, total: 500, count: 0, sum: 0 },
      ]),
      request(2),
    );
    // Every slice at 0 %: the percentile is 0, rounded down 0 → no proposal, though the figures are shown.
    expect(p.percentileValuePercent).toBe(0);
    expect(p.proposedTargetPercent).toBeNull();
    expect(p.data.overallCompliancePercent).toBe(0);
  });

  it('shows no compliance, no distribution and no latency for a history without data, and says why', () => {
    const p = proposeBaseline([], request(4));
    expect(p.data.overallCompliancePercent).toBeNull();
    expect(p.data.distribution).toBeNull();
    expect(p.latencyMs).toBeNull();
    expect(p.explanation).toBe(
      'no slice with data outside the excluded periods: no baseline can be proposed (no data is not 100%)',
    );
  });

  it('takes no percentile of an empty list', () => {
    expect(percentileOf([], 50)).toBeNaN();
  });
});

describe('baseline slice lengths', () => {
  it.each([0, -60])('refuses %d-minute slices, naming the sliceMinutes field', (minutes) => {
    const call = () =>
      proposeBaseline([], { from: T0, to: T0 + 24 * H, sliceMinutes: minutes, percentile: 10, exclude: [] });
    expect(call).toThrow(UnsupportedSliceLengthError);
    expect(call).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ path: 'sliceMinutes' })] }),
    );
  });
});

describe('the contract grid of proposed targets', () => {
  it('keeps hundredths from 99.9% up', () => {
    // 99.97 is on the 0.01 grid; on the 0.05 grid it would read 99.95.
    expect(roundDownTarget(99.97)).toBe(99.97);
    expect(roundDownTarget(99.994)).toBe(99.99);
  });
});

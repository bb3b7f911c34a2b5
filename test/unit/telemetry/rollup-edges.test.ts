import { describe, expect, it } from 'vitest';
import type { Feed, Sample } from '../../../shared/domain/telemetry/model.js';
import {
  addSample,
  bucketOf,
  bucketValue,
  compareSources,
  rollupDeltas,
  sourceDeltas,
} from '../../../shared/domain/telemetry/rollup.js';
import type { SourcePolicy } from '../../../shared/schemas/telemetry.js';

// What each sample adds to its SLI's 5-minute bucket, and how two sources of one SLI are compared: every feed, every
// boundary, with hand-computed figures (found open by mutation testing, docs/mutation.md "Measured in wave 6").

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0); // a bucket start: 12:00:00 UTC
const MIN = 60_000;

function sample(over: Partial<Sample> & { feed: Feed }): Sample {
  return {
    index: 0,
    vendorId: 'acme',
    series: 'acme|m',
    sliKey: 'svc_a/latency',
    measure: 'duration',
    type: 'gauge',
    timestampMs: T0,
    value: 0,
    events: 0,
    cumulative: false,
    rollup: true,
    ...over,
  };
}
const zero = () => ({ sliKey: 's', bucketStart: 0, good: 0, total: 0, count: 0, sum: 0, min: 0, max: 0 });
const counts = (d: { good: number; total: number; count: number; sum: number; min: number; max: number }) => [
  d.good,
  d.total,
  d.count,
  d.sum,
  d.min,
  d.max,
];

describe('the 5-minute bucket of an instant', () => {
  it('is the epoch-aligned 5 minutes it falls in: its first millisecond starts it, its last stays in it', () => {
    expect(bucketOf(T0)).toBe(T0);
    expect(bucketOf(T0 + 5 * MIN - 1)).toBe(T0);
    expect(bucketOf(T0 + 5 * MIN)).toBe(T0 + 5 * MIN);
    expect(bucketOf(T0 + 2.5 * MIN)).toBe(T0);
    expect(bucketOf(T0 - 1)).toBe(T0 - 5 * MIN);
  });
});

describe('what one sample adds to its bucket, by how it feeds', () => {
  it.each([
    ['good events add to good and total', 'good', [7, 7, 0, 0, 0, 0]],
    ['bad events add to total only', 'bad', [0, 7, 0, 0, 0, 0]],
    ["a histogram's threshold bucket adds to good only", 'good-only', [7, 0, 0, 0, 0, 0]],
    ["a histogram's count adds to total only", 'total-only', [0, 7, 0, 0, 0, 0]],
    ['a sample that feeds nothing adds nothing', 'none', [0, 0, 0, 0, 0, 0]],
  ] as const)('%s', (_name, feed, expected) => {
    const d = zero();
    addSample(d, { feed, value: 3, events: 7 });
    expect(counts(d)).toEqual(expected);
  });

  it("counts a ratio reading (a probe's 0.25 success) as 0.25 good of 1", () => {
    const d = zero();
    addSample(d, { feed: 'ratio', value: 0.25, events: 0 });
    addSample(d, { feed: 'ratio', value: 1, events: 0 });
    expect(counts(d)).toEqual([1.25, 2, 0, 0, 0, 0]);
  });

  it('counts a duration within or at exactly its threshold as good, one a millisecond over as not, and aggregates all', () => {
    const d = zero();
    addSample(d, { feed: 'duration', value: 300, events: 0, thresholdMs: 300 });
    addSample(d, { feed: 'duration', value: 301, events: 0, thresholdMs: 300 });
    addSample(d, { feed: 'duration', value: 100, events: 0, thresholdMs: 300 });
    // 100 and 300 are within 300 ms: 2 good of 3.
    expect(counts(d)).toEqual([2, 3, 3, 701, 100, 301]);
  });

  it('aggregates a duration without a threshold as a reading, with no event', () => {
    const d = zero();
    addSample(d, { feed: 'duration', value: 120, events: 0 });
    expect(counts(d)).toEqual([0, 0, 1, 120, 120, 120]);
  });

  it('keeps the smallest and largest of readings that never pass through 0 (first 5, then 9, then 7)', () => {
    const d = zero();
    for (const value of [5, 9, 7]) addSample(d, { feed: 'value', value, events: 0 });
    expect(counts(d)).toEqual([0, 0, 3, 21, 5, 9]);
    const neg = zero();
    for (const value of [-2, -8, -4]) addSample(neg, { feed: 'value', value, events: 0 });
    expect(counts(neg)).toEqual([0, 0, 3, -14, -8, -2]);
  });
});

describe('rollup deltas of a batch', () => {
  it('gives one delta per SLI and bucket, in the order first met, even when SLIs interleave', () => {
    const out = rollupDeltas([
      sample({ sliKey: 'svc_a/x', feed: 'good', events: 1, timestampMs: T0 }),
      sample({ sliKey: 'svc_b/x', feed: 'good', events: 2, timestampMs: T0 + MIN }),
      sample({ sliKey: 'svc_a/x', feed: 'bad', events: 4, timestampMs: T0 + 4 * MIN }),
      sample({ sliKey: 'svc_a/x', feed: 'good', events: 8, timestampMs: T0 + 5 * MIN }),
      sample({ sliKey: 'svc_b/x', feed: 'bad', events: 16, timestampMs: T0 + 2 * MIN }),
    ]);
    expect(out.map((d) => [d.sliKey, d.bucketStart, d.good, d.total])).toEqual([
      ['svc_a/x', T0, 1, 5],
      ['svc_b/x', T0, 2, 18],
      ['svc_a/x', T0 + 5 * MIN, 8, 8],
    ]);
  });

  it("leaves out a second source's samples, samples that feed nothing, and counters whose increase is not yet known", () => {
    const out = rollupDeltas([
      sample({ feed: 'good', events: 1, rollup: false }),
      sample({ feed: 'none', events: 2 }),
      sample({ feed: 'good', events: 0, cumulative: true }),
      sample({ feed: 'good', events: 3, cumulative: true }),
      sample({ feed: 'ratio', value: 0, events: 0 }),
    ]);
    // The counter's increase of 3, and the ratio reading 0 of 1 (a reading with no events still counts).
    expect(out.map((d) => [d.good, d.total])).toEqual([[3, 4]]);
  });

  it('opens no bucket for a sample that feeds nothing, a second source, or a counter whose increase is not yet known', () => {
    expect(rollupDeltas([sample({ feed: 'none', events: 2 })])).toEqual([]);
    expect(rollupDeltas([sample({ feed: 'good', events: 0, cumulative: true })])).toEqual([]);
    expect(rollupDeltas([sample({ feed: 'good', events: 5, rollup: false })])).toEqual([]);
  });

  it('gives nothing for nothing', () => {
    expect(rollupDeltas([])).toEqual([]);
  });
});

describe('per-source deltas of an SLI with two sources', () => {
  const sources = new Map<string, SourcePolicy>([
    [
      'svc_a/x',
      { sliKey: 'svc_a/x', primary: 'acme', secondary: 'probe', authoritative: 'primary', tolerance: 0.01 },
    ],
  ]);

  it('keeps each vendor apart per bucket, whether or not its samples feed the rollups, and only for two-source SLIs', () => {
    const out = sourceDeltas(
      [
        sample({ sliKey: 'svc_a/x', vendorId: 'acme', feed: 'good', events: 3 }),
        sample({ sliKey: 'svc_a/x', vendorId: 'probe', feed: 'bad', events: 2, rollup: false }),
        sample({ sliKey: 'svc_a/x', vendorId: 'acme', feed: 'bad', events: 1, timestampMs: T0 + MIN }),
        sample({ sliKey: 'svc_a/x', vendorId: 'acme', feed: 'good', events: 5, timestampMs: T0 + 5 * MIN }),
        sample({ sliKey: 'svc_a/x', vendorId: 'probe', feed: 'none', events: 9 }),
        sample({ sliKey: 'svc_b/x', vendorId: 'acme', feed: 'good', events: 7 }),
      ],
      sources,
    );
    expect(out.map((d) => [d.vendorId, d.sliKey, d.bucketStart, d.good, d.total])).toEqual([
      ['acme', 'svc_a/x', T0, 3, 4],
      ['probe', 'svc_a/x', T0, 0, 2],
      ['acme', 'svc_a/x', T0 + 5 * MIN, 5, 5],
    ]);
    expect(out[0]).toMatchObject({ count: 0, sum: 0, min: 0, max: 0 });
  });

  it('opens no per-source bucket for a sample that feeds nothing, nor for an SLI with one source', () => {
    expect(
      sourceDeltas([sample({ sliKey: 'svc_a/x', vendorId: 'probe', feed: 'none', events: 9 })], sources),
    ).toEqual([]);
    expect(sourceDeltas([sample({ sliKey: 'svc_b/x', feed: 'none', events: 9 })], sources)).toEqual([]);
  });
});

describe('comparing the two sources of one SLI over a bucket', () => {
  const policy: SourcePolicy = {
    sliKey: 'svc_a/x',
    primary: 'acme',
    secondary: 'probe',
    authoritative: 'primary',
    tolerance: 0.01,
  };
  const events = (good: number, total: number) => ({ good, total, count: 0, sum: 0 });
  const readings = (sum: number, count: number) => ({ good: 0, total: 0, count, sum });

  it('reads a bucket as its good ratio when it counts events, else as its mean reading, else as nothing', () => {
    expect(bucketValue(events(3, 4))).toBe(0.75);
    expect(bucketValue({ good: 1, total: 2, count: 4, sum: 100 })).toBe(0.5);
    expect(bucketValue(readings(100, 4))).toBe(25);
    expect(bucketValue(readings(0, 0))).toBeUndefined();
  });

  it('waits for both sources', () => {
    expect(compareSources(policy, events(1, 1), undefined)).toBeUndefined();
    expect(compareSources(policy, undefined, events(1, 1))).toBeUndefined();
    expect(compareSources(policy, readings(0, 0), events(1, 1))).toBeUndefined();
    expect(compareSources(policy, events(1, 1), readings(0, 0))).toBeUndefined();
  });

  it('records a difference beyond the tolerance, whichever source is higher (0.99 against 0.97: 0.02 > 0.01)', () => {
    const c = compareSources(policy, events(97, 100), events(99, 100))!;
    expect(c.primaryValue).toBe(0.97);
    expect(c.secondaryValue).toBe(0.99);
    expect(c.difference).toBeCloseTo(0.02, 12);
    expect(c.beyondTolerance).toBe(true);
    expect(compareSources(policy, events(99, 100), events(97, 100))!.beyondTolerance).toBe(true);
  });

  it('does not record a difference of exactly the tolerance, even when float rounding makes it a hair larger', () => {
    // 0.99 - 0.98 is 0.010000000000000009 in doubles: above 0.01 by rounding noise only.
    const c = compareSources(policy, events(99, 100), events(98, 100))!;
    expect(c.difference).toBeGreaterThan(0.01);
    expect(c.beyondTolerance).toBe(false);
    expect(compareSources(policy, events(1, 1), events(1, 1))).toEqual({
      primaryValue: 1,
      secondaryValue: 1,
      difference: 0,
      beyondTolerance: false,
    });
  });

  it('takes up to 1e-12 above the tolerance as rounding noise, and anything beyond as a difference', () => {
    const exact = { ...policy, tolerance: 0 };
    expect(compareSources(exact, readings(1e-12, 1), readings(0, 1))!.beyondTolerance).toBe(false);
    expect(compareSources(exact, readings(2e-12, 1), readings(0, 1))!.beyondTolerance).toBe(true);
  });
});

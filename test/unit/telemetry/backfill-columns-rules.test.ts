import { describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../../../shared/domain/rollups.js';
import {
  counterIncreases,
  sliBuckets,
  sliBucketsInto,
} from '../../../shared/domain/telemetry/backfill-columns.js';

/**
 * The backfill's columnar fast path, its pure part (docs/backfill.md, "Backfill-4 round"), rule by rule: a counter's
 * increases from its stored state, and an SLI's rollup deltas per 5-minute bucket.
 */

/** A bucket's first millisecond (bucket 5,666,667 starts at 1_700_000_100_000). */
const B0 = 5_666_667;
const at = (bucket: number, ms = 0) => (B0 + bucket) * BUCKET_MS + ms;

describe('counter increases in columns', () => {
  it('adds the rise from the stored last value to the first sample, then from sample to sample', () => {
    expect(Array.from(counterIncreases([5, 9, 9.5], { lastTs: 0, lastValue: 3 }))).toEqual([2, 4, 0.5]);
  });

  it('reads a value equal to its predecessor as no increase, and any drop as a reset adding the new value', () => {
    expect(Array.from(counterIncreases([3, 3, 0, 0, 2, 1.5], { lastTs: 0, lastValue: 3 }))).toEqual([
      0, 0, 0, 0, 2, 1.5,
    ]);
  });

  it('takes a first sample ever as the baseline, whatever its value, and a stored 0 as a value', () => {
    expect(Array.from(counterIncreases([0, 4], undefined))).toEqual([0, 4]);
    expect(Array.from(counterIncreases([7], undefined))).toEqual([0]);
    expect(Array.from(counterIncreases([7], { lastTs: 0, lastValue: 0 }))).toEqual([7]);
  });

  it('answers one increase per sample, none for no samples', () => {
    expect(counterIncreases([], { lastTs: 0, lastValue: 1 })).toEqual(new Float64Array(0));
    expect(counterIncreases(Float64Array.from([1, 2, 3]), undefined)).toEqual(Float64Array.from([0, 1, 1]));
  });
});

describe('an SLI’s rollup deltas in columns', () => {
  it('leaves out a bucket holding only zero increases, at the start of a series too', () => {
    expect(
      sliBuckets([
        {
          feed: 'good',
          times: [at(0), at(0, 60_000), at(2), at(3, 1)],
          events: Float64Array.from([0, 0, 5, 0]),
        },
      ]),
    ).toEqual({ buckets: [B0 + 2], good: [5], total: [5] });
  });

  it('answers no bucket for no series, a series of no samples, or only zero increases', () => {
    const none = { buckets: [], good: [], total: [] };
    expect(sliBuckets([])).toEqual(none);
    expect(sliBuckets([{ feed: 'good', times: [], events: new Float64Array(0) }])).toEqual(none);
    expect(sliBuckets([{ feed: 'bad', times: [at(0), at(1)], events: Float64Array.from([0, 0]) }])).toEqual(
      none,
    );
  });

  it('puts a sample at a bucket’s first millisecond in that bucket and one a millisecond earlier in the one before', () => {
    expect(
      sliBuckets([
        { feed: 'good', times: [at(1, -1), at(1), at(2, -1)], events: Float64Array.from([1, 2, 4]) },
      ]),
    ).toEqual({ buckets: [B0, B0 + 1], good: [1, 6], total: [1, 6] });
  });

  it('merges good and bad series bucket by bucket: good adds to good and total, bad to total only', () => {
    expect(
      sliBuckets([
        { feed: 'bad', times: [at(1), at(4)], events: Float64Array.from([2, 8]) },
        {
          feed: 'good',
          times: [at(0), at(1, 5), at(1, 6), at(3)],
          events: Float64Array.from([1, 10, 20, 40]),
        },
        { feed: 'good', times: [at(0, 1), at(0, 2)], events: Float64Array.from([0, 0]) },
        { feed: 'bad', times: [at(2), at(4, 9)], events: Float64Array.from([0, 16]) },
      ]),
    ).toEqual({ buckets: [B0, B0 + 1, B0 + 3, B0 + 4], good: [1, 30, 40, 0], total: [1, 32, 40, 24] });
  });

  it('writes as many buckets as it answers into a scratch of exactly as many elements as samples', () => {
    const out = { buckets: new Float64Array(3), good: new Float64Array(3), total: new Float64Array(3) };
    const n = sliBucketsInto(
      [
        { feed: 'good', times: [at(0), at(1)], events: Float64Array.from([1, 2]) },
        { feed: 'bad', times: [at(2)], events: Float64Array.from([3]) },
      ],
      out,
    );
    expect(n).toBe(3);
    expect([Array.from(out.buckets), Array.from(out.good), Array.from(out.total)]).toEqual([
      [B0, B0 + 1, B0 + 2],
      [1, 2, 0],
      [1, 2, 3],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type AuditBucket,
  creditFor,
  occurrencesCompliance,
  slicesCompliance,
  sumBuckets,
} from '../../../shared/domain/reports/audit.js';

const B = 300_000; // one 5-minute rollup bucket

describe("the audit's bucket sums", () => {
  const buckets: AuditBucket[] = [
    { bucketStart: 0, good: 11, total: 13 },
    { bucketStart: B, good: 997, total: 1000 },
    { bucketStart: 2 * B, good: 1490, total: 1500 },
    { bucketStart: 3 * B, good: 7, total: 9 },
    { bucketStart: 4 * B, good: 250, total: 260 },
    { bucketStart: 5 * B, good: 3, total: 5 },
  ];
  const included = [
    { start: B, end: 3 * B },
    { start: 4 * B, end: 5 * B },
  ];

  it('takes a bucket starting exactly at an included span’s start, not one starting at its end, over every span', () => {
    // Buckets B, 2B and 4B: 997 + 1490 + 250 good of 1000 + 1500 + 260.
    expect(sumBuckets(buckets, included, [])).toEqual({ good: 2737, total: 2760 });
  });

  it('keeps a bucket that an exclusion only meets at its end or its start (half-open windows)', () => {
    const exclusions = [
      { start: 3 * B, end: 3 * B + 1 }, // starts where bucket 2B ends
      { start: 4 * B - 10, end: 4 * B }, // ends where bucket 4B starts
    ];
    expect(sumBuckets(buckets, included, exclusions)).toEqual({ good: 2737, total: 2760 });
  });

  it('takes out the whole bucket an exclusion cuts one millisecond of, when any one of the exclusions does', () => {
    const exclusions = [
      { start: 10 * B, end: 11 * B },
      { start: 2 * B + 1, end: 2 * B + 2 },
    ];
    // Bucket 2B goes: 997 + 250 of 1000 + 260.
    expect(sumBuckets(buckets, included, exclusions)).toEqual({ good: 1247, total: 1260 });
  });
});

describe("the audit's compliance by occurrences", () => {
  it('is good over total in percent: 997 of 1000 is 99.7%', () => {
    expect(occurrencesCompliance(997, 1000)).toBeCloseTo(99.7, 10);
  });

  it('is null, not 0% nor NaN, without events', () => {
    expect(occurrencesCompliance(0, 0)).toBeNull();
  });
});

describe("the audit's compliance by time slices", () => {
  // 10-minute slices anchored at B: slice k covers [B + 2Bk, B + 2B(k + 1)).
  // from = anchor + half a slice (slice 0 is incomplete, left out), to = anchor + 4.5 slices (slice 4 incomplete).
  const s = { sliceMs: 2 * B, anchor: B, from: 2 * B, to: 10 * B, sliceTarget: 0.995 };
  const buckets: AuditBucket[] = [
    { bucketStart: 0, good: 0, total: 50 }, // slice -1: before the period
    { bucketStart: B, good: 5, total: 10 }, // slice 0: incomplete
    { bucketStart: 3 * B, good: 990, total: 1000 }, // slice 1: 1975 / 2000 = 0.9875, bad
    { bucketStart: 4 * B, good: 985, total: 1000 },
    { bucketStart: 5 * B, good: 0, total: 0 }, // slice 2: no events, not counted
    { bucketStart: 7 * B, good: 495, total: 500 }, // slice 3: 995 / 1000 = 0.995, exactly the target: good
    { bucketStart: 8 * B, good: 500, total: 500 },
    { bucketStart: 9 * B, good: 1, total: 100 }, // slice 4: incomplete
  ];

  it('counts complete slices with events only, a slice at exactly the target as good: 1 good of 2 is 50%', () => {
    expect(slicesCompliance(buckets, { ...s, ratio: false })).toBe(50);
  });

  it('averages the per-slice ratios for ratio timeslices: (0.9875 + 0.995) / 2 is 99.125%', () => {
    expect(slicesCompliance(buckets, { ...s, ratio: true })).toBeCloseTo(99.125, 10);
  });

  it('is null when no complete slice holds an event', () => {
    const none = [
      { bucketStart: 5 * B, good: 0, total: 0 },
      { bucketStart: 9 * B, good: 1, total: 100 },
    ];
    expect(slicesCompliance(none, { ...s, ratio: false })).toBeNull();
    expect(slicesCompliance(none, { ...s, ratio: true })).toBeNull();
  });
});

describe("the audit's credit from the contract's tiers", () => {
  // Tiers listed out of order on purpose; a 20% cap; a charge with cents.
  const terms = {
    monthlyCharge: 1234.56,
    capPercent: 20,
    tiers: [
      { belowPercent: 99.9, creditPercent: 5 },
      { belowPercent: 95, creditPercent: 25 },
      { belowPercent: 99, creditPercent: 10 },
    ],
  };

  it('takes the tier with the lowest threshold above the compliance: 98.5% is under 99 → 10%, 123.46 (12345.6 cents rounded)', () => {
    expect(creditFor(terms, 98.5)).toEqual({ percent: 10, amount: 123.46 });
  });

  it('gives no tier at exactly its threshold: 99% is not below 99, so the 99.9 tier: 5%, 61.73', () => {
    expect(creditFor(terms, 99)).toEqual({ percent: 5, amount: 61.73 });
  });

  it('caps the deepest tier: 90% is under 95 → 25%, capped at 20%: 246.91', () => {
    expect(creditFor(terms, 90)).toEqual({ percent: 20, amount: 246.91 });
  });

  it('gives nothing above every threshold', () => {
    expect(creditFor(terms, 99.95)).toEqual({ percent: 0, amount: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { detectAnomalies } from '../../../shared/domain/reports/anomalies.js';
import {
  creditFor,
  occurrencesCompliance,
  slicesCompliance,
  sumBuckets,
} from '../../../shared/domain/reports/audit.js';
import { localPeriod } from '../../../shared/domain/reports/build.js';
import type { ObjectiveFigure } from '../../../shared/domain/reports/figures.js';
import { loadReportsPolicy } from '../../../shared/policy/reports.js';
import { nextFireTime, SCHEDULES } from '../../../shared/schedules.js';
import { monthsEnding, previousMonth } from '../../../shared/usecases/reports/index.js';

const B = 300_000;
const fig = (objectiveId: string, compliance: number | null): ObjectiveFigure => ({
  agreementId: 'agr_01ANOMALY00000000001',
  objectiveId,
  periodStart: '',
  periodEnd: '',
  partial: false,
  method: 'occurrences',
  target: 99.9,
  compliance,
  goodEvents: 0,
  totalEvents: 0,
  coverage: 1,
  budgetRemainingRatio: null,
  budgetRemainingMinutes: null,
  budgetTotalMinutes: null,
  status: 'healthy',
});

describe("the audit's own arithmetic", () => {
  it('sums buckets whose start is in the period, leaving out every bucket an exception window touches', () => {
    const buckets = [0, 1, 2, 3, 4].map((i) => ({ bucketStart: i * B, good: 990 + i, total: 1000 }));
    // Bucket 2 is cut by a window from 12 to 13 minutes: the whole bucket goes. Bucket 4 starts at the period end.
    expect(
      sumBuckets(buckets, [{ start: 0, end: 4 * B }], [{ start: 12 * 60_000, end: 13 * 60_000 }]),
    ).toEqual({
      good: 990 + 991 + 993,
      total: 3000,
    });
    expect(occurrencesCompliance(2974, 3000)).toBeCloseTo(99.13333333, 8);
    expect(occurrencesCompliance(0, 0)).toBeNull();
  });

  it('counts good 10-minute slices and averages their ratios, by hand', () => {
    // Slices (two buckets each): 2000/2000, 1900/2000 (bad at 0.99), 0/0 (empty), 1990/2000.
    const buckets = [
      [1000, 1000],
      [1000, 1000],
      [950, 1000],
      [950, 1000],
      [0, 0],
      [0, 0],
      [995, 1000],
      [995, 1000],
    ].map(([good, total], i) => ({ bucketStart: i * B, good: good!, total: total! }));
    const s = { sliceMs: 2 * B, anchor: 0, from: 0, to: 8 * B, sliceTarget: 0.99 };
    expect(slicesCompliance(buckets, { ...s, ratio: false })).toBeCloseTo((2 / 3) * 100, 10);
    expect(slicesCompliance(buckets, { ...s, ratio: true })).toBeCloseTo(((1 + 0.95 + 0.995) / 3) * 100, 10);
  });

  it("applies a contract's tiers: the lowest threshold above the compliance, capped, in cents", () => {
    const terms = {
      monthlyCharge: 25_000,
      capPercent: 30,
      tiers: [
        { belowPercent: 99.9, creditPercent: 10 },
        { belowPercent: 99.0, creditPercent: 25 },
        { belowPercent: 95.0, creditPercent: 100 },
      ],
    };
    expect(creditFor(terms, 99.95)).toEqual({ percent: 0, amount: 0 });
    expect(creditFor(terms, 99.5)).toEqual({ percent: 10, amount: 2500 });
    expect(creditFor(terms, 98.2)).toEqual({ percent: 25, amount: 6250 });
    expect(creditFor(terms, 90)).toEqual({ percent: 30, amount: 7500 });
    expect(creditFor({ ...terms, monthlyCharge: 333.33 }, 99.5)).toEqual({ percent: 10, amount: 33.33 });
  });
});

describe('anomaly alerts', () => {
  const rules = { complianceDropPoints: 0.5, violationIncreaseRatio: 2, violationIncreaseMinimum: 3 };

  it('alerts on a month-on-month compliance drop of at least the threshold, not below it', () => {
    const a = detectAnomalies(
      {
        month: '2026-04',
        previous: '2026-03',
        figures: [fig('availability', 99.4), fig('latency', 99.51), fig('new', 98)],
        previousFigures: [fig('availability', 99.9), fig('latency', 99.99), fig('new', null)],
        violations: [],
      },
      rules,
    );
    expect(a.map((x) => [x.kind, x.objectiveId])).toEqual([['compliance-drop', 'availability']]);
    expect(a[0]!.detail).toBe(
      'agr_01ANOMALY00000000001/availability: 99.9% in 2026-03, 99.4% in 2026-04 (target 99.9%); the alert threshold is a drop of 0.5 points.',
    );
  });

  it('alerts on a jump in a service’s violations: twice as many and at least three', () => {
    const v = (serviceId: string, month: string, n: number) =>
      Array.from({ length: n }, () => ({ serviceId, month }));
    const a = detectAnomalies(
      {
        month: '2026-04',
        previous: '2026-03',
        figures: [],
        previousFigures: [],
        violations: [
          ...v('svc_a', '2026-03', 2),
          ...v('svc_a', '2026-04', 4),
          ...v('svc_b', '2026-03', 3),
          ...v('svc_b', '2026-04', 5),
          ...v('svc_c', '2026-04', 2),
          ...v('svc_d', '2026-04', 3),
        ],
      },
      rules,
    );
    expect(a.map((x) => x.serviceId)).toEqual(['svc_a', 'svc_d']);
  });
});

describe('report schedules', () => {
  it('are rows of the one schedule table, publishing after the policy’s commentary window has closed', () => {
    const open = SCHEDULES.find((s) => s.id === 'report-commentary-open')!;
    const publish = SCHEDULES.find((s) => s.id === 'report-publish')!;
    const from = Date.UTC(2026, 4, 1);
    const opened = nextFireTime(open.cron, from)!;
    const published = nextFireTime(publish.cron, from)!;
    expect(new Date(opened).toISOString()).toBe('2026-05-02T06:00:00.000Z');
    expect(new Date(published).toISOString()).toBe('2026-05-05T06:00:00.000Z');
    for (const s of loadReportsPolicy().schedules)
      expect((published - opened) / 3_600_000, s.id).toBeGreaterThanOrEqual(s.commentaryWindowHours);
  });

  it('reports on the month before, and counts months back across a year', () => {
    expect(previousMonth(Date.UTC(2026, 0, 5, 6))).toBe('2025-12');
    expect(monthsEnding('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
  });
});

describe('periods as a reader of the agreement sees them', () => {
  it('dates a London April (from 2026-03-31T23:00Z) as 2026-04-01 to 2026-04-30, not from the UTC day before', () => {
    expect(localPeriod('2026-03-31T23:00:00.000Z', '2026-04-30T23:00:00.000Z', 'Europe/London')).toBe(
      '2026-04-01 to 2026-04-30',
    );
  });

  it('dates a Tokyo April (from 2026-03-31T15:00Z) and a UTC April by their own calendars', () => {
    expect(localPeriod('2026-03-31T15:00:00.000Z', '2026-04-30T15:00:00.000Z', 'Asia/Tokyo')).toBe(
      '2026-04-01 to 2026-04-30',
    );
    expect(localPeriod('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', 'UTC')).toBe(
      '2026-04-01 to 2026-04-30',
    );
  });
});

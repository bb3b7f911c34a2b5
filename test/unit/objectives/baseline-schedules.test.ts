import { describe, expect, it } from 'vitest';
import {
  percentileOf,
  proposeBaseline,
  roundDownTarget,
} from '../../../shared/domain/objectives/baseline.js';
import { BUCKET_MS, type RollupBucket } from '../../../shared/ports/rollups.js';
import { nextFireTime, nextFireTimes, parseCron, SCHEDULES } from '../../../shared/schedules.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

function hours(ratios: number[]): RollupBucket[] {
  const out: RollupBucket[] = [];
  ratios.forEach((r, h) => {
    for (let b = 0; b < 12; b++) {
      out.push({
        sliKey: 'svc_pay/availability',
        bucketStart: T0 + h * H + b * BUCKET_MS,
        good: r * 1000,
        total: 1000,
        count: 1,
        sum: 100 + h,
        min: 0,
        max: 0,
      });
    }
  });
  return out;
}

describe('baselines', () => {
  // Ten hourly slices: 99.99% ×6, 99.95%, 99.9%, 99.5%, and one 90% hour during a sale.
  const ratios = [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9995, 0.999, 0.995, 0.9];

  it('proposes the 10th percentile of hourly compliance, rounded down, with the data it used', () => {
    const p = proposeBaseline(hours(ratios), {
      from: T0,
      to: T0 + 10 * H,
      sliceMinutes: 60,
      percentile: 10,
      exclude: [],
    });
    // Ten sorted values, nearest rank 1 → 90%.
    expect(p.percentileValuePercent).toBe(90);
    expect(p.proposedTargetPercent).toBe(90);
    expect(p.data).toMatchObject({ slicesUsed: 10, slicesExcluded: 0, totalEvents: 120000 });
  });

  it('leaves out the periods marked as peak or seasonal', () => {
    const p = proposeBaseline(hours(ratios), {
      from: T0,
      to: T0 + 10 * H,
      sliceMinutes: 60,
      percentile: 10,
      exclude: [{ start: T0 + 9 * H, end: T0 + 10 * H, label: 'January sale' }],
    });
    // Nine values left, rank 1 → 99.5%.
    expect(p.percentileValuePercent).toBe(99.5);
    expect(p.proposedTargetPercent).toBe(99.5);
    expect(p.data.slicesExcluded).toBe(1);
    expect(p.data.excludedPeriods).toEqual([
      { label: 'January sale', start: '2026-01-05T09:00:00.000Z', end: '2026-01-05T10:00:00.000Z' },
    ]);
    expect(p.explanation).toContain('10th percentile of 9 60-minute slices');
  });

  it('proposes nothing from a history without data', () => {
    const p = proposeBaseline([], {
      from: T0,
      to: T0 + 10 * H,
      sliceMinutes: 60,
      percentile: 10,
      exclude: [],
    });
    expect(p.proposedTargetPercent).toBeNull();
    expect(p.data.slicesEmpty).toBe(10);
  });

  it('rounds targets down to contract-like steps', () => {
    expect([roundDownTarget(98.7), roundDownTarget(99.37), roundDownTarget(99.957)]).toEqual([
      98.5, 99.35, 99.95,
    ]);
    expect(percentileOf([1, 2, 3, 4], 50)).toBe(2);
  });
});

describe('the schedule table', () => {
  it('evaluates objectives every five minutes', () => {
    const s = SCHEDULES.find((x) => x.id === 'evaluate-objectives')!;
    expect(
      nextFireTimes(s.cron, Date.UTC(2026, 0, 1, 10, 2, 30), 3).map((t) => new Date(t).toISOString()),
    ).toEqual(['2026-01-01T10:05:00.000Z', '2026-01-01T10:10:00.000Z', '2026-01-01T10:15:00.000Z']);
  });

  it('parses every expression in the table', () => {
    for (const s of SCHEDULES) expect(() => parseCron(s.cron), s.id).not.toThrow();
  });

  it('understands hours, weekdays by name and month days', () => {
    const weekdays9 = 'cron(0 9 ? * MON-FRI *)';
    // Saturday 3 January 2026 → Monday 5 January 09:00.
    expect(new Date(nextFireTime(weekdays9, Date.UTC(2026, 0, 3))!).toISOString()).toBe(
      '2026-01-05T09:00:00.000Z',
    );
    expect(new Date(nextFireTime('cron(30 6 1 * ? *)', Date.UTC(2026, 0, 15))!).toISOString()).toBe(
      '2026-02-01T06:30:00.000Z',
    );
  });

  it('refuses expressions EventBridge would refuse', () => {
    expect(() => parseCron('cron(0 9 * * * *)')).toThrow(/one of day-of-month and day-of-week/);
    expect(() => parseCron('rate(5 minutes)')).toThrow();
    expect(() => parseCron('cron(61 * * * ? *)')).toThrow(/out of range/);
  });
});

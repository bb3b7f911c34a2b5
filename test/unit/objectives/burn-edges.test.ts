import { describe, expect, it } from 'vitest';
import { burnRateFigures, sumOver } from '../../../shared/domain/objectives/burn.js';
import type { CumulativeAt } from '../../../shared/domain/objectives/methods/types.js';
import type { EvaluationPlan, PlannedBurnWindow } from '../../../shared/domain/objectives/plan.js';

// burnRateFigures called directly on a hand-made plan: a 30-day period fully counted up to NOW, one alert of
// the SRE Workbook's page-fast kind (2% of the budget in 1 h, short window 5 min), a 99.9% target.
const MIN = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 18);
// Threshold X·P/long = 2% × 720 h / 1 h = 14.4.
const PAGE_FAST: PlannedBurnWindow = {
  name: 'page-fast',
  action: 'page',
  threshold: 14.4,
  thresholdParts: { budgetPercent: 2, periodMs: 30 * DAY, longMs: H },
  long: H,
  short: 5 * MIN,
};
const plan = {
  now: NOW,
  included: [{ start: NOW - 30 * DAY, end: NOW }],
  burnWindows: [PAGE_FAST],
} as unknown as EvaluationPlan;
const SHARE = { n: 1n, d: 1000n }; // 1 − 99.9%
// Running totals: nothing before the last `n` events, which all arrive (all bad) in the last 5 minutes.
const lastFiveMinutes =
  (n: number): CumulativeAt =>
  (t) =>
    t > NOW - 5 * MIN ? { good: 0, total: n, filled: 1 } : { good: 0, total: 0, filled: 0 };

describe('sumOver', () => {
  it('sums each interval as the difference of its end and start running totals, buckets with data included', () => {
    // good = t, total = 2t, filled = 3t (t in ms): two intervals of 10 ms each give 20, 40, 60 and 20 ms.
    const cum: CumulativeAt = (t) => ({ good: t, total: 2 * t, filled: 3 * t });
    expect(
      sumOver(
        [
          { start: 0, end: 10 },
          { start: 20, end: 30 },
        ],
        cum,
      ),
    ).toEqual({ good: 20, total: 40, filled: 60, ms: 20 });
  });
});

describe('burn-rate alerts at the edge of the low-traffic gate', () => {
  it('judges an alert whose long and short windows each hold exactly minEvents events: 10 bad of 10 fire at 1000x', () => {
    // 10 events, all in the last 5 minutes, so both windows hold 10 = minEvents: not "too few".
    // Burn rate (10/10) / 0.001 = 1000 in both windows, above 14.4.
    const [fig] = burnRateFigures(plan, lastFiveMinutes(10), SHARE, 10);
    expect(fig!.long.events).toBe(10);
    expect(fig!.short.events).toBe(10);
    expect(fig!.judgement).toBe('firing');
    expect(fig!.firing).toBe(true);
    expect([fig!.long.burnRate, fig!.short.burnRate]).toEqual([1000, 1000]);
    // One event short of the gate: not judged.
    expect(burnRateFigures(plan, lastFiveMinutes(9), SHARE, 10)[0]!.judgement).toBe('too-few-events');
  });

  it('shows no burn rate for windows without events, even when the slice counts hold slices', () => {
    // Slice units say 1 bad of 12 slices over the hour and 1 of 1 over 5 min, but no event was counted: the
    // rate is not computed (it would read (1/12)/0.001 = 83.3333x), the alert is "no-events".
    const none: CumulativeAt = () => ({ good: 0, total: 0, filled: 0 });
    const [fig] = burnRateFigures(plan, none, SHARE, 0, [
      { long: { good: 11, total: 12 }, short: { good: 0, total: 1 } },
    ]);
    expect(fig!.long).toEqual({ minutes: 60, burnRate: null, events: 0, slices: 12 });
    expect(fig!.short).toEqual({ minutes: 5, burnRate: null, events: 0, slices: 1 });
    expect(fig!.judgement).toBe('no-events');
    expect(fig!.firing).toBe(false);
  });
});

/**
 * The linear-trend forecast (`forecastOf`) on hand-built inputs whose arithmetic is exact in binary: rates
 * and budgets are multiples of powers of two, so every projected figure below is computed by hand without
 * rounding. Each test states one behaviour a reader of the forecast relies on: where the budget runs out when
 * counted time has a gap, how a rolling window ages its old units out, and the policy's two thresholds.
 */
import { describe, expect, it } from 'vitest';
import { forecastOf } from '../../../shared/domain/objectives/forecast.js';
import type { Interval } from '../../../shared/domain/objectives/intervals.js';
import { figuresOf } from '../../../shared/domain/objectives/methods/figures.js';
import type { Population } from '../../../shared/domain/objectives/methods/types.js';
import type { EvaluationPlan } from '../../../shared/domain/objectives/plan.js';
import type { ObjectiveSpec } from '../../../shared/domain/objectives/types.js';
import { DEFAULT_FORECAST, type ForecastPolicy } from '../../../shared/policy/objectives.js';
import { ctx } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The evaluation instant: 10 April 2026, 00:00 UTC (a whole minute). */
const T0 = Date.UTC(2026, 3, 10);
const at = (ms: number) => new Date(ms).toISOString();

/** A plan for `forecastOf`: only the fields it reads differ between tests. */
function plan(
  window: ObjectiveSpec['window'],
  target: number,
  included: Interval[],
  horizonEnd: number,
): EvaluationPlan {
  return {
    ctx: ctx({ window, target }),
    sliKey: 'svc_pay/availability',
    now: T0,
    windowStart: T0 - 9 * 24 * HOUR,
    periodEnd: horizonEnd,
    periodMs: 30 * 24 * HOUR,
    earliest: T0 - HOUR,
    included,
    excludedMs: 0,
    burnWindows: [],
    lookbackMs: HOUR,
    horizonEnd,
    silenceProbeMs: 0,
    instants: [],
    slices: null,
  };
}

/** A population of events: `good` of `total` so far, `periodTotal` expected over the period, and the trend. */
function events(
  good: number,
  total: number,
  periodTotal: Population['periodTotal'],
  trend: { rate: number; errorRate: number },
): Population {
  return {
    measured: { unit: 'events', good, total },
    periodTotal,
    minutes: { budgetBase: 0, perBadUnit: 0, basis: 0 },
    trend: { rate: trend.rate, errorRate: trend.errorRate, recentErrorRate: trend.errorRate },
  };
}

/**
 * A calendar month at a 50% target (1 − target = 1/2 exactly) whose counted time ahead has a gap: counted
 * [T0, T0+10 min), not counted [T0+10, T0+20 min) (an exception window), counted [T0+20, T0+60 min), the
 * horizon. H = 50 counted minutes = 3,000,000 ms. The trend adds λ·r = (1/1024 per ms) × 1/2 = 1/2048 bad
 * events per counted ms, so a budget with `left` events left runs out after left × 2048 counted ms.
 * 64 of 128 events are bad so far; the allowance is (1/2) × periodTotal, so periodTotal = 2 × (64 + left).
 */
function gapCase(left: number, policy: ForecastPolicy = DEFAULT_FORECAST) {
  const included = [
    { start: T0 - HOUR, end: T0 + 10 * MIN },
    { start: T0 + 20 * MIN, end: T0 + 60 * MIN },
  ];
  const p = plan({ type: 'calendar', unit: 'month' }, 50, included, T0 + HOUR);
  // periodTotal = 2 × (64 + left), written as n / 64 with n an integer (left is a multiple of 1/128 here).
  const pop = events(
    64,
    128,
    { n: 2 * (64 + left) * 64, scale: [1, 64] },
    { rate: 1 / 1024, errorRate: 0.5 },
  );
  const fig = figuresOf(pop, 50);
  return { fig, forecast: forecastOf(p, pop, fig, policy, 3_600, 30 * 24 * HOUR) };
}

describe('the linear-trend forecast, where the budget runs out', () => {
  it('walks past a stretch of time that does not count: 15 counted minutes from T0 across a 10-minute gap end at T0+25 min', () => {
    // left = 900,000 / 2048 = 439.453125 events: 15 counted minutes. 10 of them fall before the gap (T0 to
    // T0+10), the other 5 after it (T0+20 to T0+25).
    const { fig, forecast } = gapCase(900_000 / 2048);
    expect(fig.allowed).toBe(503.453125);
    expect(fig.spent).toBe(false);
    expect(forecast.basis).toBe('trend');
    expect(forecast.breachAt).toBe(at(T0 + 25 * MIN));
    // At the horizon: bad = 64 + 3,000,000 / 2048 = 1528.84375 of 503.453125 allowed.
    expect(forecast.projectedBudgetConsumed).toBe(Math.round((1528.84375 / 503.453125) * 10_000) / 10_000);
    expect(forecast.breachLikely).toBe(true);
  });

  it('places a budget that runs out exactly where counted time stops at the start of the gap, not after it', () => {
    // left = 600,000 / 2048 = 292.96875 events: exactly the 10 counted minutes before the gap, so the budget
    // is spent at T0+10 min (when the counted stretch ends), not at T0+20 min (when the next one starts).
    const { forecast } = gapCase(600_000 / 2048);
    expect(forecast.breachAt).toBe(at(T0 + 10 * MIN));
  });

  it('forecasts a budget that runs out exactly at the horizon as running out at the horizon', () => {
    // left = 3,000,000 / 2048 = 1464.84375 events: all 50 counted minutes, so it runs out at T0+60 min, the
    // horizon itself; at the horizon exactly the whole budget is used.
    const { forecast } = gapCase(3_000_000 / 2048);
    expect(forecast.breachAt).toBe(at(T0 + HOUR));
    expect(forecast.projectedBudgetConsumed).toBe(1);
    expect(forecast.breachLikely).toBe(true);
  });

  it('calls a breach likely when the projected use is exactly the policy threshold (0.8 of the budget)', () => {
    // At the horizon bad = 64 + 1464.84375 = 1528.84375; an allowance of 1528.84375 / 0.8 = 1911.0546875
    // (left = 1847.0546875) makes the projected use 0.8 exactly; the budget is not run out by the horizon.
    const { forecast } = gapCase(1911.0546875 - 64);
    expect(forecast.breachAt).toBeNull();
    expect(forecast.projectedBudgetConsumed).toBe(0.8);
    expect(forecast.breachLikely).toBe(true);
  });

  it('calls a budget that runs out within the horizon a likely breach even when the policy asks for twice the budget', () => {
    // The breachLikelyAt threshold (2: the schema's largest) is not reached at the horizon (projected use 1),
    // but the budget does run out within it (at the horizon): that alone is a likely breach.
    const policy = { ...DEFAULT_FORECAST, breachLikelyAt: 2 };
    const { forecast } = gapCase(3_000_000 / 2048, policy);
    expect(forecast.projectedBudgetConsumed).toBe(1);
    expect(forecast.breachAt).toBe(at(T0 + HOUR));
    expect(forecast.breachLikely).toBe(true);
  });
});

/**
 * A rolling day at 99% whose window (W) holds 4 counted hours, forecast 1 counted hour ahead (H): by the
 * horizon a quarter of today's units have aged out (1 − H/W = 3/4). So far 995 of 1,000 events are good; the
 * look-back brings 100 events an hour (λ = 100 / 3,600,000 per ms) at a 2% error rate.
 *   units at H:   1,000 × 3/4 + 100 = 850
 *   bad at H:     5 × 3/4 + 100 × 0.02 = 5.75
 *   allowed at H: 1% of 850 = 8.5
 *   projected use 5.75 / 8.5 = 0.676470… → 0.6765; projected compliance (1 − 5.75 / 850) × 100 = 99.323529…
 * (A calendar model would give 7 bad of 10 allowed: 0.7; no ageing at all 8.25 of 13.5.)
 */
function rollingCase(lookbackEvents: number) {
  const p = plan({ type: 'rolling', days: 1 }, 99, [{ start: T0 - 6 * HOUR, end: T0 + HOUR }], T0 + HOUR);
  const pop = events(995, 1000, { n: 1000, scale: [1, 1] }, { rate: 100 / HOUR, errorRate: 0.02 });
  const fig = figuresOf(pop, 99);
  return forecastOf(p, pop, fig, DEFAULT_FORECAST, lookbackEvents, 4 * HOUR);
}

describe('the linear-trend forecast on a rolling window', () => {
  it('ages the window’s old units out at its average rate: a quarter of them gone after a quarter of the window', () => {
    const f = rollingCase(360);
    expect(f.basis).toBe('trend');
    expect(f.projectedBudgetConsumed).toBe(0.6765);
    expect(f.projectedCompliance).toBe(99.323529);
    expect(f.breachAt).toBeNull();
    expect(f.breachLikely).toBe(false);
  });

  it('projects the trend when the look-back holds exactly the policy’s minimum of events', () => {
    const f = rollingCase(DEFAULT_FORECAST.minEvents);
    expect(f.lookbackEvents).toBe(10);
    expect(f.basis).toBe('trend');
    expect(f.projectedBudgetConsumed).toBe(0.6765);
  });

  it('projects nothing when the look-back holds one event fewer than the policy’s minimum', () => {
    const f = rollingCase(DEFAULT_FORECAST.minEvents - 1);
    expect(f.basis).toBe('too-few-events');
    expect(f.projectedBudgetConsumed).toBeNull();
    expect(f.breachLikely).toBe(false);
  });
});

describe('the time to exhaustion at the look-back’s burn rate', () => {
  /** The rolling case above with the look-back's error rate set to `recentErrorRate`. */
  function withRecentErrorRate(recentErrorRate: number) {
    const p = plan({ type: 'rolling', days: 1 }, 99, [{ start: T0 - 6 * HOUR, end: T0 + HOUR }], T0 + HOUR);
    const pop = events(995, 1000, { n: 1000, scale: [1, 1] }, { rate: 100 / HOUR, errorRate: 0.02 });
    pop.trend.recentErrorRate = recentErrorRate;
    return forecastOf(p, pop, figuresOf(pop, 99), DEFAULT_FORECAST, 360, 4 * HOUR);
  }

  it('spends the half budget left over a 30-day period in 10,800 minutes at burn rate 2', () => {
    // 2% bad at a 1% allowance: burn rate 2. Half of the budget is left (5 of 10 bad events allowed), and
    // at burn rate 2 a whole budget lasts half the period: 0.5 × 43,200 min / 2 = 10,800 min.
    expect(withRecentErrorRate(0.02).timeToExhaustionMinutes).toBe(10_800);
  });

  it('gives no time to exhaustion when the look-back holds no bad events (burn rate 0), rather than an infinite one', () => {
    expect(withRecentErrorRate(0).timeToExhaustionMinutes).toBeNull();
  });
});

describe('the linear-trend forecast of a budget a rounding error short of spent', () => {
  it('forecasts no breach for a budget not spent when the look-back holds no bad event, though the float allowance is below the bad count', () => {
    // April 2026 in progress at 99.9%: 2,592,000,000 counted ms in the month, 1,728,000,007 so far, and
    // 82,284,667 events so far, 123,427 of them bad. Allowed, exactly: 0.001 × 82,284,667 × 2,592,000,000 /
    // 1,728,000,007 = 123,427 + 11/1,728,000,007, so the budget is NOT spent (exactly 11/1,728,000,007 of an
    // event is left). Before the budget share was rounded once from the exact 1 − 99.9/100, the allowance in
    // binary (123,426.99999999933) fell below the 123,427 bad events and a zero slope read as a breach now.
    // With no bad event in the look-back the trend adds nothing: the budget never runs out.
    const p = plan(
      { type: 'calendar', unit: 'month' },
      99.9,
      [{ start: T0 - HOUR, end: T0 + HOUR }],
      T0 + HOUR,
    );
    const pop = events(
      82_284_667 - 123_427,
      82_284_667,
      { n: 82_284_667, scale: [2_592_000_000, 1_728_000_007] },
      {
        rate: 1 / 20,
        errorRate: 0,
      },
    );
    const fig = figuresOf(pop, 99.9);
    expect(fig.spent).toBe(false);
    expect(fig.allowed).toBeGreaterThanOrEqual(123_427);
    const f = forecastOf(p, pop, fig, DEFAULT_FORECAST, 180_000, 2_592_000_000);
    expect(f.basis).toBe('trend');
    expect(f.breachAt).toBeNull();
    expect(f.timeToExhaustionMinutes).toBeNull();
  });
});

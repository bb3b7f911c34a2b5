import { describe, expect, it } from 'vitest';
import { occurrences } from '../../../shared/domain/objectives/methods/occurrences.js';
import type { MethodInput, Totals } from '../../../shared/domain/objectives/methods/types.js';

// The occurrences method's population (OpenSLO v1 "Occurrences"), called directly with hand-made totals. The plan,
// the running totals and the slice counts are not read by this method: the input leaves them empty.
const HOUR = 3_600_000;
const totals = (good: number, total: number, filled: number, ms: number): Totals => ({
  good,
  total,
  filled,
  ms,
});
const input = (over: Partial<MethodInput>): MethodInput =>
  ({
    plan: undefined,
    cum: () => ({ good: 0, total: 0, filled: 0 }),
    window: totals(0, 0, 0, 0),
    recent: totals(0, 0, 0, 0),
    periodIncludedMs: 0,
    sliceStats: [],
    complete: true,
    ...over,
  }) as unknown as MethodInput;

describe('occurrences population', () => {
  it('expects a calendar period in progress to see the whole period at the traffic so far: 10 days of 30 scale by 30/10', () => {
    const p = occurrences.population(
      input({ window: totals(990, 1000, 2880, 240 * HOUR), periodIncludedMs: 720 * HOUR, complete: false }),
    );
    expect(p.measured).toEqual({ unit: 'events', good: 990, total: 1000 });
    expect(p.periodTotal).toEqual({ n: 1000, scale: [720 * HOUR, 240 * HOUR] });
    expect(p.minutes.budgetBase).toBe(43_200);
  });

  it('takes a complete window, or one with no counted time yet, as the whole period (scale 1/1)', () => {
    const complete = occurrences.population(
      input({ window: totals(5, 10, 1, 240 * HOUR), periodIncludedMs: 720 * HOUR, complete: true }),
    );
    expect(complete.periodTotal.scale).toEqual([1, 1]);
    const noTime = occurrences.population(
      input({ window: totals(5, 10, 1, 0), periodIncludedMs: 720 * HOUR, complete: false }),
    );
    expect(noTime.periodTotal.scale).toEqual([1, 1]);
  });

  it('makes one bad event stand for the minutes with data divided by the events: 12 buckets of 5 min over 120 events is 0.5 min', () => {
    const p = occurrences.population(input({ window: totals(100, 120, 12, HOUR) }));
    expect(p.minutes.basis).toBe(60);
    expect(p.minutes.perBadUnit).toBe(0.5);
    // No events: no minutes per bad event (not a division by zero).
    expect(occurrences.population(input({ window: totals(0, 0, 12, HOUR) })).minutes.perBadUnit).toBe(0);
  });

  it('projects from the look-back when it holds events: its rate per ms and its bad share', () => {
    const p = occurrences.population(
      input({ window: totals(900, 1000, 100, 10 * HOUR), recent: totals(90, 120, 12, HOUR) }),
    );
    expect(p.trend.rate).toBe(120 / HOUR);
    expect(p.trend.recentErrorRate).toBe(0.25);
    expect(p.trend.errorRate).toBe(0.25);
  });

  it('falls back to the window when the look-back holds no events: no recent error rate, the window’s bad share', () => {
    const p = occurrences.population(
      input({ window: totals(900, 1000, 100, 10 * HOUR), recent: totals(0, 0, 0, HOUR) }),
    );
    expect(p.trend.rate).toBe(1000 / (10 * HOUR));
    expect(p.trend.recentErrorRate).toBeNull();
    expect(p.trend.errorRate).toBeCloseTo(0.1, 12);
  });

  it('answers an error rate of 0, not NaN, when neither the look-back nor the window holds events', () => {
    const p = occurrences.population(input({ window: totals(0, 0, 0, HOUR), recent: totals(0, 0, 0, 0) }));
    expect(p.trend.errorRate).toBe(0);
    expect(p.trend.recentErrorRate).toBeNull();
    expect(p.trend.rate).toBe(0);
  });
});

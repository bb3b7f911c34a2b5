import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../../shared/domain/objectives/methods/figures.js';
import type { Population } from '../../../shared/domain/objectives/methods/types.js';

/** A population of `good` of `total` units, the period expecting n × s0 / s1 units (the figures ignore the rest). */
const pop = (
  good: number,
  total: number,
  period: { n: number; scale?: [number, number] } = { n: total },
  unit: 'events' | 'slices' = 'events',
): Population => ({
  measured: { unit, good, total },
  periodTotal: { n: period.n, scale: period.scale ?? [1, 1] },
  minutes: { budgetBase: 0, perBadUnit: 0, basis: 0 },
  trend: { rate: 0, recentErrorRate: null, errorRate: 0 },
});

describe('compliance and the budget flags of one population', () => {
  it('gives compliance as good over total', () => {
    // 3 good of 4: 3 / 4 = 0.75, shown as 75 %.
    const f = figuresOf(pop(3, 4), 50);
    expect(f.compliance).toBe(0.75);
    expect(f.compliancePercent).toBe(75);
  });

  it('calls a budget exceeded only when more is consumed than allowed, and spent from the allowance on', () => {
    // 99 % of 100 events allows 1 bad event.
    const under = figuresOf(pop(100, 100), 99);
    const at = figuresOf(pop(99, 100), 99);
    const over = figuresOf(pop(98, 100), 99);
    expect([under.exceeded, under.spent]).toEqual([false, false]);
    expect([at.exceeded, at.spent]).toEqual([false, true]);
    expect([over.exceeded, over.spent]).toEqual([true, true]);
  });

  it('says whether the remaining share of the budget is below a threshold, equal not being below', () => {
    // 99 % of 1000 allows 10 bad; 6 consumed leaves 1 − 6/10 = 0.4.
    const f = figuresOf(pop(994, 1000), 99);
    expect(f.remainingRatio).toBeCloseTo(0.4, 12);
    expect(f.remainingBelow(0.5)).toBe(true);
    expect(f.remainingBelow(0.4)).toBe(false);
    expect(f.remainingBelow(0.25)).toBe(false);
  });
});

describe('a target of 100 %, which allows no budget at all', () => {
  it('leaves a remaining ratio of 0 (not NaN) when nothing is consumed', () => {
    // allowed = 0 × 10 = 0 and consumed = 0: 1 − 0/0 would be NaN.
    const f = figuresOf(pop(10, 10), 100);
    expect(f.allowed).toBe(0);
    expect(f.remainingRatio).toBe(0);
    expect(f.spent).toBe(true);
    expect(f.exceeded).toBe(false);
    expect(f.budget.remainingRatio).toBe(0);
    expect(f.budget.consumedRatio).toBe(1);
  });

  it('shows a budget exceeded by one bad event as none left and all consumed, not −∞ nor an error', () => {
    // allowed 0, consumed 1: 1 − 1/0 would be −∞, and a share of 1/0 cannot be floored.
    const f = figuresOf(pop(9, 10), 100);
    expect(f.exceeded).toBe(true);
    expect(f.remainingRatio).toBe(0);
    expect(f.budget.remainingRatio).toBe(0);
    expect(f.budget.consumedRatio).toBe(1);
    expect(f.budget.remaining).toBe(-1);
  });
});

describe('figures shown on the side the exact decision took', () => {
  it('shows an exactly spent budget as 0 remaining, never a negative zero a report would print as "-0"', () => {
    // Ratio timeslices: one slice at a ratio of 0.7 against 70 %: allowed exactly 0.3 × 1 = 0.3, consumed exactly
    // 1 − 0.7 = 0.3. In binary the consumption is 0.30000000000000004 and the allowance 0.3, so allowed − consumed
    // is −5.6e-17, which rounds to −0.
    const f = figuresOf(pop(0.7, 1, { n: 1 }, 'slices'), 70);
    expect(f.spent).toBe(true);
    expect(f.exceeded).toBe(false);
    expect(Object.is(f.budget.remaining, 0)).toBe(true);
    expect(new Intl.NumberFormat('en').format(f.budget.remaining)).toBe('0');
  });

  it('shows a budget exceeded by less than the binary rounding of its figures as a negative remaining share', () => {
    // Ratio timeslices, 2 slices whose ratios sum to 0.9999999999999999, target 50 %: allowed exactly 1 slice,
    // consumed exactly 2 − 0.9999999999999999 = 1.0000000000000001. In binary the consumption rounds to 1, so
    // allowed − consumed is 0; the exact decision says exceeded, so the share shown must be below 0: −0.000001,
    // consumed 1.000001.
    const f = figuresOf(pop(0.9999999999999999, 2, { n: 2 }, 'slices'), 50);
    expect(f.consumed).toBe(f.allowed);
    expect(f.exceeded).toBe(true);
    expect(f.budget.remainingRatio).toBe(-0.000001);
    expect(f.budget.consumedRatio).toBe(1.000001);
  });
});

describe('the share of the budget a target allows, taken from the decimal the contract wrote', () => {
  it('shows half of a 99.9 % budget spent as 0.5 left and 0.5 consumed, not 0.499999 and 0.500001', () => {
    // 99.9 % of 10,000 events allows 10 bad ones; 5 are consumed: exactly half. (100 − 99.9 in binary is
    // 0.09999999999999432, which made the allowance 9.99999999999943 and floored the share left to 0.499999.)
    const f = figuresOf(pop(9995, 10_000), 99.9);
    expect(f.allowed).toBe(10);
    expect(f.budget.remainingRatio).toBe(0.5);
    expect(f.budget.consumedRatio).toBe(0.5);
  });

  it('allows 99.9 % of 10^12 events exactly 10^9 bad ones, shown whole', () => {
    // (1 − 0.999) × 10^12 = 10^9; half consumed leaves 5 × 10^8.
    const f = figuresOf(pop(999_500_000_000, 1_000_000_000_000), 99.9);
    expect(f.budget.total).toBe(1_000_000_000);
    expect(f.budget.remaining).toBe(500_000_000);
    expect(f.budget.remainingRatio).toBe(0.5);
  });

  it('gives the budget in minutes from the same exact share', () => {
    // 0.05 % of a 30-day month's 43,200 minutes is 21.6 minutes; 99.95 % of 4000 events, 1 bad: 2 allowed.
    const p = pop(3999, 4000);
    const f = figuresOf({ ...p, minutes: { budgetBase: 43_200, perBadUnit: 10.8, basis: 43_200 } }, 99.95);
    expect(f.allowed).toBe(2);
    expect(f.budget.minutes).toEqual({ total: 21.6, consumed: 10.8, remaining: 10.8, basisMinutes: 43_200 });
    expect(f.budget.remainingRatio).toBe(0.5);
  });
});

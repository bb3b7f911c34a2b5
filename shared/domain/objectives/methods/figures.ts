/**
 * Compliance, error budget and consumption, all from one population (the only place they are computed).
 * Decisions are exact: the target is the decimal the contract wrote (99.9 is 999/1000 exactly), counts are
 * compared as rationals (`decide`: in binary when clearly apart, exactly near the boundary), and rounding is
 * for display only.
 */
import { cmp, decide, type Exact, exact, floorShown, mul, ONE, ratio, sub, toNumber } from '../exact.js';
import type { ErrorBudget } from '../types.js';
import type { Population } from './types.js';

export interface Figures {
  good: number;
  total: number;
  /** good / total, as a binary float (for projections and display; decisions use the flags below). */
  compliance: number;
  /** Compliance in percent, rounded down to 6 decimals (display). */
  compliancePercent: number;
  /** compliance < target, exactly. */
  belowTarget: boolean;
  /** total − good, and (1 − target) × the period's expected units, as floats. */
  consumed: number;
  allowed: number;
  /** consumed > allowed, exactly: the budget is exceeded (breached). */
  exceeded: boolean;
  /** consumed ≥ allowed, exactly: the budget is spent (exactly spent when not exceeded). */
  spent: boolean;
  /** 1 − consumed / allowed, as a float. */
  remainingRatio: number;
  /** Whether the remaining share is below a threshold (a share of 1), exactly. */
  remainingBelow(threshold: number): boolean;
  budget: ErrorBudget;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The target in percent as an exact share of 1 (99.9 → 999/1000). */
export function targetShare(targetPercent: number): Exact {
  return ratio(targetPercent, 100);
}

/**
 * The error budget's share of the period, 1 − target/100, as the float nearest the decimal the contract wrote
 * (99.9 → 0.001). Computed exactly and rounded once: in binary 1 − 99.9/100 is 0.000999999999999889 and
 * 100 − 99.9 is 0.09999999999999432 (the float 99.9 is 99.900000000000005684…), which no rounding to 15 digits cleans.
 */
export function budgetShare(targetPercent: number): number {
  return toNumber(sub(ONE, targetShare(targetPercent)));
}

/** The target as a share of 1, the float nearest the decimal (99.9 → 0.999; 99.9 / 100 is 0.9990000000000001). */
export function targetRatio(targetPercent: number): number {
  return toNumber(targetShare(targetPercent));
}

/** The period's expected units, exactly: n × scale[0] / scale[1]. */
function periodExact(p: Population['periodTotal']): Exact {
  return ratio(mul(exact(p.n), exact(p.scale[0])), exact(p.scale[1]));
}

function exactConsumed(good: number, total: number): Exact {
  return sub(exact(total), exact(good));
}

function exactAllowed(targetPercent: number, periodTotal: Population['periodTotal']): Exact {
  return mul(sub(ONE, targetShare(targetPercent)), periodExact(periodTotal));
}

/** Every figure of one population against a target (percent). */
export function figuresOf(pop: Population, targetPercent: number): Figures {
  const { good, total } = pop.measured;
  // Rounded to 15 digits instead, the share showed half of a 99.9 % budget as 0.499999 left.
  const share = budgetShare(targetPercent);
  const periodTotal = (pop.periodTotal.n * pop.periodTotal.scale[0]) / pop.periodTotal.scale[1];
  const consumed = total - good;
  const allowed = share * periodTotal;
  // The exact figures are built only for decisions near their boundary.
  const vsAllowed = decide(consumed, allowed, () =>
    cmp(exactConsumed(good, total), exactAllowed(targetPercent, pop.periodTotal)),
  );
  const remainingRatio = allowed > 0 ? 1 - consumed / allowed : 0;
  // Shown on the side the exact decision took: 0 when exactly spent, never below 0 while some is left,
  // never 0 or above once exceeded.
  const shownRemaining =
    vsAllowed === 0 || allowed <= 0
      ? 0
      : vsAllowed === -1
        ? Math.max(0, floorShown(allowed - consumed, allowed, 6))
        : Math.min(-1e-6, floorShown(allowed - consumed, allowed, 6));
  const m = pop.minutes;
  const totalMinutes = share * m.budgetBase;
  const consumedMinutes = consumed * m.perBadUnit;
  return {
    good,
    total,
    compliance: good / total,
    compliancePercent: floorShown(good, total, 6, 100),
    belowTarget:
      decide(good / total, targetPercent / 100, () => cmp(ratio(good, total), targetShare(targetPercent))) <
      0,
    consumed,
    allowed,
    exceeded: vsAllowed > 0,
    spent: vsAllowed >= 0,
    remainingRatio,
    remainingBelow(threshold: number): boolean {
      return (
        decide(remainingRatio, threshold, () =>
          cmp(
            sub(ONE, ratio(exactConsumed(good, total), exactAllowed(targetPercent, pop.periodTotal))),
            exact(threshold),
          ),
        ) < 0
      );
    },
    budget: {
      unit: pop.measured.unit,
      total: round(allowed, 3),
      consumed: round(consumed, 3),
      remaining: vsAllowed === 0 ? 0 : round(allowed - consumed, 3),
      // The remaining share is rounded down (a share shown is never more than is left), the consumed one
      // is its complement, so the two always add up to 1.
      consumedRatio: round(1 - shownRemaining, 6),
      remainingRatio: shownRemaining,
      minutes: {
        total: round(totalMinutes, 3),
        consumed: round(consumedMinutes, 3),
        remaining: round(totalMinutes - consumedMinutes, 3),
        basisMinutes: round(m.basis, 3),
      },
    },
  };
}

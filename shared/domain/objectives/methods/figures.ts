/**
 * Compliance, error budget and consumption, all from one population (the only place they are computed).
 * Decisions are exact: the target is the decimal the contract wrote (99.9 is 999/1000 exactly), counts are
 * compared as rationals, and rounding is for display only.
 */
import { cmp, type Exact, exact, floorDecimals, mul, ONE, ratio, sub, toNumber, ZERO } from '../exact.js';
import type { ErrorBudget } from '../types.js';
import type { Population } from './types.js';

export interface Figures {
  /** good / total, exactly. */
  compliance: Exact;
  /** Compliance in percent, rounded down to 6 decimals (display). */
  compliancePercent: number;
  /** compliance < target, exactly. */
  belowTarget: boolean;
  /** (1 − target) × the period's expected units. */
  allowed: Exact;
  /** total − good. */
  consumed: Exact;
  /** consumed > allowed: the budget is exceeded (breached). */
  exceeded: boolean;
  /** consumed ≥ allowed: the budget is spent (exactly spent when not exceeded). */
  spent: boolean;
  /** 1 − consumed / allowed, exactly. */
  remainingRatio: Exact;
  budget: ErrorBudget;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The target in percent as an exact share of 1 (99.9 → 999/1000). */
export function targetShare(targetPercent: number): Exact {
  return ratio(targetPercent, 100);
}

/** Every figure of one population against a target (percent). */
export function figuresOf(pop: Population, targetPercent: number): Figures {
  const t = targetShare(targetPercent);
  const share = sub(ONE, t);
  const good = exact(pop.measured.good);
  const total = exact(pop.measured.total);
  const compliance = ratio(good, total);
  const consumed = sub(total, good);
  const allowed = mul(share, pop.periodTotal);
  const exceeded = cmp(consumed, allowed) > 0;
  const spent = cmp(consumed, allowed) >= 0;
  // allowed > 0 always: the target is below 100% and the population is not empty.
  const remainingRatio = cmp(allowed, ZERO) > 0 ? sub(ONE, ratio(consumed, allowed)) : ZERO;
  const allowedN = toNumber(allowed);
  const consumedN = toNumber(consumed);
  const m = pop.minutes;
  const totalMinutes = toNumber(share) * m.budgetBase;
  const consumedMinutes = consumedN * m.perBadUnit;
  return {
    compliance,
    compliancePercent: floorDecimals(mul(compliance, { n: 100n, d: 1n }), 6),
    belowTarget: cmp(compliance, t) < 0,
    allowed,
    consumed,
    exceeded,
    spent,
    remainingRatio,
    budget: {
      unit: pop.measured.unit,
      total: round(allowedN, 3),
      consumed: round(consumedN, 3),
      remaining: round(allowedN - consumedN, 3),
      // The remaining share is rounded down (a share shown is never more than is left), the consumed one
      // is its complement, so the two always add up to 1.
      consumedRatio: round(1 - floorDecimals(remainingRatio, 6), 6),
      remainingRatio: floorDecimals(remainingRatio, 6),
      minutes: {
        total: round(totalMinutes, 3),
        consumed: round(consumedMinutes, 3),
        remaining: round(totalMinutes - consumedMinutes, 3),
        basisMinutes: round(m.basis, 3),
      },
    },
  };
}

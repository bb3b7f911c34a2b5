/**
 * One interface for the three budgeting methods of OpenSLO v1 (occurrences, timeslices, ratio timeslices).
 * Each method only says what its population is; compliance, budget and consumption are all derived from
 * that one population by `figuresOf` (figures.ts), so they cannot count different things.
 */

import type { EvaluationPlan } from '../plan.js';
import type { SliceStats } from '../slices.js';
import type { EvaluationResult, Measured } from '../types.js';

/** Sums of events over a set of intervals (differences of running totals). */
export interface Totals {
  good: number;
  total: number;
  /** Buckets holding data. */
  filled: number;
  /** Counted milliseconds. */
  ms: number;
}

/** Running totals at the planned instants (the caller's read). */
export type CumulativeAt = (instant: number) => { good: number; total: number; filled: number };

export interface MethodInput {
  plan: EvaluationPlan;
  cum: CumulativeAt;
  /** Events over the elapsed window's counted time. */
  window: Totals;
  /** Events over the forecast's look-back. */
  recent: Totals;
  /** Counted milliseconds of the whole period (calendar: to its end). */
  periodIncludedMs: number;
  /** Slice counts, one per request of `sliceRequests(plan)` (empty for occurrences). */
  sliceStats: readonly SliceStats[];
  /** The window is complete: rolling, or a calendar period that has ended. */
  complete: boolean;
}

/** The one population an objective is judged on. */
export interface Population {
  measured: Measured;
  /**
   * The units the whole period is expected to hold, n × scale[0] / scale[1] (integers, so that it can be
   * taken exactly); the budget is (1 − target) of it. On a complete window it is `measured.total` (scale
   * 1/1), so compliance below target and a spent budget are the same statement.
   */
  periodTotal: { n: number; scale: [number, number] };
  minutes: {
    /** Minutes the (1 − target) share applies to for the budget in minutes. */
    budgetBase: number;
    /** Real minutes one bad unit stands for. */
    perBadUnit: number;
    /** Minutes the consumed figure rests on. */
    basis: number;
  };
  trend: {
    /** Units per counted millisecond, for the projection. */
    rate: number;
    /** Bad share of the recent units; null when the look-back holds none. */
    recentErrorRate: number | null;
    /** The bad share the projection uses (the window's when the look-back holds none). */
    errorRate: number;
  };
  slices?: NonNullable<EvaluationResult['data']['slices']>;
}

export interface BudgetingMethodModule {
  readonly method: 'occurrences' | 'timeslices' | 'ratio-timeslices';
  /** The population; nothing to judge when its total is 0 (an empty window, no complete slice with data yet). */
  population(input: MethodInput): Population;
}

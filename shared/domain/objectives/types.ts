import type { z } from 'zod';
import type { Objective, SupportedHours } from '../../schemas/agreement.js';

export type ObjectiveSpec = z.output<typeof Objective>;
export type SupportedHoursSpec = z.output<typeof SupportedHours>;

/** One objective with what the engine needs from its agreement and service. */
export interface ObjectiveContext {
  agreementId: string;
  agreementVersion: number;
  serviceId: string;
  businessUnit: string;
  /** The service's tier, 1 (most critical) to 4. */
  tier: number;
  timeZone: string;
  supportedHours: SupportedHoursSpec;
  objective: ObjectiveSpec;
}

/** An approved exception window (planned maintenance, emergency): its time is excluded from evaluation. */
export interface ExclusionWindow {
  id: string;
  agreementId: string;
  /** Only this objective when set; every objective of the agreement otherwise. */
  objectiveId?: string | undefined;
  start: number;
  end: number;
}

export type ObjectiveStatus = 'healthy' | 'at-risk' | 'breached' | 'unknown';

/** How a burn-rate alert was judged: it fires, it does not, or it could not be judged (no or too few events). */
export type BurnJudgement = 'firing' | 'not-firing' | 'no-events' | 'too-few-events';

export interface BurnRateFigure {
  name: string;
  action: 'page' | 'ticket';
  /** The threshold X·P/w (display; the decision compares exactly). */
  threshold: number;
  /**
   * What the rates count, the objective's own population (as its budget does): `events` (occurrences) or
   * `slices` (the timeslice methods: the complete slices inside the window, at least the last one).
   */
  unit: 'events' | 'slices';
  /**
   * Each window: its length in minutes (the policy's window scaled to the objective's period, whole 5-minute
   * buckets), the burn rate (bad share / (1 − target)), its events (the low-traffic gate) and, for the
   * timeslice methods, the slices the rate counts.
   */
  long: BurnWindowFigure;
  short: BurnWindowFigure;
  /** Both windows burn faster than the threshold (`>`, as the SRE Workbook writes it), each with enough events. */
  firing: boolean;
  judgement: BurnJudgement;
}

/** One window of a burn-rate alert. */
export interface BurnWindowFigure {
  minutes: number;
  burnRate: number | null;
  events: number;
  slices?: number;
}

export interface ErrorBudget {
  /** What the budget counts: bad events (occurrences) or bad slices (timeslice methods). */
  unit: 'events' | 'slices';
  total: number;
  consumed: number;
  remaining: number;
  consumedRatio: number;
  remainingRatio: number;
  minutes: {
    total: number;
    consumed: number;
    remaining: number;
    /**
     * The real minutes the consumed figure rests on: minutes with data (occurrences: bad share × these
     * minutes, never extrapolated to the rest of the window), or the minutes of the slices counted.
     */
    basisMinutes: number;
  };
}

export interface Forecast {
  model: 'linear-trend';
  lookbackMinutes: number;
  /** Events in the look-back. */
  lookbackEvents: number;
  /** `trend`: projected; `too-few-events`: the look-back holds too few events to project (policy minEvents). */
  basis: 'trend' | 'too-few-events';
  /** Error rate of the look-back: bad events / events, or bad slices / slices. */
  recentErrorRate: number | null;
  /** The time the forecast looks ahead to: the end of the calendar period, or a share of a rolling window. */
  horizonEnd: string;
  projectedCompliance: number | null;
  /** Budget used by the horizon, as a share of the budget (1 = exactly spent). */
  projectedBudgetConsumed: number | null;
  /** The projected use reaches the policy's `breachLikelyAt`: the objective is at risk. */
  breachLikely: boolean;
  /**
   * When the budget is forecast to run out (be exactly spent) within the horizon; the evaluation instant
   * when it already has; null when it does not.
   */
  breachAt: string | null;
  /** Remaining budget / (current burn rate × budget per unit time), in minutes; 0 when spent; null when nothing burns. */
  timeToExhaustionMinutes: number | null;
}

/** What an empty slice counts as in the timeslice methods (per objective; `excluded` by default). */
export type EmptySlicePolicy = 'excluded' | 'good' | 'bad';

/**
 * The one population compliance and budget are computed from: events (occurrences) or slices (the
 * timeslice methods), unrounded. compliance = good / total; consumed = total − good.
 */
export interface Measured {
  unit: 'events' | 'slices';
  /** Good units: good events, good slices, or (ratio timeslices) the sum of the slices' ratios. */
  good: number;
  total: number;
}

export interface EvaluationResult {
  agreementId: string;
  agreementVersion: number;
  objectiveId: string;
  serviceId: string;
  businessUnit: string;
  sliKey: string;
  evaluatedAt: string;
  method: 'occurrences' | 'timeslices' | 'ratio-timeslices';
  /** Target in percent. */
  target: number;
  window: {
    type: 'rolling' | 'calendar';
    start: string;
    end: string;
    periodEnd: string;
    /** A calendar period still in progress (the figures cover its elapsed part). */
    partial: boolean;
    elapsedRatio: number;
    /** Minutes of the elapsed window that count: supported hours, minus exception windows. */
    includedMinutes: number;
    excludedMinutes: number;
  };
  data: {
    goodEvents: number;
    totalEvents: number;
    /** Buckets holding data / buckets that count. 0 means an empty window: the figures are unknown, not 100%. */
    coverage: number;
    empty: boolean;
    /**
     * The start of the last 5-minute bucket holding data when the SLI has been silent for a while (at least
     * the tier's `noDataAtRiskMinutes` of wall time), with the counted minutes since its end; null otherwise.
     */
    silence: { lastDataAt: string | null; silentMinutes: number | null } | null;
    /**
     * Timeslice methods: complete slices of the window by kind. `excluded`: no counted time (outside
     * supported hours or inside an exception window); `empty`: counted time but no events, counted as
     * `emptyCountAs` says.
     */
    slices?: {
      good: number;
      bad: number;
      empty: number;
      excluded: number;
      minutes: number;
      emptyCountAs: EmptySlicePolicy;
    };
  };
  /** The unrounded population behind compliance and budget; null when the window is empty. */
  measured: Measured | null;
  /**
   * Compliance in percent by the objective's budgeting method, rounded DOWN to 6 decimals for display (so a
   * figure below a boundary never shows at it); null when the window is empty. Decisions use `measured`.
   */
  compliance: number | null;
  budget: ErrorBudget | null;
  burnRates: BurnRateFigure[];
  forecast: Forecast | null;
  status: ObjectiveStatus;
  reasons: string[];
}

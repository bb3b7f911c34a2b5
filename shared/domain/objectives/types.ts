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

export interface BurnRateFigure {
  name: string;
  action: 'page' | 'ticket';
  threshold: number;
  long: { minutes: number; burnRate: number | null };
  short: { minutes: number; burnRate: number | null };
  /** Both windows burn faster than the threshold. */
  firing: boolean;
}

export interface ErrorBudget {
  /** What the budget counts: bad events (occurrences) or bad slices (timeslice methods). */
  unit: 'events' | 'slices';
  total: number;
  consumed: number;
  remaining: number;
  consumedRatio: number;
  remainingRatio: number;
  minutes: { total: number; consumed: number; remaining: number };
}

export interface Forecast {
  model: 'linear-trend';
  lookbackMinutes: number;
  /** Error rate of the look-back: bad events / events, or bad slices / slices. */
  recentErrorRate: number | null;
  /** The time the forecast looks ahead to: the end of the calendar period, or a share of a rolling window. */
  horizonEnd: string;
  projectedCompliance: number | null;
  /** Budget used by the horizon, as a share of the budget (1 = exactly spent). */
  projectedBudgetConsumed: number | null;
  /** The projected use reaches the policy's `breachLikelyAt`: the objective is at risk. */
  breachLikely: boolean;
  /** When the budget is forecast to run out within the horizon; null when it is not. */
  breachAt: string | null;
  /** Remaining budget / (current burn rate × budget per unit time), in minutes; null when nothing burns. */
  timeToExhaustionMinutes: number | null;
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
    slices?: { good: number; bad: number; empty: number; minutes: number };
  };
  /** Compliance in percent by the objective's budgeting method; null when the window is empty. */
  compliance: number | null;
  budget: ErrorBudget | null;
  burnRates: BurnRateFigure[];
  forecast: Forecast | null;
  status: ObjectiveStatus;
  reasons: string[];
}

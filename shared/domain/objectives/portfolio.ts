/**
 * The portfolio view of objectives: one compact row per objective of every active agreement, ordered by time to
 * error-budget exhaustion (the operations dashboard's order). Pure: no I/O, no clock.
 */
import type { EvaluationResult, ObjectiveStatus } from './types.js';

/** One burn-rate alert window of a row: the long window's rate (the SRE Workbook's multi-window alert). */
export interface PortfolioBurnRate {
  /** The alert's name in the policy (for example `page-fast`). */
  name: string;
  /**
   * The long window, in minutes: the policy's window scaled to the objective's period (60, 360, 4320 for a
   * 30-day period; 55, 335, 4030 for 28 days), whole 5-minute buckets.
   */
  windowMinutes: number;
  /** Budget consumption rate over the long window: 1 spends the budget exactly over the SLO window; null without events. */
  burnRate: number | null;
  /** What the rate counts, as the budget does: events (occurrences) or slices (the timeslice methods). */
  unit: 'events' | 'slices';
  /** The alert's threshold, as a burn rate. */
  threshold: number;
  /** Both the long and the short window burn faster than the threshold. */
  firing: boolean;
}

/** One objective of the portfolio: who holds it, its status and the figures the dashboard shows. */
export interface PortfolioItem {
  agreementId: string;
  agreementVersion: number;
  /** The agreement's title and kind (SLA, OLA, UC), when the source knows them. */
  title: string | null;
  kind: string | null;
  serviceId: string;
  businessUnit: string;
  objectiveId: string;
  name: string;
  status: ObjectiveStatus;
  /** When it was last evaluated; null when it has not been yet (status `unknown`). */
  evaluatedAt: string | null;
  /** Target and compliance, percent; compliance null for an empty window or no evaluation. */
  target: number | null;
  compliance: number | null;
  /** The error budget: the share left (0..1, negative when overspent) and minutes left of the total. */
  budget: { remainingRatio: number; remainingMinutes: number; totalMinutes: number } | null;
  burnRates: PortfolioBurnRate[];
  /** Minutes until the budget is spent at the current burn rate; 0 when spent; null when nothing burns. */
  timeToExhaustionMinutes: number | null;
  /**
   * The look-back that "current" burn rate is measured over (the forecast's, P/120: 6 h for 30 days), so that a
   * row that is not burning says over what ("not burning over the last 5 h 35 min" beside a 3-day rate above 0);
   * null without a forecast.
   */
  exhaustionLookbackMinutes: number | null;
  reasons: string[];
}

/** What the portfolio row is built from: the objective as the agreement in force states it. */
export interface PortfolioObjective {
  agreementId: string;
  agreementVersion: number;
  title: string | null;
  kind: string | null;
  serviceId: string;
  businessUnit: string;
  objectiveId: string;
  name: string;
}

/** The row of one objective, from its latest evaluation (undefined: never evaluated, so `unknown`). */
export function portfolioItem(o: PortfolioObjective, r: EvaluationResult | undefined): PortfolioItem {
  if (!r) {
    return {
      ...o,
      status: 'unknown',
      evaluatedAt: null,
      target: null,
      compliance: null,
      budget: null,
      burnRates: [],
      timeToExhaustionMinutes: null,
      exhaustionLookbackMinutes: null,
      reasons: ['not evaluated yet'],
    };
  }
  return {
    ...o,
    status: r.status,
    evaluatedAt: r.evaluatedAt,
    target: r.target,
    compliance: r.compliance,
    budget: r.budget
      ? {
          remainingRatio: r.budget.remainingRatio,
          remainingMinutes: r.budget.minutes.remaining,
          totalMinutes: r.budget.minutes.total,
        }
      : null,
    burnRates: r.burnRates.map((b) => ({
      name: b.name,
      windowMinutes: b.long.minutes,
      burnRate: b.long.burnRate,
      // An evaluation stored before burn rates counted the objective's own population counted events.
      unit: b.unit ?? 'events',
      threshold: b.threshold,
      firing: b.firing,
    })),
    timeToExhaustionMinutes: r.forecast?.timeToExhaustionMinutes ?? null,
    exhaustionLookbackMinutes: r.forecast?.lookbackMinutes ?? null,
    reasons: r.reasons,
  };
}

/** The rank of rows without a time to exhaustion: at risk (for another reason: low data, the forecast) first. */
const NOT_BURNING_AT_RISK = Number.MAX_SAFE_INTEGER;
const NOT_BURNING = Number.MAX_SAFE_INTEGER + 1;

/**
 * The order key of a row, smallest first: 0 for a spent budget (breached, or nothing left), else the minutes to
 * exhaustion; rows without a time to exhaustion after every burning one, those at risk before the healthy ones (an
 * operator must not find an at-risk objective below the healthy); unknown rows last.
 */
export function exhaustionRank(
  i: Pick<PortfolioItem, 'status' | 'budget' | 'timeToExhaustionMinutes'>,
): number {
  if (i.status === 'unknown') return Number.MAX_VALUE;
  if (i.status === 'breached' || (i.budget && i.budget.remainingRatio <= 0)) return 0;
  return i.timeToExhaustionMinutes ?? (i.status === 'at-risk' ? NOT_BURNING_AT_RISK : NOT_BURNING);
}

/** Compares two rows in the dashboard's order: by exhaustion rank, then agreement id, then objective id. */
export function comparePortfolio(a: PortfolioItem, b: PortfolioItem): number {
  return (
    exhaustionRank(a) - exhaustionRank(b) ||
    cmp(a.agreementId, b.agreementId) ||
    cmp(a.objectiveId, b.objectiveId)
  );
}

/** The position of a row in that order, as a cursor can carry it. */
export type PortfolioKey = [rank: number, agreementId: string, objectiveId: string];

export function portfolioKey(i: PortfolioItem): PortfolioKey {
  return [exhaustionRank(i), i.agreementId, i.objectiveId];
}

/** Whether a row comes strictly after a key in the portfolio order. */
export function isAfter(i: PortfolioItem, k: PortfolioKey): boolean {
  const [rank, a, o] = portfolioKey(i);
  return rank - k[0] > 0 || (rank === k[0] && (cmp(a, k[1]) > 0 || (a === k[1] && cmp(o, k[2]) > 0)));
}

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The API's shapes the console reads (the OpenAPI document at /openapi.json is the full contract). */

import type { PortfolioItem as ApiPortfolioItem } from '../../../shared/schemas/objectives.js';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Agreement {
  id: string;
  version: number;
  kind: 'SLA' | 'OLA' | 'UC';
  title: string;
  status: string;
  serviceId: string;
  businessUnit: string;
  timeZone: string;
  effectiveFrom: string;
  effectiveTo: string;
  objectives: { id: string; name: string; target: number }[];
  signOffs: { capacity: string; decision: string; by: string; at: string }[];
  requiredSignOffs: { capacity: string; rule?: string }[];
  reviewCycle?: { nextReviewDate?: string };
  renewal?: { renewalDate?: string };
  parties: { provider: Party; customer: Party };
}

export type Party =
  | { type: 'business-unit'; businessUnit: string }
  | { type: 'vendor'; vendorId: string; name: string };

export interface BurnRateFigure {
  name: string;
  action: 'page' | 'ticket';
  threshold: number;
  /** What the rates count, as the budget does (absent on evaluations stored before: events). */
  unit?: 'events' | 'slices';
  long: { minutes: number; burnRate: number | null; events: number; slices?: number };
  short: { minutes: number; burnRate: number | null; events: number; slices?: number };
  firing: boolean;
  judgement: string;
}

export interface Evaluation {
  agreementId: string;
  objectiveId: string;
  serviceId: string;
  evaluatedAt: string;
  target: number;
  method: string;
  window: { type: string; start: string; end: string; periodEnd: string; partial: boolean };
  data: { coverage: number; goodEvents: number; totalEvents: number };
  compliance: number | null;
  budget: {
    unit: string;
    total: number;
    consumed: number;
    remaining: number;
    remainingRatio: number;
    consumedRatio: number;
    minutes: { total: number; consumed: number; remaining: number };
  } | null;
  burnRates: BurnRateFigure[];
  forecast: {
    timeToExhaustionMinutes: number | null;
    lookbackMinutes?: number;
    breachAt: string | null;
    projectedCompliance: number | null;
    breachLikely: boolean;
  } | null;
  status: 'healthy' | 'at-risk' | 'breached' | 'unknown';
  reasons: string[];
}

export interface StatusView {
  status: string;
  reasons: string[];
  objectives: Evaluation[];
}

export interface HistoryPoint {
  at: string;
  status: string;
  compliance: number | null;
  budgetRemainingRatio: number | null;
  budgetRemainingMinutes: number | null;
  maxBurnRate: number | null;
  coverage: number;
}

export interface Violation {
  id: string;
  agreementId: string;
  objectiveId: string;
  serviceId: string;
  businessUnit: string;
  severity: 'minor' | 'major' | 'critical';
  severityReason: string;
  status: string;
  detectedAt: string;
  lastEvaluatedAt: string;
  escalation: { level: number; role: string; who: { name: string; email: string }; by: string }[];
}

export interface Remediation {
  status: string;
  rcaDueAt: string;
  owner: { name: string; email: string };
  escalations: { level: number; at: string; step: string }[];
}

export interface Task {
  id: string;
  kind: string;
  title: string;
  status: string;
  subject: { type: string; id: string };
  businessUnit: string;
  serviceId: string;
  assignees: { capacity?: string; roles?: string[]; emails?: string[] };
  createdAt: string;
  dueAt?: string;
  yours: boolean;
}

/**
 * One row of `GET /v1/status` (the portfolio): an objective with the figures the dashboard shows, as the API's own
 * schema defines it (type-only: nothing of zod reaches the bundle). `exhaustionLookbackMinutes` stays optional here:
 * servers from before it leave it out, and the console still reads them.
 */
export type PortfolioItem = Omit<ApiPortfolioItem, 'exhaustionLookbackMinutes'> & {
  exhaustionLookbackMinutes?: ApiPortfolioItem['exhaustionLookbackMinutes'];
};

/** `GET /v1/status`: one page of the portfolio; status, counts and total cover every page. */
export interface PortfolioPage {
  status: string;
  counts: Record<'healthy' | 'at-risk' | 'breached' | 'unknown', number>;
  total: number;
  outOfScope: { agreements: number; objectives: number };
  items: PortfolioItem[];
  nextCursor?: string;
}

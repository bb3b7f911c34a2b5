/**
 * The figures reports are built from, in the reports' own terms. shared/usecases/reports/engine.ts is the one
 * module that maps the objectives engine's records (EvaluationResult, ViolationRecord, CreditCalculation,
 * BudgetPoint) into these, so a change in the engine's shapes touches that module only.
 */

export interface PartyInfo {
  type: 'business-unit' | 'vendor';
  /** The business unit slug or the vendor id. */
  id: string;
  /** For people: the business unit slug or the vendor's name. */
  name: string;
}

export interface ContactInfo {
  name: string;
  email: string;
}

/** An agreement as reports need it. */
export interface AgreementInfo {
  id: string;
  version: number;
  kind: 'SLA' | 'OLA' | 'UC';
  title: string;
  serviceId: string;
  serviceName: string;
  businessUnit: string;
  /** Data residency region. */
  region: string;
  tier: number;
  timeZone: string;
  provider: PartyInfo;
  customer: PartyInfo;
  /** For an SLA: the OLAs and UCs it relies on. */
  underpinnedBy: string[];
  credits?: { currency: string; monthlyCharge: number } | undefined;
  objectives: { id: string; name: string; target: number; owner: ContactInfo; sliType: string }[];
}

/** One objective over one period, as the engine computes it. */
export interface ObjectiveFigure {
  agreementId: string;
  objectiveId: string;
  /** The period: a calendar month in the agreement's time zone. */
  periodStart: string;
  periodEnd: string;
  /** The period is still running: the figures cover its elapsed part. */
  partial: boolean;
  method: 'occurrences' | 'timeslices' | 'ratio-timeslices';
  target: number;
  /** Percent; null when the period holds no data. */
  compliance: number | null;
  goodEvents: number;
  totalEvents: number;
  /** Share of the period's 5-minute buckets holding data, 0..1. */
  coverage: number;
  /** Share of the error budget left, 0..1 (negative when overspent); null without data. */
  budgetRemainingRatio: number | null;
  budgetRemainingMinutes: number | null;
  budgetTotalMinutes: number | null;
  status: 'healthy' | 'at-risk' | 'breached' | 'unknown';
}

/** The objective's latest evaluation over its own window (error-budget status). */
export interface BudgetStatusFigure {
  agreementId: string;
  objectiveId: string;
  evaluatedAt: string;
  windowLabel: string;
  status: 'healthy' | 'at-risk' | 'breached' | 'unknown';
  compliance: number | null;
  target: number;
  budgetRemainingRatio: number | null;
  budgetRemainingMinutes: number | null;
  /** Highest long-window burn rate (1 = spending the budget exactly over the period). */
  maxBurnRate: number | null;
  timeToExhaustionMinutes: number | null;
  breachAt: string | null;
}

export interface CreditStepFigure {
  step: number;
  what: string;
  calculation: string;
  result: number | string;
}

/** A service credit as stored with its violation: every step of the calculation. */
export interface CreditFigure {
  violationId: string;
  agreementId: string;
  objectiveId: string;
  periodStart: string;
  periodEnd: string;
  final: boolean;
  compliancePercent: number;
  currency: string;
  charge: number;
  creditPercent: number;
  amount: number;
  steps: CreditStepFigure[];
  /** Open or decided disputes of this credit. */
  disputes: { status: 'open' | 'accepted' | 'rejected'; resolution?: string | undefined }[];
}

export interface ViolationFigure {
  id: string;
  agreementId: string;
  objectiveId: string;
  serviceId: string;
  businessUnit: string;
  severity: 'minor' | 'major' | 'critical';
  status: 'open' | 'resolved';
  detectedAt: string;
  resolvedAt?: string | undefined;
  /** What failed: the objective's SLI type (availability, response-time…). */
  cause: string;
  credit?: CreditFigure | undefined;
}

/** A point of an objective's stored budget history. */
export interface BurnPoint {
  at: string;
  remaining: number | null;
}

/** The audit's independent recomputation of one objective over one period, from the raw rollup buckets. */
export interface AuditRecomputation {
  agreementId: string;
  objectiveId: string;
  /** null when it could not be recomputed independently (the reason says why). */
  compliance: number | null;
  goodEvents: number;
  totalEvents: number;
  /** What the contract's tiers give for that compliance (null without credit terms or data). */
  creditPercent: number | null;
  creditAmount: number | null;
  note?: string | undefined;
}

/** Ports of the objectives engine: what its use cases need, named for the caller. */
import type { PassThroughResult } from '../domain/chain/indemnity.js';
import type { CreditCalculation, CreditTerms } from '../domain/objectives/credits.js';
import type {
  EvaluationResult,
  ObjectiveSpec,
  ObjectiveStatus,
  SupportedHoursSpec,
} from '../domain/objectives/types.js';
import type { EscalationPathStep, EscalationStepInput } from '../domain/objectives/violations.js';
import type { Severity } from '../policy/objectives.js';

/** New identifiers for the engine's records, sortable by creation time: `<prefix>_<id>`. */
export interface ObjectiveIds {
  next(prefix: 'vio' | 'exc' | 'dsp'): string;
}

/** An active agreement as the engine sees it: its objectives and what they are judged by. */
export interface ObjectiveAgreement {
  agreementId: string;
  version: number;
  /** The agreement's title and kind (SLA, OLA, UC), for views that name it; absent from sources that lack them. */
  title?: string | undefined;
  kind?: string | undefined;
  serviceId: string;
  businessUnit: string;
  /** Business units party to the agreement (provider, customer): they may read its status. */
  partyUnits?: readonly string[] | undefined;
  /** The provider's and the customer's business units, when they are business units (not vendors). */
  providerUnit?: string | undefined;
  customerUnit?: string | undefined;
  /** The service's tier (1 most critical … 4). */
  tier: number;
  timeZone: string;
  supportedHours: SupportedHoursSpec;
  objectives: ObjectiveSpec[];
  escalation: EscalationStepInput[];
  credits?: CreditTerms | undefined;
}

/** Reads active agreements without depending on the agreement store's internals. */
export interface ActiveObjectivesSource {
  /** Every agreement in force, with its objectives. */
  listActive(): Promise<ObjectiveAgreement[]>;
  /** One agreement in force; undefined when it is unknown or not active. */
  getActive(agreementId: string): Promise<ObjectiveAgreement | undefined>;
  /**
   * The business units that were parties (provider, customer) to one version of an agreement, whatever the
   * agreement's status now (in force, expired, sunset, retired): who was a party when a violation recorded under
   * that version happened. [] when the version is unknown.
   */
  partiesAt(agreementId: string, version: number): Promise<string[]>;
  /** Ids of the agreements no longer in force (expired, sunset, retired) whose current parties include one of `units`. */
  listEndedPartyOf(units: readonly string[]): Promise<string[]>;
}

export const EXCEPTION_KINDS = ['planned-maintenance', 'emergency'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export const EXCEPTION_STATUSES = ['requested', 'approved', 'rejected', 'revoked'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/**
 * An exception window (planned maintenance, emergency): requested by the provider's side, approved or rejected
 * by someone else outside the provider's unit, revocable. Only an approved window's time does not count
 * against the objectives it covers. Each act is a new version of the record (audited like an agreement's).
 */
export interface ExceptionWindowRecord {
  id: string;
  agreementId: string;
  /** The one objective it covers; the whole agreement when absent. */
  objectiveId?: string | undefined;
  kind: ExceptionKind;
  start: string;
  end: string;
  status: ExceptionStatus;
  /** 1 when requested, one more per act (decision, revocation). */
  version: number;
  /** The principal (subject) who requested it. */
  requestedBy: string;
  /** The principal (subject) who approved it; absent until approved. */
  approver?: string | undefined;
  decidedBy?: string | undefined;
  decidedAt?: string | undefined;
  decisionReason?: string | undefined;
  revokedBy?: string | undefined;
  revokedAt?: string | undefined;
  revokeReason?: string | undefined;
  /** The change record it was requested under, when there is one. */
  changeReference?: string | undefined;
  /** Why the window is needed (the request's reason). */
  reason: string;
  createdBy: string;
  createdAt: string;
  /** The last act: who, when, what and why (what its audit entry says). */
  changedBy: string;
  changedAt: string;
  change: string;
  changeReason: string;
}

export interface ExceptionWindowStore {
  /** Stores a new window (version 1); ConflictError when the id exists. */
  create(record: ExceptionWindowRecord): Promise<void>;
  /** Stores the next version of a window when the stored one is `next.version - 1`; VersionConflictError otherwise. */
  update(next: ExceptionWindowRecord): Promise<void>;
  get(id: string): Promise<ExceptionWindowRecord | undefined>;
  /** Windows of an agreement (or of all agreements) that overlap [from, to), by start, whatever their status. */
  list(query: { agreementId?: string; from?: string; to?: string }): Promise<ExceptionWindowRecord[]>;
  /**
   * Stores `next` (a new window when `next.version` is 1, as `create`; otherwise its next version, as `update`, with
   * the same errors) only when `refuse` finds nothing against it in the windows of `next`'s agreement that overlap
   * [around.from, around.to) (ISO), as `list` gives them, read in the same atomic step as the write: two writes at the
   * same instant cannot both pass a check that either would fail after the other (the overlap and period-cap rules of
   * exception windows). `refuse` is pure and synchronous, and may run more than once (once per attempt). Answers what
   * `refuse` answered when it refused (nothing stored), undefined once `next` is stored.
   */
  writeUnless<T>(
    next: ExceptionWindowRecord,
    around: { from: string; to: string },
    refuse: (windows: ExceptionWindowRecord[]) => T | undefined,
  ): Promise<T | undefined>;
}

export interface Dispute {
  id: string;
  raisedBy: string;
  raisedAt: string;
  reason: string;
  status: 'open' | 'accepted' | 'rejected';
  resolution?: string | undefined;
  resolvedBy?: string | undefined;
  resolvedAt?: string | undefined;
}

export interface ViolationRecord {
  id: string;
  /** Idempotency key: one violation per objective per calendar period or per rolling breach episode. */
  key: string;
  agreementId: string;
  agreementVersion: number;
  objectiveId: string;
  serviceId: string;
  businessUnit: string;
  tier: number;
  status: 'open' | 'resolved';
  severity: Severity;
  severityReason: string;
  detectedAt: string;
  lastEvaluatedAt: string;
  resolvedAt?: string | undefined;
  /** The figures and the window they came from (the evaluation that last confirmed the breach). */
  evidence: EvaluationResult;
  escalation: EscalationPathStep[];
  credit?: CreditCalculation | undefined;
  disputes: Dispute[];
  /** Claims against the underpinning parties once the credit is final (docs/chain.md), with every step. */
  passThrough?: (PassThroughResult & { computedAt: string; computedBy: string; reason: string }) | undefined;
}

export interface ViolationQuery {
  agreementId?: string | undefined;
  serviceId?: string | undefined;
  objectiveId?: string | undefined;
  severity?: Severity | undefined;
  status?: 'open' | 'resolved' | undefined;
  /** Detected at or after. */
  from?: string | undefined;
  /** Detected before. */
  to?: string | undefined;
  /** Restrict to these business units and services (access scope); unrestricted when absent. */
  scope?: { businessUnits: string[]; serviceIds: string[] } | undefined;
  limit?: number | undefined;
}

export interface ViolationStore {
  /** Stores the violation unless one with the same key exists; answers the stored one either way. */
  record(v: ViolationRecord): Promise<{ violation: ViolationRecord; created: boolean }>;
  /** Replaces a stored violation (same id); NotFoundError when there is none. */
  update(v: ViolationRecord): Promise<void>;
  /** Replaces several stored violations at once (atomically where the backend can); NotFoundError for a missing one. */
  updateMany(vs: readonly ViolationRecord[]): Promise<void>;
  get(id: string): Promise<ViolationRecord | undefined>;
  findOpen(agreementId: string, objectiveId: string): Promise<ViolationRecord | undefined>;
  /** Newest detected first. */
  list(query: ViolationQuery): Promise<ViolationRecord[]>;
}

/** One point of an objective's history, for charts. */
export interface BudgetPoint {
  at: string;
  status: ObjectiveStatus;
  compliance: number | null;
  budgetRemainingRatio: number | null;
  budgetRemainingMinutes: number | null;
  /** The highest long-window burn rate of the evaluation. */
  maxBurnRate: number | null;
  coverage: number;
}

export interface EvaluationStore {
  /** Keeps each result as its objective's latest and adds a history point (idempotent per objective and instant). */
  save(results: readonly EvaluationResult[]): Promise<void>;
  /** Latest results, filtered by agreement, service or objective. */
  latest(query: {
    agreementId?: string;
    serviceId?: string;
    objectiveId?: string;
  }): Promise<EvaluationResult[]>;
  /** History points with from <= at < to, oldest first. */
  history(agreementId: string, objectiveId: string, from: string, to: string): Promise<BudgetPoint[]>;
  /**
   * Removes history points older than an instant; answers how many went. Latest results stay. Optional: an
   * adapter whose backend expires items itself (a TTL) need not offer it.
   */
  pruneHistory?(before: string): Promise<number>;
}

export function budgetPoint(r: EvaluationResult): BudgetPoint {
  const long = r.burnRates.map((b) => b.long.burnRate).filter((x): x is number => x !== null);
  return {
    at: r.evaluatedAt,
    status: r.status,
    compliance: r.compliance,
    budgetRemainingRatio: r.budget ? r.budget.remainingRatio : null,
    budgetRemainingMinutes: r.budget ? r.budget.minutes.remaining : null,
    maxBurnRate: long.length > 0 ? Math.max(...long) : null,
    coverage: r.data.coverage,
  };
}

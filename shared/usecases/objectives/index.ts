import {
  type Action,
  accessProblem,
  canAccess,
  isAllowed,
  type Located,
  listScope,
  type Principal,
  roleProblem,
} from '../../domain/access/policy.js';
import {
  type ApprovalContext,
  approvalRefusal,
  type ExceptionRules,
  windowProblems,
} from '../../domain/agreements/exceptions.js';
import {
  BusinessRuleError,
  ConflictError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  VersionConflictError,
} from '../../domain/errors.js';
import { type BaselineProposal, proposeBaseline } from '../../domain/objectives/baseline.js';
import { computeCredit, creditInputOf, creditsApplyTo } from '../../domain/objectives/credits.js';
import { type EngineSettings, worstStatus } from '../../domain/objectives/evaluate.js';
import {
  comparePortfolio,
  isAfter,
  type PortfolioItem,
  type PortfolioKey,
  portfolioItem,
  portfolioKey,
} from '../../domain/objectives/portfolio.js';
import type { EvaluationResult, ExclusionWindow, ObjectiveStatus } from '../../domain/objectives/types.js';
import {
  classifySeverity,
  escalationPath,
  partyViewOfViolation,
  severityFacts,
  violationKey,
} from '../../domain/objectives/violations.js';
import { DEFAULT_EXCEPTION_RULES } from '../../policy/exceptions.js';
import { DEFAULT_RETENTION, type RetentionPolicy, type SeverityRules } from '../../policy/objectives.js';
import type { Clock } from '../../ports/clock.js';
import type {
  ActiveObjectivesSource,
  BudgetPoint,
  EvaluationStore,
  ExceptionWindowRecord,
  ExceptionWindowStore,
  ObjectiveAgreement,
  ObjectiveIds,
  ViolationRecord,
  ViolationStore,
} from '../../ports/objectives.js';
import { type RollupStore, sliKey } from '../../ports/rollups.js';
import type {
  BaselineBody,
  CreateExceptionWindowBody,
  DecideExceptionBody,
  DisputeBody,
  PortfolioStatusQuery,
  ResolveDisputeBody,
  TimeRangeQuery,
  ViolationsQuery,
} from '../../schemas/objectives.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { contextsOf, evaluateMany, exclusionsOf } from './evaluator.js';

export interface ObjectiveDeps {
  /** Who may request and decide exception windows, how long and how much (data; the default when absent). */
  exceptionRules?: ExceptionRules;
  source: ActiveObjectivesSource;
  rollups: RollupStore;
  exceptions: ExceptionWindowStore;
  violations: ViolationStore;
  evaluations: EvaluationStore;
  clock: Clock;
  ids: ObjectiveIds;
  settings: EngineSettings;
  severityRules: SeverityRules;
  /**
   * The services, to tell an unknown service from a known one (`GET /v1/services/{id}/status` answers both the
   * same 404 when the caller may not read it). Without it a service is known when it has results.
   */
  services?:
    | { get(serviceId: string): Promise<{ id: string; businessUnit: string } | undefined> }
    | undefined;
  /** Told of each violation this run opened (the remediation workflow starts on it). */
  onViolationOpened?: ((v: ViolationRecord) => Promise<void>) | undefined;
  /** Told of each chunk of results (burn-rate pages and forecast breaches notify). */
  onEvaluated?: ((results: readonly EvaluationResult[]) => Promise<void>) | undefined;
  /**
   * Told, after each credit finalisation run, of the violations whose credit is final and that carry no
   * pass-through claims yet: those it just made final, and those a failed earlier run left without (the chain's
   * pass-through, docs/chain.md; its claims are stored on the violation and idempotent, so telling it again is safe).
   */
  onCreditsFinal?: ((violations: readonly ViolationRecord[]) => Promise<void>) | undefined;
}

export interface EvaluationRunSummary {
  evaluatedAt: string;
  agreements: number;
  objectives: number;
  /** Objectives left for a later run: their tier's evaluation frequency was not due. */
  notDue: number;
  byStatus: Record<ObjectiveStatus, number>;
  violationsOpened: number;
  violationsUpdated: number;
  violationsResolved: number;
  timingsMs: { load: number; evaluate: number; save: number; violations: number };
}

/** One page of the caller's portfolio (`GET /v1/status`). */
export interface PortfolioStatusPage {
  status: ObjectiveStatus;
  counts: Record<ObjectiveStatus, number>;
  total: number;
  outOfScope: { agreements: number; objectives: number };
  items: PortfolioItem[];
  nextCursor?: string;
}

export interface StatusView {
  status: ObjectiveStatus;
  reasons: string[];
  objectives: EvaluationResult[];
}

const DAY = 86_400_000;
/** The longest look-back any evaluation needs before "now" (a 366-day window), for the exception query. */
const MAX_LOOKBACK_MS = 370 * DAY;
/** Objectives evaluated, saved and reconciled together; bounds the memory of a run. */
const EVALUATION_CHUNK = 2000;

/** The objectives engine's use cases: evaluation (scheduled and on demand), status, history, violations. */
export class ObjectiveUseCases {
  constructor(private readonly deps: ObjectiveDeps) {}

  /** Evaluates every active objective, stores the results and records or resolves violations. */
  async evaluateAll(): Promise<EvaluationRunSummary> {
    const t0 = performance.now();
    const agreements = await this.deps.source.listActive();
    return this.run(agreements, t0, true);
  }

  /** Evaluates one active agreement now, on demand. */
  async evaluateAgreement(principal: Principal, agreementId: string): Promise<StatusView> {
    const a = await this.deps.source.getActive(agreementId);
    const missing = () =>
      new NotFoundError(`no active agreement ${agreementId}`, [
        { path: 'agreementId', problem: 'names no active agreement you may read' },
      ]);
    if (!a) throw missing();
    this.authorize(principal, 'objective.evaluate', a, missing);
    await this.run([a], performance.now());
    return this.statusOfAgreement(principal, agreementId);
  }

  async statusOfAgreement(principal: Principal, agreementId: string): Promise<StatusView> {
    const results = await this.deps.evaluations.latest({ agreementId });
    // The agreement in force locates it best (its parties may read it too); a past result otherwise.
    const located = (await this.deps.source.getActive(agreementId)) ?? results[0];
    const missing = () =>
      new NotFoundError(`no evaluated or active agreement ${agreementId}`, [
        { path: 'agreementId', problem: 'names no evaluated or active agreement you may read' },
      ]);
    if (!located) throw missing();
    this.authorize(principal, 'objective.read', located, missing);
    return summarize(results);
  }

  /**
   * Status of a service: every objective of it the caller may read. 404 (`no service <id>`, the same words as
   * `GET /v1/services/{id}`) when the service does not exist, and when the caller may read neither the service nor
   * any of its objectives (a party to one of its agreements reads that agreement's objectives only).
   */
  async statusOfService(principal: Principal, serviceId: string): Promise<StatusView> {
    const all = await this.deps.evaluations.latest({ serviceId });
    // Scope is the agreement in force (its holder and parties), as for an agreement's status; a past result otherwise.
    const inForce = new Map<string, Located>();
    for (const id of new Set(all.map((r) => r.agreementId))) {
      const a = await this.deps.source.getActive(id);
      if (a) inForce.set(id, a);
    }
    const results = all.filter((r) =>
      canAccess(principal, 'objective.read', inForce.get(r.agreementId) ?? r),
    );
    const service = this.deps.services ? await this.deps.services.get(serviceId) : all[0];
    const readsService =
      service !== undefined &&
      canAccess(principal, 'objective.read', { businessUnit: service.businessUnit, serviceId });
    if (!readsService && results.length === 0) {
      throw new NotFoundError(`no service ${serviceId}`, [
        { path: 'serviceId', problem: 'names no service' },
      ]);
    }
    return summarize(results);
  }

  /**
   * The caller's portfolio (`GET /v1/status`): every objective of every active agreement it may read, with its
   * latest status and figures, in order of time to budget exhaustion (spent first, then soonest, then not
   * burning, then unknown), one page at a time. Scope is decided on the agreement in force (its holding unit,
   * service and parties), never on the result; agreements and objectives outside it are counted, not named. The
   * status and counts cover every page. Pages are keyset pages over that order: an objective whose rank changes
   * between two requests (a new evaluation) may appear on two pages or on none; `evaluatedAt` says which.
   */
  async portfolioStatus(principal: Principal, q: PortfolioStatusQuery): Promise<PortfolioStatusPage> {
    const filter = { view: 'portfolio' };
    const after = q.cursor ? parsePortfolioKey(decodeCursor(q.cursor, filter)) : undefined;
    const [agreements, results] = await Promise.all([
      this.deps.source.listActive(),
      this.deps.evaluations.latest({}),
    ]);
    const latest = new Map(results.map((r) => [`${r.agreementId}\u0000${r.objectiveId}`, r]));
    const outOfScope = { agreements: 0, objectives: 0 };
    const items: PortfolioItem[] = [];
    for (const a of agreements) {
      if (!canAccess(principal, 'objective.read', a)) {
        outOfScope.agreements += 1;
        outOfScope.objectives += a.objectives.length;
        continue;
      }
      for (const o of a.objectives) {
        const r = latest.get(`${a.agreementId}\u0000${o.id}`);
        items.push(
          portfolioItem(
            {
              agreementId: a.agreementId,
              agreementVersion: a.version,
              title: a.title ?? null,
              kind: a.kind ?? null,
              serviceId: a.serviceId,
              businessUnit: a.businessUnit,
              objectiveId: o.id,
              name: o.name,
            },
            r,
          ),
        );
      }
    }
    items.sort(comparePortfolio);
    const counts: Record<ObjectiveStatus, number> = { healthy: 0, 'at-risk': 0, breached: 0, unknown: 0 };
    for (const i of items) counts[i.status] += 1;
    const rest = after ? items.filter((i) => isAfter(i, after)) : items;
    const page = rest.slice(0, q.limit);
    const last = page.at(-1);
    return {
      // Stryker disable next-line ConditionalExpression: worstStatus of no statuses is 'unknown' too
      status: items.length === 0 ? 'unknown' : worstStatus(items.map((i) => i.status)),
      counts,
      total: items.length,
      outOfScope,
      items: page,
      ...(rest.length > q.limit && last
        ? { nextCursor: encodeCursor(JSON.stringify(portfolioKey(last)), filter) }
        : {}),
    };
  }

  async statusOfObjective(
    principal: Principal,
    agreementId: string,
    objectiveId: string,
  ): Promise<EvaluationResult> {
    const [r] = await this.deps.evaluations.latest({ agreementId, objectiveId });
    const missing = () =>
      new NotFoundError(`objective ${objectiveId} of ${agreementId} has not been evaluated`, [
        { path: 'objectiveId', problem: `names no evaluated objective of ${agreementId} you may read` },
      ]);
    if (!r) throw missing();
    this.authorize(
      principal,
      'objective.read',
      (await this.deps.source.getActive(agreementId)) ?? r,
      missing,
    );
    return r;
  }

  /** The objective's history (compliance, budget remaining, burn) as a time series; the last 7 days by default. */
  async budgetHistory(
    principal: Principal,
    agreementId: string,
    objectiveId: string,
    q: TimeRangeQuery,
  ): Promise<{ agreementId: string; objectiveId: string; points: BudgetPoint[] }> {
    await this.statusOfObjective(principal, agreementId, objectiveId);
    // Without an end, up to and including now.
    const to = q.to ?? new Date(this.deps.clock.now().getTime() + 1).toISOString();
    const from = q.from ?? new Date(Date.parse(to) - 7 * DAY).toISOString();
    const points = await this.deps.evaluations.history(agreementId, objectiveId, from, to);
    return { agreementId, objectiveId, points };
  }

  /**
   * Violations the caller may read: those of its units and services, those of the agreements in force its units
   * are a party to (looked up on the stored agreements: violation records carry no party units), and those of
   * agreements no longer in force (expired, sunset, retired) whose units were a party to the version the violation
   * was recorded under (their history stays theirs); the latter two as a party reads them (`partyViewOfViolation`).
   * Newest first, at most `limit` (100).
   */
  async listViolations(principal: Principal, q: ViolationsQuery): Promise<{ items: ViolationRecord[] }> {
    const scope = listScope(principal, 'violation.read');
    const own = await this.deps.violations.list({
      ...q,
      scope: scope.all ? undefined : { businessUnits: scope.businessUnits, serviceIds: scope.serviceIds },
    });
    if (scope.all || !scope.partyUnits?.length) return { items: own };
    const units = scope.partyUnits;
    const party = (await this.deps.source.listActive()).filter(
      (a) =>
        (q.agreementId === undefined || a.agreementId === q.agreementId) &&
        // Stryker disable next-line ConditionalExpression: the violations are then listed with q's serviceId, so an agreement on another service adds none
        (q.serviceId === undefined || a.serviceId === q.serviceId) &&
        // Stryker disable next-line ArrayDeclaration: an agreement without parties has none; a placeholder unit is matched only by a unit of that very name
        (a.partyUnits ?? []).some((u) => units.includes(u)),
    );
    const seen = new Set(own.map((v) => v.id));
    const more: ViolationRecord[] = [];
    for (const a of party) {
      for (const v of await this.deps.violations.list({
        ...q,
        agreementId: a.agreementId,
        scope: undefined,
      })) {
        // Stryker disable next-line LogicalOperator: a violation the caller owns and `own` left out lies beyond the limit (`own` holds the newest it owns), so it never reaches the page
        if (!seen.has(v.id) && !canAccess(principal, 'violation.read', v)) {
          seen.add(v.id);
          more.push(partyViewOfViolation(v));
        }
      }
    }
    const ended = (await this.deps.source.listEndedPartyOf(units)).filter(
      (id) => q.agreementId === undefined || id === q.agreementId,
    );
    for (const agreementId of ended) {
      for (const v of await this.deps.violations.list({ ...q, agreementId, scope: undefined }))
        if (!seen.has(v.id) && (await this.partyAtViolation(principal, v))) {
          seen.add(v.id);
          more.push(partyViewOfViolation(v));
        }
    }
    const items = [...own, ...more]
      .sort((x, y) => Date.parse(y.detectedAt) - Date.parse(x.detectedAt) || y.id.localeCompare(x.id))
      .slice(0, q.limit ?? 100);
    return { items };
  }

  /**
   * A violation the caller may read: as its owner (the unit or service it lives in) it is answered whole; as a
   * party to its agreement (checked on the stored agreement in force, not on the record, which names no parties)
   * it is answered as a party reads it (`partyViewOfViolation`). NotFoundError otherwise.
   */
  async getViolation(principal: Principal, id: string): Promise<ViolationRecord> {
    const { v, asParty } = await this.readableViolation(principal, id);
    return asParty ? partyViewOfViolation(v) : v;
  }

  /**
   * A violation the caller may read as its owner (whole), for what a party may not see (its remediation, its
   * workflows: RCA, CAPA, internal escalations). NotFoundError otherwise, party or not.
   */
  async getOwnViolation(principal: Principal, id: string): Promise<ViolationRecord> {
    const v = await this.deps.violations.get(id);
    if (!v || !canAccess(principal, 'violation.read', v))
      throw new NotFoundError(`no violation ${id}`, [
        { path: 'violationId', problem: 'names no violation you may read' },
      ]);
    return v;
  }

  /** The stored violation and whether the caller reads it only as a party to its agreement. */
  private async readableViolation(
    principal: Principal,
    id: string,
  ): Promise<{ v: ViolationRecord; asParty: boolean }> {
    const v = await this.deps.violations.get(id);
    if (!v)
      throw new NotFoundError(`no violation ${id}`, [
        { path: 'violationId', problem: 'names no violation you may read' },
      ]);
    if (canAccess(principal, 'violation.read', v)) return { v, asParty: false };
    const a = await this.deps.source.getActive(v.agreementId);
    // Stryker disable next-line ArrayDeclaration: an agreement without parties has none; a placeholder unit is matched only by a unit of that very name
    const partyUnits = a?.partyUnits ?? [];
    if (
      partyUnits.length &&
      canAccess(principal, 'violation.read', {
        businessUnit: v.businessUnit,
        serviceId: v.serviceId,
        partyUnits,
      })
    )
      return { v, asParty: true };
    if (!a && (await this.partyAtViolation(principal, v))) return { v, asParty: true };
    throw new NotFoundError(`no violation ${id}`, [
      { path: 'violationId', problem: 'names no violation you may read' },
    ]);
  }

  /**
   * Whether the caller's units were a party to the agreement when the violation happened: the parties of the
   * version it was recorded under, as stored (not what the caller claims), whatever the agreement's status now.
   */
  private async partyAtViolation(principal: Principal, v: ViolationRecord): Promise<boolean> {
    const partyUnits = await this.deps.source.partiesAt(v.agreementId, v.agreementVersion);
    return (
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with no parties canAccess grants only what the record itself grants, which both callers have already found lacking
      partyUnits.length > 0 &&
      canAccess(principal, 'violation.read', {
        businessUnit: v.businessUnit,
        serviceId: v.serviceId,
        partyUnits,
      })
    );
  }

  /** Records a dispute against the credit of a violation. */
  async raiseDispute(principal: Principal, violationId: string, body: DisputeBody): Promise<ViolationRecord> {
    const v = await this.getOwnViolation(principal, violationId);
    // Stryker disable next-line StringLiteral: unreachable: getOwnViolation has answered 404 to whoever may not read the violation, and every role reading violations reads objectives on the same scope
    this.authorize(
      principal,
      'violation.manage',
      v,
      () =>
        new NotFoundError(`no violation ${violationId}`, [
          { path: 'violationId', problem: 'names no violation you may read' },
        ]),
    );
    if (!v.credit) {
      throw new BusinessRuleError('this violation carries no service credit to dispute', [
        { path: 'violationId', problem: 'has no credit calculation' },
      ]);
    }
    if (v.disputes.some((d) => d.status === 'open')) {
      throw new ConflictError('a dispute of this credit is already open');
    }
    v.disputes.push({
      id: this.deps.ids.next('dsp'),
      raisedBy: principal.subject,
      raisedAt: this.deps.clock.now().toISOString(),
      reason: body.reason,
      status: 'open',
    });
    await this.deps.violations.update(v);
    return v;
  }

  async resolveDispute(
    principal: Principal,
    violationId: string,
    disputeId: string,
    body: ResolveDisputeBody,
  ): Promise<ViolationRecord> {
    const v = await this.getOwnViolation(principal, violationId);
    // Stryker disable next-line StringLiteral: unreachable: getOwnViolation has answered 404 to whoever may not read the violation, and every role reading violations reads objectives on the same scope
    this.authorize(
      principal,
      'dispute.resolve',
      v,
      () =>
        new NotFoundError(`no violation ${violationId}`, [
          { path: 'violationId', problem: 'names no violation you may read' },
        ]),
    );
    const d = v.disputes.find((x) => x.id === disputeId);
    if (!d)
      throw new NotFoundError(`no dispute ${disputeId} on ${violationId}`, [
        { path: 'disputeId', problem: `names no dispute of ${violationId}` },
      ]);
    if (d.status !== 'open') throw new ConflictError(`dispute ${disputeId} is already ${d.status}`);
    if (d.raisedBy === principal.subject) {
      throw new ForbiddenError('the person who raised a dispute cannot decide it', [
        { path: 'subject', problem: `you raised dispute ${disputeId} (separation of duties)` },
      ]);
    }
    d.status = body.decision;
    d.resolution = body.resolution;
    d.resolvedBy = principal.subject;
    d.resolvedAt = this.deps.clock.now().toISOString();
    await this.deps.violations.update(v);
    return v;
  }

  /**
   * Requests an exception window (the provider's side: its SLA manager or the service owner). It counts only
   * once someone else, outside the provider's unit, approves it. Refused when it is backdated beyond policy,
   * longer than its kind allows, overlaps another live window on the same objectives, or would exclude more than
   * the policy's cap within any period.
   */
  async requestException(
    principal: Principal,
    agreementId: string,
    body: CreateExceptionWindowBody,
  ): Promise<ExceptionWindowRecord> {
    const a = await this.deps.source.getActive(agreementId);
    const missing = () =>
      new NotFoundError(`no active agreement ${agreementId}`, [
        { path: 'agreementId', problem: 'names no active agreement you may read' },
      ]);
    if (!a || !canAccess(principal, 'objective.read', a)) throw missing();
    if (!canAccess(principal, 'exception.request', providerSide(a))) {
      throw new ForbiddenError("exception windows are requested by the provider's side of the agreement", [
        accessProblem(principal, 'exception.request'),
      ]);
    }
    const now = this.deps.clock.now().getTime();
    const rules = this.deps.exceptionRules ?? DEFAULT_EXCEPTION_RULES;
    const earliest =
      body.kind === 'emergency'
        ? now - rules.emergencyBackdateHours * 3_600_000
        : now - rules.plannedBackdateMinutes * 60_000;
    const problems: FieldProblem[] = [];
    if (Date.parse(body.start) < earliest) {
      problems.push({
        path: 'start',
        problem:
          body.kind === 'emergency'
            ? `an emergency may be requested at most ${rules.emergencyBackdateHours} h after it starts`
            : 'planned maintenance is requested before it starts',
      });
    }
    if (body.objectiveId && !a.objectives.some((o) => o.id === body.objectiveId)) {
      problems.push({ path: 'objectiveId', problem: `names no objective of ${agreementId}` });
    }
    const id = this.deps.ids.next('exc');
    const candidate = {
      id,
      objectiveId: body.objectiveId,
      kind: body.kind,
      start: Date.parse(body.start),
      end: Date.parse(body.end),
    };
    const around = this.around(rules, candidate);
    const clashes = (windows: ExceptionWindowRecord[]) =>
      windowProblems(rules, candidate, liveSpans(windows));
    if (problems.length) {
      problems.push(...clashes(await this.deps.exceptions.list({ agreementId, ...around })));
      throw new BusinessRuleError('the exception window breaks a rule', problems);
    }
    const at = this.deps.clock.now().toISOString();
    const record: ExceptionWindowRecord = {
      id,
      agreementId,
      ...(body.objectiveId ? { objectiveId: body.objectiveId } : {}),
      kind: body.kind,
      start: new Date(body.start).toISOString(),
      end: new Date(body.end).toISOString(),
      status: 'requested',
      version: 1,
      // Who asked is whoever is authenticated: never a name typed into a form.
      requestedBy: principal.subject,
      ...(body.changeReference ? { changeReference: body.changeReference } : {}),
      reason: body.reason,
      createdBy: principal.subject,
      createdAt: at,
      changedBy: principal.subject,
      changedAt: at,
      change: 'exception:request',
      changeReason: body.reason,
    };
    // The overlap and period-cap rules are looked at again in the store's atomic step with the write, so two
    // requests at the same instant cannot both pass.
    const refused = await this.deps.exceptions.writeUnless(record, around, (windows) => {
      const found = clashes(windows);
      return found.length ? found : undefined;
    });
    if (refused) throw new BusinessRuleError('the exception window breaks a rule', refused);
    return record;
  }

  /**
   * Approves or rejects a requested window: another person than the requester, outside the provider's unit,
   * named by the rules (the customer side, or an approver in a named capacity). Approval re-checks overlap and
   * the period cap against the approved windows, so two requests cannot both be approved into a stack.
   */
  async decideException(
    principal: Principal,
    agreementId: string,
    id: string,
    expected: number,
    body: DecideExceptionBody,
  ): Promise<ExceptionWindowRecord> {
    const { a, x } = await this.locateWindow(principal, 'exception.approve', agreementId, id);
    if (x.status !== 'requested') {
      throw new ConflictError(`exception window ${id} is ${x.status}; only a requested window is decided`, [
        { path: 'status', problem: `is ${x.status}` },
      ]);
    }
    this.checkVersion(x, expected);
    const rules = this.deps.exceptionRules ?? DEFAULT_EXCEPTION_RULES;
    const refusal = approvalRefusal(rules, principal, windowParties(a, x.requestedBy));
    if (refusal) throw new ForbiddenError(refusal.problem, [refusal]);
    // Approval re-checks overlap and the period cap against the approved windows, in the store's atomic step with
    // the write: two approvals at the same instant cannot both pass.
    const refuse =
      body.decision === 'approved'
        ? (windows: ExceptionWindowRecord[]) => {
            const approved = liveSpans(windows).filter((w) => w.status === 'approved');
            const problems = windowProblems(rules, { ...spanOf(x), kind: x.kind }, approved);
            return problems.length
              ? new BusinessRuleError('approving this window would break a rule', problems)
              : undefined;
          }
        : undefined;
    return this.commitWindow(
      rules,
      refuse,
      x,
      principal,
      body.decision,
      (at) => ({
        ...(body.decision === 'approved' ? { approver: principal.subject } : {}),
        decidedBy: principal.subject,
        decidedAt: at,
        decisionReason: body.reason,
      }),
      `exception:${body.decision === 'approved' ? 'approve' : 'reject'}`,
      body.reason,
    );
  }

  /**
   * Revokes a requested or approved window: a soft, audited act (the record stays, marked revoked, and its time
   * counts again). The provider's side may withdraw its own exclusion; anyone who may decide windows may too.
   */
  async revokeException(
    principal: Principal,
    agreementId: string,
    id: string,
    expected: number,
    reason: string,
  ): Promise<ExceptionWindowRecord> {
    const rules = this.deps.exceptionRules ?? DEFAULT_EXCEPTION_RULES;
    const { a, x } = await this.locateWindow(principal, 'exception.revoke', agreementId, id);
    const provider = canAccess(principal, 'exception.revoke', providerSide(a));
    const decider =
      canAccess(principal, 'exception.approve', a) &&
      // Stryker disable next-line StringLiteral: no requester is asked about here; any name but the caller's is the same as none
      approvalRefusal(rules, principal, windowParties(a, '')) === undefined;
    if (!provider && !decider) {
      throw new ForbiddenError(
        'an exception window is revoked by the provider side or by whoever may decide it',
        [accessProblem(principal, 'exception.revoke')],
      );
    }
    if (x.status === 'revoked' || x.status === 'rejected') {
      throw new ConflictError(`exception window ${id} is already ${x.status}`, [
        { path: 'status', problem: `is ${x.status}` },
      ]);
    }
    this.checkVersion(x, expected);
    return this.commitWindow(
      rules,
      undefined,
      x,
      principal,
      'revoked',
      (at) => ({ revokedBy: principal.subject, revokedAt: at, revokeReason: reason }),
      'exception:revoke',
      reason,
    );
  }

  /**
   * Stores the next version of an exception window in `status`, with the fields of that act (stamped at the clock's
   * now, ISO 8601) and who changed it, why and how (`change`, as the audit names it). Written through the store's
   * `writeUnless`, so every act on an agreement's windows is one atomic step with the look `refuse` takes at them
   * (its error is thrown when it refuses); without `refuse` nothing is refused.
   */
  private async commitWindow(
    rules: { periodDays: number },
    refuse: ((windows: ExceptionWindowRecord[]) => Error | undefined) | undefined,
    x: ExceptionWindowRecord,
    principal: Principal,
    status: ExceptionWindowRecord['status'],
    act: (at: string) => Partial<ExceptionWindowRecord>,
    change: string,
    reason: string,
  ): Promise<ExceptionWindowRecord> {
    const at = this.deps.clock.now().toISOString();
    const next: ExceptionWindowRecord = {
      ...x,
      status,
      version: x.version + 1,
      ...act(at),
      changedBy: principal.subject,
      changedAt: at,
      change,
      changeReason: reason,
    };
    const refused = await this.deps.exceptions.writeUnless(
      next,
      this.around(rules, spanOf(next)),
      refuse ?? (() => undefined),
    );
    if (refused) throw refused;
    return next;
  }

  async listExceptions(
    principal: Principal,
    agreementId: string,
    q: TimeRangeQuery,
  ): Promise<{ items: ExceptionWindowRecord[] }> {
    await this.locateAgreement(principal, 'objective.read', agreementId);
    return { items: (await this.deps.exceptions.list({ agreementId, ...q })).map(normalizeWindow) };
  }

  /**
   * The range of an agreement's windows the overlap and cap checks of a window look at: the window and a period and a
   * day each side of it, wherever it lies (red team, wave 37: the range was periodDays + 400 days each side of now, so
   * a window requested 800 days ahead was checked against none, and two identical ones were both stored), and as
   * before periodDays + 400 days each side of now (on DynamoDB, the lock keeps the windows written through it that end
   * after the range's start: a range far ahead alone would drop the ones just written, which the index may lag).
   */
  private around(
    rules: { periodDays: number },
    span: { start: number; end: number },
  ): { from: string; to: string } {
    const now = this.deps.clock.now().getTime();
    const reach = (rules.periodDays + 400) * DAY;
    const near = (rules.periodDays + 1) * DAY;
    return {
      from: new Date(Math.min(now - reach, span.start - near)).toISOString(),
      to: new Date(Math.max(now + reach, span.end + near)).toISOString(),
    };
  }

  private async locateWindow(
    principal: Principal,
    action: Action,
    agreementId: string,
    id: string,
  ): Promise<{ a: ObjectiveAgreement; x: ExceptionWindowRecord }> {
    const a = await this.deps.source.getActive(agreementId);
    const missing = () =>
      new NotFoundError(`no exception window ${id} on ${agreementId}`, [
        { path: 'exceptionId', problem: `names no exception window of ${agreementId} you may read` },
      ]);
    if (!a || !canAccess(principal, 'objective.read', a)) throw missing();
    const raw = await this.deps.exceptions.get(id);
    if (!raw || raw.agreementId !== agreementId) throw missing();
    if (!isAllowed(principal, action))
      throw new ForbiddenError(`your roles do not allow ${action}`, [roleProblem(principal, action)]);
    return { a, x: normalizeWindow(raw) };
  }

  private checkVersion(x: ExceptionWindowRecord, expected: number): void {
    if (x.version !== expected) {
      throw new VersionConflictError(
        `stale write: you sent version ${expected}, the current version is ${x.version}`,
        x,
      );
    }
  }

  /** Proposes a target from a service's history, leaving out the periods marked as peak or seasonal. */
  async baseline(principal: Principal, serviceId: string, body: BaselineBody): Promise<BaselineProposal> {
    const active = (await this.deps.source.listActive()).filter((a) => a.serviceId === serviceId);
    const allowed = active.some((a) => canAccess(principal, 'objective.read', a));
    // Stryker disable next-line StringLiteral: the unit stands for none, so that only a grant on the service itself or on all covers it; a placeholder unit is matched only by a unit of that very name
    if (!allowed && !canAccess(principal, 'objective.read', { businessUnit: '', serviceId })) {
      throw new NotFoundError(`no service ${serviceId} you may read`, [
        { path: 'serviceId', problem: 'names no service you may read' },
      ]);
    }
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    const buckets = await this.deps.rollups.read(sliKey(serviceId, body.sliName), from, to);
    return proposeBaseline(buckets, {
      from,
      to,
      sliceMinutes: body.sliceMinutes,
      percentile: body.percentile,
      exclude: body.exclude.map((x) => ({
        start: Date.parse(x.start),
        end: Date.parse(x.end),
        label: x.label,
      })),
    });
  }

  private async locateAgreement(principal: Principal, action: Action, agreementId: string): Promise<void> {
    const located =
      (await this.deps.source.getActive(agreementId)) ??
      (await this.deps.evaluations.latest({ agreementId }))[0];
    const missing = () =>
      new NotFoundError(`no agreement ${agreementId}`, [
        { path: 'agreementId', problem: 'names no agreement you may read' },
      ]);
    if (!located) throw missing();
    this.authorize(principal, action, located, missing);
  }

  /**
   * What the caller may not even read answers as absent (the same 404 as a thing that does not exist); what it
   * may read but not act on is a 403 that names no unit or service.
   */
  private authorize(
    principal: Principal,
    action: Action,
    target: Located,
    missing: () => NotFoundError,
  ): void {
    if (canAccess(principal, action, target)) return;
    if (!canAccess(principal, 'objective.read', target)) throw missing();
    throw new ForbiddenError(`your roles and scope do not allow ${action} on this agreement`, [
      accessProblem(principal, action),
    ]);
  }

  private async run(
    agreements: readonly ObjectiveAgreement[],
    t0: number,
    scheduled = false,
  ): Promise<EvaluationRunSummary> {
    const nowMs = this.deps.clock.now().getTime();
    const { settings } = this.deps;
    // An on-demand run covers its one agreement; a scheduled run covers every agreement in force (however few:
    // one alone is still all of them) and closes the violations of those no longer in force.
    const ids = scheduled ? undefined : agreements[0]?.agreementId;
    // Stryker disable next-line ObjectLiteral: narrows the read only: windows of other agreements, or ended before the longest look-back, exclude nothing from these evaluations
    const exceptionRecords = await this.deps.exceptions.list({
      // Stryker disable next-line ObjectLiteral: narrows the read only: windows of other agreements exclude nothing from this agreement's evaluation
      ...(ids ? { agreementId: ids } : {}),
      from: new Date(nowMs - MAX_LOOKBACK_MS).toISOString(),
    });
    const all = agreements.flatMap(contextsOf);
    // A scheduled run (every 5 minutes) evaluates a tier only when its own frequency is due.
    const contexts = scheduled ? all.filter((c) => dueNow(this.deps.settings, c.tier, nowMs)) : all;
    const t1 = performance.now();
    const exclusions = exclusionsOf(countingWindows(exceptionRecords));
    const byAgreement = new Map(agreements.map((a) => [a.agreementId, a]));
    const counts = { opened: 0, updated: 0, resolved: 0 };
    const open = await this.deps.violations.list({
      status: 'open',
      // Stryker disable next-line ObjectLiteral: narrows the read only: open violations of other agreements match none of this agreement's results, and none is closed on an on-demand run
      ...(ids ? { agreementId: ids } : {}),
      limit: 1_000_000,
    });
    const keyOf = (x: { agreementId: string; objectiveId: string }) => `${x.agreementId}/${x.objectiveId}`;
    const openBy = new Map(open.map((v) => [keyOf(v), v]));
    const byStatus: Record<ObjectiveStatus, number> = { healthy: 0, 'at-risk': 0, breached: 0, unknown: 0 };
    const timings = { load: t1 - t0, evaluate: 0, save: 0, violations: 0 };
    // In chunks, so that memory stays bounded however many objectives there are.
    for (let i = 0; i < contexts.length; i += EVALUATION_CHUNK) {
      let t = performance.now();
      const results = await evaluateMany(
        this.deps.rollups,
        contexts.slice(i, i + EVALUATION_CHUNK),
        exclusions,
        nowMs,
        settings,
      );
      timings.evaluate += performance.now() - t;
      t = performance.now();
      await this.deps.evaluations.save(results);
      await this.deps.onEvaluated?.(results);
      timings.save += performance.now() - t;
      t = performance.now();
      // Stryker disable next-line MethodExpression,ConditionalExpression: narrows the work only: a result neither breached nor with an open violation changes nothing in reconcileViolation
      const todo = results.filter((r) => r.status === 'breached' || openBy.has(keyOf(r)));
      const monthly = await this.monthlyResults(
        // Stryker disable next-line MethodExpression,ConditionalExpression: narrows the work only: a monthly figure is read for breached results alone
        todo.filter((r) => r.status === 'breached'),
        byAgreement,
        exclusions,
        nowMs,
      );
      const updates: ViolationRecord[] = [];
      const creates: ViolationRecord[] = [];
      for (const r of todo) {
        const existing = openBy.get(keyOf(r));
        const out = { updates, creates, counts };
        this.reconcileViolation(
          r,
          byAgreement.get(r.agreementId)!,
          existing,
          nowMs,
          monthly.get(keyOf(r)),
          out,
        );
      }
      await this.deps.violations.updateMany(updates);
      for (const v of creates) {
        const { created } = await this.deps.violations.record(v);
        if (created) counts.opened++;
        if (created) await this.deps.onViolationOpened?.(v);
      }
      for (const r of results) byStatus[r.status]++;
      timings.violations += performance.now() - t;
    }
    // Stryker disable next-line ConditionalExpression: an on-demand run (`true`) reads the open violations of its one agreement only, which is in byAgreement, so it finds no orphan and closes nothing
    if (!ids) {
      // Agreements no longer in force (expired, sunset, retired) are judged no more: close their violations.
      const now = new Date(nowMs).toISOString();
      const orphans = open
        .filter((v) => !byAgreement.has(v.agreementId))
        .map((v) => ({ ...v, status: 'resolved' as const, resolvedAt: now, lastEvaluatedAt: now }));
      await this.deps.violations.updateMany(orphans);
      counts.resolved += orphans.length;
    }
    return {
      evaluatedAt: new Date(nowMs).toISOString(),
      agreements: agreements.length,
      objectives: contexts.length,
      notDue: all.length - contexts.length,
      byStatus,
      violationsOpened: counts.opened,
      violationsUpdated: counts.updated,
      violationsResolved: counts.resolved,
      timingsMs: timings,
    };
  }

  /**
   * One violation per objective per calendar period, or per breach episode of a rolling window: opened on
   * the first breached evaluation, refreshed (evidence, severity, credit) while the breach lasts, resolved
   * when it ends or the period turns over. Evaluating again never duplicates it.
   */
  private reconcileViolation(
    r: EvaluationResult,
    a: ObjectiveAgreement,
    existing: ViolationRecord | undefined,
    nowMs: number,
    monthly: EvaluationResult | undefined,
    out: {
      updates: ViolationRecord[];
      creates: ViolationRecord[];
      counts: { opened: number; updated: number; resolved: number };
    },
  ): void {
    const now = new Date(nowMs).toISOString();
    const calendar = r.window.type === 'calendar';
    // A violation carries the credit of one calendar month: when that month has closed, it is closed too
    // (its credit is then made final by finalizeCredits) and a breach still going continues in a new one.
    const monthClosed = existing?.credit !== undefined && Date.parse(existing.credit.period.end) <= nowMs;
    const periodTurned = calendar && existing !== undefined && existing.key !== this.keyFor(r, existing);
    if (existing && (r.status !== 'breached' || periodTurned || monthClosed)) {
      if (r.status === 'unknown' && !calendar && !monthClosed) return; // no data neither confirms nor ends a breach
      out.updates.push({ ...existing, status: 'resolved', resolvedAt: now, lastEvaluatedAt: now });
      out.counts.resolved++;
      // Stryker disable next-line ConditionalExpression: the same check follows at once, with nothing left to do for a result that is not breached
      if (r.status !== 'breached') return;
      existing = undefined;
    }
    // Stryker disable next-line ConditionalExpression: run() hands over a result that is not breached only with an open violation, which the block above has settled
    if (r.status !== 'breached') return;
    const objective = a.objectives.find((o) => o.id === r.objectiveId)!;
    const detectedMs = existing ? Date.parse(existing.detectedAt) : nowMs;
    const severity = classifySeverity(this.deps.severityRules, severityFacts(r, a.tier, detectedMs, nowMs));
    // At a month's very first instant the calendar still answers the month just closed (evaluations run up to
    // now - 1): its credit belongs to the violation that month closed, not to one opened now.
    const credit =
      a.credits &&
      monthly?.compliance !== null &&
      monthly !== undefined &&
      Date.parse(monthly.window.periodEnd) > nowMs
        ? computeCredit(a.credits, creditInputOf(r.objectiveId, monthly))
        : undefined;
    const base: ViolationRecord = {
      id: existing?.id ?? this.deps.ids.next('vio'),
      key: this.keyFor(r, existing),
      agreementId: r.agreementId,
      agreementVersion: r.agreementVersion,
      objectiveId: r.objectiveId,
      serviceId: r.serviceId,
      businessUnit: a.businessUnit,
      tier: a.tier,
      status: 'open',
      severity: severity.severity,
      severityReason: `${severity.because} (rule ${severity.rule + 1}: tier ${severity.facts.tier}, margin ${severity.facts.marginPoints} points, budget ${Math.round(severity.facts.budgetConsumed * 100)}% consumed, ${severity.facts.durationMinutes} min)`,
      detectedAt: existing?.detectedAt ?? now,
      lastEvaluatedAt: now,
      evidence: r,
      escalation:
        existing?.escalation ??
        escalationPath(a.escalation, detectedMs, a.tier, this.deps.settings.tiers, objective.owner),
      ...(credit ? { credit } : {}),
      disputes: existing?.disputes ?? [],
    };
    if (existing) {
      out.updates.push(base);
      out.counts.updated++;
    } else out.creates.push(base);
  }

  /** Drops budget-history points older than the retention policy (default 35 days). */
  async pruneHistory(
    retention: RetentionPolicy = DEFAULT_RETENTION,
  ): Promise<{ removed: number; before: string }> {
    const before = new Date(this.deps.clock.now().getTime() - retention.historyDays * DAY).toISOString();
    const removed = this.deps.evaluations.pruneHistory ? await this.deps.evaluations.pruneHistory(before) : 0;
    return { removed, before };
  }

  /**
   * Makes final the credits of months that have closed: each provisional credit whose month has ended is
   * recomputed from the whole month's compliance. Run hourly (shared/schedules.ts), since months end at
   * midnight in each agreement's own time zone. The violations whose credit is now final (and any final one
   * still without pass-through claims) are then handed to `onCreditsFinal` (the chain's pass-through).
   */
  async finalizeCredits(): Promise<{ finalized: number; skipped: number }> {
    const nowMs = this.deps.clock.now().getTime();
    const recent = await this.deps.violations.list({
      from: new Date(nowMs - 35 * DAY).toISOString(),
      limit: 1_000_000,
    });
    const due = recent.filter(
      (v) => v.credit && !v.credit.period.final && Date.parse(v.credit.period.end) <= nowMs,
    );
    // Final credits whose claims a failed or interrupted earlier run did not store: told again (a retry).
    const unclaimed = recent.filter((v) => v.credit?.period.final && !v.passThrough);
    // Stryker disable next-line ConditionalExpression,BlockStatement: a shortcut: with nothing due the rest makes no update and tells the same unclaimed credits
    if (due.length === 0) {
      if (unclaimed.length > 0) await this.deps.onCreditsFinal?.(unclaimed);
      return { finalized: 0, skipped: 0 };
    }
    const agreements = new Map((await this.deps.source.listActive()).map((a) => [a.agreementId, a]));
    const exclusions = exclusionsOf(
      countingWindows(
        // Stryker disable next-line ObjectLiteral: narrows the read only: windows ended before the longest look-back exclude nothing from a month within the last 35 days
        await this.deps.exceptions.list({ from: new Date(nowMs - MAX_LOOKBACK_MS).toISOString() }),
      ),
    );
    const updates: ViolationRecord[] = [];
    for (const v of due) {
      const a = agreements.get(v.agreementId);
      const objective = a?.objectives.find((o) => o.id === v.objectiveId);
      if (!a?.credits || !objective) continue; // no longer in force: the provisional figure stands
      const month = contextsOf({
        ...a,
        objectives: [{ ...objective, window: { type: 'calendar', unit: 'month' } }],
      });
      const [m] = await evaluateMany(
        this.deps.rollups,
        month,
        exclusions,
        Date.parse(v.credit!.period.end),
        this.deps.settings,
      );
      if (!m || m.compliance === null) continue;
      const credit = computeCredit(a.credits, creditInputOf(v.objectiveId, m));
      updates.push({ ...v, credit });
    }
    await this.deps.violations.updateMany(updates);
    // Stryker disable next-line MethodExpression: a month evaluated at its own end is complete, so every credit just computed is final
    const nowFinal = updates.filter((v) => v.credit?.period.final);
    if (nowFinal.length + unclaimed.length > 0) await this.deps.onCreditsFinal?.([...unclaimed, ...nowFinal]);
    return { finalized: updates.length, skipped: due.length - updates.length };
  }

  private keyFor(r: EvaluationResult, existing: ViolationRecord | undefined): string {
    if (r.window.type === 'calendar') return violationKey(r.agreementId, r.objectiveId, r.window.start);
    return existing?.key ?? violationKey(r.agreementId, r.objectiveId, r.evaluatedAt);
  }

  /**
   * The compliance of the calendar month in progress (agreement time zone) for each breached objective whose
   * contract has credits: the objective's own result when its window is that month, one batched evaluation
   * for the others.
   */
  private async monthlyResults(
    breached: readonly EvaluationResult[],
    byAgreement: ReadonlyMap<string, ObjectiveAgreement>,
    exclusions: ReadonlyMap<string, ExclusionWindow[]>,
    nowMs: number,
  ): Promise<Map<string, EvaluationResult>> {
    const out = new Map<string, EvaluationResult>();
    const contexts = [];
    for (const r of breached) {
      const a = byAgreement.get(r.agreementId)!;
      if (!a.credits || !creditsApplyTo(a.credits, r.objectiveId)) continue;
      const objective = a.objectives.find((o) => o.id === r.objectiveId)!;
      // Stryker disable next-line ConditionalExpression,BlockStatement: evaluating the month again (`false`, `{}`) gives the same result as the objective's own
      if (objective.window.type === 'calendar' && objective.window.unit === 'month') {
        out.set(`${r.agreementId}/${r.objectiveId}`, r);
        continue;
      }
      contexts.push(
        ...contextsOf({ ...a, objectives: [{ ...objective, window: { type: 'calendar', unit: 'month' } }] }),
      );
    }
    const monthly = await evaluateMany(this.deps.rollups, contexts, exclusions, nowMs, this.deps.settings);
    for (const m of monthly) out.set(`${m.agreementId}/${m.objectiveId}`, m);
    return out;
  }
}

/** A window written before requests and approvals were separate acts was recorded approved, as version 1. */
export function normalizeWindow(w: ExceptionWindowRecord): ExceptionWindowRecord {
  const legacy = w as Partial<ExceptionWindowRecord> & ExceptionWindowRecord;
  return {
    ...w,
    status: legacy.status ?? 'approved',
    version: legacy.version ?? 1,
    requestedBy: legacy.requestedBy ?? w.createdBy,
    changedBy: legacy.changedBy ?? w.createdBy,
    changedAt: legacy.changedAt ?? w.createdAt,
    change: legacy.change ?? 'exception:record',
    changeReason: legacy.changeReason ?? w.reason,
  };
}

/** Only approved windows exclude time from the objectives. */
export function countingWindows(windows: readonly ExceptionWindowRecord[]): ExceptionWindowRecord[] {
  return windows.map(normalizeWindow).filter((w) => w.status === 'approved');
}

/** The provider's side of an agreement: its unit (a UC's provider is a vendor: then the holding unit) and service. */
function providerSide(a: ObjectiveAgreement): Located {
  return { businessUnit: a.providerUnit ?? a.businessUnit, serviceId: a.serviceId };
}

/** Who stands where around an exception window, for the rule on who may decide it (`approvalRefusal`). */
function windowParties(a: ObjectiveAgreement, requestedBy: string): ApprovalContext {
  return { providerUnit: a.providerUnit, customerUnit: a.customerUnit, serviceId: a.serviceId, requestedBy };
}

/** The live (requested or approved) windows among `windows`, as spans with their status, for the overlap and cap checks. */
function liveSpans(
  windows: readonly ExceptionWindowRecord[],
): (ReturnType<typeof spanOf> & { status: ExceptionWindowRecord['status'] })[] {
  return windows
    .map(normalizeWindow)
    .filter((w) => w.status === 'requested' || w.status === 'approved')
    .map((w) => ({ ...spanOf(w), status: w.status }));
}

function spanOf(w: ExceptionWindowRecord): {
  id: string;
  objectiveId?: string | undefined;
  start: number;
  end: number;
} {
  return { id: w.id, objectiveId: w.objectiveId, start: Date.parse(w.start), end: Date.parse(w.end) };
}

/** The engine from a container, or a clear error where this deployment has not wired it. */
export function objectivesIn(container: { objectives?: ObjectiveUseCases | undefined }): ObjectiveUseCases {
  if (!container.objectives) throw new UnavailableError('the objectives engine is not deployed here');
  return container.objectives;
}

/** Whether a tier's evaluation frequency has a boundary in the 5 minutes up to now. */
export function dueNow(settings: EngineSettings, tier: number, nowMs: number): boolean {
  const every =
    (settings.tiers[String(Math.min(4, Math.max(1, tier))) as '1']?.evaluateEveryMinutes ?? 5) * 60_000;
  return Math.floor(nowMs / every) !== Math.floor((nowMs - 5 * 60_000) / every);
}

/** A portfolio cursor's key, checked: a cursor this API issued always parses. */
function parsePortfolioKey(k: string): PortfolioKey {
  let v: unknown;
  try {
    v = JSON.parse(k);
  } catch {
    // Not JSON: `v` stays undefined, which the shape check below refuses as not a cursor.
  }
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    typeof v[0] !== 'number' ||
    typeof v[1] !== 'string' ||
    typeof v[2] !== 'string'
  ) {
    throw new ValidationError('bad cursor', [
      { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
    ]);
  }
  return v as PortfolioKey;
}

function summarize(results: EvaluationResult[]): StatusView {
  if (results.length === 0) {
    return { status: 'unknown', reasons: ['not evaluated yet'], objectives: [] };
  }
  const status = worstStatus(results.map((r) => r.status));
  const reasons = results
    .filter((r) => r.status === status)
    .flatMap((r) => r.reasons.map((x) => `${r.objectiveId}: ${x}`));
  return { status, reasons, objectives: results };
}

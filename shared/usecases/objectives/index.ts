import {
  type Action,
  canAccess,
  type Located,
  listScope,
  type Principal,
} from '../../domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../../domain/errors.js';
import { type BaselineProposal, proposeBaseline } from '../../domain/objectives/baseline.js';
import { computeCredit, creditsApplyTo } from '../../domain/objectives/credits.js';
import { type EngineSettings, worstStatus } from '../../domain/objectives/evaluate.js';
import type { EvaluationResult, ExclusionWindow, ObjectiveStatus } from '../../domain/objectives/types.js';
import {
  classifySeverity,
  escalationPath,
  severityFacts,
  violationKey,
} from '../../domain/objectives/violations.js';
import {
  DEFAULT_EXCEPTION_POLICY,
  DEFAULT_RETENTION,
  type ExceptionPolicy,
  type RetentionPolicy,
  type SeverityRules,
} from '../../policy/objectives.js';
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
  DisputeBody,
  ResolveDisputeBody,
  TimeRangeQuery,
  ViolationsQuery,
} from '../../schemas/objectives.js';
import { contextsOf, evaluateMany, exclusionsOf } from './evaluator.js';

export interface ObjectiveDeps {
  /** Who may record exception windows how far back (data; the default when absent). */
  exceptionPolicy?: ExceptionPolicy;
  source: ActiveObjectivesSource;
  rollups: RollupStore;
  exceptions: ExceptionWindowStore;
  violations: ViolationStore;
  evaluations: EvaluationStore;
  clock: Clock;
  ids: ObjectiveIds;
  settings: EngineSettings;
  severityRules: SeverityRules;
  /** Told of each violation this run opened (the remediation workflow starts on it). */
  onViolationOpened?: ((v: ViolationRecord) => Promise<void>) | undefined;
  /** Told of each chunk of results (burn-rate pages and forecast breaches notify). */
  onEvaluated?: ((results: readonly EvaluationResult[]) => Promise<void>) | undefined;
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
    if (!a) throw new NotFoundError(`no active agreement ${agreementId}`);
    this.authorize(principal, 'objective.evaluate', a);
    await this.run([a], performance.now());
    return this.statusOfAgreement(principal, agreementId);
  }

  async statusOfAgreement(principal: Principal, agreementId: string): Promise<StatusView> {
    const results = await this.deps.evaluations.latest({ agreementId });
    const located = results[0] ?? (await this.deps.source.getActive(agreementId));
    if (!located) throw new NotFoundError(`no evaluated or active agreement ${agreementId}`);
    this.authorize(principal, 'objective.read', located);
    return summarize(results);
  }

  async statusOfService(principal: Principal, serviceId: string): Promise<StatusView> {
    const results = (await this.deps.evaluations.latest({ serviceId })).filter((r) =>
      canAccess(principal, 'objective.read', r),
    );
    return summarize(results);
  }

  async statusOfObjective(
    principal: Principal,
    agreementId: string,
    objectiveId: string,
  ): Promise<EvaluationResult> {
    const [r] = await this.deps.evaluations.latest({ agreementId, objectiveId });
    if (!r) throw new NotFoundError(`objective ${objectiveId} of ${agreementId} has not been evaluated`);
    this.authorize(principal, 'objective.read', r);
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

  async listViolations(principal: Principal, q: ViolationsQuery): Promise<{ items: ViolationRecord[] }> {
    const scope = listScope(principal, 'violation.read');
    const items = await this.deps.violations.list({
      ...q,
      scope: scope.all ? undefined : { businessUnits: scope.businessUnits, serviceIds: scope.serviceIds },
    });
    return { items };
  }

  async getViolation(principal: Principal, id: string): Promise<ViolationRecord> {
    const v = await this.deps.violations.get(id);
    if (!v || !canAccess(principal, 'violation.read', v)) throw new NotFoundError(`no violation ${id}`);
    return v;
  }

  /** Records a dispute against the credit of a violation. */
  async raiseDispute(principal: Principal, violationId: string, body: DisputeBody): Promise<ViolationRecord> {
    const v = await this.getViolation(principal, violationId);
    this.authorize(principal, 'violation.manage', v);
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
    const v = await this.getViolation(principal, violationId);
    this.authorize(principal, 'dispute.resolve', v);
    const d = v.disputes.find((x) => x.id === disputeId);
    if (!d) throw new NotFoundError(`no dispute ${disputeId} on ${violationId}`);
    if (d.status !== 'open') throw new ConflictError(`dispute ${disputeId} is already ${d.status}`);
    if (d.raisedBy === principal.subject) {
      throw new ForbiddenError('the person who raised a dispute cannot decide it');
    }
    d.status = body.decision;
    d.resolution = body.resolution;
    d.resolvedBy = principal.subject;
    d.resolvedAt = this.deps.clock.now().toISOString();
    await this.deps.violations.update(v);
    return v;
  }

  async createException(
    principal: Principal,
    agreementId: string,
    body: CreateExceptionWindowBody,
  ): Promise<ExceptionWindowRecord> {
    const a = await this.deps.source.getActive(agreementId);
    if (!a) throw new NotFoundError(`no active agreement ${agreementId}`);
    this.authorize(principal, 'exception.approve', a);
    const now = this.deps.clock.now().getTime();
    const policy = this.deps.exceptionPolicy ?? DEFAULT_EXCEPTION_POLICY;
    const earliest =
      body.kind === 'emergency'
        ? now - policy.emergencyBackdateHours * 3_600_000
        : now - policy.plannedBackdateMinutes * 60_000;
    if (Date.parse(body.start) < earliest) {
      throw new BusinessRuleError('exception window too far in the past', [
        {
          path: 'start',
          problem:
            body.kind === 'emergency'
              ? `an emergency may be recorded at most ${policy.emergencyBackdateHours} h after it starts`
              : 'planned maintenance is approved before it starts',
        },
      ]);
    }
    if (body.objectiveId && !a.objectives.some((o) => o.id === body.objectiveId)) {
      throw new BusinessRuleError('unknown objective', [
        { path: 'objectiveId', problem: `names no objective of ${agreementId}` },
      ]);
    }
    const record: ExceptionWindowRecord = {
      id: this.deps.ids.next('exc'),
      agreementId,
      ...(body.objectiveId ? { objectiveId: body.objectiveId } : {}),
      kind: body.kind,
      start: new Date(body.start).toISOString(),
      end: new Date(body.end).toISOString(),
      // The approver is whoever records it, authenticated: never a name typed into a form.
      approver: principal.subject,
      ...(body.changeReference ? { changeReference: body.changeReference } : {}),
      reason: body.reason,
      createdBy: principal.subject,
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.exceptions.create(record);
    return record;
  }

  async listExceptions(
    principal: Principal,
    agreementId: string,
    q: TimeRangeQuery,
  ): Promise<{ items: ExceptionWindowRecord[] }> {
    await this.locateAgreement(principal, 'objective.read', agreementId);
    return { items: await this.deps.exceptions.list({ agreementId, ...q }) };
  }

  async deleteException(principal: Principal, agreementId: string, id: string): Promise<void> {
    await this.locateAgreement(principal, 'exception.approve', agreementId);
    const x = await this.deps.exceptions.get(id);
    if (!x || x.agreementId !== agreementId)
      throw new NotFoundError(`no exception window ${id} on ${agreementId}`);
    await this.deps.exceptions.delete(id);
  }

  /** Proposes a target from a service's history, leaving out the periods marked as peak or seasonal. */
  async baseline(principal: Principal, serviceId: string, body: BaselineBody): Promise<BaselineProposal> {
    const active = (await this.deps.source.listActive()).filter((a) => a.serviceId === serviceId);
    const allowed = active.some((a) => canAccess(principal, 'objective.read', a));
    if (!allowed && !canAccess(principal, 'objective.read', { businessUnit: '', serviceId })) {
      throw new NotFoundError(`no service ${serviceId} you may read`);
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
    if (!located) throw new NotFoundError(`no agreement ${agreementId}`);
    this.authorize(principal, action, located);
  }

  private authorize(principal: Principal, action: Action, target: Located): void {
    if (!canAccess(principal, action, target)) {
      throw new ForbiddenError(`you may not ${action} for ${target.businessUnit}/${target.serviceId ?? '*'}`);
    }
  }

  private async run(
    agreements: readonly ObjectiveAgreement[],
    t0: number,
    scheduled = false,
  ): Promise<EvaluationRunSummary> {
    const nowMs = this.deps.clock.now().getTime();
    const { settings } = this.deps;
    const ids = agreements.length === 1 ? agreements[0]!.agreementId : undefined;
    const exceptionRecords = await this.deps.exceptions.list({
      ...(ids ? { agreementId: ids } : {}),
      from: new Date(nowMs - MAX_LOOKBACK_MS).toISOString(),
    });
    const all = agreements.flatMap(contextsOf);
    // A scheduled run (every 5 minutes) evaluates a tier only when its own frequency is due.
    const contexts = scheduled ? all.filter((c) => dueNow(this.deps.settings, c.tier, nowMs)) : all;
    const t1 = performance.now();
    const exclusions = exclusionsOf(exceptionRecords);
    const byAgreement = new Map(agreements.map((a) => [a.agreementId, a]));
    const counts = { opened: 0, updated: 0, resolved: 0 };
    const open = await this.deps.violations.list({
      status: 'open',
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
      const todo = results.filter((r) => r.status === 'breached' || openBy.has(keyOf(r)));
      const monthly = await this.monthlyResults(
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
      if (r.status !== 'breached') return;
      existing = undefined;
    }
    if (r.status !== 'breached') return;
    const objective = a.objectives.find((o) => o.id === r.objectiveId)!;
    const detectedMs = existing ? Date.parse(existing.detectedAt) : nowMs;
    const severity = classifySeverity(this.deps.severityRules, severityFacts(r, a.tier, detectedMs, nowMs));
    const credit =
      a.credits && monthly?.compliance !== null && monthly !== undefined
        ? computeCredit(a.credits, {
            objectiveId: r.objectiveId,
            compliancePercent: monthly.compliance,
            periodStart: monthly.window.start,
            periodEnd: monthly.window.periodEnd,
            final: !monthly.window.partial,
          })
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
   * midnight in each agreement's own time zone.
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
    if (due.length === 0) return { finalized: 0, skipped: 0 };
    const agreements = new Map((await this.deps.source.listActive()).map((a) => [a.agreementId, a]));
    const exclusions = exclusionsOf(
      await this.deps.exceptions.list({ from: new Date(nowMs - MAX_LOOKBACK_MS).toISOString() }),
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
      const credit = computeCredit(a.credits, {
        objectiveId: v.objectiveId,
        compliancePercent: m.compliance,
        periodStart: m.window.start,
        periodEnd: m.window.periodEnd,
        final: !m.window.partial,
      });
      updates.push({ ...v, credit });
    }
    await this.deps.violations.updateMany(updates);
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

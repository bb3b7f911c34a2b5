/**
 * The one module that knows the objectives engine's shapes (EvaluationResult, ViolationRecord, CreditCalculation,
 * BudgetPoint, its evaluator and its calendar): it maps them into the reports' own figures
 * (shared/domain/reports/figures.ts). When the engine's records change, this file changes, and no other.
 */

import type { EngineSettings } from '../../domain/objectives/evaluate.js';
import { calendarPeriod, supportedIntervals } from '../../domain/objectives/time.js';
import type { EvaluationResult } from '../../domain/objectives/types.js';
import {
  type AuditBucket,
  creditFor,
  occurrencesCompliance,
  type Span,
  slicesCompliance,
  sumBuckets,
} from '../../domain/reports/audit.js';
import type {
  AgreementInfo,
  AuditRecomputation,
  BudgetStatusFigure,
  BurnPoint,
  ObjectiveFigure,
  ViolationFigure,
} from '../../domain/reports/figures.js';
import type {
  BudgetPoint,
  ExceptionWindowRecord,
  ObjectiveAgreement,
  ViolationRecord,
} from '../../ports/objectives.js';
import { BUCKET_MS, type RollupStore, sliKey } from '../../ports/rollups.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import type { Service } from '../../schemas/service.js';
import { contextsOf, evaluateMany, exclusionsOf } from '../objectives/evaluator.js';

/** An agreement in the reports' terms, with its service's name and tier. */
export function agreementInfo(a: AgreementVersion, service: Service | undefined): AgreementInfo {
  const party = (p: AgreementVersion['parties']['provider']) =>
    p.type === 'vendor'
      ? { type: 'vendor' as const, id: p.vendorId, name: p.name }
      : { type: 'business-unit' as const, id: p.businessUnit, name: p.businessUnit };
  return {
    id: a.id,
    version: a.version,
    kind: a.kind,
    title: a.title,
    serviceId: a.serviceId,
    serviceName: service?.name ?? a.serviceId,
    businessUnit: a.businessUnit,
    region: a.dataResidency.region,
    tier: service?.tier ?? 3,
    timeZone: a.timeZone,
    provider: party(a.parties.provider),
    customer: party(a.parties.customer),
    underpinnedBy: [...a.underpinnedBy],
    ...(a.credits
      ? { credits: { currency: a.credits.currency, monthlyCharge: a.credits.monthlyCharge } }
      : {}),
    objectives: a.objectives.map((o) => ({
      id: o.id,
      name: o.name,
      target: o.target,
      owner: { name: o.owner.name, email: o.owner.email },
      sliType: o.sli.type,
    })),
  };
}

/** The engine's view of an agreement (what its evaluator takes). */
export function engineAgreement(a: AgreementVersion, tier: number): ObjectiveAgreement {
  return {
    agreementId: a.id,
    version: a.version,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    tier,
    timeZone: a.timeZone,
    supportedHours: a.supportedHours,
    objectives: a.objectives,
    escalation: a.escalation,
    credits: a.credits,
  };
}

/** A calendar month (`2026-04`) in a time zone, as instants [start, end). */
export function monthSpan(month: string, timeZone: string): Span {
  const mid = Date.parse(`${month}-15T12:00:00Z`);
  const p = calendarPeriod('month', mid, timeZone);
  return { start: p.start, end: p.end };
}

/**
 * Each objective's compliance over one calendar month in its agreement's time zone, computed by the engine's
 * own evaluator (as its credit finalisation does): the month in progress up to now, a closed month whole. A
 * month that has not begun yields nothing.
 */
export async function monthlyFigures(
  rollups: RollupStore,
  settings: EngineSettings,
  agreements: readonly ObjectiveAgreement[],
  exceptions: readonly ExceptionWindowRecord[],
  month: string,
  nowMs: number,
): Promise<(ObjectiveFigure & { month: string })[]> {
  const exclusions = exclusionsOf(exceptions);
  const byInstant = new Map<number, ObjectiveAgreement[]>();
  for (const a of agreements) {
    const span = monthSpan(month, a.timeZone);
    if (span.start >= nowMs) continue;
    const at = Math.min(nowMs, span.end);
    const list = byInstant.get(at) ?? [];
    list.push({
      ...a,
      objectives: a.objectives.map((o) => ({ ...o, window: { type: 'calendar', unit: 'month' } })),
    });
    byInstant.set(at, list);
  }
  const out: (ObjectiveFigure & { month: string })[] = [];
  for (const [at, list] of byInstant) {
    const results = await evaluateMany(rollups, list.flatMap(contextsOf), exclusions, at, settings);
    for (const r of results) out.push({ ...objectiveFigure(r), month });
  }
  return out;
}

function objectiveFigure(r: EvaluationResult): ObjectiveFigure {
  return {
    agreementId: r.agreementId,
    objectiveId: r.objectiveId,
    periodStart: r.window.start,
    periodEnd: r.window.periodEnd,
    partial: r.window.partial,
    method: r.method,
    target: r.target,
    compliance: r.compliance,
    goodEvents: r.data.goodEvents,
    totalEvents: r.data.totalEvents,
    coverage: r.data.coverage,
    budgetRemainingRatio: r.budget ? r.budget.remainingRatio : null,
    budgetRemainingMinutes: r.budget ? r.budget.minutes.remaining : null,
    budgetTotalMinutes: r.budget ? r.budget.minutes.total : null,
    status: r.status,
  };
}

/** The latest stored evaluation of an objective, as the error-budget report shows it. */
export function budgetStatus(r: EvaluationResult): BudgetStatusFigure {
  const long = r.burnRates.map((b) => b.long.burnRate).filter((x): x is number => x !== null);
  return {
    agreementId: r.agreementId,
    objectiveId: r.objectiveId,
    evaluatedAt: r.evaluatedAt,
    windowLabel:
      r.window.type === 'calendar'
        ? `calendar, ${r.window.start.slice(0, 10)} to ${r.window.periodEnd.slice(0, 10)}`
        : `rolling, ${r.window.start.slice(0, 10)} to ${r.window.end.slice(0, 10)}`,
    status: r.status,
    compliance: r.compliance,
    target: r.target,
    budgetRemainingRatio: r.budget ? r.budget.remainingRatio : null,
    budgetRemainingMinutes: r.budget ? r.budget.minutes.remaining : null,
    maxBurnRate: long.length ? Math.max(...long) : null,
    timeToExhaustionMinutes: r.forecast?.timeToExhaustionMinutes ?? null,
    breachAt: r.forecast?.breachAt ?? null,
  };
}

/** A stored violation with its credit (every step as stored). */
export function violationFigure(v: ViolationRecord, sliType: string): ViolationFigure {
  const c = v.credit;
  return {
    id: v.id,
    agreementId: v.agreementId,
    objectiveId: v.objectiveId,
    serviceId: v.serviceId,
    businessUnit: v.businessUnit,
    severity: v.severity,
    status: v.status,
    detectedAt: v.detectedAt,
    ...(v.resolvedAt ? { resolvedAt: v.resolvedAt } : {}),
    cause: sliType,
    ...(c
      ? {
          credit: {
            violationId: v.id,
            agreementId: v.agreementId,
            objectiveId: c.objectiveId,
            periodStart: c.period.start,
            periodEnd: c.period.end,
            final: c.period.final,
            compliancePercent: c.compliancePercent,
            currency: c.currency,
            charge: c.charge,
            creditPercent: c.creditPercent,
            amount: c.amount,
            steps: c.steps.map((s) => ({
              step: s.step,
              what: s.what,
              calculation: s.calculation,
              result: s.result,
            })),
            disputes: v.disputes.map((d) => ({ status: d.status, resolution: d.resolution })),
          },
        }
      : {}),
  };
}

export function burnPoints(points: readonly BudgetPoint[]): BurnPoint[] {
  return points.map((p) => ({ at: p.at, remaining: p.budgetRemainingRatio }));
}

/**
 * The audit's recomputation of one objective's month from the raw rollup buckets, with its own arithmetic
 * (shared/domain/reports/audit.ts), and the credit its contract's tiers give.
 */
export async function recompute(
  rollups: RollupStore,
  a: AgreementVersion,
  objectiveId: string,
  exceptions: readonly ExceptionWindowRecord[],
  month: string,
  nowMs: number,
): Promise<AuditRecomputation> {
  const o = a.objectives.find((x) => x.id === objectiveId)!;
  const span = monthSpan(month, a.timeZone);
  const end = Math.min(span.end, Math.floor(nowMs / BUCKET_MS) * BUCKET_MS);
  const raw = await rollups.read(sliKey(a.serviceId, o.sli.name ?? o.sli.type), span.start, end);
  const buckets: AuditBucket[] = raw.map((b) => ({
    bucketStart: b.bucketStart,
    good: b.good,
    total: b.total,
  }));
  const excl: Span[] = exceptions
    .filter((x) => x.agreementId === a.id && (x.objectiveId === undefined || x.objectiveId === objectiveId))
    .map((x) => ({ start: Date.parse(x.start), end: Date.parse(x.end) }));
  const included: Span[] =
    o.supportedHoursOnly && a.supportedHours.kind === 'calendar'
      ? supportedIntervals(a.supportedHours, a.timeZone, span.start, end)
      : [{ start: span.start, end }];
  const { good, total } = sumBuckets(buckets, included, excl);
  let compliance: number | null;
  let note: string | undefined;
  if (o.budgetingMethod === 'occurrences') compliance = occurrencesCompliance(good, total);
  else if (excl.length > 0 || o.supportedHoursOnly) {
    compliance = null;
    note = 'a timeslice objective with supported hours or exception windows is not recomputed independently';
  } else {
    compliance = slicesCompliance(buckets, {
      sliceMs: (o.timeSlice?.minutes ?? 5) * 60_000,
      anchor: span.start,
      from: span.start,
      to: end,
      sliceTarget: o.timeSlice?.target ?? 1,
      ratio: o.budgetingMethod === 'ratio-timeslices',
    });
  }
  const applies = a.credits && (a.credits.objectiveId === undefined || a.credits.objectiveId === objectiveId);
  const credit = applies && compliance !== null ? creditFor(a.credits!, compliance) : null;
  return {
    agreementId: a.id,
    objectiveId,
    compliance,
    goodEvents: good,
    totalEvents: total,
    creditPercent: credit ? credit.percent : null,
    creditAmount: credit ? credit.amount : null,
    ...(note ? { note } : {}),
  };
}

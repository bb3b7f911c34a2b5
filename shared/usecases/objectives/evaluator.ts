import { DomainError } from '../../domain/errors.js';
import {
  cumulativeLookup,
  type EngineSettings,
  type EvaluationPlan,
  evaluatePlan,
  needsLastData,
  planEvaluation,
  sliceRequests,
} from '../../domain/objectives/evaluate.js';
import type { EvaluationResult, ExclusionWindow, ObjectiveContext } from '../../domain/objectives/types.js';
import type { ExceptionWindowRecord, ObjectiveAgreement } from '../../ports/objectives.js';
import type { RollupStore } from '../../ports/rollups.js';

export function contextsOf(a: ObjectiveAgreement): ObjectiveContext[] {
  return a.objectives.map((objective) => ({
    agreementId: a.agreementId,
    agreementVersion: a.version,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    tier: a.tier,
    timeZone: a.timeZone,
    supportedHours: a.supportedHours,
    objective,
  }));
}

export function exclusionsOf(records: readonly ExceptionWindowRecord[]): Map<string, ExclusionWindow[]> {
  const by = new Map<string, ExclusionWindow[]>();
  for (const r of records) {
    const list = by.get(r.agreementId) ?? [];
    list.push({
      id: r.id,
      agreementId: r.agreementId,
      objectiveId: r.objectiveId,
      start: Date.parse(r.start),
      end: Date.parse(r.end),
    });
    by.set(r.agreementId, list);
  }
  return by;
}

/**
 * Evaluates many objectives with one batched read of running totals, one of slice counts (for the
 * timeslice methods) and, for the SLIs that have gone quiet, one of when they last had data. Plans are pure,
 * so they are all made before the reads. An objective the domain refuses to plan (a slice length the rollups
 * cannot count, stored before the schema refused it) is reported as unknown with the reason; the others
 * are evaluated.
 */
export async function evaluateMany(
  rollups: RollupStore,
  contexts: readonly ObjectiveContext[],
  exclusions: ReadonlyMap<string, readonly ExclusionWindow[]>,
  nowMs: number,
  settings: EngineSettings,
): Promise<EvaluationResult[]> {
  const planned = contexts.map((c): EvaluationPlan | DomainError => {
    try {
      return planEvaluation(c, exclusions.get(c.agreementId) ?? [], nowMs, settings);
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
  });
  const plans = planned.filter((p): p is EvaluationPlan => !(p instanceof DomainError));
  const cums = await rollups.cumulative(plans.map((p) => ({ sliKey: p.sliKey, instants: p.instants })));
  const requests = plans.map(sliceRequests);
  const stats = await rollups.sliceStats(requests.flat());
  const lookups = plans.map((p, i) => cumulativeLookup(p.instants, cums[i]!));
  const quiet = plans.flatMap((p, i) => (needsLastData(p, lookups[i]!) ? [i] : []));
  const last = await rollups.lastData(
    quiet.map((i) => ({ sliKey: plans[i]!.sliKey, beforeMs: plans[i]!.now })),
  );
  const lastOf = new Map(quiet.map((i, k) => [i, last[k]!]));
  const byPlan = new Map<EvaluationPlan, EvaluationResult>();
  let at = 0;
  plans.forEach((p, i) => {
    const n = requests[i]!.length;
    byPlan.set(p, evaluatePlan(p, lookups[i]!, settings, stats.slice(at, at + n), lastOf.get(i)));
    at += n;
  });
  return planned.map((p, i) => (p instanceof DomainError ? refused(contexts[i]!, nowMs, p) : byPlan.get(p)!));
}

/** The result of an objective the domain refused to evaluate: unknown, with the refusal as its reason. */
function refused(c: ObjectiveContext, nowMs: number, e: DomainError): EvaluationResult {
  const at = new Date(Math.floor(nowMs / 300_000) * 300_000).toISOString();
  const o = c.objective;
  return {
    agreementId: c.agreementId,
    agreementVersion: c.agreementVersion,
    objectiveId: o.id,
    serviceId: c.serviceId,
    businessUnit: c.businessUnit,
    sliKey: `${c.serviceId}/${o.sli.name ?? o.sli.type}`,
    evaluatedAt: at,
    method: o.budgetingMethod,
    target: o.target,
    window: {
      type: o.window.type,
      start: at,
      end: at,
      periodEnd: at,
      partial: false,
      elapsedRatio: 0,
      includedMinutes: 0,
      excludedMinutes: 0,
    },
    data: { goodEvents: 0, totalEvents: 0, coverage: 0, empty: true, silence: null },
    measured: null,
    compliance: null,
    budget: null,
    burnRates: [],
    forecast: null,
    status: 'unknown',
    reasons: [`cannot be evaluated: ${e.message}`],
  };
}

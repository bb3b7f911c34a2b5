import {
  cumulativeLookup,
  type EngineSettings,
  type EvaluationPlan,
  evaluatePlan,
  planEvaluation,
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
 * Evaluates many objectives with one batched read of running totals (plus the window's buckets for the
 * timeslice methods, which need each slice). Plans are pure, so they are all made before the read.
 */
export async function evaluateMany(
  rollups: RollupStore,
  contexts: readonly ObjectiveContext[],
  exclusions: ReadonlyMap<string, readonly ExclusionWindow[]>,
  nowMs: number,
  settings: EngineSettings,
): Promise<EvaluationResult[]> {
  const plans: EvaluationPlan[] = contexts.map((c) =>
    planEvaluation(c, exclusions.get(c.agreementId) ?? [], nowMs, settings),
  );
  const cums = await rollups.cumulative(plans.map((p) => ({ sliKey: p.sliKey, instants: p.instants })));
  const results: EvaluationResult[] = [];
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i]!;
    const buckets =
      p.ctx.objective.budgetingMethod === 'occurrences'
        ? []
        : await rollups.read(p.sliKey, p.windowStart, p.now);
    results.push(evaluatePlan(p, cumulativeLookup(p.instants, cums[i]!), settings, buckets));
  }
  return results;
}

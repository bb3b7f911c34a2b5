import {
  cumulativeLookup,
  type EngineSettings,
  type EvaluationPlan,
  evaluatePlan,
  planEvaluation,
  type SliceInput,
  sliceInputFromBuckets,
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
 * Evaluates many objectives with one batched read of running totals and one of slice counts (for the
 * timeslice methods). Plans are pure, so they are all made before the reads. A timeslice objective whose
 * window has supported hours or exceptions inside reads its window's buckets instead (cost grows with the
 * window for those only).
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
  const fromStore = plans.filter((p) => p.slices?.fromStore);
  const stats = await rollups.sliceStats(fromStore.flatMap(sliceRequests));
  const inputs = new Map<EvaluationPlan, SliceInput>();
  fromStore.forEach((p, i) => {
    inputs.set(p, { window: stats[2 * i]!, recent: stats[2 * i + 1]! });
  });
  const results: EvaluationResult[] = [];
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i]!;
    let input = inputs.get(p);
    if (p.slices && !input) {
      input = sliceInputFromBuckets(p, await rollups.read(p.sliKey, p.slices.windowFrom, p.slices.windowTo));
    }
    results.push(evaluatePlan(p, cumulativeLookup(p.instants, cums[i]!), settings, input));
  }
  return results;
}

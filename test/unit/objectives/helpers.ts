import type { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { EngineSettings } from '../../../shared/domain/objectives/evaluate.js';
import type {
  EvaluationResult,
  ExclusionWindow,
  ObjectiveContext,
} from '../../../shared/domain/objectives/types.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_TIER_DEFAULTS,
} from '../../../shared/policy/objectives.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { evaluateMany } from '../../../shared/usecases/objectives/evaluator.js';

export const SETTINGS: EngineSettings = {
  burnWindows: DEFAULT_BURN_WINDOWS,
  forecast: DEFAULT_FORECAST,
  tiers: DEFAULT_TIER_DEFAULTS,
};

export const contact = { name: 'Owner', email: 'owner@example.com' };

export function ctx(
  objective: Partial<ObjectiveContext['objective']> = {},
  over: Partial<ObjectiveContext> = {},
): ObjectiveContext {
  return {
    agreementId: 'agr_0000000001',
    agreementVersion: 1,
    serviceId: 'svc_pay',
    businessUnit: 'retail',
    tier: 3,
    timeZone: 'UTC',
    supportedHours: { kind: 'always' },
    objective: {
      id: 'avail',
      name: 'Availability',
      sli: { type: 'availability' },
      target: 99,
      window: { type: 'rolling', days: 1 },
      budgetingMethod: 'occurrences',
      monitoring: 'alerted',
      owner: contact,
      customerContact: contact,
      supportedHoursOnly: false,
      ...objective,
    },
    ...over,
  };
}

/** Fills every 5-minute bucket in [from, to) with `good` of `total` events (a function of the bucket start). */
export async function fill(
  store: MemoryRollupStore,
  key: string,
  from: number,
  to: number,
  f: (t: number) => [good: number, total: number] | null,
): Promise<void> {
  const deltas = [];
  for (let t = from; t < to; t += BUCKET_MS) {
    const v = f(t);
    if (!v) continue;
    deltas.push({ sliKey: key, bucketStart: t, good: v[0], total: v[1], count: 0, sum: 0, min: 0, max: 0 });
  }
  await store.add(deltas);
}

export async function evaluate(
  store: MemoryRollupStore,
  c: ObjectiveContext,
  now: number,
  exclusions: ExclusionWindow[] = [],
  settings: EngineSettings = SETTINGS,
): Promise<EvaluationResult> {
  const [r] = await evaluateMany(store, [c], new Map([[c.agreementId, exclusions]]), now, settings);
  return r!;
}

import {
  MemoryEvaluationStore,
  MemoryExceptionWindowStore,
  MemoryViolationStore,
} from '../../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { CreditTerms } from '../../../shared/domain/objectives/credits.js';
import type { EngineSettings } from '../../../shared/domain/objectives/evaluate.js';
import type {
  EvaluationResult,
  ExclusionWindow,
  ObjectiveContext,
  ObjectiveSpec,
} from '../../../shared/domain/objectives/types.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../../shared/policy/objectives.js';
import type { ActiveObjectivesSource, ObjectiveAgreement } from '../../../shared/ports/objectives.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { evaluateMany } from '../../../shared/usecases/objectives/evaluator.js';
import type { ObjectiveDeps } from '../../../shared/usecases/objectives/index.js';

export const SETTINGS: EngineSettings = {
  burnWindows: DEFAULT_BURN_WINDOWS,
  forecast: DEFAULT_FORECAST,
  tiers: DEFAULT_TIER_DEFAULTS,
};

export const contact = { name: 'Owner', email: 'owner@example.com' };

/** An availability objective owned by `contact`: occurrences, alerted, at 99.9% over 7 rolling days by default. */
export const availabilityObjective = (over: Partial<ObjectiveSpec> = {}): ObjectiveSpec => ({
  id: 'availability',
  name: 'Availability',
  sli: { type: 'availability' },
  target: 99.9,
  window: { type: 'rolling', days: 7 },
  budgetingMethod: 'occurrences',
  monitoring: 'alerted',
  owner: contact,
  customerContact: contact,
  supportedHoursOnly: false,
  ...over,
});

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
    objective: availabilityObjective({
      id: 'avail',
      target: 99,
      window: { type: 'rolling', days: 1 },
      ...objective,
    }),
    ...over,
  };
}

/** Credit terms: `monthlyCharge` EUR a month, 10% of it back below 99.9%, 25% below 99%, capped at 100%. */
export const creditTerms = (monthlyCharge: number): CreditTerms => ({
  currency: 'EUR',
  monthlyCharge,
  tiers: [
    { belowPercent: 99.9, creditPercent: 10 },
    { belowPercent: 99, creditPercent: 25 },
  ],
  capPercent: 100,
});

/**
 * An agreement as the objectives engine reads it: service `svc_pay` of retail, tier 2, UTC, always supported, one
 * availability objective at 99.9% over 7 rolling days (`objective` changes it) and one escalation step after 15 min.
 */
export function objectiveAgreement(
  over: Partial<ObjectiveAgreement> & Pick<ObjectiveAgreement, 'agreementId'>,
  objective: Partial<ObjectiveSpec> = {},
): ObjectiveAgreement {
  return {
    version: 1,
    serviceId: 'svc_pay',
    businessUnit: 'retail',
    tier: 2,
    timeZone: 'UTC',
    supportedHours: { kind: 'always' },
    objectives: [availabilityObjective(objective)],
    escalation: [{ level: 1, afterMinutes: 15, contact, role: 'service manager' }],
    ...over,
  };
}

/**
 * What the objectives use cases need, over memory stores, with SETTINGS, the shipped severity rules and ids counting
 * up from 1; the clock reads `now()` at each call. `over` replaces any of it (a store shared with another instance,
 * a hook).
 */
export function objectiveDeps(
  source: ActiveObjectivesSource,
  now: () => number,
  over: Partial<ObjectiveDeps> = {},
): ObjectiveDeps {
  let n = 0;
  return {
    source,
    rollups: new MemoryRollupStore(),
    exceptions: new MemoryExceptionWindowStore(),
    violations: new MemoryViolationStore(),
    evaluations: new MemoryEvaluationStore(),
    clock: { now: () => new Date(now()) },
    ids: { next: (p) => `${p}_${++n}` },
    settings: SETTINGS,
    severityRules: DEFAULT_SEVERITY_RULES,
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

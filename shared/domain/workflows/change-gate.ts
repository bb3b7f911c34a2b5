/**
 * Error-budget policy with consequences (issue 11, item 7): what a service's remaining error budget means for
 * changing it, by tier, as data. The gate answers whether a deployment may proceed now and why. Pure.
 */
import type { EvaluationResult } from '../objectives/types.js';

export const CONSEQUENCES = ['change-freeze', 'mandatory-rca', 'escalate', 'review'] as const;
export type Consequence = (typeof CONSEQUENCES)[number];

/** One threshold: when an objective's remaining budget ratio is at or below `atOrBelowRemaining`, these apply. */
export interface BudgetThreshold {
  atOrBelowRemaining: number;
  consequences: Consequence[];
  because: string;
}

/** Thresholds per service tier ('1' … '4'), most severe (lowest remaining) first. */
export type ErrorBudgetPolicy = Readonly<Record<'1' | '2' | '3' | '4', readonly BudgetThreshold[]>>;

export interface GateObjective {
  agreementId: string;
  objectiveId: string;
  status: EvaluationResult['status'];
  budgetRemainingRatio: number | null;
  consequences: Consequence[];
  because: string | null;
}

export interface ChangeGate {
  allowed: boolean;
  /** Why, one line per objective that restricts changes (empty when allowed with nothing to say). */
  reasons: string[];
  consequences: Consequence[];
  objectives: GateObjective[];
}

/**
 * The gate of one service from its objectives' latest evaluations: each objective takes the first (most severe)
 * threshold its remaining budget ratio is at or below; changes are frozen when any objective's consequences include
 * `change-freeze`. An objective without a budget figure (no data yet) restricts nothing: the gate says so.
 */
export function changeGate(
  results: readonly EvaluationResult[],
  tier: number,
  policy: ErrorBudgetPolicy,
): ChangeGate {
  // Stryker disable next-line ArrayDeclaration: a string in the fallback list has no atOrBelowRemaining, and `remaining <= undefined` never holds, so no rule is found either way
  const rules = policy[String(Math.min(4, Math.max(1, tier))) as '1'] ?? [];
  const objectives: GateObjective[] = results.map((r) => {
    const remaining = r.budget ? r.budget.remainingRatio : null;
    const rule = remaining === null ? undefined : rules.find((t) => remaining <= t.atOrBelowRemaining);
    return {
      agreementId: r.agreementId,
      objectiveId: r.objectiveId,
      status: r.status,
      budgetRemainingRatio: remaining,
      consequences: rule ? [...rule.consequences] : [],
      because: rule ? rule.because : null,
    };
  });
  const consequences = [...new Set(objectives.flatMap((o) => o.consequences))];
  const reasons = objectives
    .filter((o) => o.consequences.length > 0)
    .map(
      (o) =>
        `${o.agreementId}/${o.objectiveId}: ${pct(o.budgetRemainingRatio!)} of the error budget left (tier ${tier}): ${o.because} → ${o.consequences.join(', ')}`,
    );
  const unknown = objectives.filter((o) => o.budgetRemainingRatio === null);
  if (unknown.length) {
    reasons.push(
      `${unknown.map((o) => `${o.agreementId}/${o.objectiveId}`).join(', ')}: no budget figure yet (no data), not counted`,
    );
  }
  return { allowed: !consequences.includes('change-freeze'), reasons, consequences, objectives };
}

/** A remaining-budget ratio as a percentage to one decimal (0.12345 → `12.3%`); only objectives with a figure are named. */
const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

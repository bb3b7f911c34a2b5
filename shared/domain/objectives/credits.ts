/**
 * Service credits from the contract's own tiers, with every step recorded so an auditor can redo the sum.
 * Tiers read "when compliance is below X%, credit Y% of the period's charge"; the lowest tier that applies
 * wins (tiers only grow as compliance falls), and the result is capped at the contract's cap.
 */
export interface CreditTerms {
  currency: string;
  monthlyCharge: number;
  objectiveId?: string | undefined;
  tiers: readonly { belowPercent: number; creditPercent: number }[];
  capPercent: number;
}

export interface CreditStep {
  step: number;
  what: string;
  /** The formula or rule applied, with the numbers put in. */
  calculation: string;
  result: number | string;
}

export interface CreditCalculation {
  period: { start: string; end: string; final: boolean };
  objectiveId: string;
  compliancePercent: number;
  currency: string;
  charge: number;
  creditPercent: number;
  amount: number;
  steps: CreditStep[];
}

const money = (x: number) => Math.round(x * 100) / 100;

/** The credit owed for one period at a measured compliance, and how it was computed. */
export function computeCredit(
  terms: CreditTerms,
  input: {
    objectiveId: string;
    compliancePercent: number;
    periodStart: string;
    periodEnd: string;
    final: boolean;
  },
): CreditCalculation {
  const steps: CreditStep[] = [];
  const c = input.compliancePercent;
  steps.push({
    step: 1,
    what: 'measured compliance for the period',
    calculation: `objective ${input.objectiveId}, ${input.periodStart} to ${input.periodEnd}${input.final ? '' : ' (period in progress: provisional)'}`,
    result: c,
  });
  const sorted = [...terms.tiers].sort((a, b) => a.belowPercent - b.belowPercent);
  const applicable = sorted.filter((t) => c < t.belowPercent);
  const tier = applicable[0];
  steps.push({
    step: 2,
    what: 'tier that applies (the lowest "below" threshold the compliance is under)',
    calculation:
      sorted
        .map((t) => `${c} < ${t.belowPercent} → ${c < t.belowPercent ? 'yes' : 'no'} (${t.creditPercent}%)`)
        .join('; ') || 'no tiers',
    result: tier ? `below ${tier.belowPercent}% → ${tier.creditPercent}%` : 'none: no credit',
  });
  const rawPercent = tier?.creditPercent ?? 0;
  const creditPercent = Math.min(rawPercent, terms.capPercent);
  steps.push({
    step: 3,
    what: 'cap',
    calculation: `min(${rawPercent}%, cap ${terms.capPercent}%)`,
    result: creditPercent,
  });
  const amount = money((terms.monthlyCharge * creditPercent) / 100);
  steps.push({
    step: 4,
    what: 'credit amount',
    calculation: `${terms.monthlyCharge} ${terms.currency} × ${creditPercent}% = ${amount} ${terms.currency} (rounded to cents)`,
    result: amount,
  });
  return {
    period: { start: input.periodStart, end: input.periodEnd, final: input.final },
    objectiveId: input.objectiveId,
    compliancePercent: c,
    currency: terms.currency,
    charge: terms.monthlyCharge,
    creditPercent,
    amount,
    steps,
  };
}

/** Whether the contract's credits apply to an objective (all objectives when the terms name none). */
export function creditsApplyTo(terms: CreditTerms, objectiveId: string): boolean {
  return terms.objectiveId === undefined || terms.objectiveId === objectiveId;
}

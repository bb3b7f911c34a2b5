/**
 * Service credits from the contract's own tiers, with every step recorded so an auditor can redo the sum.
 * Tiers read "when compliance is below X%, credit Y% of the period's charge"; the lowest tier that applies
 * wins (tiers only grow as compliance falls), and the result is capped at the contract's cap.
 */
import { cmp, decimalString, type Exact, exact, mul, ratio, toNumber } from './exact.js';
import type { EvaluationResult, Measured } from './types.js';

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
  /** The month's compliance in percent, unrounded as far as binary allows (the steps show it exactly). */
  compliancePercent: number;
  /** The same, exactly, as a decimal (cut with "…" only when it does not end): the figure the tiers read. */
  complianceExact: string;
  /** The population it rests on: good and total events (or slices). */
  measured: Measured;
  /** Share of the month's counted buckets that hold data: how much of the period the credit rests on. */
  coverage: number;
  currency: string;
  charge: number;
  creditPercent: number;
  amount: number;
  steps: CreditStep[];
}

export interface CreditInput {
  objectiveId: string;
  /** The month's unrounded population (good and total): tiers are applied to good/total exactly. */
  measured: Measured;
  coverage: number;
  periodStart: string;
  periodEnd: string;
  final: boolean;
}

const money = (x: number) => Math.round(x * 100) / 100;
const HUNDRED: Exact = { n: 100n, d: 1n };
/** 250000000 → "250,000,000" (a plain formatter: Intl's is slow for thousands of credits per run). */
function grouped(x: number): string {
  const [whole, frac] = String(x).split('.');
  const body = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${body}.${frac}` : body;
}

/** The credit input of a month's evaluation (its compliance must be known). */
export function creditInputOf(objectiveId: string, month: EvaluationResult): CreditInput {
  if (!month.measured) throw new Error(`the month of ${objectiveId} has no data: no credit can be computed`);
  return {
    objectiveId,
    measured: month.measured,
    coverage: month.data.coverage,
    periodStart: month.window.start,
    periodEnd: month.window.periodEnd,
    final: !month.window.partial,
  };
}

/**
 * The credit owed for one period at a measured compliance, and how it was computed. The tiers ("below X%")
 * are applied to the unrounded compliance good/total, exactly: 247,499,999 good of 250,000,000 is
 * 98.9999996%, below 99, whatever a rounded figure would show.
 */
export function computeCredit(terms: CreditTerms, input: CreditInput): CreditCalculation {
  const steps: CreditStep[] = [];
  const m = input.measured;
  const c = mul(ratio(m.good, m.total), HUNDRED);
  const shown = decimalString(c, 12);
  const coveragePct = `${Math.floor(input.coverage * 10000) / 100}%`;
  steps.push({
    step: 1,
    what: 'measured compliance for the period (unrounded)',
    calculation: `objective ${input.objectiveId}, ${input.periodStart} to ${input.periodEnd}${input.final ? '' : ' (period in progress: provisional)'}: ${grouped(m.good)} good of ${grouped(m.total)} ${m.unit} = ${shown}%; resting on ${coveragePct} of the period's counted time with data`,
    result: shown,
  });
  const sorted = [...terms.tiers].sort((a, b) => a.belowPercent - b.belowPercent);
  const under = (t: { belowPercent: number }) => cmp(c, exact(t.belowPercent)) < 0;
  const tier = sorted.find(under);
  steps.push({
    step: 2,
    what: 'tier that applies (the lowest "below" threshold the compliance is under)',
    calculation:
      sorted
        .map((t) => `${shown} < ${t.belowPercent} → ${under(t) ? 'yes' : 'no'} (${t.creditPercent}%)`)
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
    compliancePercent: toNumber(c),
    complianceExact: shown,
    measured: m,
    coverage: input.coverage,
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

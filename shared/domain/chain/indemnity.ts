/**
 * Indemnification and pass-through: when a downstream (SLA) service credit is final, the underpinning parties whose
 * breaches contributed bear their share of it, per clause, within the clause's cap and never more in total than the
 * credit itself. Every step is kept, as credit calculations keep theirs. Pure.
 */
import type { CreditStep } from '../objectives/credits.js';
import type { Contributor } from './breach.js';

/** A clause as the computation reads it (schemas/agreement.ts IndemnificationClause). */
export interface Clause {
  id: string;
  objectiveId: string;
  sharePercent: number;
  currency: string;
  capAmount: number;
}

/** One claim against an underpinning party, with the steps that led to its amount. */
export interface PassThroughClaim {
  agreementId: string;
  clauseId: string;
  objectiveId: string;
  /** The underpinning violation that made the clause apply. */
  violationId: string;
  currency: string;
  amount: number;
  steps: CreditStep[];
}

/** The claims of one downstream credit. */
export interface PassThroughResult {
  credit: { amount: number; currency: string; periodStart: string; periodEnd: string };
  claims: PassThroughClaim[];
  /** Sum of the claims' amounts in the credit's currency. */
  total: number;
  /** What of the credit no clause covers. */
  uncovered: number;
}

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * The claims of a final downstream credit against the contributors (ranked, as breach analysis gives them). A
 * contributor's agreement applies each of its clauses on the contributing objective: share = credit × share %;
 * capped at the clause's cap; then at what the claims before it (in rank order) have left of the credit. A clause in
 * another currency is named with amount 0 and not converted.
 */
export function passThroughClaims(
  credit: PassThroughResult['credit'],
  contributors: readonly Pick<Contributor, 'agreementId' | 'objectiveId' | 'violationId'>[],
  clausesOf: (agreementId: string) => readonly Clause[],
): PassThroughResult {
  let remaining = cents(credit.amount);
  const claims: PassThroughClaim[] = [];
  for (const c of contributors) {
    for (const clause of clausesOf(c.agreementId).filter((x) => x.objectiveId === c.objectiveId)) {
      const steps: CreditStep[] = [
        {
          step: 1,
          what: 'downstream credit',
          calculation: `final credit of ${credit.periodStart} – ${credit.periodEnd}`,
          result: `${cents(credit.amount)} ${credit.currency}`,
        },
      ];
      if (clause.currency !== credit.currency) {
        steps.push({
          step: 2,
          what: 'currency',
          calculation: `the clause is in ${clause.currency}, the credit in ${credit.currency}: not converted`,
          result: 0,
        });
        claims.push({ ...base(c, clause), currency: clause.currency, amount: 0, steps });
        continue;
      }
      const share = cents((credit.amount * clause.sharePercent) / 100);
      steps.push({
        step: 2,
        what: `share under clause ${clause.id}`,
        calculation: `${cents(credit.amount)} × ${clause.sharePercent}% = ${share}`,
        result: share,
      });
      const capped = Math.min(share, clause.capAmount);
      steps.push({
        step: 3,
        what: 'cap of the clause',
        calculation: `min(${share}, cap ${clause.capAmount}) = ${capped}`,
        result: capped,
      });
      const amount = cents(Math.min(capped, remaining));
      steps.push({
        step: 4,
        what: 'left of the credit by earlier claims',
        calculation: `min(${capped}, ${remaining} left) = ${amount}`,
        result: amount,
      });
      remaining = cents(remaining - amount);
      claims.push({ ...base(c, clause), currency: clause.currency, amount, steps });
    }
  }
  // Stryker disable next-line MethodExpression,ConditionalExpression: a claim in another currency always has amount 0, so keeping it in the sum changes no total
  const total = cents(claims.filter((x) => x.currency === credit.currency).reduce((s, x) => s + x.amount, 0));
  return { credit, claims, total, uncovered: cents(credit.amount - total) };
}

function base(c: Pick<Contributor, 'agreementId' | 'objectiveId' | 'violationId'>, clause: Clause) {
  return {
    agreementId: c.agreementId,
    clauseId: clause.id,
    objectiveId: c.objectiveId,
    violationId: c.violationId,
  };
}

/**
 * Third-party performance (ITIL supplier management): a vendor's scorecard across its UCs, period by period, and
 * triggers as data (a UC missed 2 periods in a row, or 3 in 6) that open a remediation or renegotiation task for the
 * UC's owner. Pure: the caller passes the periods, the violations and the compliance points.
 */

/** A calendar period of the scorecard (a month in the UC's zone): `label` is YYYY-MM. */
export interface ScorePeriod {
  label: string;
  start: number;
  end: number;
}

/** A violation as the scorecard reads it: its window start and, when the UC carries credits, the credit owed to us. */
export interface ScoredViolation {
  id: string;
  evidence: { window: { start: string }; compliance: number | null };
  credit?: { amount: number; currency: string; compliancePercent: number } | undefined;
}

/** One objective of one UC in one period. */
export interface PeriodScore {
  period: string;
  /** The period's compliance in percent: the last evaluation in it, else the violation's figure; null unknown. */
  compliancePercent: number | null;
  missed: boolean;
  violationIds: string[];
  /** Credits the vendor owes us for this period (sum of the violations' credits), by currency. */
  creditsOwed: { currency: string; amount: number }[];
}

/** A trigger as data (shared/policy/chain.json): when it fires and which task it opens. */
export interface VendorTrigger {
  id: string;
  /** Fires when the latest `inARow` periods were all missed. */
  missedInARow?: number | undefined;
  /** Fires when at least `count` of the latest `periods` periods were missed. */
  missedOf?: { count: number; periods: number } | undefined;
  task: 'vendor-remediation' | 'renegotiation';
  because: string;
}

/**
 * The periods of an objective: missed when a violation's window starts in it; compliance from the last point of
 * `points` (epoch ms, percent) in it, else from its violation.
 */
export function scorePeriods(
  periods: readonly ScorePeriod[],
  violations: readonly ScoredViolation[],
  points: readonly { at: number; compliance: number | null }[] = [],
): PeriodScore[] {
  return periods.map((p) => {
    const vs = violations.filter((v) => {
      const s = Date.parse(v.evidence.window.start);
      return s >= p.start && s < p.end;
    });
    const inPeriod = points.filter((x) => x.at >= p.start && x.at < p.end && x.compliance !== null);
    const last = inPeriod.length ? inPeriod.reduce((a, b) => (b.at > a.at ? b : a)) : undefined;
    const fromViolation =
      vs.find((v) => v.credit)?.credit?.compliancePercent ?? vs[0]?.evidence.compliance ?? null;
    const owed = new Map<string, number>();
    for (const v of vs)
      if (v.credit) owed.set(v.credit.currency, (owed.get(v.credit.currency) ?? 0) + v.credit.amount);
    return {
      period: p.label,
      compliancePercent: last?.compliance ?? fromViolation,
      missed: vs.length > 0,
      violationIds: vs.map((v) => v.id),
      creditsOwed: [...owed].map(([currency, amount]) => ({
        currency,
        amount: Math.round(amount * 100) / 100,
      })),
    };
  });
}

/** How many of the latest periods, counting back from the last, were missed without a break. */
export function missedInARow(scores: readonly PeriodScore[]): number {
  let n = 0;
  for (let i = scores.length - 1; i >= 0 && scores[i]!.missed; i--) n++;
  return n;
}

/** The triggers that fire on an objective's periods (oldest first). */
export function firedTriggers(
  triggers: readonly VendorTrigger[],
  scores: readonly PeriodScore[],
): VendorTrigger[] {
  return triggers.filter((t) => {
    if (t.missedInARow !== undefined && missedInARow(scores) >= t.missedInARow) return true;
    if (t.missedOf !== undefined) {
      const recent = scores.slice(-t.missedOf.periods);
      if (recent.filter((s) => s.missed).length >= t.missedOf.count) return true;
    }
    return false;
  });
}

/** Violations: severity by rules that are data, and the escalation path from the agreement's matrix. */
import type { Severity, SeverityRules, TierDefaults } from '../../policy/objectives.js';
import { MINUTE_MS } from './time.js';
import type { EvaluationResult } from './types.js';

export interface SeverityFacts {
  tier: number;
  /** Target minus compliance, in percentage points. */
  marginPoints: number;
  /** Consumed budget as a multiple of the whole budget. */
  budgetConsumed: number;
  durationMinutes: number;
}

export interface SeverityDecision {
  severity: Severity;
  because: string;
  /** Index of the rule that decided, in the policy table. */
  rule: number;
  facts: SeverityFacts;
}

/** The first rule whose every condition holds decides the severity; the table ends with a fallback. */
export function classifySeverity(rules: SeverityRules, facts: SeverityFacts): SeverityDecision {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const w = r.when;
    if (w.tiers && !w.tiers.includes(facts.tier)) continue;
    if (w.minMarginPoints !== undefined && facts.marginPoints < w.minMarginPoints) continue;
    if (w.minBudgetConsumed !== undefined && facts.budgetConsumed < w.minBudgetConsumed) continue;
    if (w.minDurationMinutes !== undefined && facts.durationMinutes < w.minDurationMinutes) continue;
    return { severity: r.severity, because: r.because, rule: i, facts };
  }
  const last = rules[rules.length - 1]!;
  return { severity: last.severity, because: last.because, rule: rules.length - 1, facts };
}

export interface EscalationContact {
  name: string;
  email: string;
}

export interface EscalationStepInput {
  level: number;
  afterMinutes: number;
  contact: EscalationContact;
  role: string;
}

export interface EscalationPathStep {
  level: number;
  role: string;
  who: EscalationContact;
  /** Escalate to this level if the violation is still open by then. */
  by: string;
  source: 'agreement' | 'tier-default';
}

/**
 * Who is told, and by when: the agreement's escalation matrix counted from detection; without one, the
 * tier's default timeline with the objective's owner at every level.
 */
export function escalationPath(
  steps: readonly EscalationStepInput[],
  detectedAtMs: number,
  tier: number,
  tiers: TierDefaults,
  owner: EscalationContact,
): EscalationPathStep[] {
  if (steps.length > 0) {
    return [...steps]
      .sort((a, b) => a.level - b.level || a.afterMinutes - b.afterMinutes)
      .map((s) => ({
        level: s.level,
        role: s.role,
        who: s.contact,
        by: new Date(detectedAtMs + s.afterMinutes * MINUTE_MS).toISOString(),
        source: 'agreement' as const,
      }));
  }
  const d = tiers[String(Math.min(4, Math.max(1, tier))) as '1'];
  return (d?.escalationMinutes ?? [0]).map((m, i) => ({
    level: i + 1,
    role: 'objective owner',
    who: owner,
    by: new Date(detectedAtMs + m * MINUTE_MS).toISOString(),
    source: 'tier-default' as const,
  }));
}

/** The facts the severity rules read, from an evaluation and when the breach began. */
export function severityFacts(
  r: EvaluationResult,
  tier: number,
  breachStartMs: number,
  nowMs: number,
): SeverityFacts {
  return {
    tier,
    marginPoints: r.compliance === null ? 0 : Math.max(0, Math.round((r.target - r.compliance) * 1e6) / 1e6),
    budgetConsumed: r.budget ? r.budget.consumedRatio : 0,
    durationMinutes: Math.max(0, Math.floor((nowMs - breachStartMs) / MINUTE_MS)),
  };
}

/**
 * The idempotency key of a violation: one per objective per calendar period, or per breach episode of a
 * rolling window (identified by when the episode began).
 */
export function violationKey(agreementId: string, objectiveId: string, episodeStart: string): string {
  return `${agreementId}/${objectiveId}/${episodeStart}`;
}

/** Who is told at an escalation level, as a customer party reads it: the provider, not its people. */
export const PROVIDER_CONTACT = 'the service provider';

/**
 * A violation as a business unit reads it when it is only a party to the agreement (its customer, say), not the
 * unit that holds it: the reports' customer redaction (shared/policy/reports.json, audience `customer`: no internal
 * contacts, no cost or indemnity, nothing below the SLA). The escalation path keeps its levels and deadlines but
 * names no person (an empty e-mail); the pass-through claims against the OLAs and UCs underneath are left out.
 */
export function partyViewOfViolation<V extends { escalation: EscalationPathStep[]; passThrough?: unknown }>(
  v: V,
): V {
  const { passThrough: _internal, ...rest } = v;
  return {
    ...rest,
    escalation: v.escalation.map((s) => ({ ...s, who: { name: PROVIDER_CONTACT, email: '' } })),
  } as V;
}

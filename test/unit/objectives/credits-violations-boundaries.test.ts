// Boundaries and exact figures of service credits and violations that a one-line slip would get wrong
// (issue 16: mutation testing found them unchecked).
import { describe, expect, it } from 'vitest';
import { computeCredit, creditInputOf, creditsApplyTo } from '../../../shared/domain/objectives/credits.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import {
  classifySeverity,
  escalationPath,
  severityFacts,
  violationKey,
} from '../../../shared/domain/objectives/violations.js';
import {
  DEFAULT_TIER_DEFAULTS,
  type SeverityRules,
  type TierDefaults,
} from '../../../shared/policy/objectives.js';

const period = {
  objectiveId: 'avail',
  coverage: 1,
  periodStart: '2026-04-01T00:00:00.000Z',
  periodEnd: '2026-05-01T00:00:00.000Z',
  final: true,
};
const events = (good: number, total: number) => ({ measured: { unit: 'events' as const, good, total } });

describe('service credit amounts and their audit trail', () => {
  const terms = {
    currency: 'EUR',
    monthlyCharge: 1234.56,
    tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
    capPercent: 100,
  };

  it('rounds the credit to the nearest cent, not down: 10% of 1,234.56 EUR is 123.46 EUR', () => {
    // 1234.56 × 10 / 100 = 123.456 → 123.46 (truncating would give 123.45).
    const r = computeCredit(terms, { ...period, ...events(99, 100) });
    expect(r.amount).toBe(123.46);
    expect(r.steps[3]).toEqual({
      step: 4,
      what: 'credit amount',
      calculation: '1234.56 EUR × 10% = 123.46 EUR (rounded to cents)',
      result: 123.46,
    });
  });

  it('rounds a half cent up: 5% of 10.10 EUR is 0.51 EUR', () => {
    // 10.1 × 5 / 100 = 0.505 in decimal; binary gives 0.50500000000000000444 → 0.51.
    const r = computeCredit(
      { ...terms, monthlyCharge: 10.1, tiers: [{ belowPercent: 99.9, creditPercent: 5 }] },
      { ...period, ...events(99, 100) },
    );
    expect(r.amount).toBe(0.51);
  });

  it('reports the whole calculation: charge, currency, unrounded compliance, coverage and the steps in order', () => {
    const r = computeCredit(
      { ...terms, monthlyCharge: 2000 },
      { ...period, coverage: 0.987654, ...events(1_234_567, 1_250_000) },
    );
    // 1,234,567 / 1,250,000 = 0.9876536 → 98.76536 %.
    expect(r).toMatchObject({
      period: { start: '2026-04-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z', final: true },
      objectiveId: 'avail',
      compliancePercent: 98.76536,
      complianceExact: '98.76536',
      measured: { unit: 'events', good: 1_234_567, total: 1_250_000 },
      coverage: 0.987654,
      currency: 'EUR',
      charge: 2000,
      creditPercent: 10,
      amount: 200,
    });
    expect(r.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    // Coverage 0.987654 shown rounded down to 98.76 %; the figures grouped by thousands.
    expect(r.steps[0]).toEqual({
      step: 1,
      what: 'measured compliance for the period (unrounded)',
      calculation:
        "objective avail, 2026-04-01T00:00:00.000Z to 2026-05-01T00:00:00.000Z: 1,234,567 good of 1,250,000 events = 98.76536%; resting on 98.76% of the period's counted time with data",
      result: '98.76536',
    });
    expect(r.steps[1]).toEqual({
      step: 2,
      what: 'tier that applies (the lowest "below" threshold the compliance is under)',
      calculation: '98.76536 < 99.9 → yes (10%)',
      result: 'below 99.9% → 10%',
    });
    expect(r.steps[2]).toEqual({ step: 3, what: 'cap', calculation: 'min(10%, cap 100%)', result: 10 });
  });

  it('groups a fractional population by thousands and keeps its decimals (1234.5 slices of 2000)', () => {
    const r = computeCredit(terms, {
      ...period,
      measured: { unit: 'slices', good: 1234.5, total: 2000 },
    });
    expect(r.steps[0]!.calculation).toContain('1,234.5 good of 2,000 slices = 61.725%');
  });

  it('says there is no credit, and why, when compliance is under no tier', () => {
    const r = computeCredit(terms, { ...period, ...events(1000, 1000) });
    expect(r.steps[1]).toMatchObject({ calculation: '100 < 99.9 → no (10%)', result: 'none: no credit' });
    expect([r.creditPercent, r.amount]).toEqual([0, 0]);
    expect(r.steps[2]!.calculation).toBe('min(0%, cap 100%)');
  });

  it('says "no tiers" when the contract lists none, and credits nothing', () => {
    const r = computeCredit({ ...terms, tiers: [] }, { ...period, ...events(1, 2) });
    expect(r.steps[1]!.calculation).toBe('no tiers');
    expect(r.amount).toBe(0);
  });

  it('applies the lowest tier the compliance is under whatever order the contract lists them in', () => {
    const r = computeCredit(
      {
        ...terms,
        monthlyCharge: 1000,
        tiers: [
          { belowPercent: 99, creditPercent: 10 },
          { belowPercent: 95, creditPercent: 50 },
          { belowPercent: 97, creditPercent: 25 },
        ],
      },
      { ...period, ...events(96, 100) },
    );
    expect([r.creditPercent, r.amount]).toEqual([25, 250]);
    expect(r.steps[1]!.calculation).toBe('96 < 95 → no (50%); 96 < 97 → yes (25%); 96 < 99 → yes (10%)');
  });

  it('marks a period still in progress as provisional in the first step, and a final one not', () => {
    const open = computeCredit(terms, { ...period, final: false, ...events(99, 100) });
    const closed = computeCredit(terms, { ...period, final: true, ...events(99, 100) });
    expect(open.steps[0]!.calculation).toContain(
      '2026-05-01T00:00:00.000Z (period in progress: provisional): 99 good',
    );
    expect(closed.steps[0]!.calculation).toContain('2026-05-01T00:00:00.000Z: 99 good');
  });

  it('applies terms naming an objective to that objective', () => {
    expect(creditsApplyTo({ ...terms, objectiveId: 'avail' }, 'avail')).toBe(true);
  });
});

describe('the credit input of a month', () => {
  const month = (over: Partial<EvaluationResult>) =>
    ({
      measured: { unit: 'events', good: 9, total: 10 },
      data: { coverage: 0.75 },
      window: {
        start: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        partial: true,
      },
      ...over,
    }) as unknown as EvaluationResult;

  it('takes the month’s population, coverage and period, provisional while the month is partial', () => {
    expect(creditInputOf('avail', month({}))).toEqual({
      objectiveId: 'avail',
      measured: { unit: 'events', good: 9, total: 10 },
      coverage: 0.75,
      periodStart: '2026-04-01T00:00:00.000Z',
      periodEnd: '2026-05-01T00:00:00.000Z',
      final: false,
    });
  });

  it('refuses a month without data, naming the objective', () => {
    expect(() => creditInputOf('avail', month({ measured: null }))).toThrow(
      'the month of avail has no data: no credit can be computed',
    );
  });
});

describe('violation severity at the rules’ boundaries', () => {
  const rules: SeverityRules = [
    { severity: 'critical', because: 'margin', when: { minMarginPoints: 1 } },
    { severity: 'critical', because: 'budget', when: { minBudgetConsumed: 2 } },
    { severity: 'major', because: 'duration', when: { minDurationMinutes: 60 } },
    { severity: 'major', because: 'tier', when: { tiers: [2] } },
    { severity: 'minor', because: 'fallback', when: {} },
  ];
  const calm = { tier: 3, marginPoints: 0, budgetConsumed: 0, durationMinutes: 0 };

  it('applies "at least" rules at exactly their threshold: a margin of exactly 1 point decides', () => {
    const facts = { ...calm, marginPoints: 1 };
    expect(classifySeverity(rules, facts)).toEqual({
      severity: 'critical',
      because: 'margin',
      rule: 0,
      facts,
    });
    expect(classifySeverity(rules, { ...calm, marginPoints: 0.999999 }).rule).toBe(4);
  });

  it('applies a budget rule at exactly twice the budget spent, and not just under', () => {
    expect(classifySeverity(rules, { ...calm, budgetConsumed: 2 })).toMatchObject({
      because: 'budget',
      rule: 1,
    });
    expect(classifySeverity(rules, { ...calm, budgetConsumed: 1.999 }).rule).toBe(4);
  });

  it('applies a duration rule at exactly its minutes, and not a minute before', () => {
    expect(classifySeverity(rules, { ...calm, durationMinutes: 60 })).toMatchObject({
      because: 'duration',
      rule: 2,
    });
    expect(classifySeverity(rules, { ...calm, durationMinutes: 59 }).rule).toBe(4);
  });

  it('applies a tier rule to the listed tiers only', () => {
    expect(classifySeverity(rules, { ...calm, tier: 2 })).toMatchObject({ severity: 'major', rule: 3 });
    expect(classifySeverity(rules, { ...calm, tier: 1 })).toMatchObject({ severity: 'minor', rule: 4 });
  });

  it('falls back to the last rule when no rule’s conditions all hold', () => {
    const strict: SeverityRules = [
      { severity: 'critical', because: 'a', when: { tiers: [1] } },
      { severity: 'major', because: 'b', when: { tiers: [2] } },
    ];
    const facts = { ...calm, tier: 4 };
    expect(classifySeverity(strict, facts)).toEqual({ severity: 'major', because: 'b', rule: 1, facts });
  });
});

describe('the facts the severity rules read', () => {
  const result = (over: Partial<EvaluationResult>) =>
    ({
      target: 99.9,
      compliance: 99.4,
      budget: { consumedRatio: 6 },
      ...over,
    }) as unknown as EvaluationResult;
  const start = Date.UTC(2026, 3, 10, 12, 0);

  it('measures the margin below target in points, the budget spent and the whole minutes since the breach began', () => {
    // 99.9 − 99.4 = 0.5 points (0.5000000000000142 in binary, rounded to a millionth); 90.5 minutes → 90.
    expect(severityFacts(result({}), 2, start, start + 90.5 * 60_000)).toEqual({
      tier: 2,
      marginPoints: 0.5,
      budgetConsumed: 6,
      durationMinutes: 90,
    });
  });

  it('reads no margin and no budget when the window is empty, and no negative margin or duration', () => {
    expect(severityFacts(result({ compliance: null, budget: null }), 1, start, start)).toEqual({
      tier: 1,
      marginPoints: 0,
      budgetConsumed: 0,
      durationMinutes: 0,
    });
    expect(severityFacts(result({ compliance: 99.95 }), 1, start, start - 60_000)).toMatchObject({
      marginPoints: 0,
      durationMinutes: 0,
    });
  });

  it('keys a violation by agreement, objective and the start of its episode', () => {
    expect(violationKey('agr_1', 'avail', '2026-04-01T00:00:00.000Z')).toBe(
      'agr_1/avail/2026-04-01T00:00:00.000Z',
    );
  });
});

describe('the escalation path: the agreement’s matrix, its order, and the tier defaults', () => {
  const detected = Date.UTC(2026, 3, 10, 12, 0);
  const a = { name: 'On-call', email: 'oncall@example.com' };
  const b = { name: 'Head of Ops', email: 'head@example.com' };
  const lead = { name: 'Lead', email: 'lead@example.com' };
  /** The path of a violation detected at `detected` on a service of `tier`, `a` owning the objective. */
  const path = (
    steps: Parameters<typeof escalationPath>[0],
    tier: number,
    defaults = DEFAULT_TIER_DEFAULTS,
  ) => escalationPath(steps, detected, tier, defaults, a);

  it('follows the agreement’s escalation matrix: who, and by when', () => {
    const p = path(
      [
        { level: 2, afterMinutes: 60, contact: b, role: 'head of operations' },
        { level: 1, afterMinutes: 0, contact: a, role: 'on-call engineer' },
      ],
      2,
    );
    expect(p).toEqual([
      { level: 1, role: 'on-call engineer', who: a, by: '2026-04-10T12:00:00.000Z', source: 'agreement' },
      { level: 2, role: 'head of operations', who: b, by: '2026-04-10T13:00:00.000Z', source: 'agreement' },
    ]);
  });

  it('orders steps of the same level by their delay', () => {
    const p = path(
      [
        { level: 1, afterMinutes: 15, contact: lead, role: 'lead' },
        { level: 1, afterMinutes: 5, contact: a, role: 'on-call' },
      ],
      3,
    );
    expect(p.map((s) => [s.role, s.by])).toEqual([
      ['on-call', '2026-04-10T12:05:00.000Z'],
      ['lead', '2026-04-10T12:15:00.000Z'],
    ]);
  });

  it('falls back to the tier’s default timeline with the objective’s owner', () => {
    expect(path([], 1).map((s) => [s.level, s.by, s.source])).toEqual([
      [1, '2026-04-10T12:00:00.000Z', 'tier-default'],
      [2, '2026-04-10T12:30:00.000Z', 'tier-default'],
      [3, '2026-04-10T14:00:00.000Z', 'tier-default'],
    ]);
  });

  it('uses tier 4’s timeline above tier 4 and tier 1’s below tier 1, with the owner as the objective owner', () => {
    expect(path([], 9)).toEqual([
      { level: 1, role: 'objective owner', who: a, by: '2026-04-10T12:00:00.000Z', source: 'tier-default' },
      { level: 2, role: 'objective owner', who: a, by: '2026-04-11T12:00:00.000Z', source: 'tier-default' },
    ]);
    expect(path([], 0).map((s) => s.by)).toEqual([
      '2026-04-10T12:00:00.000Z',
      '2026-04-10T12:30:00.000Z',
      '2026-04-10T14:00:00.000Z',
    ]);
  });

  it('tells the owner at once when the tier has no default timeline', () => {
    expect(path([], 2, {} as TierDefaults)).toEqual([
      { level: 1, role: 'objective owner', who: a, by: '2026-04-10T12:00:00.000Z', source: 'tier-default' },
    ]);
  });
});

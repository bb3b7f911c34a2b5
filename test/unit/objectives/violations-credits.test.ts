import { describe, expect, it } from 'vitest';
import { computeCredit, creditsApplyTo } from '../../../shared/domain/objectives/credits.js';
import { classifySeverity, escalationPath } from '../../../shared/domain/objectives/violations.js';
import {
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
  SeverityRules,
} from '../../../shared/policy/objectives.js';

describe('service credits from the contract’s tiers', () => {
  // AWS S3 Standard's public tiers, as a contract would write them, on a 2,000 EUR monthly charge.
  const terms = {
    currency: 'EUR',
    monthlyCharge: 2000,
    tiers: [
      { belowPercent: 99.9, creditPercent: 10 },
      { belowPercent: 99.0, creditPercent: 25 },
      { belowPercent: 95.0, creditPercent: 100 },
    ],
    capPercent: 100,
  };
  // A compliance written as a percentage, as the population it comes from: good of 10,000 events.
  const at = (percent: number) => ({
    measured: { unit: 'events' as const, good: Math.round(percent * 100), total: 10_000 },
  });
  const period = {
    objectiveId: 'avail',
    coverage: 1,
    periodStart: '2026-04-01T00:00:00.000Z',
    periodEnd: '2026-05-01T00:00:00.000Z',
    final: true,
  };
  const cases = [
    { compliance: 99.95, percent: 0, amount: 0 },
    { compliance: 99.9, percent: 0, amount: 0 },
    { compliance: 99.89, percent: 10, amount: 200 },
    { compliance: 99.0, percent: 10, amount: 200 },
    { compliance: 98.99, percent: 25, amount: 500 },
    { compliance: 94.99, percent: 100, amount: 2000 },
  ];
  for (const c of cases) {
    it(`credits ${c.percent}% (${c.amount} EUR) at ${c.compliance}% compliance`, () => {
      const r = computeCredit(terms, { ...period, ...at(c.compliance) });
      expect([r.creditPercent, r.amount]).toEqual([c.percent, c.amount]);
    });
  }

  it('caps the credit at the contract’s cap', () => {
    const r = computeCredit({ ...terms, capPercent: 50 }, { ...period, ...at(90) });
    expect([r.creditPercent, r.amount]).toEqual([50, 1000]);
    expect(r.steps[2]).toMatchObject({ what: 'cap', calculation: 'min(100%, cap 50%)', result: 50 });
  });

  it('records every step so that an auditor can redo the sum', () => {
    const r = computeCredit(terms, { ...period, ...at(98.5), final: false });
    expect(r.steps.map((s) => s.what)).toEqual([
      'measured compliance for the period (unrounded)',
      'tier that applies (the lowest "below" threshold the compliance is under)',
      'cap',
      'credit amount',
    ]);
    expect(r.steps[0]!.calculation).toContain('provisional');
    expect(r.steps[1]!.calculation).toBe(
      '98.5 < 95 → no (100%); 98.5 < 99 → yes (25%); 98.5 < 99.9 → yes (10%)',
    );
    expect(r.steps[3]!.calculation).toBe('2000 EUR × 25% = 500 EUR (rounded to cents)');
    expect(r.period.final).toBe(false);
  });

  it('applies terms that name an objective to that objective only', () => {
    expect(creditsApplyTo({ ...terms, objectiveId: 'avail' }, 'latency')).toBe(false);
    expect(creditsApplyTo(terms, 'latency')).toBe(true);
  });
});

describe('violation severity rules (data)', () => {
  const cases = [
    {
      name: 'any breach of a tier-1 service is critical',
      facts: { tier: 1, marginPoints: 0.01, budgetConsumed: 1.01, durationMinutes: 0 },
      severity: 'critical',
    },
    {
      name: 'twice the budget spent is critical at any tier',
      facts: { tier: 4, marginPoints: 0.1, budgetConsumed: 2, durationMinutes: 0 },
      severity: 'critical',
    },
    {
      name: 'a tier-2 breach is major',
      facts: { tier: 2, marginPoints: 0.01, budgetConsumed: 1.1, durationMinutes: 0 },
      severity: 'major',
    },
    {
      name: 'a full point below target is major',
      facts: { tier: 3, marginPoints: 1, budgetConsumed: 1.5, durationMinutes: 0 },
      severity: 'major',
    },
    {
      name: 'a breach lasting a day is major',
      facts: { tier: 3, marginPoints: 0.1, budgetConsumed: 1.1, durationMinutes: 1440 },
      severity: 'major',
    },
    {
      name: 'a small, fresh breach of a tier-3 service is minor',
      facts: { tier: 3, marginPoints: 0.1, budgetConsumed: 1.1, durationMinutes: 30 },
      severity: 'minor',
    },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      expect(classifySeverity(DEFAULT_SEVERITY_RULES, c.facts).severity).toBe(c.severity);
    });
  }

  it('refuses a rule table without an unconditional fallback at the end', () => {
    const r = SeverityRules.safeParse([{ severity: 'minor', because: 'tier 4', when: { tiers: [4] } }]);
    expect(r.success).toBe(false);
  });
});

describe('the escalation path', () => {
  const detected = Date.UTC(2026, 3, 10, 12, 0);
  const a = { name: 'On-call', email: 'oncall@example.com' };
  const b = { name: 'Head of Ops', email: 'head@example.com' };

  it('follows the agreement’s escalation matrix: who, and by when', () => {
    const path = escalationPath(
      [
        { level: 2, afterMinutes: 60, contact: b, role: 'head of operations' },
        { level: 1, afterMinutes: 0, contact: a, role: 'on-call engineer' },
      ],
      detected,
      2,
      DEFAULT_TIER_DEFAULTS,
      a,
    );
    expect(path).toEqual([
      { level: 1, role: 'on-call engineer', who: a, by: '2026-04-10T12:00:00.000Z', source: 'agreement' },
      { level: 2, role: 'head of operations', who: b, by: '2026-04-10T13:00:00.000Z', source: 'agreement' },
    ]);
  });

  it('falls back to the tier’s default timeline with the objective’s owner', () => {
    const path = escalationPath([], detected, 1, DEFAULT_TIER_DEFAULTS, a);
    expect(path.map((p) => [p.level, p.by, p.source])).toEqual([
      [1, '2026-04-10T12:00:00.000Z', 'tier-default'],
      [2, '2026-04-10T12:30:00.000Z', 'tier-default'],
      [3, '2026-04-10T14:00:00.000Z', 'tier-default'],
    ]);
  });
});

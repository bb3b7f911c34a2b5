import { describe, expect, it } from 'vitest';
import { computeCredit, creditsApplyTo } from '../../../shared/domain/objectives/credits.js';
import { classifySeverity } from '../../../shared/domain/objectives/violations.js';
import { DEFAULT_SEVERITY_RULES, SeverityRules } from '../../../shared/policy/objectives.js';

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
  // [case, [tier, margin below target in points, error budget consumed, minutes since the breach began], severity]
  const cases: [string, [number, number, number, number], string][] = [
    ['any breach of a tier-1 service is critical', [1, 0.01, 1.01, 0], 'critical'],
    ['twice the budget spent is critical at any tier', [4, 0.1, 2, 0], 'critical'],
    ['a tier-2 breach is major', [2, 0.01, 1.1, 0], 'major'],
    ['a full point below target is major', [3, 1, 1.5, 0], 'major'],
    ['a breach lasting a day is major', [3, 0.1, 1.1, 1440], 'major'],
    ['a small, fresh breach of a tier-3 service is minor', [3, 0.1, 1.1, 30], 'minor'],
  ];
  for (const [name, [tier, marginPoints, budgetConsumed, durationMinutes], severity] of cases) {
    it(name, () => {
      const facts = { tier, marginPoints, budgetConsumed, durationMinutes };
      expect(classifySeverity(DEFAULT_SEVERITY_RULES, facts).severity).toBe(severity);
    });
  }

  it('refuses a rule table without an unconditional fallback at the end', () => {
    const r = SeverityRules.safeParse([{ severity: 'minor', because: 'tier 4', when: { tiers: [4] } }]);
    expect(r.success).toBe(false);
  });
});

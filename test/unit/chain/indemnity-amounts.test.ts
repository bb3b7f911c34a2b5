import { describe, expect, it } from 'vitest';
import { type Clause, passThroughClaims } from '../../../shared/domain/chain/indemnity.js';

const PERIOD = { periodStart: '2027-03-01T00:00:00.000Z', periodEnd: '2027-04-01T00:00:00.000Z' };
const who = (agreementId: string, objectiveId = 'availability') => ({
  agreementId,
  objectiveId,
  violationId: `vio_${agreementId}`,
});
const clause = (id: string, sharePercent: number, capAmount: number, over: Partial<Clause> = {}): Clause => ({
  id,
  objectiveId: 'availability',
  sharePercent,
  currency: 'EUR',
  capAmount,
  ...over,
});

describe('pass-through claims: shares, caps and what is left of the credit, to the cent', () => {
  // A credit of 1,234.56 EUR and three contributors in rank order:
  // uc1 30 % = 370.368 → 370.37, capped at 250 → 250 (984.56 left);
  // uc2 60 % = 740.736 → 740.74, cap 1,000 → 740.74, left 984.56 → 740.74 (243.82 left);
  // uc3 40 % = 493.824 → 493.82, cap 5,000 → 493.82, left 243.82 → 243.82 (0 left).
  const credit = { amount: 1234.56, currency: 'EUR', ...PERIOD };
  const clauses: Record<string, Clause[]> = {
    uc1: [clause('c1', 30, 250)],
    uc2: [clause('c2', 60, 1000)],
    uc3: [clause('c3', 40, 5000)],
  };
  const r = passThroughClaims(credit, [who('uc1'), who('uc2'), who('uc3')], (id) => clauses[id] ?? []);

  it('gives each claim its amount and the credit as a whole nothing uncovered', () => {
    expect(
      r.claims.map((c) => [c.agreementId, c.clauseId, c.objectiveId, c.violationId, c.currency, c.amount]),
    ).toEqual([
      ['uc1', 'c1', 'availability', 'vio_uc1', 'EUR', 250],
      ['uc2', 'c2', 'availability', 'vio_uc2', 'EUR', 740.74],
      ['uc3', 'c3', 'availability', 'vio_uc3', 'EUR', 243.82],
    ]);
    expect(r.total).toBe(1234.56);
    expect(r.uncovered).toBe(0);
    expect(r.credit).toBe(credit);
  });

  it('shows every step of a capped claim with its numbers', () => {
    expect(r.claims[0]!.steps).toEqual([
      {
        step: 1,
        what: 'downstream credit',
        calculation: 'final credit of 2027-03-01T00:00:00.000Z – 2027-04-01T00:00:00.000Z',
        result: '1234.56 EUR',
      },
      { step: 2, what: 'share under clause c1', calculation: '1234.56 × 30% = 370.37', result: 370.37 },
      { step: 3, what: 'cap of the clause', calculation: 'min(370.37, cap 250) = 250', result: 250 },
      {
        step: 4,
        what: 'left of the credit by earlier claims',
        calculation: 'min(250, 1234.56 left) = 250',
        result: 250,
      },
    ]);
  });

  it('shows the last claim cut to what the earlier ones left', () => {
    expect(r.claims[2]!.steps.slice(1)).toEqual([
      { step: 2, what: 'share under clause c3', calculation: '1234.56 × 40% = 493.82', result: 493.82 },
      { step: 3, what: 'cap of the clause', calculation: 'min(493.82, cap 5000) = 493.82', result: 493.82 },
      {
        step: 4,
        what: 'left of the credit by earlier claims',
        calculation: 'min(493.82, 243.82 left) = 243.82',
        result: 243.82,
      },
    ]);
  });

  it('rounds the credit and the share to the cent and leaves the rest uncovered', () => {
    // 1,000.104 EUR → 1,000.10; 12.5 % of it = 125.013 → 125.01; cap 500; uncovered 1,000.104 − 125.01 = 875.094 → 875.09.
    const out = passThroughClaims({ amount: 1000.104, currency: 'EUR', ...PERIOD }, [who('uc1')], () => [
      clause('c1', 12.5, 500),
    ]);
    expect(out.claims[0]!.amount).toBe(125.01);
    expect(out.claims[0]!.steps[0]!.result).toBe('1000.1 EUR');
    expect(out.claims[0]!.steps[1]!.calculation).toBe('1000.1 × 12.5% = 125.01');
    expect(out.total).toBe(125.01);
    expect(out.uncovered).toBe(875.09);
  });

  it('names a clause in another currency with amount 0, leaves it out of the total and takes nothing from the credit', () => {
    const out = passThroughClaims(
      { amount: 800.4, currency: 'EUR', ...PERIOD },
      [who('uc1'), who('uc2')],
      (id) =>
        id === 'uc1' ? [clause('usd', 50, 10_000, { currency: 'USD' })] : [clause('eur', 100, 10_000)],
    );
    expect(out.claims).toHaveLength(2);
    expect(out.claims[0]).toEqual({
      agreementId: 'uc1',
      clauseId: 'usd',
      objectiveId: 'availability',
      violationId: 'vio_uc1',
      currency: 'USD',
      amount: 0,
      steps: [
        {
          step: 1,
          what: 'downstream credit',
          calculation: 'final credit of 2027-03-01T00:00:00.000Z – 2027-04-01T00:00:00.000Z',
          result: '800.4 EUR',
        },
        {
          step: 2,
          what: 'currency',
          calculation: 'the clause is in USD, the credit in EUR: not converted',
          result: 0,
        },
      ],
    });
    // The EUR clause takes the whole 800.40: nothing was taken by the USD one.
    expect(out.claims[1]!.amount).toBe(800.4);
    expect(out.total).toBe(800.4);
    expect(out.uncovered).toBe(0);
  });

  it('leaves a claim in another currency out of the total even when it carries an amount', () => {
    // Only the currency test keeps a claim out of the total; a second EUR clause of 10 % adds 80.04.
    const out = passThroughClaims({ amount: 800.4, currency: 'EUR', ...PERIOD }, [who('uc1')], () => [
      clause('a', 25, 10_000),
      clause('b', 10, 10_000),
      clause('usd', 10, 10_000, { currency: 'USD' }),
    ]);
    // 25 % = 200.10; 10 % = 80.04; total 280.14; uncovered 520.26.
    expect(out.claims.map((c) => c.amount)).toEqual([200.1, 80.04, 0]);
    expect(out.total).toBe(280.14);
    expect(out.uncovered).toBe(520.26);
  });

  it("applies only the clauses on the contributor's objective", () => {
    const out = passThroughClaims(
      { amount: 300, currency: 'EUR', ...PERIOD },
      [who('uc1', 'latency')],
      () => [clause('avail', 50, 1000), clause('lat', 20, 1000, { objectiveId: 'latency' })],
    );
    expect(out.claims.map((c) => [c.clauseId, c.objectiveId, c.amount])).toEqual([['lat', 'latency', 60]]);
  });

  it('claims nothing when no contributor has a clause', () => {
    const out = passThroughClaims({ amount: 99.99, currency: 'EUR', ...PERIOD }, [who('uc1')], () => []);
    expect(out).toEqual({
      credit: { amount: 99.99, currency: 'EUR', ...PERIOD },
      claims: [],
      total: 0,
      uncovered: 99.99,
    });
  });
  it('counts what is left of the credit from its amount rounded to the cent', () => {
    // 100.006 EUR → 100.01 left; 100 % = 100.006 → 100.01; the step shows "100.01 left", not 100.006.
    const out = passThroughClaims({ amount: 100.006, currency: 'EUR', ...PERIOD }, [who('uc1')], () => [
      clause('all', 100, 1000),
    ]);
    expect(out.claims[0]!.steps[3]!.calculation).toBe('min(100.01, 100.01 left) = 100.01');
    expect(out.total).toBe(100.01);
  });
});

import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { changeGate, type ErrorBudgetPolicy } from '../../../shared/domain/workflows/change-gate.js';

// A policy written for these tests (independent of shipped data): tier 1 has two thresholds, most severe first.
const policy: ErrorBudgetPolicy = {
  '1': [
    { atOrBelowRemaining: 0, consequences: ['change-freeze', 'mandatory-rca'], because: 'budget spent' },
    {
      atOrBelowRemaining: 0.25,
      consequences: ['change-freeze', 'escalate'],
      because: 'under a quarter left',
    },
  ],
  '2': [{ atOrBelowRemaining: 0, consequences: ['mandatory-rca'], because: 'spent' }],
  '3': [],
  '4': [{ atOrBelowRemaining: 0.5, consequences: ['review'], because: 'half gone' }],
};

const result = (objectiveId: string, remainingRatio: number | null, status = 'healthy'): EvaluationResult =>
  ({
    agreementId: 'agr_A',
    objectiveId,
    status,
    budget: remainingRatio === null ? null : { remainingRatio },
  }) as unknown as EvaluationResult;

describe('changeGate: the thresholds an objective’s remaining budget reaches', () => {
  it('applies a threshold when the remaining ratio is exactly at it', () => {
    const g = changeGate([result('latency', 0.25, 'at-risk')], 1, policy);
    expect(g).toEqual({
      allowed: false,
      // 0.25 → 250 / 10 = 25%
      reasons: [
        'agr_A/latency: 25% of the error budget left (tier 1): under a quarter left → change-freeze, escalate',
      ],
      consequences: ['change-freeze', 'escalate'],
      objectives: [
        {
          agreementId: 'agr_A',
          objectiveId: 'latency',
          status: 'at-risk',
          budgetRemainingRatio: 0.25,
          consequences: ['change-freeze', 'escalate'],
          because: 'under a quarter left',
        },
      ],
    });
  });

  it('applies nothing just above a threshold, and has nothing to say', () => {
    expect(changeGate([result('latency', 0.2501)], 1, policy)).toEqual({
      allowed: true,
      reasons: [],
      consequences: [],
      objectives: [
        {
          agreementId: 'agr_A',
          objectiveId: 'latency',
          status: 'healthy',
          budgetRemainingRatio: 0.2501,
          consequences: [],
          because: null,
        },
      ],
    });
  });

  it('takes the first (most severe) threshold a spent budget reaches, not every one', () => {
    const g = changeGate([result('availability', 0, 'breached')], 1, policy);
    expect(g.consequences).toEqual(['change-freeze', 'mandatory-rca']);
    expect(g.objectives[0]!.because).toBe('budget spent');
  });

  it('gives the remaining budget to one decimal of a percent in the reason', () => {
    // 0.12345 × 1000 = 123.45, rounded 123, / 10 = 12.3 %; −0.0876 → −87.6 → −88 → −8.8 %
    const g = changeGate([result('latency', 0.12345), result('errors', -0.0876)], 1, policy);
    expect(g.reasons).toEqual([
      'agr_A/latency: 12.3% of the error budget left (tier 1): under a quarter left → change-freeze, escalate',
      'agr_A/errors: -8.8% of the error budget left (tier 1): budget spent → change-freeze, mandatory-rca',
    ]);
  });

  it('lists each consequence once, in the order the objectives first bring it', () => {
    const g = changeGate([result('latency', 0.1), result('errors', -0.2), result('ok', 0.9)], 1, policy);
    expect(g.consequences).toEqual(['change-freeze', 'escalate', 'mandatory-rca']);
    expect(g.reasons).toHaveLength(2);
  });

  it('allows changes when the consequences include no change freeze', () => {
    const g = changeGate([result('availability', -0.5, 'breached')], 2, policy);
    expect(g.allowed).toBe(true);
    expect(g.consequences).toEqual(['mandatory-rca']);
    expect(g.reasons).toEqual([
      'agr_A/availability: -50% of the error budget left (tier 2): spent → mandatory-rca',
    ]);
  });

  it('reads a tier below 1 as tier 1 and a tier above 4 as tier 4, naming the tier given', () => {
    expect(changeGate([result('a', 0.2)], 0, policy).reasons).toEqual([
      'agr_A/a: 20% of the error budget left (tier 0): under a quarter left → change-freeze, escalate',
    ]);
    expect(changeGate([result('a', 0.4)], 9, policy).reasons).toEqual([
      'agr_A/a: 40% of the error budget left (tier 9): half gone → review',
    ]);
  });

  it('finds no threshold in a tier the policy leaves out', () => {
    const partial = { '1': policy['1'] } as unknown as ErrorBudgetPolicy;
    expect(changeGate([result('a', -1)], 2, partial)).toMatchObject({
      allowed: true,
      reasons: [],
      consequences: [],
    });
  });
});

describe('changeGate: objectives without a budget figure', () => {
  it('restricts nothing for objectives without data and names them all in one line after the restrictions', () => {
    const g = changeGate([result('x', null), result('latency', 0.1), result('y', null)], 1, policy);
    expect(g.allowed).toBe(false);
    expect(g.consequences).toEqual(['change-freeze', 'escalate']);
    expect(g.reasons).toEqual([
      'agr_A/latency: 10% of the error budget left (tier 1): under a quarter left → change-freeze, escalate',
      'agr_A/x, agr_A/y: no budget figure yet (no data), not counted',
    ]);
    expect(
      g.objectives.map((o) => [o.objectiveId, o.budgetRemainingRatio, o.consequences, o.because]),
    ).toEqual([
      ['x', null, [], null],
      ['latency', 0.1, ['change-freeze', 'escalate'], 'under a quarter left'],
      ['y', null, [], null],
    ]);
  });

  it('allows a gate of no objectives at all, with nothing to say', () => {
    expect(changeGate([], 1, policy)).toEqual({
      allowed: true,
      reasons: [],
      consequences: [],
      objectives: [],
    });
  });
});

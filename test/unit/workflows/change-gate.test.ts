import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { changeGate } from '../../../shared/domain/workflows/change-gate.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';

const policy = loadWorkflowPolicy().errorBudget;
const result = (objectiveId: string, remainingRatio: number | null): EvaluationResult =>
  ({
    agreementId: 'agr_01J000000000001',
    objectiveId,
    status: remainingRatio !== null && remainingRatio <= 0 ? 'breached' : 'healthy',
    budget: remainingRatio === null ? null : { remainingRatio },
  }) as unknown as EvaluationResult;

describe('the change gate (error-budget policy per tier)', () => {
  it.each([
    ['a tier-1 service with half its budget left may change', 1, 0.5, true, []],
    [
      'a tier-1 service below a quarter of its budget is frozen',
      1,
      0.2,
      false,
      ['change-freeze', 'escalate'],
    ],
    [
      'a tier-1 service with the budget spent is frozen and owes an RCA',
      1,
      0,
      false,
      ['change-freeze', 'mandatory-rca', 'escalate'],
    ],
    [
      'a tier-3 service with the budget spent is reviewed, not frozen',
      3,
      -0.5,
      true,
      ['mandatory-rca', 'review'],
    ],
    ['a tier-4 service with 10% left has nothing to do', 4, 0.1, true, []],
  ])('%s', (_name, tier, remaining, allowed, consequences) => {
    const g = changeGate([result('availability', remaining)], tier, policy);
    expect(g.allowed).toBe(allowed);
    expect(g.consequences.sort()).toEqual([...consequences].sort());
  });

  it('freezes when any one objective says so, naming it and its remaining budget', () => {
    const g = changeGate([result('latency', 0.8), result('availability', -0.1)], 2, policy);
    expect(g.allowed).toBe(false);
    expect(g.reasons).toEqual([
      expect.stringMatching(
        /^agr_01J000000000001\/availability: -10% of the error budget left \(tier 2\): .* → change-freeze/,
      ),
    ]);
  });

  it('counts an objective without data as no restriction, and says so', () => {
    const g = changeGate([result('availability', null)], 1, policy);
    expect(g).toMatchObject({ allowed: true, consequences: [] });
    expect(g.reasons[0]).toContain('no budget figure yet');
  });
});

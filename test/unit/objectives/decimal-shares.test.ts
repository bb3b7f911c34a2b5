import { describe, expect, it } from 'vitest';
import { budgetShare, targetRatio } from '../../../shared/domain/objectives/methods/figures.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { exposition } from '../../../shared/runtime/metrics.js';

/**
 * A target is a decimal the contract wrote; its shares of 1 are shown, exported and projected as the float nearest
 * that decimal. Float arithmetic on the target gets the common ones wrong: 1 − 99.9/100 = 0.0009999999999998899,
 * 99.9/100 = 0.9990000000000001, 1 − 99.99/100 = 0.00010000000000010001, 99.99/100 = 0.9998999999999999.
 */
describe('the shares of 1 a target stands for', () => {
  it.each([
    [99.9, 0.001, 0.999],
    [99.99, 0.0001, 0.9999],
    [99.95, 0.0005, 0.9995],
    [99.999, 0.00001, 0.99999],
    [99.5, 0.005, 0.995],
    [95, 0.05, 0.95],
    [100, 0, 1],
  ])(
    'a %s %% target leaves an error budget of exactly %s of the period and is the ratio %s',
    (t, budget, ratio) => {
      expect(budgetShare(t)).toBe(budget);
      expect(targetRatio(t)).toBe(ratio);
    },
  );

  it('exports a 99.9 % objective’s target to Prometheus as 0.999, not 0.9990000000000001', async () => {
    const result = {
      agreementId: 'sla-1',
      objectiveId: 'availability',
      serviceId: 'svc-1',
      businessUnit: 'retail',
      target: 99.9,
      measured: null,
      budget: null,
      burnRates: [],
      status: 'healthy',
      evaluatedAt: '2026-12-01T00:00:00.000Z',
    } as unknown as EvaluationResult;
    const { text } = await exposition([result]);
    const line = text.split('\n').find((l) => l.startsWith('accord_objective_target_ratio{'));
    expect(line).toBe(
      'accord_objective_target_ratio{agreement="sla-1",objective="availability",service="svc-1",business_unit="retail"} 0.999',
    );
  });
});

import { expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { D, START } from '../../helpers/objectives-usecases.js';
import { availabilityObjective, objectiveAgreement, objectiveDeps } from './helpers.js';

// Apart from the other run tests: 2,001 objectives take about 2 s to evaluate.
it('evaluates, stores and reports a run in chunks of at most 2,000 objectives', async () => {
  const many = objectiveAgreement({
    agreementId: 'agr_0000000002',
    serviceId: 'svc_quiet',
    objectives: Array.from({ length: 2001 }, (_, i) => availabilityObjective({ id: `o${i}` })),
  });
  const saved: number[] = [];
  const told: number[] = [];
  const uc = new ObjectiveUseCases(
    objectiveDeps(new StaticObjectivesSource([many]), () => START + 7 * D, {
      evaluations: {
        save: async (rs: readonly EvaluationResult[]) => {
          saved.push(rs.length);
        },
        latest: async () => [],
        history: async () => [],
      },
      onEvaluated: async (rs) => {
        told.push(rs.length);
      },
    }),
  );
  expect((await uc.evaluateAll()).objectives).toBe(2001);
  expect(saved).toEqual([2000, 1]);
  expect(told).toEqual([2000, 1]);
});

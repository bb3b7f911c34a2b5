import type { Principal } from '../../domain/access/policy.js';
import { type ChangeGate, changeGate, type ErrorBudgetPolicy } from '../../domain/workflows/change-gate.js';
import type { ObjectiveUseCases } from '../objectives/index.js';
import type { ServiceUseCases } from '../services.js';

export interface ChangeGateAnswer extends ChangeGate {
  serviceId: string;
  tier: number;
  /** The latest evaluation the answer rests on; null when none yet. */
  evaluatedAt: string | null;
}

/**
 * `GET /v1/services/{id}/change-gate`: whether changes to a service may proceed now, and why, from its objectives'
 * latest evaluations and the error-budget policy of its tier (for deployment pipelines to call).
 */
export class ChangeGateUseCases {
  constructor(private readonly policy: ErrorBudgetPolicy) {}

  async gate(
    p: Principal,
    serviceId: string,
    objectives: ObjectiveUseCases,
    services: ServiceUseCases,
  ): Promise<ChangeGateAnswer> {
    const service = await services.get(p, serviceId, 'objective.read');
    const view = await objectives.statusOfService(p, serviceId);
    const at =
      view.objectives
        .map((r) => r.evaluatedAt)
        .sort()
        .at(-1) ?? null;
    return {
      serviceId,
      tier: service.tier,
      evaluatedAt: at,
      ...changeGate(view.objectives, service.tier, this.policy),
    };
  }
}

import type { Principal } from '../../domain/access/policy.js';
import { type ChangeGate, changeGate, type ErrorBudgetPolicy } from '../../domain/workflows/change-gate.js';
import type { Clock } from '../../ports/clock.js';
import type { FreezeExceptionRecord } from '../../ports/governance.js';
import type { ObjectiveUseCases } from '../objectives/index.js';
import type { ServiceUseCases } from '../services.js';

export interface ChangeGateAnswer extends ChangeGate {
  serviceId: string;
  tier: number;
  /** The latest evaluation the answer rests on; null when none yet. */
  evaluatedAt: string | null;
  /** The approved freeze exception in force that lets changes proceed despite a freeze, when one does. */
  exception?: { id: string; from: string; to: string; change: string; approvedBy: string } | undefined;
}

/**
 * `GET /v1/services/{id}/change-gate`: whether changes to a service may proceed now, and why, from its objectives'
 * latest evaluations and the error-budget policy of its tier (for deployment pipelines to call). An approved freeze
 * exception in force (issue 11 item 7) opens a frozen gate and is named in the answer, beside the freeze's reasons.
 */
export class ChangeGateUseCases {
  constructor(
    private readonly policy: ErrorBudgetPolicy,
    private readonly exceptions?: {
      clock: Clock;
      inForce(serviceId: string, nowMs: number): Promise<FreezeExceptionRecord[]>;
    },
  ) {}

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
    const gate = changeGate(view.objectives, service.tier, this.policy);
    const answer: ChangeGateAnswer = { serviceId, tier: service.tier, evaluatedAt: at, ...gate };
    if (gate.allowed || !this.exceptions) return answer;
    const open = (await this.exceptions.inForce(serviceId, this.exceptions.clock.now().getTime())).at(-1);
    if (!open) return answer;
    return {
      ...answer,
      allowed: true,
      reasons: [
        ...gate.reasons,
        `freeze exception ${open.id} for "${open.change}" approved by ${open.decision?.by ?? 'an approver'}, in force until ${open.to}`,
      ],
      exception: {
        id: open.id,
        from: open.from,
        to: open.to,
        change: open.change,
        approvedBy: open.decision?.by ?? '',
      },
    };
  }
}

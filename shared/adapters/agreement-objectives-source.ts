import { partyUnitsOf } from '../domain/access/policy.js';
import type { AgreementStore } from '../ports/agreements.js';
import type { ActiveObjectivesSource, ObjectiveAgreement } from '../ports/objectives.js';
import type { ServiceStore } from '../ports/services.js';
import type { AgreementVersion } from '../schemas/agreement.js';

/**
 * Active agreements for the objectives engine, read through the agreement and service stores' public ports.
 * A service that cannot be found is treated as tier 3 (the middle default) rather than skipping its objectives.
 */
export class AgreementObjectivesSource implements ActiveObjectivesSource {
  constructor(
    private readonly agreements: AgreementStore,
    private readonly services: ServiceStore,
  ) {}

  async listActive(): Promise<ObjectiveAgreement[]> {
    const out: AgreementVersion[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.agreements.list({
        status: 'active',
        scope: { all: true },
        limit: 200,
        ...(after ? { after } : {}),
      });
      out.push(...page.items);
      if (!page.lastKey || page.items.length === 0) break;
      after = page.lastKey;
    }
    const tiers = new Map<string, number>();
    for (const id of new Set(out.map((a) => a.serviceId)))
      tiers.set(id, (await this.services.get(id))?.tier ?? 3);
    return out
      .filter((a) => a.objectives.length > 0)
      .map((a) => toObjectiveAgreement(a, tiers.get(a.serviceId) ?? 3));
  }

  async getActive(agreementId: string): Promise<ObjectiveAgreement | undefined> {
    const a = await this.agreements.get(agreementId);
    if (a?.status !== 'active') return undefined;
    return toObjectiveAgreement(a, (await this.services.get(a.serviceId))?.tier ?? 3);
  }
}

export function toObjectiveAgreement(a: AgreementVersion, tier: number): ObjectiveAgreement {
  return {
    agreementId: a.id,
    version: a.version,
    title: a.title,
    kind: a.kind,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    partyUnits: partyUnitsOf(a.parties),
    providerUnit: a.parties.provider.type === 'business-unit' ? a.parties.provider.businessUnit : undefined,
    customerUnit: a.parties.customer.type === 'business-unit' ? a.parties.customer.businessUnit : undefined,
    tier,
    timeZone: a.timeZone,
    supportedHours: a.supportedHours,
    objectives: a.objectives,
    escalation: a.escalation,
    credits: a.credits,
  };
}

/** A fixed list of agreements (tests, the benchmark). */
export class StaticObjectivesSource implements ActiveObjectivesSource {
  constructor(private readonly items: readonly ObjectiveAgreement[]) {}
  async listActive(): Promise<ObjectiveAgreement[]> {
    return [...this.items];
  }
  async getActive(agreementId: string): Promise<ObjectiveAgreement | undefined> {
    return this.items.find((a) => a.agreementId === agreementId);
  }
}

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

  async partiesAt(agreementId: string, version: number): Promise<string[]> {
    const v = await this.agreements.getVersion(agreementId, version);
    return v ? partyUnitsOf(v.parties) : [];
  }

  async listEndedPartyOf(units: readonly string[]): Promise<string[]> {
    if (units.length === 0) return [];
    const ids: string[] = [];
    // The store's party scope (its party index): only agreements these units are a party to are read.
    const scope = { all: false as const, businessUnits: [], serviceIds: [], partyUnits: [...units] };
    for (const status of ENDED_STATUSES) {
      let after: string | undefined;
      for (;;) {
        const page = await this.agreements.list({ status, scope, limit: 200, ...(after ? { after } : {}) });
        for (const a of page.items)
          if (partyUnitsOf(a.parties).some((u) => units.includes(u))) ids.push(a.id);
        if (!page.lastKey || page.items.length === 0) break;
        after = page.lastKey;
      }
    }
    return ids;
  }
}

/** The statuses of an agreement that was in force and is no longer (its violations remain its parties' history). */
const ENDED_STATUSES = ['expired', 'sunset', 'retired'] as const;

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

/** A fixed list of agreements (tests, the benchmark), and optionally some no longer in force (`ended`). */
export class StaticObjectivesSource implements ActiveObjectivesSource {
  constructor(
    private readonly items: readonly ObjectiveAgreement[],
    private readonly ended: readonly ObjectiveAgreement[] = [],
  ) {}
  async partiesAt(agreementId: string, version: number): Promise<string[]> {
    const a = [...this.items, ...this.ended].find(
      (x) => x.agreementId === agreementId && x.version === version,
    );
    return [...(a?.partyUnits ?? [])];
  }
  async listEndedPartyOf(units: readonly string[]): Promise<string[]> {
    return this.ended
      .filter((a) => (a.partyUnits ?? []).some((u) => units.includes(u)))
      .map((a) => a.agreementId);
  }
  async listActive(): Promise<ObjectiveAgreement[]> {
    return [...this.items];
  }
  async getActive(agreementId: string): Promise<ObjectiveAgreement | undefined> {
    return this.items.find((a) => a.agreementId === agreementId);
  }
}

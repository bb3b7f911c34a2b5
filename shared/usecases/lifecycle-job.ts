import type { Principal } from '../domain/access/policy.js';
import { localDate } from '../domain/agreements/rules.js';
import { missingSignOffs } from '../domain/agreements/signoff.js';
import { DomainError } from '../domain/errors.js';
import { type AgreementStore, eachAgreement } from '../ports/agreements.js';
import type { Clock } from '../ports/clock.js';
import type { AgreementVersion } from '../schemas/agreement.js';
import type { AgreementUseCases } from './agreements.js';

/** The scheduler acts as a system identity; its changes carry it in the audit trail. */
export const LIFECYCLE_PRINCIPAL: Principal = {
  subject: 'system:agreement-lifecycle',
  roles: ['admin'],
  // Stryker disable next-line ArrayDeclaration: the admin role's scope is everything, so units change nothing
  businessUnits: [],
  // Stryker disable next-line ArrayDeclaration: the admin role's scope is everything, so services change nothing
  services: [],
  // Stryker disable next-line ArrayDeclaration: the job activates and expires; it never signs, so no capacity counts
  signOffCapacities: [],
};

export interface LifecycleRunSummary {
  activated: string[];
  expired: string[];
  /** Approved agreements due to start that could not be activated, with the reason. */
  held: { id: string; reason: string }[];
}

/**
 * The calendar side of the lifecycle: an approved agreement becomes active on its effectiveFrom date, and an
 * active one expires after its effectiveTo date, both judged in the agreement's own time zone. Each step goes
 * through the same use case as the API, so it is versioned and audited like any other change.
 */
export class AgreementLifecycleJob {
  constructor(
    private readonly deps: {
      agreements: AgreementStore;
      useCases: AgreementUseCases;
      clock: Clock;
      pageSize?: number;
    },
  ) {}

  async run(): Promise<LifecycleRunSummary> {
    const now = this.deps.clock.now();
    const summary: LifecycleRunSummary = { activated: [], expired: [], held: [] };
    for await (const a of eachAgreement(this.deps.agreements, { status: 'approved' }, this.deps.pageSize)) {
      if (a.effectiveFrom > localDate(now, a.timeZone) || missingSignOffs(a).length > 0) continue;
      await this.attempt(a, summary.held, async () => {
        await this.deps.useCases.activate(
          LIFECYCLE_PRINCIPAL,
          a.id,
          a.version,
          `effective from ${a.effectiveFrom}`,
        );
        summary.activated.push(a.id);
      });
    }
    const expiryTo = localDate(new Date(now.getTime() + 86_400_000), 'UTC');
    for await (const a of eachAgreement(
      this.deps.agreements,
      { status: 'active', expiryTo },
      this.deps.pageSize,
    )) {
      if (a.effectiveTo === undefined || a.effectiveTo >= localDate(now, a.timeZone)) continue;
      await this.attempt(a, summary.held, async () => {
        await this.deps.useCases.end(
          LIFECYCLE_PRINCIPAL,
          a.id,
          a.version,
          'expire',
          `effective to ${a.effectiveTo}`,
        );
        summary.expired.push(a.id);
      });
    }
    return summary;
  }

  private async attempt(
    a: AgreementVersion,
    held: LifecycleRunSummary['held'],
    step: () => Promise<void>,
  ): Promise<void> {
    try {
      await step();
    } catch (err) {
      // A rule that refuses the step (an underpinning contract not in force, a concurrent edit) holds this
      // agreement until the next run; anything else is a fault and surfaces.
      if (!(err instanceof DomainError)) throw err;
      held.push({ id: a.id, reason: err.message });
    }
  }
}

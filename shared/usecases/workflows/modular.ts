import type { Principal } from '../../domain/access/policy.js';
import { effectiveTerms, inheritFromMaster } from '../../domain/agreements/modular.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { type AgreementVersion, CreateAgreementBody } from '../../schemas/agreement.js';
import type { EffectiveTermsView, ScheduleBody } from '../../schemas/governance.js';
import type { AgreementUseCases } from '../agreements.js';

/**
 * Modular agreements (issue 11 item 6): schedules drafted under a master agreement, and the effective terms of any
 * agreement with the source of each term. A master and its schedules are ordinary agreements (versioned, submitted,
 * signed off, activated, amended by change requests through the same use cases); what is modular is the precedence
 * of the master's terms (shared/policy/modular.json, shared/domain/agreements/modular.ts), applied when a schedule
 * is made or changed (a contradicting term is refused) and when terms are read (the master's version in force).
 */
export class ModularAgreementUseCases {
  constructor(private readonly agreements: () => AgreementUseCases) {}

  /**
   * Drafts a schedule under `masterId`: terms the body leaves out that the master rules (and `kind`, `businessUnit`,
   * `parties`) are the master's; the result goes through the agreement use case's create, which checks every rule
   * and the schedule against its master (422 naming the term). 404 when the caller cannot read the master; 409 when
   * it is not a master agreement.
   */
  async createSchedule(p: Principal, masterId: string, body: ScheduleBody): Promise<AgreementVersion> {
    const uc = this.agreements();
    await uc.load(p, 'agreement.create', masterId);
    const master = (await uc.masterInForce(masterId))?.inForce;
    if (master?.module?.role !== 'master')
      throw new ConflictError(`agreement ${masterId} is not a master agreement`, [
        { path: 'agreementId', problem: 'names an agreement that is not a master (module.role: master)' },
      ]);
    const filled = inheritFromMaster(
      {
        kind: 'SLA',
        businessUnit: master.businessUnit,
        parties: master.parties,
        ...body,
        module: { role: 'schedule', masterId },
      },
      master,
      uc.modular,
    );
    const parsed = CreateAgreementBody.safeParse(filled);
    if (!parsed.success)
      throw new ValidationError(
        'the schedule does not make a valid agreement',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), problem: i.message })),
      );
    return uc.create(p, parsed.data);
  }

  /**
   * The terms in force for an agreement the caller may read (404 otherwise), each with its source: for a schedule,
   * the master's version in force applied by the precedence policy (a new master version shows here once it is
   * active, that is once signed off where its change was material); for a master or a standalone agreement, its own.
   * A master the caller could not read is still applied (its terms bind the schedule the caller may read) and named
   * by id and version only.
   */
  async effective(p: Principal, id: string): Promise<EffectiveTermsView> {
    const uc = this.agreements();
    const a = await uc.get(p, id);
    const role = a.module?.role ?? 'standalone';
    const found = a.module?.role === 'schedule' ? await uc.masterInForce(a.module.masterId) : undefined;
    const master = found?.inForce;
    const current = found?.current;
    const { terms, sources } = effectiveTerms(a, master, uc.modular);
    return {
      agreementId: a.id,
      version: a.version,
      status: a.status,
      module: role,
      ...(master && current
        ? {
            master: {
              id: master.id,
              version: master.version,
              status: master.status,
              currentVersion: current.version,
              currentStatus: current.status,
            },
          }
        : {}),
      ...(a.module ? { moduleTerms: a.module } : {}),
      terms,
      sources,
    };
  }
}

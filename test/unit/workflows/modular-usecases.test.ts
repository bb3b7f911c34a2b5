import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { activeAgreement, failure, providerManager } from '../../helpers/change-request-world.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

/** A schedule body: only the service's own terms; kind, unit, parties and the master-ruled terms are inherited. */
const scheduleBody = (over: Record<string, unknown> = {}) => {
  const {
    kind: _k,
    businessUnit: _b,
    parties: _p,
    jurisdiction: _j,
    dataResidency: _d,
    reviewCycle: _r,
    ...rest
  } = agreementBody({ title: 'Schedule 1: card payments API', effectiveFrom: '2026-04-01' });
  return { ...rest, reason: 'schedule for the cards API', ...over } as never;
};

describe('modular agreements: schedules under a master and effective terms (ModularAgreementUseCases)', () => {
  let w: WorkflowWorld;
  let master: AgreementVersion;
  beforeEach(async () => {
    w = await workflowWorld();
    master = await activeAgreement(w, {
      id: 'agr_01WFMASTER0000000001',
      title: 'Master services agreement',
      objectives: [],
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-11-01' },
      jurisdiction: { governingLaw: 'Scotland', country: 'GB' },
      module: { role: 'master', caps: { creditPercent: 20 } },
    });
  });

  it('drafts a schedule that takes its kind, unit, parties and master-ruled terms from the master', async () => {
    const s = await w.wf.modular.createSchedule(providerManager, master.id, scheduleBody());
    expect(s).toMatchObject({
      status: 'draft',
      version: 1,
      kind: 'SLA',
      title: 'Schedule 1: card payments API',
      businessUnit: 'payments',
      parties: master.parties,
      jurisdiction: { governingLaw: 'Scotland', country: 'GB' },
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-11-01' },
      dataResidency: master.dataResidency,
      module: { role: 'schedule', masterId: master.id },
      reason: 'schedule for the cards API',
      createdBy: 'pam@payments.example',
    });
    expect(await w.agreements.get(s.id)).toEqual(s);
  });

  it('refuses a schedule under an agreement that is not a master, naming the agreement', async () => {
    const plain = await activeAgreement(w, { id: 'agr_01WFPLAIN00000000001' });
    const e = await failure(w.wf.modular.createSchedule(providerManager, plain.id, scheduleBody()));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(`agreement ${plain.id} is not a master agreement`);
    expect(e.details).toEqual([
      { path: 'agreementId', problem: 'names an agreement that is not a master (module.role: master)' },
    ]);
  });

  it('answers 404 to a caller who cannot see the master', async () => {
    const stranger = principal({ subject: 's@x', roles: ['sla-manager'], businessUnits: ['wealth'] });
    await expect(w.wf.modular.createSchedule(stranger, master.id, scheduleBody())).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses a schedule that does not make a valid agreement, naming each path', async () => {
    const [o] = agreementBody().objectives;
    const { target: _t, ...noTarget } = o!;
    const e = await failure(
      w.wf.modular.createSchedule(providerManager, master.id, scheduleBody({ objectives: [noTarget] })),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the schedule does not make a valid agreement');
    expect(e.details).toEqual([
      { path: 'objectives.0.target', problem: 'Invalid input: expected number, received undefined' },
    ]);
  });

  it('shows a schedule’s effective terms with the master in force and the module terms', async () => {
    const s = await w.wf.modular.createSchedule(providerManager, master.id, scheduleBody());
    const v = await w.wf.modular.effective(providerManager, s.id);
    expect(v).toMatchObject({
      agreementId: s.id,
      version: 1,
      status: 'draft',
      module: 'schedule',
      master: { id: master.id, version: 3, status: 'active', currentVersion: 3, currentStatus: 'active' },
      moduleTerms: { role: 'schedule', masterId: master.id },
    });
    expect(v.terms.jurisdiction).toEqual({ governingLaw: 'Scotland', country: 'GB' });
    expect(v.sources.jurisdiction).toEqual({
      from: 'master',
      rule: 'master',
      agreementId: master.id,
      version: 3,
    });
    // A new master version waiting for sign-off: the schedule still reads the version in force.
    await w.agreements.append({ ...master, version: 4, status: 'submitted' });
    expect((await w.wf.modular.effective(providerManager, s.id)).master).toEqual({
      id: master.id,
      version: 3,
      status: 'active',
      currentVersion: 4,
      currentStatus: 'submitted',
    });
  });

  it('shows a standalone agreement’s own terms, without a master or module terms', async () => {
    const plain = await activeAgreement(w, { id: 'agr_01WFPLAIN00000000002' });
    const v = await w.wf.modular.effective(providerManager, plain.id);
    expect(v.module).toBe('standalone');
    expect(v).not.toHaveProperty('master');
    expect(v).not.toHaveProperty('moduleTerms');
    const m = await w.wf.modular.effective(providerManager, master.id);
    expect(m).toMatchObject({
      module: 'master',
      moduleTerms: { role: 'master', caps: { creditPercent: 20 } },
    });
    expect(m).not.toHaveProperty('master');
  });
});

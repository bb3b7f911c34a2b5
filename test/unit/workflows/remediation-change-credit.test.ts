import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BusinessRuleError, ConflictError, ValidationError } from '../../../shared/domain/errors.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { agreementVersion } from '../../helpers/fixtures.js';
import {
  activeAgreement,
  hash,
  notifySpy,
  OWNER,
  openRemediation,
  owen,
  rcaTask,
  violation,
} from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const VIO = 'vio_01WF000000000000000001';
const T0 = '2026-03-02T09:00:00.000Z';
const BASE = 'https://accord.example';
const SYSTEM = 'system:workflow-remediation';
const ROOT = 'one region cannot do better than 99.5%';
const unrealistic = (over: Record<string, unknown> = {}) => ({
  timeline: [{ at: '2026-03-01T10:00:00Z', event: 'steady 0.5% errors' }],
  rootCause: ROOT,
  contributing: { agreements: [] },
  evidence: [],
  conclusion: 'target-unrealistic' as const,
  actions: [],
  ...over,
});
const remediationLink = { label: 'The remediation', url: `${BASE}/v1/violations/${VIO}/remediation` };

describe('an RCA finding the target unrealistic', () => {
  let w: WorkflowWorld;
  let notes: () => NotifyRequest[];
  let a: AgreementVersion;
  const start = async (over: Partial<AgreementVersion> = {}) => {
    const base = agreementVersion().objectives[0]!;
    a = await activeAgreement(w, {
      objectives: [
        { ...base, owner: OWNER },
        { ...base, id: 'latency', name: 'Latency', target: 95, owner: OWNER },
      ],
      ...over,
    });
    await openRemediation(w, violation(w, a));
  };
  beforeEach(async () => {
    w = await workflowWorld();
    notes = notifySpy(w);
  });

  it('opens a change request with the proposed target for the violated objective, asked by the RCA’s author', async () => {
    await start();
    await w.wf.tasks.complete(owen, rcaTask(VIO), {
      reason: 'analysed',
      rca: unrealistic({ proposedTarget: 99.5 }),
    });
    await w.settle();
    const r = (await w.remediation.get(VIO))!;
    const id = `chg_${hash(`rca|${VIO}`, 20)}`;
    expect(r.rca).toMatchObject({ conclusion: 'target-unrealistic' });
    // Only what the RCA proposed: a target, and no terms key at all.
    expect(r.rca!.proposal).toStrictEqual({ target: 99.5 });
    expect(r.changeRequestId).toBe(id);
    expect(r.changeRequestTaskId).toBeUndefined();
    expect(r.history.slice(2).map((h) => [h.step, h.by, h.detail])).toEqual([
      [
        'change-requested',
        SYSTEM,
        `the target is unrealistic: change request ${id} opened with the RCA's proposed terms (objectives)`,
      ],
      ['credit-final', SYSTEM, 'no service credit applies'],
      ['closed', SYSTEM, `RCA target-unrealistic; 0 action(s) closed; change request ${id} open`],
    ]);
    const cr = (await w.requests.get(id)) as unknown as Record<string, unknown> & {
      proposed: { objectives: { id: string; target: number }[] };
    };
    expect(cr).toMatchObject({
      agreementId: a.id,
      source: 'rca',
      requestedBy: 'owen@example.com',
      summary: `the RCA of ${VIO} finds the target of availability unrealistic`,
      why: `the root cause analysis of ${VIO} concluded that the target of availability cannot be met; the analysis is the provider's own (GET /v1/violations/${VIO}/remediation)`,
    });
    // Red team, wave 35: the RCA is not the parties' to read (its remediation is 404 to them), and every party reads
    // the agreement's change requests: its root cause stays in the remediation.
    expect(JSON.stringify(cr)).not.toContain(ROOT);
    expect(cr.proposed.objectives.map((o) => [o.id, o.target])).toEqual([
      ['availability', 99.5],
      ['latency', 95],
    ]);
    expect(notes().find((n) => n.key.endsWith('/change-requested'))).toEqual({
      key: `remediation/${VIO}/change-requested`,
      topic: `violation:${VIO}`,
      event: 'remediation.change-requested',
      businessUnit: 'payments',
      to: [],
      lists: [{ role: 'sla-manager', businessUnit: 'payments', agreementId: a.id }],
      subject: `Change request: the target of availability (${a.id}) is found unrealistic`,
      paragraphs: [
        `The RCA of violation ${VIO} concludes that the target itself is unrealistic: ${ROOT}`,
        `Change request ${id} proposes new terms and waits for the provider's assessment.`,
      ],
      links: [remediationLink],
      headers: {},
      data: { violationId: VIO },
    });
    // Asked again (a replay), it answers the request already opened and records nothing more.
    const again = await w.wf.remediation.task({
      task: 'open-change-request',
      violationId: VIO,
      executionId: 'x',
    });
    expect(again).toEqual({ changeRequestId: id });
    expect((await w.remediation.get(VIO))!.history).toHaveLength(r.history.length);
  });

  it('proposes other terms with the target, the target replacing that objective in the proposed objectives', async () => {
    await start();
    const terms = {
      customerResponsibilities: ['report incidents within 15 minutes'],
      objectives: a.objectives.map((o) => ({ ...o, target: 90 })),
    };
    const t = (await w.tasks.get(rcaTask(VIO)))!;
    await w.wf.remediation.submitRca(owen, t, unrealistic({ proposedTarget: 99.5, proposedTerms: terms }));
    expect((await w.remediation.get(VIO))!.rca!.proposal).toEqual({ target: 99.5, terms });
    expect(
      await w.wf.remediation.task({ task: 'open-change-request', violationId: VIO, executionId: 'x' }),
    ).toEqual({
      changeRequestId: `chg_${hash(`rca|${VIO}`, 20)}`,
    });
    const cr = (await w.requests.get(`chg_${hash(`rca|${VIO}`, 20)}`)) as unknown as {
      proposed: { customerResponsibilities: string[]; objectives: { id: string; target: number }[] };
    };
    expect(cr.proposed.customerResponsibilities).toEqual(['report incidents within 15 minutes']);
    expect(cr.proposed.objectives.map((o) => [o.id, o.target])).toEqual([
      ['availability', 99.5],
      ['latency', 90],
    ]);
    const detail = (await w.remediation.get(VIO))!.history.at(-1)!.detail;
    expect(detail).toMatch(
      /proposed terms \((customerResponsibilities, objectives|objectives, customerResponsibilities)\)$/,
    );
  });

  it('keeps other terms alone when the RCA proposes no target', async () => {
    await start();
    const t = (await w.tasks.get(rcaTask(VIO)))!;
    const terms = { customerResponsibilities: ['report incidents within 15 minutes'] };
    await w.wf.remediation.submitRca(owen, t, unrealistic({ proposedTerms: terms }));
    // Only what the RCA proposed: terms, and no target key at all.
    expect((await w.remediation.get(VIO))!.rca!.proposal).toStrictEqual({ terms });
    await w.wf.remediation.task({ task: 'open-change-request', violationId: VIO, executionId: 'x' });
    const cr = (await w.requests.get(`chg_${hash(`rca|${VIO}`, 20)}`)) as unknown as {
      proposed: Record<string, unknown>;
    };
    expect(cr.proposed.customerResponsibilities).toEqual(['report incidents within 15 minutes']);
    expect(cr.proposed.objectives).toBeUndefined();
  });

  it('asks the SLA managers for a change request (a task) when the RCA proposes nothing', async () => {
    await start();
    const t = (await w.tasks.get(rcaTask(VIO)))!;
    await w.wf.remediation.submitRca(owen, t, unrealistic({ proposedTarget: undefined }));
    expect((await w.remediation.get(VIO))!.rca).not.toHaveProperty('proposal');
    const [execution] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    const out = await w.wf.remediation.task({
      task: 'open-change-request',
      violationId: VIO,
      executionId: execution!.executionId,
    });
    const id = `tsk_${hash(`change|${VIO}`)}`;
    expect(out).toEqual({ taskId: id });
    expect(await w.tasks.get(id)).toEqual({
      id,
      kind: 'change-assessment',
      workflow: 'remediation',
      executionId: execution!.executionId,
      token: '',
      subject: { type: 'violation', id: VIO },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Change request: the RCA of ${VIO} finds the target of availability (${a.id}) unrealistic`,
      assignees: { roles: ['sla-manager'] },
      status: 'pending',
      createdAt: T0,
      updatedAt: T0,
      externalRef: `CR-${hash(id, 10).toUpperCase()}`,
      data: { agreementId: a.id, objectiveId: 'availability', rootCause: ROOT },
      revision: 1,
    });
    const r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('change-requested');
    expect(r.changeRequestTaskId).toBe(id);
    expect(r.history.at(-1)).toEqual({
      at: T0,
      step: 'change-requested',
      by: SYSTEM,
      detail: `the target is unrealistic: the RCA proposes no terms; task ${id} asks the provider's SLA managers to draft a change request`,
    });
    expect(notes().at(-1)).toEqual({
      key: `remediation/${VIO}/change-requested`,
      topic: `violation:${VIO}`,
      event: 'remediation.change-requested',
      businessUnit: 'payments',
      to: [],
      lists: [{ role: 'sla-manager', businessUnit: 'payments', agreementId: a.id }],
      subject: `Change request: the target of availability (${a.id}) is found unrealistic`,
      paragraphs: [
        `The RCA of violation ${VIO} concludes that the target itself is unrealistic: ${ROOT}`,
        'A change request to the agreement waits for your assessment.',
      ],
      links: [remediationLink],
      headers: {},
      data: { violationId: VIO },
    });
    expect(
      await w.wf.remediation.task({ task: 'close', violationId: VIO, executionId: execution!.executionId }),
    ).toEqual({
      outcome: 'closed',
    });
    expect((await w.remediation.get(VIO))!.history.at(-1)!.detail).toBe(
      'RCA target-unrealistic; 0 action(s) closed; change request open',
    );
    expect((await w.tasks.get(id))?.status).toBe('pending');
  });

  it('asks the SLA managers for a change request naming no root cause when the step runs before any RCA is recorded', async () => {
    await start();
    const out = await w.wf.remediation.task({
      task: 'open-change-request',
      violationId: VIO,
      executionId: 'x',
    });
    const id = `tsk_${hash(`change|${VIO}`)}`;
    expect(out).toEqual({ taskId: id });
    expect((await w.tasks.get(id))?.data).toEqual({
      agreementId: a.id,
      objectiveId: 'availability',
      rootCause: '',
    });
    expect((await w.remediation.get(VIO))!.history.at(-1)!.detail).toBe(
      `the target is unrealistic: the RCA proposes no terms; task ${id} asks the provider's SLA managers to draft a change request`,
    );
    expect(notes().at(-1)!.paragraphs).toEqual([
      `The RCA of violation ${VIO} concludes that the target itself is unrealistic: `,
      'A change request to the agreement waits for your assessment.',
    ]);
  });

  it('falls back to the task, naming why, when the agreement is no longer active', async () => {
    await start({ status: 'expired' });
    await w.wf.tasks.complete(owen, rcaTask(VIO), {
      reason: 'analysed',
      rca: unrealistic({ proposedTarget: 99.5 }),
    });
    await w.settle();
    const r = (await w.remediation.get(VIO))!;
    const id = `tsk_${hash(`change|${VIO}`)}`;
    expect(r.changeRequestId).toBeUndefined();
    expect(r.history.find((h) => h.step === 'change-requested')?.detail).toBe(
      `the target is unrealistic: no change request could be made (agreement ${a.id} is expired: no change request); task ${id} asks the provider's SLA managers to draft a change request`,
    );
    expect(r.status).toBe('closed');
  });

  it.each([
    ['a rule', new BusinessRuleError('the proposal breaks a rule')],
    ['a validation', new ValidationError('the proposal changes nothing')],
    ['a conflict', new ConflictError('the agreement changed')],
  ])('falls back to the task when the change request breaks %s', async (_, error) => {
    await start();
    vi.spyOn(w.wf.changeRequests, 'fromRca').mockRejectedValue(error);
    await w.wf.tasks.complete(owen, rcaTask(VIO), {
      reason: 'analysed',
      rca: unrealistic({ proposedTarget: 99.5 }),
    });
    await w.settle();
    const r = (await w.remediation.get(VIO))!;
    expect(r.history.find((h) => h.step === 'change-requested')?.detail).toContain(
      `no change request could be made (${error.message})`,
    );
  });

  it('fails the remediation on any other error of the change request', async () => {
    await start();
    vi.spyOn(w.wf.changeRequests, 'fromRca').mockRejectedValue(new Error('disk full'));
    await w.wf.tasks.complete(owen, rcaTask(VIO), {
      reason: 'analysed',
      rca: unrealistic({ proposedTarget: 99.5 }),
    });
    await w.settle();
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.status).toBe('failed');
    expect(x!.path.at(-1)).toBe('RemediationFailed');
    expect((await w.remediation.get(VIO))!.status).toBe('rca-due');
  });
});

describe('the service credit of a remediation', () => {
  let w: WorkflowWorld;
  const credit = (final: boolean) =>
    ({
      period: { start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z', final },
      objectiveId: 'availability',
      compliancePercent: 99.5,
      complianceExact: '99.5',
      measured: { good: 995, total: 1000 },
      coverage: 1,
      currency: 'EUR',
      charge: 5000,
      creditPercent: 10,
      amount: 500,
      steps: [],
    }) as unknown as ViolationRecord['credit'];
  beforeEach(async () => {
    w = await workflowWorld();
    const a = await activeAgreement(w);
    await openRemediation(w, violation(w, a, { credit: credit(false) }));
    await w.wf.tasks.complete(owen, rcaTask(VIO), {
      reason: 'analysed',
      rca: unrealistic(),
    });
    await w.settle();
  });

  it('waits for the month to close, then records the final credit and the pass-through claims beside it', async () => {
    let [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.status).toBe('waiting');
    expect(x!.path.slice(-3)).toEqual(['FinaliseCredit', 'CreditDecision', 'AwaitPeriodEnd']);
    expect((await w.remediation.get(VIO))!.status).toBe('change-requested');
    // Credits finalise hourly after the month closes: the wait ends 2 h after the period.
    await w.advance(Date.parse('2026-04-01T01:59:00.000Z') - w.now.ms);
    [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.path.at(-1)).toBe('AwaitPeriodEnd');
    const v = (await w.violations.get(VIO))!;
    await w.violations.update({
      ...v,
      credit: credit(true),
      passThrough: {
        credit: { amount: 500, currency: 'EUR', periodStart: '2026-03-01', periodEnd: '2026-04-01' },
        claims: [
          {
            agreementId: 'agr_ola',
            clauseId: 'c1',
            objectiveId: 'availability',
            violationId: 'vio_2',
            currency: 'EUR',
            amount: 300,
            steps: [],
          },
          {
            agreementId: 'agr_uc',
            clauseId: 'c2',
            objectiveId: 'availability',
            violationId: 'vio_3',
            currency: 'EUR',
            amount: 100,
            steps: [],
          },
        ],
        total: 400,
        uncovered: 100,
        computedAt: '2026-04-01T01:00:00.000Z',
        computedBy: 'system:finalize-credits',
        reason: 'credit final',
      },
    });
    await w.advance(60_000);
    const r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('closed');
    expect(r.credit).toEqual({
      final: true,
      creditPercent: 10,
      amount: 500,
      period: '2026-03-01T00:00:00.000Z/2026-04-01T00:00:00.000Z',
    });
    expect(r.history.slice(-3)).toEqual([
      {
        at: '2026-04-01T02:00:00.000Z',
        step: 'credit-final',
        by: SYSTEM,
        detail: 'credit 10% (500 EUR) for 2026-03-01T00:00:00.000Z to 2026-04-01T00:00:00.000Z',
      },
      {
        at: '2026-04-01T01:00:00.000Z',
        step: 'pass-through',
        by: 'system:finalize-credits',
        detail:
          'pass-through claims: 300 EUR from agr_ola (clause c1); 100 EUR from agr_uc (clause c2); total 400 EUR, 100 EUR not covered by any clause',
      },
      expect.objectContaining({ step: 'closed' }),
    ]);
  });

  it('checks again 2 h from now when the month has already closed, and names no claims when there are none', async () => {
    w.now.ms = Date.parse('2026-04-05T10:00:00.000Z');
    expect(await w.wf.remediation.task({ task: 'credit', violationId: VIO })).toEqual({
      final: false,
      checkAgainAt: '2026-04-05T12:00:00.000Z',
    });
    const v = (await w.violations.get(VIO))!;
    await w.violations.update({
      ...v,
      credit: credit(true),
      passThrough: {
        credit: { amount: 500, currency: 'EUR', periodStart: '2026-03-01', periodEnd: '2026-04-01' },
        claims: [],
        total: 0,
        uncovered: 500,
        computedAt: '2026-04-05T09:00:00.000Z',
        computedBy: 'system:finalize-credits',
        reason: 'credit final',
      },
    });
    expect(await w.wf.remediation.task({ task: 'credit', violationId: VIO })).toEqual({
      final: true,
      checkAgainAt: '',
    });
    const r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('credit');
    expect(r.history.at(-1)!.detail).toBe(
      'pass-through claims: none; total 0 EUR, 500 EUR not covered by any clause',
    );
  });
});

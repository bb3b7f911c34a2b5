import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { BusinessRuleError, ConflictError, NotFoundError } from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { activeAgreement, failure, storedRequest } from '../../helpers/change-request-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const T0 = '2026-03-02T09:00:00.000Z';

describe('automated updates through the change guard (ChangeRequestWorkflow.automated)', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
  });

  it('refuses a material change to approved terms, recording the attempt as a refused request', async () => {
    const objectives = [{ ...a.objectives[0]!, target: 95 }];
    const e = await failure(
      w.wf.changeRequests.automated(
        'import:cmdb',
        a.id,
        { objectives, effectiveTo: '2027-06-30', title: 'From the CMDB' },
        'nightly import',
      ),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `import:cmdb may not change objectives, effectiveTo of agreement ${a.id}: it is active and these terms were approved; ask for a change request`,
    );
    expect(e.details).toEqual([
      { path: 'objectives', problem: 'is an approved term: an automated update cannot override it' },
      { path: 'effectiveTo', problem: 'is an approved term: an automated update cannot override it' },
    ]);
    const [r, ...more] = await w.requests.listBySubject(a.id);
    expect(more).toEqual([]);
    expect(e.context).toEqual({ changeRequestId: r!.id });
    expect(r).toEqual({
      kind: 'change-request',
      id: r!.id,
      agreementId: a.id,
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      baseVersion: 3,
      requestedBy: 'system:import:cmdb',
      requestedAt: T0,
      source: 'import:cmdb',
      summary: 'automated update from import:cmdb',
      why: 'nightly import',
      proposed: { objectives, effectiveTo: '2027-06-30', title: 'From the CMDB' },
      classification: { administrative: ['title'], material: ['objectives', 'effectiveTo'] },
      status: 'refused',
      requiredSignOffs: [],
      signOffs: [],
      history: [
        {
          at: T0,
          step: 'requested',
          by: 'system:import:cmdb',
          detail:
            'automated update from import:cmdb (administrative: title; material: objectives, effectiveTo)',
        },
        {
          at: T0,
          step: 'refused',
          by: 'system:import:cmdb',
          detail: 'would override approved terms: objectives, effectiveTo',
        },
      ],
      revision: 2,
    });
    expect(await w.agreements.get(a.id)).toEqual(a);
    expect(await w.engine.listExecutions({ type: 'agreement', id: a.id })).toEqual([]);
  });

  it('applies administrative fields to an active agreement in force, without its rules checked as a request', async () => {
    const r = await w.wf.changeRequests.automated(
      'import:cmdb',
      a.id,
      { description: 'from the CMDB', title: undefined },
      'nightly import',
    );
    expect(r).toMatchObject({
      status: 'applied',
      appliedVersion: 4,
      source: 'import:cmdb',
      proposed: { description: 'from the CMDB' },
      classification: { administrative: ['description'], material: [] },
    });
    expect(r.history.at(-1)).toEqual({
      at: T0,
      step: 'applied',
      by: 'system:import:cmdb',
      detail: 'version 4',
    });
    expect(await storedRequest(w, r.id)).toEqual(r);
    expect(await w.agreements.get(a.id)).toMatchObject({
      version: 4,
      status: 'active',
      title: a.title,
      description: 'from the CMDB',
      change: 'update',
      changedBy: 'system:workflow-change-request',
      reason: `change request ${r.id}: nightly import`,
      signOffs: a.signOffs,
    });
  });

  it('updates a draft as asked, material terms included (once each)', async () => {
    const d = await activeAgreement(w, { id: 'agr_01WFDRAFT00000000002', status: 'draft', version: 1 });
    const objectives = [{ ...d.objectives[0]!, target: 99 }];
    const r = await w.wf.changeRequests.automated(
      'import:cmdb',
      d.id,
      {
        objectives,
        title: 'Drafted by the CMDB',
        renewal: { autoRenew: true, termMonths: 12, noticeDays: 30, renewalDate: '2027-01-31' },
      },
      'sync',
    );
    expect(r.status).toBe('applied');
    expect(r.appliedVersion).toBe(2);
    expect(r.classification.administrative).toEqual(['title']);
    expect(r.classification.material).toEqual(expect.arrayContaining(['objectives', 'renewal.autoRenew']));
    const after = (await w.agreements.get(d.id))!;
    expect(after).toMatchObject({
      version: 2,
      status: 'draft',
      title: 'Drafted by the CMDB',
      objectives,
      renewal: { autoRenew: true, termMonths: 12, noticeDays: 30, renewalDate: '2027-01-31' },
      change: 'update',
    });
  });

  it('refuses an automated update that changes nothing, and one for an agreement that does not exist', async () => {
    const same = await failure(
      w.wf.changeRequests.automated('import:cmdb', a.id, { title: a.title }, 'sync'),
    );
    expect(same).toBeInstanceOf(BusinessRuleError);
    expect(same.details).toEqual([
      { path: 'proposed', problem: 'every proposed term already has that value (title)' },
    ]);
    const none = await failure(
      w.wf.changeRequests.automated('import:cmdb', 'agr_01WFNONE000000000000', {}, 'x'),
    );
    expect(none).toBeInstanceOf(NotFoundError);
    expect(none.message).toBe('no agreement agr_01WFNONE000000000000');
    expect(none.details).toEqual([{ path: 'agreementId', problem: 'names no agreement' }]);
    expect(await w.requests.listBySubject(a.id)).toEqual([]);
  });

  it('records an automated update whose terms break a rule, then fails it in the agreement use case', async () => {
    // The guard itself does not check the rules (the agreement use case does, on the draft update).
    const d = await activeAgreement(w, { id: 'agr_01WFDRAFT00000000003', status: 'draft', version: 1 });
    const e = await failure(
      w.wf.changeRequests.automated('import:cmdb', d.id, { effectiveTo: '2026-02-01' }, 'sync'),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.message).toBe('the change breaks a rule');
    expect((await w.requests.listBySubject(d.id)).map((r) => r.status)).toEqual(['assessing']);
  });
});

describe('change requests an RCA opens (ChangeRequestWorkflow.fromRca)', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  const rca = (over: Record<string, unknown> = {}) => ({
    violationId: 'vio_1',
    agreementId: a.id,
    requestedBy: 'rita@example.com',
    summary: 'Lower the target',
    why: 'the RCA found 99.9% unrealistic',
    proposed: { objectives: [{ ...a.objectives[0]!, target: 99.5 }] },
    ...over,
  });
  const idOf = (violationId: string) =>
    `chg_${createHash('sha256').update(`rca|${violationId}`).digest('hex').slice(0, 20)}`;
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
  });

  it('opens a request named by its violation, as the RCA author, and starts its workflow once', async () => {
    const r = await w.wf.changeRequests.fromRca(rca());
    expect(r).toMatchObject({
      id: idOf('vio_1'),
      agreementId: a.id,
      requestedBy: 'rita@example.com',
      source: 'rca',
      summary: 'Lower the target',
      why: 'the RCA found 99.9% unrealistic',
      status: 'assessing',
      classification: { administrative: [], material: ['objectives'] },
      executionId: `local:change-request:${idOf('vio_1')}`,
      revision: 2,
    });
    expect(await storedRequest(w, r.id)).toEqual(r);
    expect(r.history[0]!.detail).toBe('Lower the target (administrative: none; material: objectives)');
    await w.settle();
    const again = await w.wf.changeRequests.fromRca(rca({ summary: 'something else' }));
    expect(again).toEqual(await storedRequest(w, r.id));
    expect(again.summary).toBe('Lower the target');
    const xs = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect(xs.map((x) => [x.workflow, x.name, x.status])).toEqual([['change-request', r.id, 'waiting']]);
    expect((await w.tasks.list({ subjectId: r.id } as never)).map((t) => t.kind)).toEqual([
      'change-assessment',
    ]);
  });

  it('starts the workflow of a request recorded before a crash, without recording it again', async () => {
    const r = await w.wf.changeRequests.fromRca(rca());
    const stored = await storedRequest(w, r.id);
    const { executionId: _x, ...crashed } = stored;
    await w.requests.put({ ...crashed, revision: stored.revision } as never, stored.revision);
    // The agreement moved on meanwhile: the recorded request is still started, not refused.
    await w.agreements.append({ ...a, version: 4, status: 'expired', change: 'expire', reason: 'ended' });
    const replay = await w.wf.changeRequests.fromRca(rca());
    expect(replay).toMatchObject({
      id: r.id,
      executionId: `local:change-request:${r.id}`,
      summary: r.summary,
    });
    expect(replay.history).toEqual(stored.history);
  });

  it('refuses an RCA change to an agreement that is not active or does not exist', async () => {
    const d = await activeAgreement(w, { id: 'agr_01WFDRAFT00000000004', status: 'draft', version: 1 });
    const draft = await failure(w.wf.changeRequests.fromRca(rca({ agreementId: d.id })));
    expect(draft).toBeInstanceOf(ConflictError);
    expect(draft.message).toBe(`agreement ${d.id} is draft: no change request`);
    expect(draft.details).toEqual([{ path: 'status', problem: 'is draft' }]);
    const gone = await failure(
      w.wf.changeRequests.fromRca(rca({ violationId: 'vio_2', agreementId: 'agr_01WFNONE000000000000' })),
    );
    expect(gone).toBeInstanceOf(ConflictError);
    expect(gone.message).toBe('agreement agr_01WFNONE000000000000 is missing: no change request');
    expect(gone.details).toEqual([{ path: 'status', problem: 'is missing' }]);
    expect(await storedRequest(w, idOf('vio_1'))).toBeUndefined();
  });

  it('refuses an RCA proposal that breaks a rule (the caller falls back to a task)', async () => {
    const e = await failure(
      w.wf.changeRequests.fromRca(rca({ proposed: { effectiveTo: '2026-01-01', x: undefined } })),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e.details as { path: string }[]).map((d) => d.path)).toEqual([
      'proposed.effectiveTo',
      'proposed.effectiveTo',
    ]);
    expect(await storedRequest(w, idOf('vio_1'))).toBeUndefined();
  });

  it('does not take a freeze exception under the same id for the request it opened', async () => {
    await w.requests.put(
      {
        kind: 'freeze-exception',
        id: idOf('vio_1'),
        serviceId: 'svc_payments-gateway',
        businessUnit: 'payments',
        from: T0,
        to: T0,
        reason: 'r',
        change: 'c',
        requestedBy: 'x',
        requestedAt: T0,
        status: 'pending',
        taskId: 'tsk_x',
        history: [],
        revision: 0,
        executionId: 'local:x',
      } as never,
      0,
    );
    // Not a change request: not returned as one; the slot is taken, so recording the request conflicts.
    const e = await failure(w.wf.changeRequests.fromRca(rca()));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe('another change request was made at the same instant: try again');
  });
});

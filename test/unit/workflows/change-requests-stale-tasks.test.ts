import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { WorkTask } from '../../../shared/ports/tasks.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import {
  activeAgreement,
  approverAs,
  customerViewer,
  failure,
  otherProviderManager,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

/**
 * Red team, wave 35: a task read while it still waited, acted on after the request moved on. Completing a task reads
 * it, then records the decision on the request, then settles the task; a withdrawal or another person's decision in
 * between (two requests in flight, on an adapter whose reads and writes take real time) must not change the request:
 * the request decides, and the late decision is a 409 naming the request's state.
 */
describe('change requests: a decision made on a task read before the request moved on', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let r: ChangeRequestRecord;
  const paula = principal({
    subject: 'paula@payments.example',
    roles: ['sla-manager'],
    businessUnits: ['payments'],
  });
  const pending = async (): Promise<WorkTask[]> =>
    (await w.tasks.list({ subjectId: r.id, status: 'pending' })).sort((x, y) =>
      String(x.assignees.capacity).localeCompare(String(y.assignees.capacity)),
    );
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
    r = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'A lower target',
      why: 'we cannot meet it',
      proposed: { objectives: [{ ...a.objectives[0]!, target: 99 }] },
    } as never);
    await w.settle();
  });

  it('a withdrawn request is neither assessed nor rejected by its assessment task read while it waited', async () => {
    const [t] = await pending();
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'not needed any more');
    for (const decision of ['rejected', 'approved'] as const) {
      const e = await failure(
        w.wf.changeRequests.assess(otherProviderManager, t!, { decision, reason: 'late' }),
      );
      expect(e).toBeInstanceOf(ConflictError);
      expect(e.message).toBe(`change request ${r.id} is withdrawn: it no longer waits for an assessment`);
      expect(e.details).toEqual([{ path: 'status', problem: 'is withdrawn' }]);
      expect(e.context).toEqual({ state: 'withdrawn' });
    }
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('withdrawn');
    expect(x.assessment).toBeUndefined();
    expect(x.history.map((h) => h.step)).not.toContain('assessment-rejected');
  });

  it("a second assessor's decision does not overturn the first one's", async () => {
    const [t] = await pending();
    await w.wf.changeRequests.assess(otherProviderManager, t!, { decision: 'approved', reason: 'fine' });
    const e = await failure(w.wf.changeRequests.assess(paula, t!, { decision: 'rejected', reason: 'no' }));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `change request ${r.id} was assessed already (accepted by pete@payments.example): it no longer waits for an assessment`,
    );
    expect(e.details).toEqual([{ path: 'status', problem: 'is assessing, assessed' }]);
    expect(e.context).toEqual({ state: 'assessing' });
    const x = await storedRequest(w, r.id);
    expect(x.assessment).toMatchObject({ decision: 'accepted', by: 'pete@payments.example' });
    expect(x.status).toBe('assessing');
  });

  it('a withdrawn request takes no sign-off from a task read while it waited', async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(otherProviderManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo] = await pending();
    expect(bo!.kind).toBe('change-signoff');
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'not needed any more');
    const e = await failure(
      w.wf.changeRequests.signOff(approverAs('business-owner'), bo!, {
        decision: 'rejected',
        reason: 'late',
      }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(`change request ${r.id} is withdrawn: it no longer waits for a sign-off`);
    expect(e.details).toEqual([{ path: 'status', problem: 'is withdrawn' }]);
    expect(e.context).toEqual({ state: 'withdrawn' });
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('withdrawn');
    expect(x.signOffs).toEqual([]);
  });

  it("another holder of a capacity does not overturn that capacity's sign-off", async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(otherProviderManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo] = await pending();
    await w.wf.changeRequests.signOff(approverAs('business-owner'), bo!, {
      decision: 'approved',
      reason: 'yes',
    });
    const e = await failure(
      w.wf.changeRequests.signOff(approverAs('business-owner', 'bob@approvers.example'), bo!, {
        decision: 'rejected',
        reason: 'no',
      }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `change request ${r.id} was signed as business-owner already (approved by business-owner@approvers.example)`,
    );
    expect(e.details).toEqual([{ path: 'capacity', problem: 'business-owner has signed' }]);
    expect(e.context).toEqual({ state: 'signing' });
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('signing');
    expect(x.signOffs).toMatchObject([{ capacity: 'business-owner', decision: 'approved' }]);
  });

  it('a sign-off plan that meets a request withdrawn after its acceptance leaves it withdrawn and asks for no sign-off', async () => {
    const [t] = await pending();
    await w.wf.changeRequests.assess(otherProviderManager, t!, { decision: 'approved', reason: 'fine' });
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'not needed any more');
    await w.settle();
    const planned = (await w.wf.changeRequests.task({ task: 'plan-signoffs', changeRequestId: r.id })) as {
      needed: boolean;
    };
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('withdrawn');
    expect(planned.needed).toBe(false);
    expect(x.requiredSignOffs).toEqual([]);
    expect(x.history.map((h) => h.step)).not.toContain('signing');
    expect(await pending()).toEqual([]);
  });

  it('a sign-off plan that read the request just before it was withdrawn does not move it back to signing', async () => {
    const [t] = await pending();
    await w.wf.changeRequests.assess(otherProviderManager, t!, { decision: 'approved', reason: 'fine' });
    const before = await storedRequest(w, r.id);
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'not needed any more');
    await w.settle();
    // The step's first read still sees the accepted request; its write meets the withdrawn one.
    vi.spyOn(w.requests, 'get').mockResolvedValueOnce(before);
    await w.wf.changeRequests.task({ task: 'plan-signoffs', changeRequestId: r.id });
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('withdrawn');
    expect(x.requiredSignOffs).toEqual([]);
  });
});

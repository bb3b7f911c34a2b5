import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { agreementBody, agreementVersion, principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// The approval workflow's link to the agreement use cases (`changed`, the hook after every committed change): a
// submission starts an execution, a withdrawal or a sign-off settles the person's task and answers the engine.

const AGR = 'agr_01APPROVALHOOKS00000001';
const EXEC = 'local:approval:hooks-test';
const T0 = '2026-03-02T09:00:00.000Z';

let w: WorkflowWorld;
let submitted: AgreementVersion;

/** The task of a capacity, created by the approval's own callback step (as the engine would run it). */
const ask = (capacity: string) =>
  w.wf.approval.task({
    task: 'await-signoff',
    agreementId: AGR,
    version: 2,
    capacity,
    dueAt: '2026-03-04T08:00:00.000Z',
    round: 0,
    executionId: EXEC,
    taskToken: `tok-${capacity}`,
  }) as Promise<{ taskId: string }>;

beforeEach(async () => {
  w = await workflowWorld({ now: T0 });
  submitted = {
    ...agreementVersion({ id: AGR }),
    version: 2,
    status: 'submitted',
    change: 'submit',
    reason: 'ready for sign-off',
  };
  await w.agreements.create({ ...submitted, version: 1, status: 'draft', change: 'create' });
  await w.agreements.append(submitted);
});

describe('a submission', () => {
  it('starts the approval execution of that version, named after it', async () => {
    const start = vi.spyOn(w.engine, 'start').mockResolvedValue({ executionId: 'x', started: true });
    await w.wf.approval.changed(submitted);
    expect(start.mock.calls).toEqual([
      [
        {
          workflow: 'approval',
          name: `${AGR}-v2`,
          subject: { type: 'agreement', id: AGR },
          input: { agreementId: AGR, version: 2 },
        },
      ],
    ]);
  });
});

describe('a withdrawal', () => {
  it("cancels each pending sign-off task of the agreement and fails its token as Withdrawn, with the withdrawal's reason", async () => {
    const so = await ask('service-owner');
    const bo = await ask('business-owner');
    const { revision: _r, ...template } = (await w.tasks.get(so.taskId))!;
    // A sign-off of another agreement, and a pending task of another kind about this one.
    const elsewhere = await w.tasks.upsert({
      ...template,
      id: 'tsk_elsewhere',
      token: 'tok-x',
      subject: { type: 'agreement', id: 'agr_01ANOTHERAGREEMENT000001' },
    });
    const review = await w.tasks.upsert({
      ...template,
      id: 'tsk_review',
      kind: 'review',
      token: 'tok-review',
    });
    const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    w.now.ms += 3_600_000;
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      status: 'draft',
      change: 'withdraw',
      reason: 'scope changes',
    });
    expect(failure.mock.calls.sort()).toEqual([
      ['tok-business-owner', 'Withdrawn', 'withdrawn: scope changes'],
      ['tok-service-owner', 'Withdrawn', 'withdrawn: scope changes'],
    ]);
    expect(success).not.toHaveBeenCalled();
    for (const id of [so.taskId, bo.taskId]) {
      const t = await w.tasks.get(id);
      expect(t).toMatchObject({
        status: 'cancelled',
        outcome: { decision: 'withdrawn', reason: 'scope changes' },
        updatedAt: '2026-03-02T10:00:00.000Z',
        settledAt: '2026-03-02T10:00:00.000Z',
        revision: 2,
      });
      expect(t?.outcome).toEqual({ decision: 'withdrawn', reason: 'scope changes' });
      expect(t).not.toHaveProperty('settledBy');
    }
    expect(await w.tasks.get(elsewhere.id)).toEqual(elsewhere);
    expect(await w.tasks.get('tsk_review')).toEqual(review);
  });
});

describe('a sign-off', () => {
  it("completes the capacity's task with the decision, who made it and why, and answers its token with it", async () => {
    const so = await ask('service-owner');
    const bo = await ask('business-owner');
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    w.now.ms += 3_600_000;
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      change: 'signoff:business-owner:approved',
      changedBy: 'bea@example.com',
      reason: 'fine by me',
    });
    const outcome = {
      decision: 'approved',
      by: 'bea@example.com',
      reason: 'approved: fine by me',
      version: 3,
    };
    expect(success.mock.calls).toEqual([['tok-business-owner', outcome]]);
    expect(await w.tasks.get(bo.taskId)).toMatchObject({
      status: 'completed',
      outcome,
      settledBy: 'bea@example.com',
      settledAt: '2026-03-02T10:00:00.000Z',
      updatedAt: '2026-03-02T10:00:00.000Z',
    });
    expect((await w.tasks.get(so.taskId))?.status).toBe('pending');
  });

  it.each([
    ['service-owner', 'business-owner'],
    ['business-owner', 'service-owner'],
  ])('settles the task of the capacity that signed (%s) and no other (%s)', async (signer, other) => {
    const tasks = {
      'service-owner': await ask('service-owner'),
      'business-owner': await ask('business-owner'),
    };
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      change: `signoff:${signer}:approved`,
      changedBy: 'someone@example.com',
      reason: 'ok',
    });
    expect(success.mock.calls.map((c) => c[0])).toEqual([`tok-${signer}`]);
    expect((await w.tasks.get(tasks[signer as 'service-owner'].taskId))?.status).toBe('completed');
    expect((await w.tasks.get(tasks[other as 'service-owner'].taskId))?.status).toBe('pending');
  });

  it('marks the task rejected on a rejection, and answers the token with the rejection', async () => {
    const bo = await ask('business-owner');
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      status: 'draft',
      change: 'signoff:business-owner:rejected',
      changedBy: 'bea@example.com',
      reason: 'targets too low',
    });
    const outcome = {
      decision: 'rejected',
      by: 'bea@example.com',
      reason: 'rejected: targets too low',
      version: 3,
    };
    expect(success.mock.calls).toEqual([['tok-business-owner', outcome]]);
    expect(await w.tasks.get(bo.taskId)).toMatchObject({
      status: 'rejected',
      outcome,
      settledBy: 'bea@example.com',
    });
  });

  it('leaves the engine alone when no task of the capacity waits (the follow-up sees the decision)', async () => {
    const so = await ask('service-owner');
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      change: 'signoff:business-owner:approved',
      changedBy: 'bea@example.com',
    });
    expect(success).not.toHaveBeenCalled();
    expect((await w.tasks.get(so.taskId))?.revision).toBe(1);
  });

  it('settles the task even when its token no longer waits (a conflict from the engine)', async () => {
    const bo = await ask('business-owner');
    vi.spyOn(w.engine, 'sendTaskSuccess').mockRejectedValue(new ConflictError('no task waits on this token'));
    await w.wf.approval.changed({
      ...submitted,
      version: 3,
      change: 'signoff:business-owner:approved',
      changedBy: 'bea@example.com',
    });
    expect((await w.tasks.get(bo.taskId))?.status).toBe('completed');
  });

  it('lets any other failure of the engine through', async () => {
    await ask('business-owner');
    const boom = new Error('engine down');
    vi.spyOn(w.engine, 'sendTaskSuccess').mockRejectedValue(boom);
    await expect(
      w.wf.approval.changed({
        ...submitted,
        version: 3,
        change: 'signoff:business-owner:approved',
        changedBy: 'bea@example.com',
      }),
    ).rejects.toBe(boom);
  });
});

describe('any other change', () => {
  it('starts nothing and answers nothing', async () => {
    const so = await ask('service-owner');
    const start = vi.spyOn(w.engine, 'start');
    const success = vi.spyOn(w.engine, 'sendTaskSuccess');
    const failure = vi.spyOn(w.engine, 'sendTaskFailure');
    await w.wf.approval.changed({ ...submitted, version: 3, change: 'update', reason: 'typo' });
    expect(start).not.toHaveBeenCalled();
    expect(success).not.toHaveBeenCalled();
    expect(failure).not.toHaveBeenCalled();
    expect((await w.tasks.get(so.taskId))?.revision).toBe(1);
  });
});

describe('the approval on the real engine', () => {
  const manager = principal({
    subject: 'sam@example.com',
    roles: ['sla-manager'],
    businessUnits: ['payments'],
  });
  const approver = (capacity: string) =>
    principal({
      subject: `${capacity}@example.com`,
      roles: ['approver'],
      signOffCapacities: [capacity as never],
    });

  it('activates the agreement on its effective date once every capacity signed, and closes with that', async () => {
    const a = await w.useCases.create(manager, agreementBody({ effectiveFrom: '2026-03-03' }));
    const s = await w.useCases.submit(manager, a.id, 1, 'ready');
    await w.settle();
    let v = s.version;
    for (const c of ['business-owner', 'governance-board', 'service-owner']) {
      v = (
        await w.useCases.signOff(approver(c), a.id, v, {
          capacity: c as never,
          decision: 'approved',
          reason: 'ok',
        })
      ).version;
      await w.settle();
    }
    expect((await w.agreements.get(a.id))?.status).toBe('approved');
    await w.advance(24 * 3_600_000);
    expect((await w.agreements.get(a.id))?.status).toBe('active');
    const [e] = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect([e?.name, e?.status, e?.output]).toEqual([
      `${a.id}-v2`,
      'succeeded',
      { outcome: 'activated', reason: 'active from version 6' },
    ]);
  });

  it('ends the execution as rejected when a capacity rejects, cancelling the other sign-offs', async () => {
    const a = await w.useCases.create(manager, agreementBody({ effectiveFrom: '2026-03-03' }));
    await w.useCases.submit(manager, a.id, 1, 'ready');
    await w.settle();
    await w.useCases.signOff(approver('business-owner'), a.id, 2, {
      capacity: 'business-owner',
      decision: 'rejected',
      reason: 'too low',
    });
    await w.settle();
    const [e] = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect([e?.status, e?.output]).toEqual([
      'succeeded',
      { outcome: 'rejected', reason: 'rejected: too low' },
    ]);
    const tasks = await w.tasks.list({ subjectId: a.id });
    expect(tasks.map((t) => [t.assignees.capacity, t.status]).sort()).toEqual([
      ['business-owner', 'rejected'],
      ['governance-board', 'cancelled'],
      ['service-owner', 'cancelled'],
    ]);
  });
});

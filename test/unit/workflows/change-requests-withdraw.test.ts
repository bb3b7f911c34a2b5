import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { editStored, oneRequestWorld, storedRequest } from '../../helpers/change-request-world.js';
import type { WorkflowWorld } from '../../helpers/workflow-world.js';

/**
 * A withdrawn change request met again by its workflow: a replay after a crash between the withdrawal's write and the
 * failing of its callbacks, a heartbeat's follow-up, or a sign-off step entered late. None may open a task again,
 * remind anyone, or leave the execution waiting.
 */
describe('change requests: the steps of a request withdrawn while no callback was answered', () => {
  let w: WorkflowWorld;
  let sent: NotifyRequest[];
  let r: ChangeRequestRecord;
  beforeEach(async () => {
    ({ w, sent, r } = await oneRequestWorld({ summary: 'Rename', why: 'the name is wrong' }));
    await w.settle();
    // The crash: the request is recorded withdrawn, but its task and callback were never told.
    await editStored(w, r.id, (x) => ({
      ...x,
      status: 'withdrawn',
      history: [
        ...x.history,
        { at: x.requestedAt, step: 'withdrawn', by: 'vic@retail.example', detail: 'not needed' },
      ],
    }));
    sent.length = 0;
  });
  const pending = () => w.tasks.list({ subjectId: r.id, status: 'pending' });

  for (const step of [
    { task: 'await-assessment' },
    { task: 'await-signoff', capacity: 'service-owner' },
  ] as const) {
    it(`${step.task}: fails the new callback with Withdrawn and cancels the open task instead of opening one`, async () => {
      expect(await pending()).toHaveLength(1);
      const fail = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
      const success = vi.spyOn(w.engine, 'sendTaskSuccess');
      await w.wf.changeRequests.task({
        ...step,
        changeRequestId: r.id,
        dueAt: '2026-03-04T09:00:00.000Z',
        round: 3,
        executionId: r.executionId,
        taskToken: 'tok_replay',
      });
      expect(fail.mock.calls.at(-1)).toEqual([
        'tok_replay',
        'Withdrawn',
        'withdrawn by vic@retail.example: not needed',
      ]);
      expect(success).not.toHaveBeenCalled();
      expect(await pending()).toEqual([]);
      const [t] = await w.tasks.list({ subjectId: r.id });
      expect(t).toMatchObject({
        status: 'cancelled',
        outcome: { decision: 'withdrawn' },
        settledBy: 'system',
      });
      expect(sent).toEqual([]);
    });
  }

  it('red team, wave 35: an apply step that meets it (withdrawn after the last sign-off, before the workflow applied it) changes nothing and ends it withdrawn', async () => {
    const before = await w.agreements.get(r.agreementId);
    expect(await w.wf.changeRequests.task({ task: 'apply', changeRequestId: r.id })).toEqual({
      status: 'withdrawn',
      reason: 'withdrawn by vic@retail.example: not needed',
    });
    expect(await w.agreements.get(r.agreementId)).toEqual(before);
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('withdrawn');
    expect(x.appliedVersion).toBeUndefined();
    expect(x.history.map((h) => h.step)).toEqual(['requested', 'withdrawn']);
  });

  it('a follow-up woken by the heartbeat reminds and escalates no one', async () => {
    w.now.ms = Date.parse('2026-03-20T00:00:00.000Z');
    await w.wf.changeRequests.task({
      task: 'follow-up',
      step: 'assessment',
      changeRequestId: r.id,
      dueAt: '2026-03-04T09:00:00.000Z',
      round: 4,
      reminders: 0,
      level: 0,
    });
    expect(sent).toEqual([]);
  });
});

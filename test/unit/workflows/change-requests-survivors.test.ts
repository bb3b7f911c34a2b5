import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  customerViewer,
  providerManager,
  recordNotifications,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

/**
 * The steps of change-request.asl.json called on their own (ChangeRequestWorkflow.task): the assessment of a request
 * whose agreement is gone, the follow-ups of a step already decided or of one request among several, and the apply
 * step's comparisons and reasons. The whole workflow is in change-requests-flow.test.ts.
 */

const H = 3_600_000;
const T0 = '2026-03-02T09:00:00.000Z';
const NONE = 'agr_01WFNONE000000000000';

describe('change requests: the await-assessment and follow-up steps on their own', () => {
  let w: WorkflowWorld;
  let sent: NotifyRequest[];
  let a: AgreementVersion;
  beforeEach(async () => {
    w = await workflowWorld();
    sent = recordNotifications(w);
    a = await activeAgreement(w);
  });
  const ask = (summary: string, proposed: Record<string, unknown> = { title: 'Renamed' }) =>
    w.wf.changeRequests.request(customerViewer, a.id, { summary, why: 'W', proposed } as never);
  const followUp = (r: ChangeRequestRecord, e: Record<string, unknown>) =>
    w.wf.changeRequests.task({
      task: 'follow-up',
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 4,
      reminders: 1,
      level: 0,
      ...e,
    });
  const assessmentTask = async (r: ChangeRequestRecord) =>
    (await w.tasks.list({ subjectId: r.id, status: 'pending' } as never)).find(
      (t) => t.kind === 'change-assessment',
    )!;

  it('asks to assess a change to an agreement no longer on record, naming it by its id', async () => {
    const r = await ask('S');
    const x = await storedRequest(w, r.id);
    await w.requests.put({ ...x, agreementId: NONE }, x.revision);
    await w.wf.changeRequests.task({
      task: 'await-assessment',
      changeRequestId: r.id,
      dueAt: '2026-03-04T09:00:00.000Z',
      round: 0,
      executionId: 'local:x',
      taskToken: 'tok_x',
    });
    expect(sent.map((n) => [n.subject, n.paragraphs[0]])).toEqual([
      [
        `Change request to assess: ${NONE}`,
        `vic@retail.example asks to change the agreement "${NONE}" (${NONE}): S.`,
      ],
    ]);
  });

  it('sends nothing on an overdue follow-up of an assessment already recorded, its progress unchanged', async () => {
    const r = await ask('S');
    await w.settle();
    await w.wf.changeRequests.assess(providerManager, await assessmentTask(r), {
      decision: 'approved',
      reason: 'seen',
    } as never);
    sent.length = 0;
    w.now.ms = Date.parse('2026-03-09T00:00:00.000Z');
    expect(await followUp(r, { step: 'assessment' })).toEqual({
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      reminders: 1,
      level: 0,
    });
    expect(sent).toEqual([]);
  });

  it('escalates an overdue sign-off while no sign-off at all is recorded', async () => {
    const r = await ask('S');
    await w.settle();
    sent.length = 0;
    w.now.ms = Date.parse('2026-03-09T00:00:00.000Z');
    expect(await followUp(r, { step: 'signoff', capacity: 'business-owner' })).toEqual({
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      capacity: 'business-owner',
      reminders: 2,
      level: 1,
    });
    expect(sent.map((n) => n.key)).toEqual([`change-request/${r.id}/signoff-business-owner-escalation-1`]);
  });

  it('links a reminder to the task of its own request, not to a newer request’s', async () => {
    const first = await ask('First');
    await w.settle();
    w.now.ms += H;
    const second = await ask('Second', { title: 'Renamed again' });
    await w.settle();
    const mine = await assessmentTask(first);
    expect((await assessmentTask(second)).id).not.toBe(mine.id);
    sent.length = 0;
    w.now.ms = Date.parse('2026-03-09T00:00:00.000Z');
    await followUp(first, { step: 'assessment' });
    expect(sent.map((n) => [n.key, n.headers, n.data])).toEqual([
      [
        `change-request/${first.id}/assessment--escalation-1`,
        { 'X-Accord-Task': mine.id, 'X-Accord-Task-Ref': mine.externalRef },
        { changeRequestId: first.id, agreementId: a.id, taskId: mine.id },
      ],
    ]);
  });

  it('links an assessment reminder to the assessment task, not to another task of the request that waits', async () => {
    const r = await ask('S');
    await w.settle();
    const mine = await assessmentTask(r);
    // A sign-off task of the same request, newer than the assessment's (listed first).
    await w.tasks.upsert({
      ...mine,
      id: 'tsk_signoff',
      kind: 'change-signoff',
      assignees: { capacity: 'business-owner' },
      createdAt: '2026-03-02T10:00:00.000Z',
    });
    sent.length = 0;
    w.now.ms = Date.parse('2026-03-09T00:00:00.000Z');
    await followUp(r, { step: 'assessment' });
    expect(sent.map((n) => [n.key, n.data])).toEqual([
      [
        `change-request/${r.id}/assessment--escalation-1`,
        { changeRequestId: r.id, agreementId: a.id, taskId: mine.id },
      ],
    ]);
  });
});

describe('change requests: the apply step on its own', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
  });
  const ask = (proposed: Record<string, unknown>) =>
    w.wf.changeRequests.request(customerViewer, a.id, { summary: 'S', why: 'W', proposed } as never);
  const apply = (r: ChangeRequestRecord) =>
    w.wf.changeRequests.task({ task: 'apply', changeRequestId: r.id });
  const edit = async (r: ChangeRequestRecord, f: (x: ChangeRequestRecord) => ChangeRequestRecord) => {
    const x = await storedRequest(w, r.id);
    await w.requests.put(f(x), x.revision);
  };

  it('compares the terms with the version the request was made against, not with the first version', async () => {
    await w.agreements.append({ ...a, version: 4, title: 'Our name', change: 'update', reason: 'renamed' });
    const r = await ask({ title: 'Their name' });
    expect(r.baseVersion).toBe(4);
    expect(await apply(r)).toEqual({ status: 'applied', reason: 'version 5' });
    expect((await w.agreements.get(a.id))!.title).toBe('Their name');
  });

  it('supersedes a request whose agreement is no longer on record', async () => {
    const r = await ask({ title: 'Their name' });
    await edit(r, (x) => ({ ...x, agreementId: NONE }));
    expect(await apply(r)).toEqual({ status: 'superseded', reason: 'the agreement is gone' });
    expect((await storedRequest(w, r.id)).history.at(-1)).toEqual({
      at: T0,
      step: 'superseded',
      by: 'system',
      detail: 'the agreement is gone',
    });
  });

  it('names every term changed since the base version when it supersedes a request', async () => {
    const r = await ask({ title: 'Their name', description: 'Theirs' });
    await w.agreements.append({
      ...a,
      version: 4,
      title: 'Our name',
      description: 'Ours',
      change: 'update',
      reason: 'ours first',
    });
    expect(await apply(r)).toEqual({
      status: 'superseded',
      reason: 'title, description changed since version 3, which the request was made against',
    });
  });

  it('puts only the approving sign-offs of the request on the amended version', async () => {
    const objectives = [{ ...a.objectives[0]!, target: 99.5 }];
    const r = await ask({ objectives });
    const approved = {
      capacity: 'service-owner',
      decision: 'approved' as const,
      by: 'owen@example.com',
      at: T0,
      reason: 'fine',
    };
    await edit(r, (x) => ({
      ...x,
      status: 'signing',
      requiredSignOffs: [{ capacity: 'service-owner', rules: ['any-material-change'] }],
      signOffs: [
        approved,
        { capacity: 'legal', decision: 'rejected', by: 'lee@example.com', at: T0, reason: 'no' },
      ],
    }));
    expect(await apply(r)).toEqual({ status: 'applied', reason: 'version 4' });
    expect((await w.agreements.get(a.id))!.signOffs).toEqual([
      { capacity: 'service-owner', decision: 'approved', by: 'owen@example.com', at: T0, comment: 'fine' },
    ]);
  });

  it('supersedes a request its amendment now refuses, naming every rule it breaks', async () => {
    const r = await ask({
      effectiveTo: '2026-03-10',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-09' },
    });
    w.now.ms = Date.parse('2026-03-11T09:00:00.000Z');
    expect(await apply(r)).toEqual({
      status: 'superseded',
      reason:
        'the change breaks a rule: effectiveTo cannot be backdated: 2026-03-10 is before today (2026-03-11); reviewCycle.nextReviewDate is in the past (today is 2026-03-11)',
    });
  });

  it('supersedes a request with the message alone when the refusal names no field', async () => {
    const r = await ask({ title: 'Their name' });
    vi.spyOn(w.agreements, 'append').mockRejectedValueOnce(
      new ConflictError('another version was written at the same instant'),
    );
    expect(await apply(r)).toEqual({
      status: 'superseded',
      reason: 'another version was written at the same instant',
    });
    expect((await w.agreements.get(a.id))!.version).toBe(3);
  });
});

import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ConflictError, ValidationError } from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { RenewalWorkflow, renewalTaskId, reviewTaskId } from '../../../shared/usecases/workflows/renewals.js';
import { writeHistory } from '../../helpers/agreement-history.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// The hourly renewals job (RenewalWorkflow.run) and the completion of its tasks (complete), on memory stores: the
// reminders before a renewal date and a review date, the tasks they create, auto-renewal unless notice was given,
// and a review's outcome moving the next review on.

const AGR = 'agr_01RENEWALSRUN0000000001';
const TITLE = 'Payments gateway availability for retail banking';
const OWNER = { name: 'Owen Service', email: 'owen@example.com' };
const ESME = { name: 'Esme One', email: 'esme.one@example.com' };
const HAL = { name: 'Hal Two', email: 'hal.two@example.com' };
const LISTS = [
  { role: 'sla-manager', businessUnit: 'payments', agreementId: AGR },
  { role: 'sla-manager', businessUnit: 'retail-banking', agreementId: AGR },
];
const LINK = { label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` };
const empty = { reminded: [], renewed: [], notRenewed: [], overdueReviews: [], held: [] };

/** Active since 2026-03-01, its review far off unless a test says otherwise. */
const active = (over: Partial<AgreementVersion> = {}): Partial<AgreementVersion>[] => [
  {},
  {
    status: 'active',
    change: 'activate',
    effectiveFrom: '2026-03-01',
    effectiveTo: '2027-02-28',
    reviewCycle: { everyMonths: 12, nextReviewDate: '2027-01-15' },
    ...over,
  },
];

let w: WorkflowWorld;
let notify: MockInstance<Notifications['notify']>;
const requests = () => notify.mock.calls.map((c) => c[0] as NotifyRequest);
const at = (iso: string) => {
  w.now.ms = Date.parse(iso);
};

beforeEach(async () => {
  w = await workflowWorld({ now: '2026-03-02T09:00:00.000Z' });
  notify = vi.spyOn(w.wf.notifications, 'notify');
});

describe('the renewal reminder', () => {
  it('creates the renewal task for the SLA managers of the service unit, and tells the owners of an auto-renewing agreement how to stop it', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({
        serviceId: 'svc_platform',
        renewal: { renewalDate: '2026-04-01', noticeDays: 60, autoRenew: true },
      }),
    );
    expect(await w.wf.renewals.run()).toEqual({ ...empty, reminded: [`${AGR}:renewal:30`] });
    const id = renewalTaskId(AGR, '2026-04-01');
    expect(id).toMatch(/^tsk_[0-9a-f]{24}$/);
    const task = await w.tasks.get(id);
    expect(task).toEqual({
      id,
      kind: 'review',
      workflow: 'renewal',
      executionId: `renewals:${AGR}`,
      token: '',
      subject: { type: 'agreement', id: AGR },
      businessUnit: 'platform',
      serviceId: 'svc_platform',
      title: `"${TITLE}" renews by itself on 2026-04-01: give notice by 2026-01-31 to stop it`,
      assignees: { roles: ['sla-manager'] },
      status: 'pending',
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
      dueAt: '2026-01-31T00:00:00.000Z',
      externalRef: expect.stringMatching(/^ACCORD-[0-9A-F]{10}$/),
      data: {
        purpose: 'renewal',
        renewalDate: '2026-04-01',
        noticeBy: '2026-01-31',
        autoRenew: true,
        timeZone: 'Europe/London',
      },
      revision: 1,
    });
    expect(task?.externalRef).toMatch(/[A-F]/);
    expect(requests()).toEqual([
      {
        key: `renewal/${AGR}/2026-04-01/30`,
        topic: `agreement:${AGR}`,
        event: 'renewal.reminder',
        businessUnit: 'payments',
        to: [OWNER],
        lists: LISTS,
        subject: `Renewal in 30 days: ${TITLE} (2026-04-01)`,
        paragraphs: [
          `SLA "${TITLE}" (${AGR}) reaches its renewal date on 2026-04-01.`,
          'It renews by itself for 12 months unless notice is given by 2026-01-31 (60 days before).',
        ],
        links: [{ label: 'Your task', url: `https://accord.example/v1/tasks/${id}` }, LINK],
        headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, taskId: id },
      },
    ]);
  });

  it('asks for a decision on an agreement that does not renew by itself, and keeps its task on the next run', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({
        parties: {
          provider: { type: 'business-unit', businessUnit: 'payments' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        renewal: { renewalDate: '2026-05-01', noticeDays: 30, autoRenew: false },
      }),
    );
    expect(await w.wf.renewals.run()).toEqual({ ...empty, reminded: [`${AGR}:renewal:90`] });
    const id = renewalTaskId(AGR, '2026-05-01');
    expect(await w.tasks.get(id)).toMatchObject({
      title: `"${TITLE}" is up for renewal on 2026-05-01: decide whether to renew`,
      dueAt: '2026-05-01T00:00:00.000Z',
      data: { autoRenew: false, noticeBy: '2026-04-01' },
    });
    expect(requests().map((r) => [r.lists, r.paragraphs[1]])).toEqual([
      [
        [{ role: 'sla-manager', businessUnit: 'payments', agreementId: AGR }],
        'It does not renew by itself: decide whether to renew it, and draft the new terms in time.',
      ],
    ]);
    at('2026-03-02T10:00:00.000Z');
    await w.wf.renewals.run();
    expect(await w.tasks.get(id)).toMatchObject({ revision: 1, createdAt: '2026-03-02T09:00:00.000Z' });
  });

  it("counts the days in the agreement's own time zone", async () => {
    at('2026-03-02T11:00:00.000Z');
    await writeHistory(
      w.agreements,
      AGR,
      active({
        timeZone: 'Pacific/Kiritimati',
        renewal: { renewalDate: '2026-04-02', noticeDays: 10, autoRenew: false },
      }),
    );
    // 2026-03-03 there: 30 days left (31 in London).
    expect((await w.wf.renewals.run()).reminded).toEqual([`${AGR}:renewal:30`]);
  });

  it('does nothing before the first offset, nor on the date of an agreement that does not renew by itself', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ renewal: { renewalDate: '2026-06-01', noticeDays: 30, autoRenew: false } }),
    );
    expect(await w.wf.renewals.run()).toEqual(empty);
    at('2026-06-01T09:00:00.000Z');
    expect(await w.wf.renewals.run()).toEqual(empty);
    const renew = vi.spyOn(w.useCases, 'renew');
    expect(renew).not.toHaveBeenCalled();
    expect(requests()).toEqual([]);
  });
});

describe('the renewal date of an auto-renewing agreement', () => {
  const autoRenewing = (over: Partial<AgreementVersion> = {}) =>
    writeHistory(
      w.agreements,
      AGR,
      active({ renewal: { renewalDate: '2026-03-02', noticeDays: 30, autoRenew: true }, ...over }),
    );
  const renewalTask = renewalTaskId(AGR, '2026-03-02');

  it('renews it for the term by a new version, completes its pending task and tells the owners', async () => {
    await autoRenewing();
    // Its task from an earlier reminder.
    at('2026-02-27T09:00:00.000Z');
    await w.wf.renewals.run();
    at('2026-03-02T09:00:00.000Z');
    notify.mockClear();
    expect(await w.wf.renewals.run()).toEqual({ ...empty, renewed: [AGR] });
    expect(await w.agreements.get(AGR)).toMatchObject({
      version: 3,
      change: 'renew',
      changedBy: 'system:workflow-renewal',
      reason: 'auto-renewal on 2026-03-02 for 12 months (no notice given by 2026-01-31)',
      renewal: { renewalDate: '2027-03-02' },
      effectiveTo: '2028-02-28',
    });
    expect(await w.tasks.get(renewalTask)).toMatchObject({
      status: 'completed',
      outcome: { renewed: 3 },
      settledBy: 'system:workflow-renewal',
      settledAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
      revision: 2,
    });
    expect(requests()).toEqual([
      {
        key: `renewal/${AGR}/2026-03-02/renewed`,
        topic: `agreement:${AGR}`,
        event: 'renewal.renewed',
        businessUnit: 'payments',
        to: [OWNER],
        lists: LISTS,
        subject: `Renewed: ${TITLE} until 2028-02-28`,
        paragraphs: [
          `SLA "${TITLE}" (${AGR}) renewed by itself on 2026-03-02 for 12 months (version 3).`,
          'Next renewal date: 2027-03-02.',
        ],
        links: [LINK],
        headers: {},
        data: { agreementId: AGR },
      },
    ]);
  });

  it('names the next renewal date as the end of an agreement with no end date, and creates no task', async () => {
    await autoRenewing({ effectiveTo: undefined });
    at('2026-03-05T09:00:00.000Z');
    expect(await w.wf.renewals.run()).toEqual({ ...empty, renewed: [AGR] });
    expect(requests().map((r) => r.subject)).toEqual([`Renewed: ${TITLE} until 2027-03-02`]);
    expect(await w.tasks.get(renewalTask)).toBeUndefined();
  });

  it('does not renew it when notice was given in time, and says so', async () => {
    await autoRenewing();
    at('2026-01-20T09:00:00.000Z');
    await w.wf.renewals.run();
    const t = (await w.tasks.get(renewalTask))!;
    await w.tasks.update(
      {
        ...t,
        status: 'rejected',
        outcome: { notice: true, noticeInTime: true, noticeBy: '2026-01-31' },
        settledBy: 'bea@example.com',
      },
      t.revision,
    );
    at('2026-03-02T09:00:00.000Z');
    notify.mockClear();
    expect(await w.wf.renewals.run()).toEqual({ ...empty, notRenewed: [AGR] });
    expect((await w.agreements.get(AGR))?.version).toBe(2);
    expect(requests()).toEqual([
      {
        key: `renewal/${AGR}/2026-03-02/not-renewed`,
        topic: `agreement:${AGR}`,
        event: 'renewal.not-renewed',
        businessUnit: 'payments',
        to: [OWNER],
        lists: LISTS,
        subject: `Not renewed (notice given): ${TITLE}`,
        paragraphs: [
          `SLA "${TITLE}" (${AGR}) reached its renewal date 2026-03-02; notice was given by bea@example.com, so it does not renew.`,
          'It ends after 2027-02-28.',
        ],
        links: [LINK],
        headers: {},
        data: { agreementId: AGR },
      },
    ]);
  });

  it('says an agreement not renewed with no end date is to be sunset', async () => {
    await autoRenewing({ effectiveTo: undefined });
    at('2026-01-20T09:00:00.000Z');
    await w.wf.renewals.run();
    const t = (await w.tasks.get(renewalTask))!;
    await w.tasks.update(
      { ...t, status: 'rejected', outcome: { notice: true, noticeInTime: true } },
      t.revision,
    );
    at('2026-03-02T09:00:00.000Z');
    notify.mockClear();
    await w.wf.renewals.run();
    expect(requests().map((r) => r.paragraphs[1])).toEqual([
      'It has no end date: sunset it when the service ends.',
    ]);
  });

  it('renews it when the notice came too late, leaving the settled task as it is', async () => {
    await autoRenewing();
    at('2026-01-20T09:00:00.000Z');
    await w.wf.renewals.run();
    const t = (await w.tasks.get(renewalTask))!;
    const late = { ...t, status: 'rejected' as const, outcome: { notice: true, noticeInTime: false } };
    await w.tasks.update(late, t.revision);
    at('2026-03-02T09:00:00.000Z');
    expect(await w.wf.renewals.run()).toEqual({ ...empty, renewed: [AGR] });
    expect(await w.tasks.get(renewalTask)).toEqual({ ...late, revision: t.revision + 1 });
  });

  it('holds an agreement the renewal refuses, naming why, and goes on with the others', async () => {
    await autoRenewing();
    await writeHistory(
      w.agreements,
      'agr_01RENEWALSRUN0000000002',
      active({ renewal: { renewalDate: '2026-03-02', noticeDays: 30, autoRenew: true } }),
    );
    const renew = w.useCases.renew.bind(w.useCases);
    vi.spyOn(w.useCases, 'renew').mockImplementation((p, id, ...rest) =>
      id === AGR ? Promise.reject(new ConflictError('someone else is changing it')) : renew(p, id, ...rest),
    );
    expect(await w.wf.renewals.run()).toEqual({
      ...empty,
      renewed: ['agr_01RENEWALSRUN0000000002'],
      held: [{ id: AGR, reason: 'someone else is changing it' }],
    });
  });

  it('lets a failure that is not a domain refusal through', async () => {
    await autoRenewing();
    const boom = new Error('disk full');
    vi.spyOn(w.useCases, 'renew').mockRejectedValue(boom);
    await expect(w.wf.renewals.run()).rejects.toBe(boom);
  });
});

describe('the periodic review', () => {
  it('reminds the owners of a review coming up and creates its task', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-22' } }),
    );
    expect(await w.wf.renewals.run()).toEqual({ ...empty, reminded: [`${AGR}:review:30`] });
    const id = reviewTaskId(AGR, '2026-03-22');
    expect(id).toMatch(/^tsk_[0-9a-f]{24}$/);
    expect(id).not.toBe(renewalTaskId(AGR, '2026-03-22'));
    const task = await w.tasks.get(id);
    expect(task).toMatchObject({
      kind: 'review',
      title: `Review "${TITLE}" by 2026-03-22: record its outcome (the next review follows every 6 months)`,
      dueAt: '2026-03-22T00:00:00.000Z',
      data: { purpose: 'review', reviewDate: '2026-03-22' },
    });
    expect(task?.data).toEqual({ purpose: 'review', reviewDate: '2026-03-22' });
    expect(requests()).toEqual([
      {
        key: `review/${AGR}/2026-03-22/30`,
        topic: `agreement:${AGR}`,
        event: 'review.reminder',
        businessUnit: 'payments',
        to: [OWNER],
        lists: LISTS,
        subject: `Review in 20 days: ${TITLE} (2026-03-22)`,
        paragraphs: [`The periodic review of SLA "${TITLE}" (${AGR}) is due on 2026-03-22.`],
        links: [{ label: 'Your task', url: `https://accord.example/v1/tasks/${id}` }, LINK],
        headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, taskId: id },
      },
    ]);
  });

  it('tells level 1 of the escalation matrix of an overdue review without an outcome', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({
        reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-01' },
        escalation: [
          { level: 2, afterMinutes: 60, role: 'head', contact: HAL },
          { level: 1, afterMinutes: 0, role: 'manager', contact: ESME },
        ],
      }),
    );
    expect(await w.wf.renewals.run()).toEqual({ ...empty, overdueReviews: [AGR] });
    const id = reviewTaskId(AGR, '2026-03-01');
    const task = await w.tasks.get(id);
    expect(task?.status).toBe('pending');
    expect(requests()).toEqual([
      {
        key: `review/${AGR}/2026-03-01/overdue`,
        topic: `agreement:${AGR}`,
        event: 'review.overdue',
        businessUnit: 'payments',
        to: [ESME, OWNER],
        lists: LISTS,
        subject: `Overdue review: ${TITLE} (due 2026-03-01)`,
        paragraphs: [
          `The periodic review of SLA "${TITLE}" (${AGR}) was due on 2026-03-01 and has no outcome.`,
        ],
        links: [{ label: 'Your task', url: `https://accord.example/v1/tasks/${id}` }, LINK],
        headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, taskId: id },
      },
    ]);
  });

  it('tells only the owners of an overdue review when there is no matrix, and no one once it has an outcome', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-02' } }),
    );
    expect((await w.wf.renewals.run()).overdueReviews).toEqual([AGR]);
    expect(requests().map((r) => r.to)).toEqual([[OWNER]]);
    const t = (await w.tasks.get(reviewTaskId(AGR, '2026-03-02')))!;
    await w.tasks.update({ ...t, status: 'completed' }, t.revision);
    notify.mockClear();
    expect(await w.wf.renewals.run()).toEqual(empty);
    expect(notify).not.toHaveBeenCalled();
  });

  it('names no owner when the service is gone, tells no vendor party, and files the task under the agreement unit', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({
        serviceId: 'svc_gone',
        reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-10' },
        parties: {
          provider: { type: 'vendor', vendorId: 'acme', name: 'Acme Hosting' },
          customer: { type: 'business-unit', businessUnit: 'retail-banking' },
        },
      }),
    );
    await w.wf.renewals.run();
    // A vendor party has no SLA managers here.
    expect(requests().map((r) => [r.to, r.lists])).toEqual([[[], LISTS]]);
    expect((await w.tasks.get(reviewTaskId(AGR, '2026-03-10')))?.businessUnit).toBe('payments');
  });
  it('opens a task of its own for each agreement, so two agreements reviewed the same day are not one task', async () => {
    const OTHER = 'agr_01RENEWALSRUN0000000002';
    for (const id of [AGR, OTHER]) {
      await writeHistory(
        w.agreements,
        id,
        active({ reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-20' } }),
      );
    }
    await w.wf.renewals.run();
    const ours = await w.tasks.get(reviewTaskId(AGR, '2026-03-20'));
    const theirs = await w.tasks.get(reviewTaskId(OTHER, '2026-03-20'));
    expect(ours?.subject).toEqual({ type: 'agreement', id: AGR });
    expect(theirs?.subject).toEqual({ type: 'agreement', id: OTHER });
    expect(requests().map((r) => [r.data, r.headers?.['X-Accord-Task']])).toEqual([
      [{ agreementId: AGR, taskId: ours?.id }, ours?.id],
      [{ agreementId: OTHER, taskId: theirs?.id }, theirs?.id],
    ]);
  });

  it('opens a new task for the next review once one is held, instead of finding the completed one', async () => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-20' } }),
    );
    await w.wf.renewals.run();
    const held = (await w.tasks.get(reviewTaskId(AGR, '2026-03-20')))!;
    const sam = principal({
      subject: 'sam@example.com',
      roles: ['sla-manager'],
      businessUnits: ['payments'],
    });
    await w.wf.renewals.complete(sam, held, { reason: 'targets still right' });
    await w.tasks.update({ ...held, status: 'completed' }, held.revision);
    at('2026-08-22T09:00:00.000Z');
    notify.mockClear();
    expect(await w.wf.renewals.run()).toEqual({ ...empty, reminded: [`${AGR}:review:30`] });
    const next = await w.tasks.get(reviewTaskId(AGR, '2026-09-20'));
    expect(next).toMatchObject({
      status: 'pending',
      title: `Review "${TITLE}" by 2026-09-20: record its outcome (the next review follows every 6 months)`,
      dueAt: '2026-09-20T00:00:00.000Z',
      data: { purpose: 'review', reviewDate: '2026-09-20' },
    });
    expect(next?.id).not.toBe(held.id);
    expect(requests().map((r) => r.data)).toEqual([{ agreementId: AGR, taskId: next?.id }]);
  });
});

describe('the agreements a run looks at', () => {
  it('goes through every page of active agreements, and only those', async () => {
    const ids = ['agr_01RENEWALSRUN0000000001', 'agr_01RENEWALSRUN0000000002', 'agr_01RENEWALSRUN0000000003'];
    for (const id of ids) {
      await writeHistory(
        w.agreements,
        id,
        active({ reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-20' } }),
      );
    }
    await writeHistory(w.agreements, 'agr_01RENEWALSRUN0000000004', [
      { reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-20' } },
    ]);
    const paged = new RenewalWorkflow({
      agreements: w.agreements,
      useCases: w.useCases,
      services: w.services,
      tasks: w.tasks,
      notifications: w.wf.notifications,
      clock: w.clock,
      policy: w.policy.renewal,
      baseUrl: 'https://accord.example',
      pageSize: 2,
    });
    expect((await paged.run()).reminded.sort()).toEqual(ids.map((id) => `${id}:review:30`));
  });
});

describe('completing a renewal task', () => {
  const sam = principal({ subject: 'sam@example.com', roles: ['sla-manager'], businessUnits: ['payments'] });
  const renewalTask = async (data: Record<string, unknown>) => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ renewal: { renewalDate: '2026-04-01', noticeDays: 30, autoRenew: true } }),
    );
    await w.wf.renewals.run();
    const t = (await w.tasks.get(renewalTaskId(AGR, '2026-04-01')))!;
    return { ...t, data: { ...t.data, ...data } };
  };

  it('needs a decision', async () => {
    const t = await renewalTask({});
    const e = await w.wf.renewals.complete(sam, t, { reason: 'hmm' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe('a renewal task needs a decision');
    expect((e as ValidationError).details).toEqual([
      { path: 'decision', problem: 'is required: approved (renew) or rejected (give notice: do not renew)' },
    ]);
  });

  it('gives notice in time up to the notice date in the agreement time zone, and late after it', async () => {
    const t = await renewalTask({ noticeBy: '2026-03-02' });
    expect(await w.wf.renewals.complete(sam, t, { decision: 'rejected', reason: 'we stop' })).toEqual({
      notice: true,
      noticeInTime: true,
      noticeBy: '2026-03-02',
    });
    // 2026-03-03 in Kiritimati already.
    at('2026-03-02T11:00:00.000Z');
    const there = { ...t, data: { ...t.data, timeZone: 'Pacific/Kiritimati' } };
    expect(await w.wf.renewals.complete(sam, there, { decision: 'rejected', reason: 'we stop' })).toEqual({
      notice: true,
      noticeInTime: false,
      noticeBy: '2026-03-02',
    });
  });

  it('counts a notice as in time when the task names no time zone', async () => {
    const t = await renewalTask({ noticeBy: '2026-01-01', timeZone: undefined });
    expect(await w.wf.renewals.complete(sam, t, { decision: 'rejected', reason: 'we stop' })).toEqual({
      notice: true,
      noticeInTime: true,
      noticeBy: '2026-01-01',
    });
  });

  it('confirms the renewal on approval', async () => {
    const t = await renewalTask({});
    expect(await w.wf.renewals.complete(sam, t, { decision: 'approved', reason: 'keep it' })).toEqual({
      notice: false,
    });
  });
});

describe('completing a review task', () => {
  const sam = principal({ subject: 'sam@example.com', roles: ['sla-manager'], businessUnits: ['payments'] });
  const reviewTask = async (over: Partial<AgreementVersion> = {}) => {
    await writeHistory(
      w.agreements,
      AGR,
      active({ reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-20' }, ...over }),
    );
    await w.wf.renewals.run();
    return (await w.tasks.get(reviewTaskId(AGR, '2026-03-20')))!;
  };

  it('records the outcome and the minutes, and moves the next review on by the cycle as a new version', async () => {
    const t = await reviewTask();
    expect(
      await w.wf.renewals.complete(sam, t, {
        reason: 'targets still right',
        comment: 'minutes of the meeting',
      }),
    ).toEqual({
      outcome: 'targets still right',
      minutes: 'minutes of the meeting',
      nextReviewDate: '2026-09-20',
    });
    expect(await w.agreements.get(AGR)).toMatchObject({
      version: 3,
      change: 'update',
      changedBy: 'system:workflow-renewal',
      reason: 'review of 2026-03-20 held by sam@example.com: targets still right',
      reviewCycle: { everyMonths: 6, nextReviewDate: '2026-09-20' },
    });
  });

  it('moves the review date of a draft too, and gives no minutes when none were written', async () => {
    const t = await reviewTask();
    await writeHistory(w.agreements, 'agr_01RENEWALSRUN0000000009', [
      { reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-20' } },
    ]);
    const onDraft = { ...t, subject: { ...t.subject, id: 'agr_01RENEWALSRUN0000000009' } };
    expect(await w.wf.renewals.complete(sam, onDraft, { reason: 'fine' })).toEqual({
      outcome: 'fine',
      nextReviewDate: '2026-09-20',
    });
    expect((await w.agreements.get('agr_01RENEWALSRUN0000000009'))?.reviewCycle.nextReviewDate).toBe(
      '2026-09-20',
    );
  });

  it('leaves the agreement alone when its review date already moved, or it is neither active nor a draft', async () => {
    const t = await reviewTask();
    await writeHistory(w.agreements, 'agr_01RENEWALSRUN0000000010', [
      {},
      {
        status: 'submitted',
        change: 'submit',
        reviewCycle: { everyMonths: 6, nextReviewDate: '2026-03-20' },
      },
    ]);
    const onSubmitted = { ...t, subject: { ...t.subject, id: 'agr_01RENEWALSRUN0000000010' } };
    expect((await w.wf.renewals.complete(sam, onSubmitted, { reason: 'fine' })).nextReviewDate).toBe(
      '2026-09-20',
    );
    expect((await w.agreements.get('agr_01RENEWALSRUN0000000010'))?.version).toBe(2);
    const moved = { ...t, data: { ...t.data, reviewDate: '2025-09-20' } };
    expect((await w.wf.renewals.complete(sam, moved, { reason: 'late minutes' })).nextReviewDate).toBe(
      '2026-03-20',
    );
    expect((await w.agreements.get(AGR))?.version).toBe(2);
  });

  it('only records the outcome when the agreement is gone', async () => {
    const t = await reviewTask();
    const gone = { ...t, subject: { ...t.subject, id: 'agr_01RENEWALSRUNGONE000001' } };
    expect(await w.wf.renewals.complete(sam, gone, { reason: 'fine', comment: 'x' })).toEqual({
      outcome: 'fine',
    });
  });
});

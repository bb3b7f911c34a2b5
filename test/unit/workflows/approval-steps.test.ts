import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ConflictError, ValidationError } from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { escalationLevels, signOffTaskId } from '../../../shared/usecases/workflows/approval.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { writeHistory } from '../../helpers/agreement-history.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// The approval workflow's steps (the Tasks of infra/workflows/approval.asl.json), called as the engine calls them,
// on agreement histories written straight to the memory store (so no execution of their own runs beside them).

const HOUR = 3_600_000;
const AGR = 'agr_01APPROVALSTEPS00000001';
const EXEC = 'local:approval:steps-test';
const TITLE = 'Payments gateway availability for retail banking';
const SUBMITTED_AT = '2026-03-02T08:00:00.000Z';
/** A tier-1 SLA has 48 h from its submission. */
const DUE = '2026-03-04T08:00:00.000Z';
const OWNER = { name: 'Owen Service', email: 'owen@example.com' };
const ESME = { name: 'Esme One', email: 'esme.one@example.com' };
const EVE = { name: 'Eve One', email: 'eve.one@example.com' };
const HAL = { name: 'Hal Two', email: 'hal.two@example.com' };
const MATRIX = [
  { level: 2, afterMinutes: 60, role: 'head of service', contact: HAL },
  { level: 1, afterMinutes: 0, role: 'service manager', contact: ESME },
  { level: 1, afterMinutes: 0, role: 'deputy', contact: EVE },
];
const REQUIRED = [
  { capacity: 'service-owner', rules: ['every-sla'] },
  { capacity: 'business-owner', rules: ['every-sla'] },
  { capacity: 'governance-board', rules: ['tier-1'] },
] as AgreementVersion['requiredSignOffs'];
const signed = (
  capacity: string,
  by: string,
  at = SUBMITTED_AT,
  decision: 'approved' | 'rejected' = 'approved',
) => ({ capacity, decision, by, at }) as AgreementVersion['signOffs'][number];

const draft: Partial<AgreementVersion> = {
  effectiveFrom: '2026-03-10',
  effectiveTo: '2027-03-09',
  changedAt: '2026-03-01T09:00:00.000Z',
};
const submit: Partial<AgreementVersion> = {
  status: 'submitted',
  change: 'submit',
  changedAt: SUBMITTED_AT,
  reason: 'ready for sign-off',
  requiredSignOffs: REQUIRED,
  submittedBy: 'sam@example.com',
};

let w: WorkflowWorld;
let notify: MockInstance<Notifications['notify']>;
const requests = () => notify.mock.calls.map((c) => c[0] as NotifyRequest);
const step = (event: Record<string, unknown>) => w.wf.approval.task(event);
const awaitSignOff = (capacity: string, o: { token?: string; executionId?: string; round?: number } = {}) =>
  step({
    task: 'await-signoff',
    agreementId: AGR,
    version: 2,
    capacity,
    dueAt: DUE,
    round: o.round ?? 0,
    executionId: o.executionId ?? EXEC,
    taskToken: o.token ?? `tok-${capacity}`,
  }) as Promise<{ taskId: string }>;
const followUp = (capacity: string, o: { reminders?: number; level?: number; round?: number } = {}) =>
  step({
    task: 'follow-up',
    agreementId: AGR,
    version: 2,
    capacity,
    dueAt: DUE,
    round: o.round ?? 3,
    reminders: o.reminders ?? 0,
    level: o.level ?? 0,
  });
const at = (iso: string) => {
  w.now.ms = Date.parse(iso);
};

beforeEach(async () => {
  w = await workflowWorld();
  notify = vi.spyOn(w.wf.notifications, 'notify');
});

describe('the approval step of an event it cannot read', () => {
  it('refuses it as a validation error naming what is wrong', async () => {
    const e = await step({ task: 'plan', agreementId: AGR }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toMatch(/^bad approval task: .*version/s);
  });
});

describe('plan (what a submission needs, and by when)', () => {
  it('lists the required sign-offs of the submitted version, due the tier and kind deadline after its submission', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    expect(await step({ task: 'plan', agreementId: AGR, version: 2, executionId: EXEC })).toEqual({
      status: 'submitted',
      signOffs: [
        { capacity: 'service-owner' },
        { capacity: 'business-owner' },
        { capacity: 'governance-board' },
      ],
      dueAt: DUE,
      reason: `3 sign-off(s) due by ${DUE} (tier 1 SLA: 48 h)`,
    });
  });

  it('counts from the submitted version, not from a sign-off written after it', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        change: 'signoff:service-owner:approved',
        changedAt: '2026-03-02T10:00:00.000Z',
        signOffs: [signed('service-owner', 'owen@example.com')],
      },
    ]);
    const plan = (await step({ task: 'plan', agreementId: AGR, version: 2, executionId: EXEC })) as {
      dueAt: string;
    };
    expect(plan.dueAt).toBe(DUE);
  });

  it('answers superseded, with nothing to sign, when the submission was withdrawn since', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit, { status: 'draft', change: 'withdraw' }]);
    expect(await step({ task: 'plan', agreementId: AGR, version: 2, executionId: EXEC })).toEqual({
      status: 'superseded',
      signOffs: [],
      dueAt: '',
      reason: 'the submission of version 2 is withdrawn',
    });
  });

  it('answers superseded for a version that is current but not submitted', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit, { status: 'draft', change: 'withdraw' }]);
    expect(await step({ task: 'plan', agreementId: AGR, version: 3, executionId: EXEC })).toEqual({
      status: 'superseded',
      signOffs: [],
      dueAt: '',
      reason: 'the submission of version 3 is superseded',
    });
  });

  it('answers superseded when the agreement is gone', async () => {
    expect(await step({ task: 'plan', agreementId: AGR, version: 2, executionId: EXEC })).toEqual({
      status: 'superseded',
      signOffs: [],
      dueAt: '',
      reason: 'the submission of version 2 is superseded',
    });
  });
});

describe('await-signoff (a person is asked for a sign-off)', () => {
  it('creates the task of the capacity in the execution, and returns its id', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    const r = await awaitSignOff('business-owner');
    const id = signOffTaskId(EXEC, 'business-owner');
    expect(id).toMatch(/^tsk_[0-9a-f]{24}$/);
    expect(r).toEqual({ taskId: id });
    const task = await w.tasks.get(id);
    expect(task).toEqual({
      id,
      kind: 'signoff',
      workflow: 'approval',
      executionId: EXEC,
      token: 'tok-business-owner',
      subject: { type: 'agreement', id: AGR },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Sign off "${TITLE}" (version 2) as business-owner`,
      assignees: { capacity: 'business-owner' },
      status: 'pending',
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
      dueAt: DUE,
      externalRef: expect.stringMatching(/^ACCORD-[0-9A-F]{10}$/),
      data: { capacity: 'business-owner', version: 2, round: 0 },
      revision: 1,
    });
    // An upper-case reference: hex digits with at least one letter among them.
    expect(task?.externalRef).toMatch(/[A-F]/);
  });

  it('asks the capacity by e-mail once, with its task named, and the service owner in person for service-owner', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    const { taskId } = await awaitSignOff('service-owner');
    const task = await w.tasks.get(taskId);
    expect(requests()).toEqual([
      {
        key: `approval/${EXEC}/service-owner/requested`,
        topic: `agreement:${AGR}`,
        event: 'approval.signoff-requested',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [{ capacity: 'service-owner', businessUnit: 'payments', agreementId: AGR }],
        subject: `Sign-off requested: ${TITLE} (service-owner)`,
        paragraphs: [
          `SLA "${TITLE}" (${AGR}, version 2) waits for a sign-off as service-owner.`,
          `It is due by ${DUE}. Reminders follow before then; an overdue sign-off escalates along the agreement's escalation matrix.`,
        ],
        links: [
          { label: 'Your task', url: `https://accord.example/v1/tasks/${taskId}` },
          { label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` },
        ],
        headers: { 'X-Accord-Task': taskId, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, capacity: 'service-owner', taskId },
      },
    ]);
    // The next round (a heartbeat's new token) refreshes the task and asks no one again.
    w.now.ms += HOUR;
    await awaitSignOff('service-owner', { token: 'tok-2', round: 1 });
    expect(requests()).toHaveLength(1);
    expect(await w.tasks.get(taskId)).toMatchObject({ token: 'tok-2', revision: 2, data: { round: 1 } });
  });

  it('names no one in person for a capacity other than service-owner (its list has them)', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    await awaitSignOff('governance-board');
    expect(requests().map((r) => [r.to, r.lists])).toEqual([
      [[], [{ capacity: 'governance-board', businessUnit: 'payments', agreementId: AGR }]],
    ]);
  });

  it('answers the new token at once with the decision already made in the capacity, and who made it', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        change: 'signoff:service-owner:approved',
        reason: 'looks right',
        // The capacity's own sign-off, not the latest of all.
        signOffs: [
          signed('service-owner', 'owen@example.com'),
          signed('governance-board', 'gus@example.com'),
        ],
      },
    ]);
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    await awaitSignOff('service-owner', { token: 'tok-late' });
    expect(success.mock.calls).toEqual([
      ['tok-late', { decision: 'approved', by: 'owen@example.com', reason: 'looks right' }],
    ]);
    expect(failure).not.toHaveBeenCalled();
  });

  it('answers approved by "unknown" for a capacity an approved agreement no longer waits on', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { change: 'signoff:service-owner:approved', status: 'approved', reason: 'all in', signOffs: [] },
    ]);
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    await awaitSignOff('business-owner', { token: 'tok-bo' });
    expect(success.mock.calls).toEqual([
      ['tok-bo', { decision: 'approved', by: 'unknown', reason: 'all in' }],
    ]);
  });

  it('answers rejected, with the rejection and its reason, when the capacity rejected the submission', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        change: 'signoff:business-owner:rejected',
        status: 'draft',
        reason: 'the targets are too low',
        signOffs: [signed('business-owner', 'bea@example.com', SUBMITTED_AT, 'rejected')],
      },
    ]);
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    await awaitSignOff('business-owner', { token: 'tok-bo' });
    expect(success.mock.calls).toEqual([
      [
        'tok-bo',
        { decision: 'rejected', by: 'bea@example.com', reason: 'rejected: the targets are too low' },
      ],
    ]);
  });

  it('leaves the token waiting while the capacity has not decided', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { change: 'signoff:service-owner:approved', signOffs: [signed('service-owner', 'owen@example.com')] },
    ]);
    const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
    const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    await awaitSignOff('business-owner');
    expect(success).not.toHaveBeenCalled();
    expect(failure).not.toHaveBeenCalled();
  });

  it('fails the token as Withdrawn when the submission was withdrawn', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit, { status: 'draft', change: 'withdraw' }]);
    const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    await awaitSignOff('business-owner', { token: 'tok-w' });
    expect(failure.mock.calls).toEqual([['tok-w', 'Withdrawn', 'the submission is withdrawn']]);
  });

  it('fails the token as Withdrawn when a later submission superseded this one', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { status: 'draft', change: 'update' },
      { ...submit, changedAt: '2026-03-02T08:30:00.000Z' },
    ]);
    const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    await awaitSignOff('business-owner', { token: 'tok-s' });
    expect(failure.mock.calls).toEqual([['tok-s', 'Withdrawn', 'the submission is superseded']]);
  });

  it('refuses as a conflict when the agreement is gone', async () => {
    const e = await awaitSignOff('business-owner').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe(`agreement ${AGR} is gone`);
  });
});

describe('follow-up (reminders before the deadline, escalation after it)', () => {
  const waiting = (o: { reminders: number; level: number; round?: number }) => ({
    agreementId: AGR,
    version: 2,
    capacity: 'business-owner',
    dueAt: DUE,
    round: (o.round ?? 3) + 1,
    reminders: o.reminders,
    level: o.level,
    status: 'waiting',
    reason: '',
  });

  it('does nothing yet long before the deadline, and counts the round', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    expect(await followUp('business-owner', { round: 5 })).toEqual(
      waiting({ reminders: 0, level: 0, round: 5 }),
    );
    expect(notify).not.toHaveBeenCalled();
  });

  it('reminds the capacity 24 h before the deadline, naming its task', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    const { taskId } = await awaitSignOff('business-owner');
    const task = await w.tasks.get(taskId);
    notify.mockClear();
    at('2026-03-03T09:00:00.000Z');
    expect(await followUp('business-owner')).toEqual(waiting({ reminders: 1, level: 0 }));
    expect(requests()).toEqual([
      {
        key: `approval/${EXEC}/business-owner/reminder-0`,
        topic: `agreement:${AGR}`,
        event: 'approval.reminder',
        businessUnit: 'payments',
        to: [],
        lists: [{ capacity: 'business-owner', businessUnit: 'payments', agreementId: AGR }],
        subject: `Reminder: sign-off due in 24 h: ${TITLE} (business-owner)`,
        paragraphs: [`The sign-off of "${TITLE}" (${AGR}, version 2) as business-owner is due by ${DUE}.`],
        links: [
          { label: 'Your task', url: `https://accord.example/v1/tasks/${taskId}` },
          { label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` },
        ],
        headers: { 'X-Accord-Task': taskId, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, capacity: 'business-owner', taskId },
      },
    ]);
  });

  it('reminds the second time 4 h before, keyed by the agreement when no task of the capacity is pending', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    // Another capacity's task is pending: it is not this capacity's.
    await awaitSignOff('service-owner');
    notify.mockClear();
    at('2026-03-04T05:00:00.000Z');
    expect(await followUp('business-owner', { reminders: 1 })).toEqual(waiting({ reminders: 2, level: 0 }));
    expect(requests()).toEqual([
      {
        key: `approval/${AGR}/business-owner/reminder-1`,
        topic: `agreement:${AGR}`,
        event: 'approval.reminder',
        businessUnit: 'payments',
        to: [],
        lists: [{ capacity: 'business-owner', businessUnit: 'payments', agreementId: AGR }],
        subject: `Reminder: sign-off due in 4 h: ${TITLE} (business-owner)`,
        paragraphs: [`The sign-off of "${TITLE}" (${AGR}, version 2) as business-owner is due by ${DUE}.`],
        links: [{ label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` }],
        headers: {},
        data: { agreementId: AGR, capacity: 'business-owner' },
      },
    ]);
  });

  it('escalates an overdue sign-off to level 1 of the matrix, and records the level on the task', async () => {
    await writeHistory(w.agreements, AGR, [draft, { ...submit, escalation: MATRIX }]);
    const { taskId } = await awaitSignOff('service-owner');
    const task = await w.tasks.get(taskId);
    notify.mockClear();
    at('2026-03-04T09:00:00.000Z');
    expect(await followUp('service-owner', { reminders: 2 })).toEqual({
      ...waiting({ reminders: 2, level: 1 }),
      capacity: 'service-owner',
    });
    expect(requests()).toEqual([
      {
        key: `approval/${EXEC}/service-owner/escalation-1`,
        topic: `agreement:${AGR}`,
        event: 'approval.escalated',
        businessUnit: 'payments',
        to: [ESME, EVE, OWNER],
        lists: [{ capacity: 'service-owner', businessUnit: 'payments', agreementId: AGR }],
        subject: `Escalation (level 1): overdue sign-off: ${TITLE} (service-owner)`,
        paragraphs: [
          `The sign-off of "${TITLE}" (${AGR}, version 2) as service-owner was due by ${DUE} and is still missing.`,
          'You are level 1 of its escalation matrix.',
        ],
        links: [
          { label: 'Your task', url: `https://accord.example/v1/tasks/${taskId}` },
          { label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` },
        ],
        headers: { 'X-Accord-Task': taskId, 'X-Accord-Task-Ref': task?.externalRef },
        data: { agreementId: AGR, capacity: 'service-owner', taskId },
      },
    ]);
    expect(await w.tasks.get(taskId)).toEqual({
      ...task,
      data: { ...task?.data, escalationLevel: 1 },
      revision: 2,
    });
  });

  it('escalates to level 2 a day later, to the contacts of that level', async () => {
    await writeHistory(w.agreements, AGR, [draft, { ...submit, escalation: MATRIX }]);
    at('2026-03-05T09:00:00.000Z');
    expect(await followUp('business-owner', { reminders: 2, level: 1 })).toEqual(
      waiting({ reminders: 2, level: 2 }),
    );
    expect(requests().map((r) => [r.key, r.event, r.to, r.paragraphs[1]])).toEqual([
      [
        `approval/${AGR}/business-owner/escalation-2`,
        'approval.escalated',
        [HAL],
        'You are level 2 of its escalation matrix.',
      ],
    ]);
  });

  it('tells the SLA managers when the agreement has no escalation matrix', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    at('2026-03-04T09:00:00.000Z');
    expect(await followUp('business-owner', { reminders: 2 })).toEqual(waiting({ reminders: 2, level: 1 }));
    expect(requests()).toEqual([
      {
        key: `approval/${AGR}/business-owner/escalation-1`,
        topic: `agreement:${AGR}`,
        event: 'approval.escalated',
        businessUnit: 'payments',
        to: [],
        lists: [
          { capacity: 'business-owner', businessUnit: 'payments', agreementId: AGR },
          { role: 'sla-manager', businessUnit: 'payments' },
        ],
        subject: `Escalation (level 1): overdue sign-off: ${TITLE} (business-owner)`,
        paragraphs: [
          `The sign-off of "${TITLE}" (${AGR}, version 2) as business-owner was due by ${DUE} and is still missing.`,
          'The agreement has no escalation matrix: its SLA managers are told instead.',
        ],
        links: [{ label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` }],
        headers: {},
        data: { agreementId: AGR, capacity: 'business-owner' },
      },
    ]);
  });

  it('ends the wait as approved once the capacity signed (the agreement still waiting on others)', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        change: 'signoff:business-owner:approved',
        reason: 'fine by me',
        signOffs: [signed('business-owner', 'bea@example.com')],
      },
    ]);
    at('2026-03-04T09:00:00.000Z');
    expect(await followUp('business-owner')).toEqual({
      ...waiting({ reminders: 0, level: 0 }),
      status: 'approved',
      reason: 'fine by me',
    });
    expect(notify).not.toHaveBeenCalled();
  });

  it('ends the wait as approved once the agreement was activated by hand', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { change: 'signoff:service-owner:approved', status: 'approved', reason: 'last one', signOffs: [] },
      { change: 'activate', status: 'active', reason: 'live early' },
    ]);
    expect(await followUp('business-owner', { reminders: 1, level: 1 })).toEqual({
      ...waiting({ reminders: 1, level: 1 }),
      status: 'approved',
      reason: 'live early',
    });
  });

  it('ends the wait as rejected, with the rejection, once another capacity rejected', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        change: 'signoff:governance-board:rejected',
        status: 'draft',
        reason: 'not on our watch',
        signOffs: [signed('governance-board', 'gus@example.com', SUBMITTED_AT, 'rejected')],
      },
      { change: 'update', reason: 'lowered the targets' },
    ]);
    expect(await followUp('business-owner')).toEqual({
      ...waiting({ reminders: 0, level: 0 }),
      status: 'rejected',
      reason: 'rejected: not on our watch',
    });
  });

  it('ends the wait as withdrawn, with the withdrawal, once the submission was withdrawn', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { status: 'draft', change: 'withdraw', reason: 'scope changes' },
      { change: 'signoff:governance-board:rejected', reason: 'later noise' },
    ]);
    expect(await followUp('business-owner')).toEqual({
      ...waiting({ reminders: 0, level: 0 }),
      status: 'withdrawn',
      reason: 'withdrawn: scope changes',
    });
  });

  it('ends the wait as withdrawn when a later submission superseded it, with the current reason', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      { status: 'draft', change: 'update', reason: 'fixed a typo' },
      { ...submit, reason: 'ready again' },
    ]);
    expect(await followUp('business-owner')).toEqual({
      ...waiting({ reminders: 0, level: 0 }),
      status: 'withdrawn',
      reason: 'ready again',
    });
  });

  it('ends the wait as withdrawn when the submitted version is current but no longer submitted', async () => {
    await writeHistory(w.agreements, AGR, [draft, { ...submit, status: 'draft', reason: 'odd state' }]);
    expect(await followUp('business-owner')).toEqual({
      ...waiting({ reminders: 0, level: 0 }),
      status: 'withdrawn',
      reason: 'odd state',
    });
  });

  it('ends the wait as withdrawn when the agreement is gone', async () => {
    expect(await followUp('business-owner', { reminders: 1, level: 2 })).toEqual({
      ...waiting({ reminders: 1, level: 2 }),
      status: 'withdrawn',
      reason: 'the agreement is gone',
    });
  });
});

describe('escalationLevels', () => {
  it('groups the matrix contacts by level, lowest level first', () => {
    expect(
      escalationLevels({
        escalation: [
          { level: 3, afterMinutes: 120, role: 'director', contact: { name: 'Di', email: 'di@example.com' } },
          ...MATRIX,
        ],
      }),
    ).toEqual([[ESME, EVE], [HAL], [{ name: 'Di', email: 'di@example.com' }]]);
  });
});

describe('activation-time (when the approved agreement goes live)', () => {
  it('waits for the start of effectiveFrom in the agreement time zone', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      {
        status: 'approved',
        timeZone: 'America/New_York',
        signOffs: [signed('service-owner', 'o@example.com')],
      },
    ]);
    expect(await step({ task: 'activation-time', agreementId: AGR, version: 2 })).toEqual({
      at: '2026-03-10T04:00:00.000Z',
      effectiveFrom: '2026-03-10',
    });
  });

  it('goes live the activation delay after the last sign-off once the date has come', async () => {
    await writeHistory(w.agreements, AGR, [
      { ...draft, effectiveFrom: '2026-03-01' },
      submit,
      {
        status: 'approved',
        signOffs: [
          signed('service-owner', 'o@example.com', '2026-03-02T08:00:00.000Z'),
          signed('business-owner', 'b@example.com', '2026-03-02T09:30:00.000Z'),
        ],
      },
    ]);
    expect(await step({ task: 'activation-time', agreementId: AGR, version: 2 })).toEqual({
      at: '2026-03-02T09:40:00.000Z',
      effectiveFrom: '2026-03-01',
    });
  });

  it('counts the delay from now when every sign-off is older', async () => {
    await writeHistory(w.agreements, AGR, [
      { ...draft, effectiveFrom: '2026-03-01' },
      submit,
      {
        status: 'approved',
        signOffs: [signed('service-owner', 'o@example.com', '2026-03-02T07:00:00.000Z')],
      },
    ]);
    expect(await step({ task: 'activation-time', agreementId: AGR, version: 2 })).toEqual({
      at: '2026-03-02T09:10:00.000Z',
      effectiveFrom: '2026-03-01',
    });
  });

  it('answers the delay from now, and no date, when the agreement is gone', async () => {
    expect(await step({ task: 'activation-time', agreementId: AGR, version: 2 })).toEqual({
      at: '2026-03-02T09:10:00.000Z',
      effectiveFrom: null,
    });
  });
});

describe('activate', () => {
  const threeSigned = [
    signed('service-owner', 'owen@example.com'),
    signed('business-owner', 'bea@example.com'),
    signed('governance-board', 'gus@example.com'),
  ];
  const allSigned: Partial<AgreementVersion> = {
    change: 'signoff:governance-board:approved',
    status: 'approved',
    signOffs: threeSigned,
  };
  const activate = (version = 2) => step({ task: 'activate', agreementId: AGR, version });

  it('activates the approved agreement as the approval workflow, with its reason', async () => {
    await writeHistory(w.agreements, AGR, [{ ...draft, effectiveFrom: '2026-03-02' }, submit, allSigned]);
    expect(await activate()).toEqual({ status: 'activated', reason: 'active from version 4' });
    expect(await w.agreements.get(AGR)).toMatchObject({
      version: 4,
      status: 'active',
      change: 'activate',
      changedBy: 'system:workflow-approval',
      reason: 'every sign-off is in and the effective date has come (approval workflow)',
    });
  });

  it('holds, with the refusal, an agreement whose effective date has not come', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit, allSigned]);
    expect(await activate()).toEqual({ status: 'held', reason: 'not yet effective' });
    expect((await w.agreements.get(AGR))?.status).toBe('approved');
  });

  it('holds, with the refusal, an agreement missing a sign-off its rules ask for now', async () => {
    await writeHistory(w.agreements, AGR, [
      { ...draft, effectiveFrom: '2026-03-02' },
      { ...submit, requiredSignOffs: REQUIRED.slice(0, 2) },
      { ...allSigned, signOffs: threeSigned.slice(0, 2) },
    ]);
    expect(await activate()).toEqual({
      status: 'held',
      reason: `agreement ${AGR} cannot be activated: sign-off missing from governance-board (required since submission: withdraw and resubmit to collect it)`,
    });
  });

  it('lets any other failure of the activation through', async () => {
    await writeHistory(w.agreements, AGR, [{ ...draft, effectiveFrom: '2026-03-02' }, submit, allSigned]);
    const boom = new Error('disk full');
    vi.spyOn(w.useCases, 'activate').mockRejectedValue(boom);
    await expect(activate()).rejects.toBe(boom);
  });

  it('reports an agreement already active as activated, naming its version', async () => {
    await writeHistory(w.agreements, AGR, [
      draft,
      submit,
      allSigned,
      { status: 'active', change: 'activate' },
    ]);
    expect(await activate()).toEqual({ status: 'activated', reason: 'already active (version 4)' });
  });

  it('supersedes an agreement that is not approved', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    expect(await activate()).toEqual({ status: 'superseded', reason: 'the agreement is submitted' });
  });

  it('supersedes the activation of an approved agreement whose approval came from a later submission', async () => {
    await writeHistory(w.agreements, AGR, [
      { ...draft, effectiveFrom: '2026-03-02' },
      submit,
      { status: 'draft', change: 'withdraw' },
      submit,
      allSigned,
    ]);
    expect(await activate()).toEqual({ status: 'superseded', reason: 'the agreement is approved' });
    expect((await w.agreements.get(AGR))?.status).toBe('approved');
  });

  it('supersedes it when the agreement is gone', async () => {
    expect(await activate()).toEqual({ status: 'superseded', reason: 'the agreement is gone' });
  });
});

describe('close (the end of an approval)', () => {
  const close = (o: { outcome: string; reason: string; executionId?: string }) =>
    step({ task: 'close', agreementId: AGR, version: 2, executionId: EXEC, ...o });

  it('cancels the pending tasks of the execution only, and tells the owner and the SLA managers why', async () => {
    await writeHistory(w.agreements, AGR, [draft, submit]);
    const mine = await awaitSignOff('business-owner');
    const other = await awaitSignOff('service-owner', { executionId: 'local:approval:other' });
    const before = await w.tasks.get(mine.taskId);
    notify.mockClear();
    at('2026-03-03T10:00:00.000Z');
    expect(await close({ outcome: 'withdrawn', reason: 'withdrawn: scope changes' })).toEqual({
      outcome: 'withdrawn',
      reason: 'withdrawn: scope changes',
    });
    expect(await w.tasks.get(mine.taskId)).toEqual({
      ...before,
      status: 'cancelled',
      updatedAt: '2026-03-03T10:00:00.000Z',
      outcome: { reason: 'withdrawn' },
      revision: 2,
    });
    expect((await w.tasks.get(other.taskId))?.status).toBe('pending');
    expect(requests()).toEqual([
      {
        key: `approval/${EXEC}/closed`,
        topic: `agreement:${AGR}`,
        event: 'approval.withdrawn',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [{ role: 'sla-manager', businessUnit: 'payments', agreementId: AGR }],
        subject: `Approval withdrawn: ${TITLE}`,
        paragraphs: [
          `The approval of "${TITLE}" (${AGR}, version 2) ended: withdrawn.`,
          'Why: withdrawn: scope changes',
        ],
        links: [{ label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` }],
        data: { agreementId: AGR, outcome: 'withdrawn', reason: 'withdrawn: scope changes' },
      },
    ]);
  });

  it('names no owner when the service is gone', async () => {
    await writeHistory(w.agreements, AGR, [{ ...draft, serviceId: 'svc_gone' }, submit]);
    await close({ outcome: 'activated', reason: 'active from version 5' });
    expect(requests().map((r) => [r.event, r.to])).toEqual([['approval.activated', []]]);
  });

  it('tells no one when the agreement is gone', async () => {
    expect(await close({ outcome: 'superseded', reason: 'gone' })).toEqual({
      outcome: 'superseded',
      reason: 'gone',
    });
    expect(notify).not.toHaveBeenCalled();
  });
});

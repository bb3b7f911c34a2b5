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
/**
 * What every notification about the capacity's sign-off carries beside its key, event, addressees and text: the
 * capacity's list, and the capacity's pending task (linked, and named in the headers and data) when there is one.
 */
const aboutSignOff = (capacity: string, task?: { id: string; externalRef?: string }) => ({
  topic: `agreement:${AGR}`,
  businessUnit: 'payments',
  lists: [{ capacity, businessUnit: 'payments', agreementId: AGR }],
  links: [
    ...(task ? [{ label: 'Your task', url: `https://accord.example/v1/tasks/${task.id}` }] : []),
    { label: 'The agreement', url: `https://accord.example/v1/agreements/${AGR}` },
  ],
  headers: task ? { 'X-Accord-Task': task.id, 'X-Accord-Task-Ref': task.externalRef } : {},
  data: task ? { agreementId: AGR, capacity, taskId: task.id } : { agreementId: AGR, capacity },
});

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

  const withdrawn: Partial<AgreementVersion>[] = [draft, submit, { status: 'draft', change: 'withdraw' }];
  for (const c of [
    {
      name: 'answers superseded, with nothing to sign, when the submission was withdrawn since',
      history: withdrawn,
      version: 2,
      reason: 'the submission of version 2 is withdrawn',
    },
    {
      name: 'answers superseded for a version that is current but not submitted',
      history: withdrawn,
      version: 3,
      reason: 'the submission of version 3 is superseded',
    },
    {
      name: 'answers superseded when the agreement is gone',
      history: [],
      version: 2,
      reason: 'the submission of version 2 is superseded',
    },
  ]) {
    it(c.name, async () => {
      await writeHistory(w.agreements, AGR, c.history);
      expect(await step({ task: 'plan', agreementId: AGR, version: c.version, executionId: EXEC })).toEqual({
        status: 'superseded',
        signOffs: [],
        dueAt: '',
        reason: c.reason,
      });
    });
  }
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
        ...aboutSignOff('service-owner', { id: taskId, externalRef: task?.externalRef }),
        key: `approval/${EXEC}/service-owner/requested`,
        event: 'approval.signoff-requested',
        to: [OWNER],
        subject: `Sign-off requested: ${TITLE} (service-owner)`,
        paragraphs: [
          `SLA "${TITLE}" (${AGR}, version 2) waits for a sign-off as service-owner.`,
          `It is due by ${DUE}. Reminders follow before then; an overdue sign-off escalates along the agreement's escalation matrix.`,
        ],
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

  // What the step answers a new token with, after the history: every answer sent to the engine, success or failure.
  const answerCases: {
    name: string;
    history: Partial<AgreementVersion>[];
    capacity: string;
    token: string | undefined;
    success: unknown[];
    failure: unknown[];
  }[] = [
    {
      name: 'answers the new token at once with the decision already made in the capacity, and who made it',
      history: [
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
      ],
      capacity: 'service-owner',
      token: 'tok-late',
      success: [['tok-late', { decision: 'approved', by: 'owen@example.com', reason: 'looks right' }]],
      failure: [],
    },
    {
      name: 'answers approved by "unknown" for a capacity an approved agreement no longer waits on',
      history: [
        draft,
        submit,
        { change: 'signoff:service-owner:approved', status: 'approved', reason: 'all in', signOffs: [] },
      ],
      capacity: 'business-owner',
      token: 'tok-bo',
      success: [['tok-bo', { decision: 'approved', by: 'unknown', reason: 'all in' }]],
      failure: [],
    },
    {
      name: 'answers rejected, with the rejection and its reason, when the capacity rejected the submission',
      history: [
        draft,
        submit,
        {
          change: 'signoff:business-owner:rejected',
          status: 'draft',
          reason: 'the targets are too low',
          signOffs: [signed('business-owner', 'bea@example.com', SUBMITTED_AT, 'rejected')],
        },
      ],
      capacity: 'business-owner',
      token: 'tok-bo',
      success: [
        [
          'tok-bo',
          { decision: 'rejected', by: 'bea@example.com', reason: 'rejected: the targets are too low' },
        ],
      ],
      failure: [],
    },
    {
      name: 'leaves the token waiting while the capacity has not decided',
      history: [
        draft,
        submit,
        { change: 'signoff:service-owner:approved', signOffs: [signed('service-owner', 'owen@example.com')] },
      ],
      capacity: 'business-owner',
      token: undefined,
      success: [],
      failure: [],
    },
    {
      name: 'fails the token as Withdrawn when the submission was withdrawn',
      history: [draft, submit, { status: 'draft', change: 'withdraw' }],
      capacity: 'business-owner',
      token: 'tok-w',
      success: [],
      failure: [['tok-w', 'Withdrawn', 'the submission is withdrawn']],
    },
    {
      name: 'fails the token as Withdrawn when a later submission superseded this one',
      history: [
        draft,
        submit,
        { status: 'draft', change: 'update' },
        { ...submit, changedAt: '2026-03-02T08:30:00.000Z' },
      ],
      capacity: 'business-owner',
      token: 'tok-s',
      success: [],
      failure: [['tok-s', 'Withdrawn', 'the submission is superseded']],
    },
  ];
  for (const c of answerCases) {
    it(c.name, async () => {
      await writeHistory(w.agreements, AGR, c.history);
      const success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
      const failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
      await awaitSignOff(c.capacity, { token: c.token });
      expect(success.mock.calls).toEqual(c.success);
      expect(failure.mock.calls).toEqual(c.failure);
    });
  }

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
        ...aboutSignOff('business-owner', { id: taskId, externalRef: task?.externalRef }),
        key: `approval/${EXEC}/business-owner/reminder-0`,
        event: 'approval.reminder',
        to: [],
        subject: `Reminder: sign-off due in 24 h: ${TITLE} (business-owner)`,
        paragraphs: [`The sign-off of "${TITLE}" (${AGR}, version 2) as business-owner is due by ${DUE}.`],
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
        ...aboutSignOff('business-owner'),
        key: `approval/${AGR}/business-owner/reminder-1`,
        event: 'approval.reminder',
        to: [],
        subject: `Reminder: sign-off due in 4 h: ${TITLE} (business-owner)`,
        paragraphs: [`The sign-off of "${TITLE}" (${AGR}, version 2) as business-owner is due by ${DUE}.`],
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
        ...aboutSignOff('service-owner', { id: taskId, externalRef: task?.externalRef }),
        key: `approval/${EXEC}/service-owner/escalation-1`,
        event: 'approval.escalated',
        to: [ESME, EVE, OWNER],
        subject: `Escalation (level 1): overdue sign-off: ${TITLE} (service-owner)`,
        paragraphs: [
          `The sign-off of "${TITLE}" (${AGR}, version 2) as service-owner was due by ${DUE} and is still missing.`,
          'You are level 1 of its escalation matrix.',
        ],
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
        ...aboutSignOff('business-owner'),
        key: `approval/${AGR}/business-owner/escalation-1`,
        event: 'approval.escalated',
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
      },
    ]);
  });

  // The wait ends, with the status and the reason of the history, and tells no one.
  const endCases: {
    name: string;
    history: Partial<AgreementVersion>[];
    now?: string;
    o: { reminders: number; level: number };
    status: string;
    reason: string;
  }[] = [
    {
      name: 'ends the wait as approved once the capacity signed (the agreement still waiting on others)',
      history: [
        draft,
        submit,
        {
          change: 'signoff:business-owner:approved',
          reason: 'fine by me',
          signOffs: [signed('business-owner', 'bea@example.com')],
        },
      ],
      now: '2026-03-04T09:00:00.000Z',
      o: { reminders: 0, level: 0 },
      status: 'approved',
      reason: 'fine by me',
    },
    {
      name: 'ends the wait as approved once the agreement was activated by hand',
      history: [
        draft,
        submit,
        { change: 'signoff:service-owner:approved', status: 'approved', reason: 'last one', signOffs: [] },
        { change: 'activate', status: 'active', reason: 'live early' },
      ],
      o: { reminders: 1, level: 1 },
      status: 'approved',
      reason: 'live early',
    },
    {
      name: 'ends the wait as rejected, with the rejection, once another capacity rejected',
      history: [
        draft,
        submit,
        {
          change: 'signoff:governance-board:rejected',
          status: 'draft',
          reason: 'not on our watch',
          signOffs: [signed('governance-board', 'gus@example.com', SUBMITTED_AT, 'rejected')],
        },
        { change: 'update', reason: 'lowered the targets' },
      ],
      o: { reminders: 0, level: 0 },
      status: 'rejected',
      reason: 'rejected: not on our watch',
    },
    {
      name: 'ends the wait as withdrawn, with the withdrawal, once the submission was withdrawn',
      history: [
        draft,
        submit,
        { status: 'draft', change: 'withdraw', reason: 'scope changes' },
        { change: 'signoff:governance-board:rejected', reason: 'later noise' },
      ],
      o: { reminders: 0, level: 0 },
      status: 'withdrawn',
      reason: 'withdrawn: scope changes',
    },
    {
      name: 'ends the wait as withdrawn when a later submission superseded it, with the current reason',
      history: [
        draft,
        submit,
        { status: 'draft', change: 'update', reason: 'fixed a typo' },
        { ...submit, reason: 'ready again' },
      ],
      o: { reminders: 0, level: 0 },
      status: 'withdrawn',
      reason: 'ready again',
    },
    {
      name: 'ends the wait as withdrawn when the submitted version is current but no longer submitted',
      history: [draft, { ...submit, status: 'draft', reason: 'odd state' }],
      o: { reminders: 0, level: 0 },
      status: 'withdrawn',
      reason: 'odd state',
    },
    {
      name: 'ends the wait as withdrawn when the agreement is gone',
      history: [],
      o: { reminders: 1, level: 2 },
      status: 'withdrawn',
      reason: 'the agreement is gone',
    },
  ];
  for (const c of endCases) {
    it(c.name, async () => {
      await writeHistory(w.agreements, AGR, c.history);
      if (c.now) at(c.now);
      expect(await followUp('business-owner', c.o)).toEqual({
        ...waiting(c.o),
        status: c.status,
        reason: c.reason,
      });
      expect(notify).not.toHaveBeenCalled();
    });
  }
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
  const activationCases: {
    name: string;
    history: Partial<AgreementVersion>[];
    answer: { at: string; effectiveFrom: string | null };
  }[] = [
    {
      name: 'waits for the start of effectiveFrom in the agreement time zone',
      history: [
        draft,
        submit,
        {
          status: 'approved',
          timeZone: 'America/New_York',
          signOffs: [signed('service-owner', 'o@example.com')],
        },
      ],
      answer: { at: '2026-03-10T04:00:00.000Z', effectiveFrom: '2026-03-10' },
    },
    {
      name: 'goes live the activation delay after the last sign-off once the date has come',
      history: [
        { ...draft, effectiveFrom: '2026-03-01' },
        submit,
        {
          status: 'approved',
          signOffs: [
            signed('service-owner', 'o@example.com', '2026-03-02T08:00:00.000Z'),
            signed('business-owner', 'b@example.com', '2026-03-02T09:30:00.000Z'),
          ],
        },
      ],
      answer: { at: '2026-03-02T09:40:00.000Z', effectiveFrom: '2026-03-01' },
    },
    {
      name: 'counts the delay from now when every sign-off is older',
      history: [
        { ...draft, effectiveFrom: '2026-03-01' },
        submit,
        {
          status: 'approved',
          signOffs: [signed('service-owner', 'o@example.com', '2026-03-02T07:00:00.000Z')],
        },
      ],
      answer: { at: '2026-03-02T09:10:00.000Z', effectiveFrom: '2026-03-01' },
    },
    {
      name: 'answers the delay from now, and no date, when the agreement is gone',
      history: [],
      answer: { at: '2026-03-02T09:10:00.000Z', effectiveFrom: null },
    },
  ];
  for (const c of activationCases) {
    it(c.name, async () => {
      await writeHistory(w.agreements, AGR, c.history);
      expect(await step({ task: 'activation-time', agreementId: AGR, version: 2 })).toEqual(c.answer);
    });
  }
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

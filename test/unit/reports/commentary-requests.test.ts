import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import type { CommentaryRequest } from '../../../shared/ports/reports.js';
import type { WorkTask } from '../../../shared/ports/tasks.js';
import { TaskCommentaryWindow } from '../../../shared/usecases/reports/commentary.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { TestClock } from '../../helpers/clock.js';
import { agreementVersion } from '../../helpers/fixtures.js';

// The commentary window's tasks and e-mails in full (shared/usecases/reports/commentary.ts), with a notifier that
// records each request: what commentary.test.ts shows through the real notifier, here field by field.

const HOUR = 3_600_000;
const OPENED = '2026-04-02T06:00:00.000Z';
const CLOSES = '2026-04-05T06:00:00.000Z';
const PUB = 'monthly-compliance-portfolio-2026-03';
const OWEN = { name: 'Owen Service', email: 'owen@example.com' };
const taskId = (agreementId: string, objectiveId: string) =>
  `tsk_${createHash('sha256').update(`commentary|${PUB}|${agreementId}|${objectiveId}`).digest('hex').slice(0, 26)}`;

async function setup(o: { baseUrl?: string; queued?: number } = {}) {
  const clock = new TestClock(OPENED);
  const agreements = new MemoryAgreementStore();
  const a = agreementVersion({ status: 'active', title: 'Payments gateway SLA' });
  await agreements.create(a);
  const tasks = new MemoryWorkTaskStore();
  const sent: NotifyRequest[] = [];
  const notifications = {
    notify: async (r: NotifyRequest) => {
      sent.push(r);
      return { queued: o.queued ?? 1 };
    },
  } as unknown as Notifications;
  const window = new TaskCommentaryWindow({
    tasks,
    agreements,
    notifications: () => notifications,
    clock,
    ...(o.baseUrl === undefined ? {} : { baseUrl: o.baseUrl }),
  });
  const req = (objectives: Partial<CommentaryRequest['objectives'][number]>[] = [{}]): CommentaryRequest => ({
    publicationId: PUB,
    scheduleId: 'monthly-compliance-portfolio',
    period: '2026-03',
    closesAt: CLOSES,
    objectives: objectives.map((x) => ({
      agreementId: a.id,
      objectiveId: 'availability',
      owner: OWEN,
      compliance: 99.5,
      target: 99.9,
      ...x,
    })),
  });
  return { clock, a, tasks, sent, window, req };
}

describe('opening a commentary window', () => {
  it('writes the task whole and e-mails the owner once, with a link to the task', async () => {
    const { window, req, tasks, sent, a } = await setup({ baseUrl: 'https://accord.example/' });
    await window.open(req());
    const id = taskId(a.id, 'availability');
    const title = `Explain why "Monthly availability" of Payments gateway SLA missed its target in 2026-03`;
    expect(await tasks.get(id)).toEqual({
      id,
      kind: 'commentary',
      workflow: 'report-commentary',
      executionId: PUB,
      token: '',
      subject: { type: 'agreement', id: a.id },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title,
      assignees: { emails: ['owen@example.com'], roles: ['sla-manager', 'service-owner'] },
      status: 'pending',
      createdAt: OPENED,
      updatedAt: OPENED,
      dueAt: CLOSES,
      externalRef: `commentary/${PUB}/${a.id}/availability`,
      data: {
        publicationId: PUB,
        scheduleId: 'monthly-compliance-portfolio',
        period: '2026-03',
        agreementId: a.id,
        objectiveId: 'availability',
        objective: 'Monthly availability',
        compliance: 99.5,
        target: 99.9,
        owner: OWEN,
      },
      revision: 1,
    });
    expect(sent).toEqual([
      {
        key: `commentary/${id}/requested`,
        topic: `agreement:${a.id}`,
        event: 'report.commentary-requested',
        businessUnit: 'payments',
        to: [OWEN],
        lists: [],
        subject: `Commentary requested: ${title}`,
        paragraphs: [
          '"Monthly availability" of Payments gateway SLA reached 99.500% in 2026-03 against a target of 99.9%.',
          'Before the monthly report is published, please explain the deviation and the remediation. Your commentary is printed in the report and is part of its hash. The window closes at 2026-04-05T06:00:00.000Z.',
          `Answer the task ${id} with your comment (POST /v1/tasks/${id}/complete, {"reason", "comment"}).`,
        ],
        links: [{ label: 'Open the task', url: `https://accord.example/v1/tasks/${id}` }],
        headers: { 'X-Accord-Task': id },
      },
    ]);
  });

  it('says "no data" for an objective without a figure, names an objective the agreement no longer has by its id, and has no link without a base URL', async () => {
    const { window, req, sent } = await setup();
    await window.open(req([{ objectiveId: 'gone', compliance: null }]));
    expect(sent[0]!.paragraphs[0]).toBe(
      '"gone" of Payments gateway SLA reached no data in 2026-03 against a target of 99.9%.',
    );
    expect(sent[0]!.subject).toBe(
      'Commentary requested: Explain why "gone" of Payments gateway SLA missed its target in 2026-03',
    );
    expect(sent[0]).not.toHaveProperty('links');
  });

  it('asks nothing for an agreement that is gone, and nothing twice', async () => {
    const { window, req, tasks, sent } = await setup();
    await window.open(req([{ agreementId: 'agr_gone' }, {}]));
    await window.open(req([{}]));
    expect(await tasks.list({ executionId: PUB })).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('refuses to open without a notifier once it has someone to ask', async () => {
    const { req } = await setup();
    const w = new TaskCommentaryWindow({
      tasks: new MemoryWorkTaskStore(),
      agreements: new MemoryAgreementStore(),
      notifications: () => undefined,
      clock: new TestClock(OPENED),
    });
    const agreements = new MemoryAgreementStore();
    const a = agreementVersion();
    await agreements.create(a);
    const w2 = new TaskCommentaryWindow({
      tasks: new MemoryWorkTaskStore(),
      agreements,
      notifications: () => undefined,
      clock: new TestClock(OPENED),
    });
    await expect(w.open(req())).resolves.toBeUndefined();
    await expect(
      w2.open({ ...req(), objectives: [{ ...req().objectives[0]!, agreementId: a.id }] }),
    ).rejects.toThrow('the notifier is not deployed here: owners cannot be asked for commentary');
  });
});

describe('reminders', () => {
  it('sends the nearest due offset once, whatever order the policy lists them in, then while held with the SLA managers', async () => {
    const { window, req, sent, clock, a } = await setup();
    await window.open(req());
    const id = taskId(a.id, 'availability');
    const close = Date.parse(CLOSES);
    const policy = { remindHoursBefore: [4, 48, 24], heldRemindEveryHours: 12 };
    clock.set(close - 49 * HOUR);
    expect(await window.remind(policy)).toBe(0);
    // 3 hours before the close: 48, 24 and 4 have all come; one reminder, for 4 hours.
    clock.set(close - 3 * HOUR);
    expect(await window.remind(policy)).toBe(1);
    expect(sent.at(-1)).toMatchObject({
      key: `commentary/${id}/remind-4h`,
      event: 'report.commentary-reminder',
      subject: `Reminder: commentary: Explain why "Monthly availability" of Payments gateway SLA missed its target in 2026-03`,
      lists: [],
      paragraphs: [
        'The commentary window closes in less than 4 hours (2026-04-05T06:00:00.000Z).',
        '"Monthly availability" missed its target in 2026-03; your explanation is still missing.',
        expect.stringMatching(/^Answer the task /),
      ],
    });
    // At the close exactly the report is held: reminder 0 of the held series.
    clock.set(close);
    expect(await window.remind(policy)).toBe(1);
    expect(sent.at(-1)).toMatchObject({
      key: `commentary/${id}/remind-held-0`,
      event: 'report.commentary-reminder',
      lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
      paragraphs: [
        'The commentary window closed at 2026-04-05T06:00:00.000Z; the report is held until every owner has answered.',
        '"Monthly availability" missed its target in 2026-03; your explanation is still missing.',
        expect.stringMatching(/^Answer the task /),
      ],
    });
    clock.set(close + 12 * HOUR - 1);
    await window.remind(policy);
    expect(sent.at(-1)!.key).toBe(`commentary/${id}/remind-held-0`);
    clock.set(close + 12 * HOUR);
    await window.remind(policy);
    expect(sent.at(-1)!.key).toBe(`commentary/${id}/remind-held-1`);
  });

  it('reminds about pending commentary tasks only, and counts what the notifier queued', async () => {
    const { window, req, tasks, clock, sent } = await setup();
    await window.open(req());
    const [t] = await tasks.list({ executionId: PUB });
    await tasks.upsert({ ...t!, id: 'tsk_other', kind: 'review' });
    clock.set(Date.parse(CLOSES) - HOUR);
    expect(await window.remind({ remindHoursBefore: [4], heldRemindEveryHours: 24 })).toBe(1);
    expect(sent.map((r) => r.key)).toEqual([
      `commentary/${t!.id}/requested`,
      `commentary/${t!.id}/remind-4h`,
    ]);
    const none = await setup({ queued: 0 });
    await none.window.open(none.req());
    none.clock.set(Date.parse(CLOSES) - HOUR);
    expect(await none.window.remind({ remindHoursBefore: [4], heldRemindEveryHours: 24 })).toBe(0);
    expect(none.sent).toHaveLength(2);
  });
});

describe('reminders at their boundaries', () => {
  it('sends the 24-hour reminder at exactly 24 hours before the close and the 4-hour one at exactly 4 hours', async () => {
    const { window, req, sent, clock, a } = await setup();
    await window.open(req());
    const id = taskId(a.id, 'availability');
    const close = Date.parse(CLOSES);
    const policy = { remindHoursBefore: [24, 4], heldRemindEveryHours: 24 };
    clock.set(close - 24 * HOUR - 1);
    expect(await window.remind(policy)).toBe(0);
    clock.set(close - 24 * HOUR);
    expect(await window.remind(policy)).toBe(1);
    clock.set(close - 4 * HOUR);
    expect(await window.remind(policy)).toBe(1);
    expect(sent.map((r) => r.key)).toEqual([
      `commentary/${id}/requested`,
      `commentary/${id}/remind-24h`,
      `commentary/${id}/remind-4h`,
    ]);
  });

  it('reminds nobody whose commentary task is answered or expired, even past the close', async () => {
    const { window, req, tasks, sent, clock, a } = await setup();
    await window.open(
      req([{ objectiveId: 'answered' }, { objectiveId: 'expired' }, { objectiveId: 'open' }]),
    );
    for (const [o, status] of [
      ['answered', 'completed'],
      ['expired', 'expired'],
    ] as const) {
      const t = (await tasks.get(taskId(a.id, o)))!;
      await tasks.update({ ...t, status, outcome: { reason: 'x' } }, t.revision);
    }
    clock.set(Date.parse(CLOSES) + HOUR);
    expect(await window.remind({ remindHoursBefore: [4], heldRemindEveryHours: 24 })).toBe(1);
    expect(sent.slice(3).map((r) => r.key)).toEqual([`commentary/${taskId(a.id, 'open')}/remind-held-0`]);
  });
});

describe('collecting, closing and publishing', () => {
  async function answered() {
    const s = await setup();
    await s.window.open(
      s.req([{ objectiveId: 'b' }, { objectiveId: 'a' }, { objectiveId: 'c' }, { objectiveId: 'd' }]),
    );
    const get = async (o: string) => (await s.tasks.get(taskId(s.a.id, o)))!;
    const settle = async (o: string, outcome: Record<string, unknown>, extra: Partial<WorkTask> = {}) => {
      const t = await get(o);
      await s.tasks.update(
        { ...t, status: 'completed', outcome, updatedAt: '2026-04-03T00:00:00.000Z', ...extra },
        t.revision,
      );
    };
    await settle(
      'a',
      { comment: '  A deployment failed.  ', reason: 'done', by: 'owen' },
      { settledAt: '2026-04-03T10:00:00.000Z' },
    );
    await settle('b', { reason: 'Only a reason' }, { settledBy: 'rita' });
    await settle('c', { comment: '   ', reason: 'x' });
    return { ...s, get };
  }

  it('takes each answered comment trimmed, or a bare reason, with its author and time, sorted by objective', async () => {
    const { window, a } = await answered();
    expect(await window.collect(PUB)).toEqual([
      {
        agreementId: a.id,
        objectiveId: 'a',
        author: 'owen',
        at: '2026-04-03T10:00:00.000Z',
        text: 'A deployment failed.',
      },
      {
        agreementId: a.id,
        objectiveId: 'b',
        author: 'rita',
        at: '2026-04-03T00:00:00.000Z',
        text: 'Only a reason',
      },
    ]);
  });

  it('expires only the pending requests at the close, as the system, and counts them', async () => {
    const { window, get, clock } = await answered();
    clock.set('2026-04-05T06:00:00.000Z');
    expect(await window.close(PUB)).toBe(1);
    expect(await get('d')).toMatchObject({
      status: 'expired',
      outcome: { reason: 'the commentary window closed without an answer' },
      settledBy: 'system:reports',
      settledAt: '2026-04-05T06:00:00.000Z',
      updatedAt: '2026-04-05T06:00:00.000Z',
    });
    expect((await get('a')).status).toBe('completed');
    expect(await window.close(PUB)).toBe(0);
    expect(await window.state(PUB)).toEqual({ asked: 4, pending: 0, publishedReportId: undefined });
  });

  it('marks every task with the published report, retrying a task changed meanwhile', async () => {
    const { window, tasks, get } = await answered();
    const d = await get('d');
    // Another writer changes the task between the read and the write, once.
    const realUpdate = tasks.update.bind(tasks);
    let raced = false;
    tasks.update = async (t, rev) => {
      if (!raced && t.id === d.id) {
        raced = true;
        await realUpdate({ ...d, title: 'changed meanwhile' }, d.revision);
      }
      return realUpdate(t, rev);
    };
    await window.published(PUB, 'rpt_42');
    for (const o of ['a', 'b', 'c', 'd']) expect((await get(o)).data.publishedReportId).toBe('rpt_42');
    expect((await get('d')).title).toBe('changed meanwhile');
    expect(await window.state(PUB)).toMatchObject({ asked: 4, publishedReportId: 'rpt_42' });
  });

  it('gives up marking a task after three writes that each lost to another writer, reading it again only after a lost write', async () => {
    const { window, tasks, get } = await answered();
    const d = await get('d');
    const calls: string[] = [];
    const realGet = tasks.get.bind(tasks);
    const realUpdate = tasks.update.bind(tasks);
    tasks.get = async (id) => {
      if (id === d.id) calls.push('get');
      return realGet(id);
    };
    // Another writer changes d just before each of our writes, four times over.
    let races = 4;
    tasks.update = async (t, rev) => {
      if (t.id === d.id) {
        calls.push('update');
        if (races-- > 0) {
          const cur = (await realGet(d.id))!;
          await realUpdate({ ...cur, title: `changed ${races}` }, cur.revision);
        }
      }
      return realUpdate(t, rev);
    };
    await window.published(PUB, 'rpt_42');
    expect(calls).toEqual(['update', 'get', 'update', 'get', 'update']);
    expect((await get('d')).data).not.toHaveProperty('publishedReportId');
    for (const o of ['a', 'b', 'c']) expect((await get(o)).data.publishedReportId).toBe('rpt_42');
  });

  it('marks a task that lost its first two writes on the third', async () => {
    const { window, tasks, get } = await answered();
    const d = await get('d');
    const realUpdate = tasks.update.bind(tasks);
    let races = 2;
    tasks.update = async (t, rev) => {
      if (t.id === d.id && races-- > 0) {
        const cur = (await tasks.get(d.id))!;
        await realUpdate({ ...cur, title: 'changed meanwhile' }, cur.revision);
      }
      return realUpdate(t, rev);
    };
    await window.published(PUB, 'rpt_42');
    expect((await get('d')).data.publishedReportId).toBe('rpt_42');
  });

  it("answers for this publication's commentary tasks only: not another publication's, nor another kind of task under its id", async () => {
    const { window, tasks, get } = await answered();
    const d = await get('d');
    await tasks.upsert({
      ...d,
      id: 'tsk_other_publication',
      executionId: 'monthly-compliance-portfolio-2026-02',
    });
    await tasks.upsert({ ...d, id: 'tsk_review', kind: 'review' });
    expect(await window.state(PUB)).toEqual({ asked: 4, pending: 1, publishedReportId: undefined });
    expect(await window.close(PUB)).toBe(1);
    await window.published(PUB, 'rpt_42');
    for (const id of ['tsk_other_publication', 'tsk_review'])
      expect(await tasks.get(id)).toMatchObject({ status: 'pending', data: d.data });
    expect(await window.state(PUB)).toEqual({ asked: 4, pending: 0, publishedReportId: 'rpt_42' });
  });
});

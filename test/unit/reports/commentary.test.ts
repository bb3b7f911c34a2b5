import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import type { CommentaryRequest } from '../../../shared/ports/reports.js';
import { TaskCommentaryWindow } from '../../../shared/usecases/reports/commentary.js';
import { TaskUseCases } from '../../../shared/usecases/workflows/tasks.js';
import { TestClock } from '../../helpers/clock.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';
import { testNotifications } from '../../helpers/notify.js';

const HOUR = 3_600_000;
const OPENED = '2026-04-02T06:00:00.000Z';
const CLOSES = '2026-04-05T06:00:00.000Z'; // 72 hours later
const POLICY = { remindHoursBefore: [24, 4], heldRemindEveryHours: 24 };

async function setup() {
  const clock = new TestClock(OPENED);
  const agreements = new MemoryAgreementStore();
  const a = agreementVersion({ status: 'active', title: 'Payments gateway SLA' });
  await agreements.create(a);
  const tasks = new MemoryWorkTaskStore();
  const { notifications, store } = testNotifications({ now: () => clock.now() });
  const window = new TaskCommentaryWindow({
    tasks,
    agreements,
    notifications: () => notifications,
    clock,
    baseUrl: 'https://accord.example',
  });
  const req: CommentaryRequest = {
    publicationId: 'monthly-compliance-portfolio-2026-03',
    scheduleId: 'monthly-compliance-portfolio',
    period: '2026-03',
    closesAt: CLOSES,
    objectives: [
      {
        agreementId: a.id,
        objectiveId: 'availability',
        owner: { name: 'Owen Service', email: 'owen@example.com' },
        compliance: 99.5,
        target: 99.9,
      },
    ],
  };
  const taskUseCases = new TaskUseCases({
    tasks,
    agreements: undefined as never, // only sign-offs go through the agreement use cases
    engine: () => {
      throw new Error('commentary tasks wait on no execution');
    },
    clock,
  });
  return { clock, a, tasks, store, window, req, taskUseCases };
}

const emailsTo = async (store: ReturnType<typeof testNotifications>['store']) =>
  (await store.list({})).reverse().map((n) => ({
    subject: n.email!.subject,
    to: n.email!.to.map((t) => t.email).sort(),
  }));

describe('the commentary window as people’s tasks', () => {
  it('asks each owner of a missed objective once: a task due at the close, and an e-mail naming the figures', async () => {
    const { window, req, tasks, store, a } = await setup();
    await window.open(req);
    await window.open(req); // the schedule ran twice
    const [t, ...rest] = await tasks.list({ executionId: req.publicationId });
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      kind: 'commentary',
      workflow: 'report-commentary',
      status: 'pending',
      dueAt: CLOSES,
      subject: { type: 'agreement', id: a.id },
      businessUnit: 'payments',
      assignees: { emails: ['owen@example.com'], roles: ['sla-manager', 'service-owner'] },
    });
    const [mail, ...more] = await store.list({});
    expect(more).toEqual([]);
    expect(mail!.email!.to).toEqual([{ name: 'Owen Service', email: 'owen@example.com' }]);
    expect(mail!.email!.subject).toBe(
      'Commentary requested: Explain why "Monthly availability" of Payments gateway SLA missed its target in 2026-03',
    );
    expect(mail!.email!.text).toContain('reached 99.500% in 2026-03 against a target of 99.9%');
    expect(mail!.email!.text).toContain(`https://accord.example/v1/tasks/${t!.id}`);
    expect(await window.state(req.publicationId)).toEqual({
      asked: 1,
      pending: 1,
      publishedReportId: undefined,
    });
  });

  it('reminds 24 and 4 hours before the close, each once, then while the report is held once a day with the SLA managers', async () => {
    const { window, req, clock, store } = await setup();
    await window.open(req);
    const close = Date.parse(CLOSES);
    const at = async (ms: number) => {
      clock.set(ms);
      return window.remind(POLICY);
    };
    expect(await at(close - 30 * HOUR)).toBe(0);
    expect(await at(close - 20 * HOUR)).toBe(1); // the 24-hour reminder
    expect(await at(close - 19 * HOUR)).toBe(0); // not again
    expect(await at(close - 3 * HOUR)).toBe(1); // the 4-hour reminder
    expect(await at(close - 1 * HOUR)).toBe(0);
    expect(await at(close + 1 * HOUR)).toBe(1); // held: overdue, SLA managers in copy
    expect(await at(close + 23 * HOUR)).toBe(0);
    expect(await at(close + 25 * HOUR)).toBe(1); // the next day
    const sent = await emailsTo(store);
    expect(sent.map((s) => s.subject.split(':')[0])).toEqual([
      'Commentary requested',
      'Reminder',
      'Reminder',
      'Reminder',
      'Reminder',
    ]);
    expect(sent.filter((s) => s.to.includes('sla-manager@accord.local'))).toHaveLength(2);
  });

  it('collects what owners answered through the tasks API into the report, and nothing from requests that expired', async () => {
    const { window, req, tasks, taskUseCases, clock } = await setup();
    await window.open(req);
    const second = { ...req.objectives[0]!, objectiveId: 'latency' };
    await window.open({ ...req, objectives: [...req.objectives, second] });
    const [t1, t2] = (await tasks.list({ executionId: req.publicationId })).sort((x, y) =>
      String(x.data.objectiveId).localeCompare(String(y.data.objectiveId)),
    );
    const owner = principal({ subject: 'owen', email: 'owen@example.com', roles: ['service-owner'] });
    // An approver reads every task but this one is not addressed to it.
    const stranger = principal({ subject: 'eve', email: 'eve@example.com', roles: ['approver'] });
    await expect(
      taskUseCases.complete(stranger, t1!.id, { reason: 'mine now', comment: 'x' }),
    ).rejects.toThrow(/addressed to owen@example.com or the roles sla-manager, service-owner, not to you/);
    clock.set('2026-04-03T10:00:00.000Z');
    await taskUseCases.complete(owner, t1!.id, {
      reason: 'Deviation explained',
      comment: 'A failed deployment on the 10th; rollbacks are automatic now (CAPA-7).',
    });
    expect(await window.state(req.publicationId)).toMatchObject({ asked: 2, pending: 1 });
    expect(await window.close(req.publicationId)).toBe(1);
    expect((await tasks.get(t2!.id))!.status).toBe('expired');
    await expect(taskUseCases.complete(owner, t2!.id, { reason: 'late', comment: 'late' })).rejects.toThrow(
      /is expired/,
    );
    expect(await window.collect(req.publicationId)).toEqual([
      {
        agreementId: req.objectives[0]!.agreementId,
        objectiveId: 'availability',
        author: 'owen',
        at: '2026-04-03T10:00:00.000Z',
        text: 'A failed deployment on the 10th; rollbacks are automatic now (CAPA-7).',
      },
    ]);
    await window.published(req.publicationId, 'rpt_1');
    expect(await window.state(req.publicationId)).toEqual({
      asked: 2,
      pending: 0,
      publishedReportId: 'rpt_1',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody, serviceBody } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/local-app.js';
import { advance, outbox, settle, TestClock } from '../../helpers/workflows.js';

const HOUR = 3_600_000;
const T0 = '2026-03-02T09:00:00.000Z';
let app: TestApp;
const clock = new TestClock(Date.parse(T0));

beforeAll(async () => {
  app = await startTestApp({}, { clock });
  const svc = await app.call('POST', '/v1/services', {
    as: 'sla-manager',
    body: serviceBody({ tier: 2, owner: { name: 'Owen Service', email: 'owen.service@accord.local' } }),
  });
  expect(svc.status).toBe(201);
});
afterAll(async () => app.close());

const ESCALATION = [
  {
    level: 1,
    afterMinutes: 0,
    role: 'service manager',
    contact: { name: 'Esme One', email: 'esme.one@accord.local' },
  },
  {
    level: 2,
    afterMinutes: 60,
    role: 'head of service',
    contact: { name: 'Hal Two', email: 'hal.two@accord.local' },
  },
];

async function submitted(over: object = {}): Promise<string> {
  const created = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      effectiveFrom: '2026-03-10',
      effectiveTo: '2027-03-04',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
      escalation: ESCALATION,
      ...over,
    }),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  const r = await app.call('POST', `/v1/agreements/${id}/submit`, {
    as: 'sla-manager',
    body: { reason: 'ready for sign-off' },
    headers: { 'if-match': '"1"' },
  });
  expect(r.status).toBe(200);
  await settle(app);
  return id;
}

const tasksOf = async (as: string, agreementId: string, status = 'pending') =>
  ((await app.call('GET', `/v1/tasks?status=${status}&subjectId=${agreementId}`, { as })).body.items ??
    []) as {
    id: string;
    assignees: { capacity?: string };
    status: string;
    yours: boolean;
  }[];
const current = async (id: string) => (await app.call('GET', `/v1/agreements/${id}`, { as: 'auditor' })).body;
const executions = async (id: string) =>
  (await app.call('GET', `/v1/agreements/${id}/workflows`, { as: 'auditor' })).body.items as {
    status: string;
    path: string[];
    output: { outcome: string; reason: string };
  }[];
const mailsFor = async (subjectPart: string) =>
  (await outbox(app)).filter((m) => m.subject.includes(subjectPart));

describe('the approval workflow on the embedded default', () => {
  it('asks each capacity for its sign-off, reminds, escalates an overdue one along the matrix, and activates on effectiveFrom', async () => {
    clock.set(T0);
    const id = await submitted({ title: 'Approval end to end' });
    // Tier 2 SLA: the service owner and the customer's business owner sign; 72 h from submission.
    const mine = await tasksOf('approver-business', id);
    expect(mine.map((t) => [t.assignees.capacity, t.yours])).toEqual([['business-owner', true]]);
    expect((await tasksOf('service-owner', id)).map((t) => t.assignees.capacity)).toEqual(['service-owner']);
    const requested = await mailsFor('Sign-off requested: Approval end to end');
    // Recipients: the distribution list of the business-owner capacity; the service's own owner.
    expect(requested.map((m) => m.to).sort()).toEqual([
      ['business-owner@accord.local'],
      ['owen.service@accord.local'],
    ]);
    const link = requested.find((m) => m.to.includes('business-owner@accord.local'))!;
    expect(link.text).toContain(`http://localhost:3000/v1/tasks/${mine[0]!.id}`);
    expect(link.html).toContain(`href="http://localhost:3000/v1/tasks/${mine[0]!.id}"`);
    expect(link.headers.get('x-accord-task')).toBe(mine[0]!.id);

    // The business owner acts through the task API.
    const act = await app.call('POST', `/v1/tasks/${mine[0]!.id}/complete`, {
      as: 'approver-business',
      body: { decision: 'approved', reason: 'meets our needs' },
    });
    expect(act.status, JSON.stringify(act.body)).toBe(200);
    await settle(app);
    expect((await tasksOf('approver-business', id, 'completed')).map((t) => t.status)).toEqual(['completed']);

    // 48 h in, the first reminder (24 h before the deadline) goes to the service owner only.
    await advance(app, clock, 48 * HOUR + 60_000);
    const reminders = await mailsFor('Reminder: sign-off due in 24 h: Approval end to end');
    expect(reminders.map((m) => m.to)).toEqual([['owen.service@accord.local']]);
    // 4 h before, the second.
    await advance(app, clock, 20 * HOUR);
    expect(await mailsFor('Reminder: sign-off due in 4 h: Approval end to end')).toHaveLength(1);
    // Overdue: level 1 of the agreement's escalation matrix, then level 2 a day later; each once.
    await advance(app, clock, 4 * HOUR);
    await advance(app, clock, HOUR);
    const level1 = await mailsFor('Escalation (level 1): overdue sign-off: Approval end to end');
    expect(level1.map((m) => m.to[0])).toEqual(['esme.one@accord.local']);
    await advance(app, clock, 24 * HOUR);
    const level2 = await mailsFor('Escalation (level 2): overdue sign-off: Approval end to end');
    expect(level2.map((m) => m.to[0])).toEqual(['hal.two@accord.local']);
    await advance(app, clock, 3 * HOUR);
    expect(await mailsFor('Escalation (level 1)')).toHaveLength(1);

    // The service owner signs through the existing agreement route: the workflow observes it.
    const a = await current(id);
    const sign = await app.call('POST', `/v1/agreements/${id}/signoffs`, {
      as: 'service-owner',
      body: { capacity: 'service-owner', decision: 'approved', reason: 'capacity confirmed' },
      headers: { 'if-match': `"${a.version}"` },
    });
    expect(sign.status, JSON.stringify(sign.body)).toBe(200);
    expect(sign.body.status).toBe('approved');
    await settle(app);
    // 2026-03-10 begins at 00:00 in Europe/London (GMT): the workflow waits for it.
    clock.set('2026-03-09T23:59:00.000Z');
    await settle(app);
    expect((await current(id)).status).toBe('approved');
    clock.set('2026-03-10T00:00:00.000Z');
    await settle(app);
    const active = await current(id);
    expect(active).toMatchObject({ status: 'active', changedBy: 'system:workflow-approval' });
    const [x] = await executions(id);
    expect(x!.status).toBe('succeeded');
    expect(x!.output).toMatchObject({ outcome: 'activated' });
    const top = x!.path.filter((s) => !s.includes('['));
    expect(top).toEqual([
      'PlanApproval',
      'IsStillSubmitted',
      'CollectSignOffs',
      'PlanActivation',
      'AwaitEffectiveDate',
      'Activate',
      'ActivationOutcome',
      'Close',
    ]);
    const so = x!.path.filter((s) => s.startsWith('CollectSignOffs[0]'));
    expect(so[0]).toBe('CollectSignOffs[0].AwaitSignOff');
    expect(so).toContain('CollectSignOffs[0].FollowUpSignOff');
    expect(so.at(-1)).toBe('CollectSignOffs[0].SignedOff');
    expect(await mailsFor('Approval activated: Approval end to end')).toHaveLength(1);
  });

  it("refuses acting on someone else's task (403) and on a finished one (409 naming its state)", async () => {
    clock.set('2026-04-01T09:00:00.000Z');
    const id = await submitted({ title: 'Task permissions', effectiveFrom: '2026-04-10' });
    const [task] = await tasksOf('approver-business', id);
    const other = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'approver-legal',
      body: { decision: 'approved', reason: 'not mine to give' },
    });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('business-owner');
    const done = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'approver-business',
      body: { decision: 'approved', reason: 'fine' },
    });
    expect(done.status).toBe(200);
    await settle(app);
    const again = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'approver-business',
      body: { decision: 'approved', reason: 'twice' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('completed');
    const missing = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'approver-business',
      body: { reason: 'no decision' },
    });
    expect(missing.status).toBe(409);
    const unknown = await app.call('GET', '/v1/tasks/tsk_nothing', { as: 'approver-business' });
    expect(unknown.status).toBe(404);
  });

  it('ends with the reason when a sign-off is rejected, and cancels the other open tasks', async () => {
    clock.set('2026-05-01T09:00:00.000Z');
    const id = await submitted({ title: 'Rejected one', effectiveFrom: '2026-05-10' });
    const [task] = await tasksOf('approver-business', id);
    const r = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'approver-business',
      body: { decision: 'rejected', reason: 'the target is too low for us' },
    });
    expect(r.status).toBe(200);
    await settle(app);
    const [x] = await executions(id);
    expect(x).toMatchObject({ status: 'succeeded', output: { outcome: 'rejected' } });
    expect(x!.path.at(-1)).toBe('Close');
    expect(x!.path).toContain('Rejected');
    expect(await tasksOf('service-owner', id)).toEqual([]);
    expect((await tasksOf('service-owner', id, 'cancelled')).map((t) => t.assignees.capacity)).toEqual([
      'service-owner',
    ]);
    const [mail] = await mailsFor('Approval rejected: Rejected one');
    expect(mail!.text).toContain('Why: rejected: the target is too low for us');
  });

  it('ends with the reason when the submission is withdrawn', async () => {
    clock.set('2026-06-01T09:00:00.000Z');
    const id = await submitted({ title: 'Withdrawn one', effectiveFrom: '2026-06-10' });
    const w = await app.call('POST', `/v1/agreements/${id}/withdraw`, {
      as: 'sla-manager',
      body: { reason: 'the customer asked for changes' },
      headers: { 'if-match': '"2"' },
    });
    expect(w.status).toBe(200);
    await settle(app);
    const [x] = await executions(id);
    expect(x).toMatchObject({
      status: 'succeeded',
      output: { outcome: 'withdrawn', reason: 'withdrawn: the customer asked for changes' },
    });
    expect(await tasksOf('approver-business', id)).toEqual([]);
  });
});

describe('GET /v1/tasks pages', () => {
  it('hands out nextCursor, lists each task once across pages, and refuses a forged cursor with a 400', async () => {
    clock.set(T0);
    const id = await submitted({ title: 'Paged tasks' });
    const all = (await app.call('GET', `/v1/tasks?view=all&subjectId=${id}`, { as: 'auditor' })).body
      .items as { id: string }[];
    expect(all.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < all.length + 1; n++) {
      const r = await app.call(
        'GET',
        `/v1/tasks?view=all&subjectId=${id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { as: 'auditor' },
      );
      expect(r.status).toBe(200);
      seen.push(...(r.body.items as { id: string }[]).map((t) => t.id));
      cursor = r.body.nextCursor as string | undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(all.map((t) => t.id));
    for (const forged of [
      'forged',
      encodeURIComponent(Buffer.from('{"k":"x","f":"y"}').toString('base64url')),
    ]) {
      const r = await app.call('GET', `/v1/tasks?view=all&cursor=${forged}`, { as: 'auditor' });
      expect(r.status).toBe(400);
      expect(r.body.error.details[0].path).toBe('query.cursor');
    }
  });
});

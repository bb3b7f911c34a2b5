import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULES } from '../../../shared/schedules.js';
import { agreementBody, serviceBody } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/local-app.js';
import { approveAndActivate, outbox, settle, startWorkflowApp, TestClock } from '../../helpers/workflows.js';

const clock = new TestClock(Date.parse('2026-03-02T09:00:00.000Z'));
let app: TestApp;

beforeAll(async () => {
  app = await startWorkflowApp(clock);
});
afterAll(async () => app.close());

async function activeAgreement(over: object): Promise<string> {
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({ effectiveFrom: '2026-03-02', ...over }),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const id = a.body.id as string;
  await approveAndActivate(app, id);
  await settle(app);
  return id;
}

const agreement = async (id: string) =>
  (await app.call('GET', `/v1/agreements/${id}`, { as: 'auditor' })).body;
const runAt = async (iso: string) => {
  clock.set(iso);
  const summary = await app.workflows.services.renewals.run();
  await settle(app);
  return summary;
};
const mails = async (part: string) => (await outbox(app)).filter((m) => m.subject.includes(part));
const tasks = async (id: string, status = 'pending') =>
  (await app.call('GET', `/v1/tasks?status=${status}&subjectId=${id}&kind=review`, { as: 'sla-manager' }))
    .body.items as {
    id: string;
    title: string;
    data: Record<string, unknown>;
    yours: boolean;
    outcome?: object;
  }[];

describe('renewals and periodic reviews (issue 11 item 3)', () => {
  it('runs from the one schedule table, before the hourly lifecycle job', () => {
    const s = SCHEDULES.find((x) => x.id === 'agreement-renewals');
    expect(s).toMatchObject({ handler: 'workflows/renewals-scheduled', cron: 'cron(2 * * * ? *)' });
  });

  it('reminds the owners 90, 30 and 7 days before an auto-renewal, each once, then renews by a new version on the date', async () => {
    const id = await activeAgreement({
      title: 'Auto-renewing SLA',
      effectiveTo: '2026-09-01',
      renewal: { renewalDate: '2026-09-01', noticeDays: 30, autoRenew: true },
      reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
    });
    // 2026-06-03 is 90 days before 2026-09-01 (in Europe/London, the agreement's zone).
    expect((await runAt('2026-06-02T09:00:00.000Z')).reminded).not.toContain(`${id}:renewal:90`);
    expect((await runAt('2026-06-03T09:00:00.000Z')).reminded).toContain(`${id}:renewal:90`);
    await runAt('2026-06-03T10:00:00.000Z'); // the hourly run again: nothing new is sent
    const first = await mails('Renewal in 90 days: Auto-renewing SLA');
    expect(first).toHaveLength(1);
    // To the service's owner and the SLA managers of the parties (the distribution list of the role).
    expect(first[0]!.to.sort()).toEqual(['owen@example.com', 'sla-manager@accord.local']);
    expect(first[0]!.text).toContain('unless notice is given by 2026-08-02');
    const [task] = await tasks(id);
    expect(task).toMatchObject({ data: { purpose: 'renewal', noticeBy: '2026-08-02' }, yours: true });
    await runAt('2026-08-02T09:00:00.000Z');
    expect(await mails('Renewal in 30 days: Auto-renewing SLA')).toHaveLength(1);
    await runAt('2026-08-25T09:00:00.000Z');
    expect(await mails('Renewal in 7 days: Auto-renewing SLA')).toHaveLength(1);
    const before = await agreement(id);
    // 2026-09-01 begins at 23:00 UTC on 2026-08-31 in London (BST).
    expect((await runAt('2026-08-31T22:59:00.000Z')).renewed).toEqual([]);
    expect((await runAt('2026-08-31T23:00:00.000Z')).renewed).toEqual([id]);
    const after = await agreement(id);
    expect(after).toMatchObject({
      status: 'active',
      version: before.version + 1,
      change: 'renew',
      changedBy: 'system:workflow-renewal',
      effectiveTo: '2027-09-01',
      renewal: { renewalDate: '2027-09-01', noticeDays: 30, autoRenew: true },
      signOffs: before.signOffs,
    });
    expect(await mails('Renewed: Auto-renewing SLA until 2027-09-01')).toHaveLength(1);
    expect((await tasks(id, 'completed')).map((t) => t.outcome)).toEqual([{ renewed: before.version + 1 }]);
    expect((await runAt('2026-09-01T09:00:00.000Z')).renewed).toEqual([]);
  });

  it('does not renew when notice was given in time through the renewal task', async () => {
    clock.set('2026-03-02T09:00:00.000Z');
    const id = await activeAgreement({
      title: 'Noticed SLA',
      effectiveTo: '2026-07-01',
      renewal: { renewalDate: '2026-07-01', noticeDays: 60, autoRenew: true },
      reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
    });
    await runAt('2026-04-10T09:00:00.000Z');
    const [task] = await tasks(id);
    const notice = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'sla-manager',
      body: { decision: 'rejected', reason: 'we move to the new platform' },
    });
    expect(notice.status, JSON.stringify(notice.body)).toBe(200);
    expect(notice.body.outcome).toMatchObject({ notice: true, noticeInTime: true, noticeBy: '2026-05-02' });
    const before = await agreement(id);
    const s = await runAt('2026-07-01T09:00:00.000Z');
    expect(s).toMatchObject({ renewed: [], notRenewed: [id] });
    expect(await agreement(id)).toMatchObject({ version: before.version, effectiveTo: '2026-07-01' });
    expect(await mails('Not renewed (notice given): Noticed SLA')).toHaveLength(1);
  });

  it('asks for a review before its date, records the outcome and schedules the next one by the cycle', async () => {
    clock.set('2026-03-02T09:00:00.000Z');
    const id = await activeAgreement({
      title: 'Reviewed SLA',
      effectiveTo: '2027-12-31',
      reviewCycle: { everyMonths: 6, nextReviewDate: '2026-04-15' },
    });
    await runAt('2026-04-08T09:00:00.000Z'); // 7 days before
    expect(await mails('Review in 7 days: Reviewed SLA')).toHaveLength(1);
    const [task] = await tasks(id);
    expect(task!.data).toMatchObject({ purpose: 'review', reviewDate: '2026-04-15' });
    // Overdue: one notice, to level 1 of the escalation matrix too when it has one.
    const overdue = await runAt('2026-04-16T09:00:00.000Z');
    expect(overdue.overdueReviews).toEqual([id]);
    await runAt('2026-04-17T09:00:00.000Z');
    expect(await mails('Overdue review: Reviewed SLA')).toHaveLength(1);
    const before = await agreement(id);
    const done = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
      as: 'sla-manager',
      body: {
        reason: 'targets still right; credits unchanged',
        comment: 'minutes: met with retail on 16 April',
      },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.outcome).toMatchObject({
      outcome: 'targets still right; credits unchanged',
      nextReviewDate: '2026-10-15',
    });
    expect(await agreement(id)).toMatchObject({
      version: before.version + 1,
      status: 'active',
      reviewCycle: { everyMonths: 6, nextReviewDate: '2026-10-15' },
      reason: expect.stringContaining('targets still right'),
    });
  });
});

describe('service decommissioning (issue 11 item 3)', () => {
  const sunset = (serviceId: string, version: number, as = 'sla-manager') =>
    app.call('POST', `/v1/services/${serviceId}/sunset`, {
      as,
      body: { reason: 'replaced by the new batch platform' },
      headers: { 'if-match': `"${version}"` },
    });

  // Services the development service owner holds, so that its sign-off can be given.
  it('sunsets the active agreements of a sunset service, retires those not in force, marks it sunset and tells the parties', async () => {
    clock.set('2026-03-02T09:00:00.000Z');
    const svc = await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: 'svc_card-authorisation', name: 'Legacy batch', tier: 3 }),
    });
    expect(svc.status).toBe(201);
    const live = await activeAgreement({
      serviceId: 'svc_card-authorisation',
      title: 'Legacy batch SLA',
      effectiveTo: '2027-03-01',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
    });
    const draft = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody({
        serviceId: 'svc_card-authorisation',
        title: 'Legacy batch draft',
        effectiveFrom: '2026-04-01',
        reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
      }),
    });
    expect(draft.status).toBe(201);
    expect((await sunset('svc_card-authorisation', 1, 'service-owner')).status).toBe(403);
    expect((await sunset('svc_card-authorisation', 7)).status).toBe(409);
    const r = await sunset('svc_card-authorisation', 1);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      service: { id: 'svc_card-authorisation', status: 'sunset', version: 2, change: 'sunset' },
      sunset: [live],
      retired: [draft.body.id],
    });
    expect(await agreement(live)).toMatchObject({
      status: 'sunset',
      reason: 'service svc_card-authorisation decommissioned: replaced by the new batch platform',
    });
    expect((await agreement(draft.body.id)).status).toBe('retired');
    await settle(app);
    const notice = await mails('Service decommissioned: Legacy batch');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.to.sort()).toEqual(['owen@example.com', 'sla-manager@accord.local']);
    const again = await sunset('svc_card-authorisation', 2);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already sunset');
    const late = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody({
        serviceId: 'svc_card-authorisation',
        effectiveFrom: '2026-04-01',
        reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
      }),
    });
    expect(late.status).toBe(409);
  });

  it('refuses, changing nothing, while an active agreement of another service depends on one of its OLAs', async () => {
    clock.set('2026-03-02T09:00:00.000Z');
    expect(
      (
        await app.call('POST', '/v1/services', {
          as: 'sla-manager',
          body: serviceBody({ id: 'svc_core-ledger', name: 'Legacy ledger', tier: 3 }),
        })
      ).status,
    ).toBe(201);
    const ola = await activeAgreement({
      kind: 'OLA',
      serviceId: 'svc_core-ledger',
      title: 'Ledger OLA',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'payments' },
        customer: { type: 'business-unit', businessUnit: 'payments' },
      },
      credits: undefined,
      effectiveTo: '2027-03-01',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
    });
    const sla = await activeAgreement({
      title: 'SLA on the ledger',
      underpinnedBy: [ola],
      effectiveTo: '2027-03-01',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2027-02-01' },
    });
    const r = await sunset('svc_core-ledger', 1);
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.error.details).toEqual([
      { path: 'dependants', problem: `${sla} is active and depends on ${ola}` },
    ]);
    expect((await agreement(ola)).status).toBe('active');
    const svc = await app.call('GET', '/v1/services/svc_core-ledger', { as: 'auditor' });
    expect(svc.body.status).toBeUndefined();
  });
});

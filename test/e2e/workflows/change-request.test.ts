import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRequestCalls } from '../../helpers/change-request-e2e.js';
import { agreementBody } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/local-app.js';
import { advance, outbox, settle, startWorkflowApp, TestClock } from '../../helpers/workflows.js';

const H = 3_600_000;
const T0 = '2026-03-02T09:00:00.000Z';
const clock = new TestClock(Date.parse(T0));
let app: TestApp;

beforeAll(async () => {
  app = await startWorkflowApp(clock);
});
afterAll(async () => app.close());

const calls = changeRequestCalls(() => app, clock);
/** An active SLA of payments (provider) for retail-banking (customer) on the tier-2 service, with a duty manager. */
const activeAgreement = (title: string) =>
  calls.activeAgreement(title, {
    escalation: [
      {
        level: 1,
        afterMinutes: 30,
        role: 'duty manager',
        contact: { name: 'Dee Duty', email: 'dee.duty@accord.local' },
      },
    ],
  });
const agreement = async (id: string) =>
  (await app.call('GET', `/v1/agreements/${id}`, { as: 'auditor' })).body;
const { request, tasksOf, mails } = calls;
const complete = (as: string, taskId: string, body: object) =>
  app.call('POST', `/v1/tasks/${taskId}/complete`, { as, body });
const changeExecution = async (agreementId: string) => (await calls.executions(agreementId))[0];
const ask = (as: string, agreementId: string, proposed: object, summary = 'a change') =>
  calls.ask(as, agreementId, proposed, summary, 'the RCA found the target unrealistic');

describe('change requests on the embedded default (issue 11 item 4)', () => {
  it("takes a customer viewer's material change through the provider's assessment and the change control path's sign-offs into a new active version", async () => {
    clock.set(T0);
    const id = await activeAgreement('Change of target');
    const before = await agreement(id);
    const objectives = [{ ...before.objectives[0], target: 99.5 }];
    const r = await ask('viewer', id, { objectives }, 'Lower the availability target to 99.5%');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.headers.get('location')).toBe(`/v1/change-requests/${r.body.id}`);
    expect(r.body).toMatchObject({
      status: 'assessing',
      baseVersion: before.version,
      businessUnit: 'payments',
      classification: { administrative: [], material: ['objectives'] },
    });
    const cr = r.body.id as string;

    // The provider's SLA managers assess it; the customer's viewer who asked cannot.
    const [assessment] = await tasksOf('sla-manager', cr);
    expect(assessment).toMatchObject({ kind: 'change-assessment', yours: true });
    expect((await mails('Change request to assess: Change of target')).map((m) => m.to)).toEqual([
      ['sla-manager@accord.local'],
    ]);
    expect(
      (await complete('viewer', assessment!.id, { decision: 'approved', reason: 'my own idea' })).status,
    ).toBe(403);
    const accept = await complete('sla-manager', assessment!.id, {
      decision: 'approved',
      reason: 'the data supports 99.5%',
    });
    expect(accept.status, JSON.stringify(accept.body)).toBe(200);
    await settle(app);

    // Tier 2, objectives changed: the service owner and the customer's business owner sign (no board below tier 1).
    expect(await request(cr)).toMatchObject({
      status: 'signing',
      assessment: { decision: 'accepted', by: expect.stringContaining('') },
      requiredSignOffs: [
        { capacity: 'service-owner', rules: ['any-material-change'] },
        { capacity: 'business-owner', rules: ['any-material-change'] },
      ],
    });
    const [so] = await tasksOf('service-owner', cr);
    const [bo] = await tasksOf('approver-business', cr);
    expect([so!.kind, so!.assignees.capacity, bo!.assignees.capacity]).toEqual([
      'change-signoff',
      'service-owner',
      'business-owner',
    ]);
    const requested = await mails('Change sign-off requested: Change of target');
    expect(requested.map((m) => m.to[0]).sort()).toEqual(['business-owner@accord.local', 'owen@example.com']);
    // An approver without the capacity may not sign it.
    expect(
      (await complete('approver-legal', bo!.id, { decision: 'approved', reason: 'not mine to give' })).status,
    ).toBe(403);
    expect(
      (await complete('service-owner', so!.id, { decision: 'approved', reason: 'we can hold it' })).status,
    ).toBe(200);
    await settle(app);
    expect((await agreement(id)).version).toBe(before.version);
    expect(
      (await complete('approver-business', bo!.id, { decision: 'approved', reason: 'agreed' })).status,
    ).toBe(200);
    await settle(app);

    const after = await agreement(id);
    expect(after).toMatchObject({
      status: 'active',
      version: before.version + 1,
      change: `amend:${cr}`,
      changedBy: 'system:workflow-change-request',
      requiredSignOffs: [
        { capacity: 'service-owner', rules: ['any-material-change'] },
        { capacity: 'business-owner', rules: ['any-material-change'] },
      ],
    });
    expect(after.objectives[0].target).toBe(99.5);
    expect(
      after.signOffs.map((s: { capacity: string; decision: string }) => [s.capacity, s.decision]),
    ).toEqual([
      ['service-owner', 'approved'],
      ['business-owner', 'approved'],
    ]);
    expect(await request(cr)).toMatchObject({ status: 'applied', appliedVersion: before.version + 1 });
    const x = await changeExecution(id);
    expect(x).toMatchObject({ status: 'succeeded', output: { outcome: 'applied' } });
    expect(x!.path.filter((s) => !s.includes('['))).toEqual([
      'PlanChangeRequest',
      'IsToAssess',
      'PrepareAssessment',
      'AwaitAssessment',
      'AssessmentDecision',
      'PlanChangeSignOffs',
      'NeedsSignOffs',
      'CollectChangeSignOffs',
      'ApplyChange',
      'ChangeApplied',
      'CloseChangeRequest',
    ]);
    expect(await mails('Change request applied: Change of target')).toHaveLength(1);
  });

  it('applies an administrative change without sign-off once accepted, keeping the sign-offs in force', async () => {
    clock.set('2026-03-05T09:00:00.000Z');
    const id = await activeAgreement('Administrative change');
    const before = await agreement(id);
    const r = await ask('sla-manager-retail', id, { title: 'Administrative change (renamed)' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.classification).toEqual({ administrative: ['title'], material: [] });
    const [t] = await tasksOf('sla-manager', r.body.id);
    expect((await complete('sla-manager', t!.id, { decision: 'approved', reason: 'fine' })).status).toBe(200);
    await settle(app);
    const after = await agreement(id);
    expect(after).toMatchObject({
      status: 'active',
      version: before.version + 1,
      change: 'update',
      title: 'Administrative change (renamed)',
      signOffs: before.signOffs,
    });
    expect(await request(r.body.id)).toMatchObject({ status: 'applied', requiredSignOffs: [], signOffs: [] });
    expect((await changeExecution(id))!.path).not.toContain('CollectChangeSignOffs');
  });

  it('reminds the assessors before the deadline, lets no one assess their own request, and ends a declined one with its reason', async () => {
    clock.set('2026-03-09T09:00:00.000Z');
    const id = await activeAgreement('Declined change');
    const credits = {
      currency: 'EUR',
      monthlyCharge: 1,
      tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
      capPercent: 100,
    };
    const r = await ask('sla-manager', id, { credits });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.classification.material).toEqual(['credits']);
    // The assessment is not in the requester's own inbox (red team, wave 36: it was, as theirs to act on); they
    // still see it among every task in scope, not theirs, and acting on it is refused.
    expect(await tasksOf('sla-manager', r.body.id)).toEqual([]);
    const all = await app.call('GET', `/v1/tasks?view=all&subjectId=${r.body.id}`, { as: 'sla-manager' });
    const [t] = all.body.items as { id: string; yours: boolean }[];
    expect(t!.yours).toBe(false);
    const own = await complete('sla-manager', t!.id, { decision: 'approved', reason: 'mine' });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toContain('separation of duties');
    // Tier 2: the assessment is due 72 h after the request; reminders 24 h and 4 h before, then escalation.
    await advance(app, clock, 48 * H + 60_000);
    expect(await mails('Reminder: assessment due in 24 h: change request to Declined change')).toHaveLength(
      1,
    );
    await advance(app, clock, 20 * H);
    expect(await mails('Reminder: assessment due in 4 h: change request to Declined change')).toHaveLength(1);
    await advance(app, clock, 5 * H);
    // The escalation is queued by a state the heartbeat wakes; on a loaded machine it can land after the first
    // settle's dispatch, so settle (tick, idle, dispatch) again, a bounded number of times, until it is sent.
    const subject = 'Escalation (level 1): overdue assessment: change request to Declined change';
    for (let i = 0; i < 5 && (await mails(subject)).length === 0; i++) await settle(app);
    const esc = await mails(subject);
    expect(esc.map((m) => m.to[0])).toEqual(['dee.duty@accord.local']);
    const admin = await app.tokens.sign(
      { sub: 'other-manager', 'cognito:groups': 'sla-manager', 'custom:business_units': 'payments' },
      600,
    );
    const no = await app.call('POST', `/v1/tasks/${t!.id}/complete`, {
      token: admin,
      body: { decision: 'rejected', reason: 'the credit is a commercial term we keep' },
    });
    expect(no.status, JSON.stringify(no.body)).toBe(200);
    await settle(app);
    expect(await request(r.body.id)).toMatchObject({
      status: 'rejected',
      assessment: {
        decision: 'rejected',
        by: 'other-manager',
        reason: 'the credit is a commercial term we keep',
      },
    });
    expect(await changeExecution(id)).toMatchObject({
      status: 'succeeded',
      output: { outcome: 'rejected', reason: 'the credit is a commercial term we keep' },
    });
    expect((await agreement(id)).credits).toBeUndefined();
  });

  it('ends a request as superseded when the terms it changes were changed since, and a rejected sign-off ends it with the reason', async () => {
    clock.set('2026-03-20T09:00:00.000Z');
    const id = await activeAgreement('Moved on');
    const r = await ask('viewer', id, { title: 'Moved on (their name)' });
    const a = await agreement(id);
    const upd = await app.call('PATCH', `/v1/agreements/${id}`, {
      as: 'sla-manager',
      body: { title: 'Moved on (our name)', reason: 'renamed first' },
      headers: { 'if-match': `"${a.version}"` },
    });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    const [t] = await tasksOf('sla-manager', r.body.id);
    await complete('sla-manager', t!.id, { decision: 'approved', reason: 'accepted as asked' });
    await settle(app);
    expect(await request(r.body.id)).toMatchObject({ status: 'superseded' });
    expect((await agreement(id)).title).toBe('Moved on (our name)');
    expect((await changeExecution(id))!.output!.reason).toContain('title changed since version');

    const objectives = [{ ...(await agreement(id)).objectives[0], target: 99 }];
    const r2 = await ask('viewer', id, { objectives });
    const [t2] = await tasksOf('sla-manager', r2.body.id);
    await complete('sla-manager', t2!.id, { decision: 'approved', reason: 'accepted as asked' });
    await settle(app);
    const [bo] = await tasksOf('approver-business', r2.body.id);
    await complete('approver-business', bo!.id, { decision: 'rejected', reason: 'we need 99.9' });
    await settle(app);
    expect(await request(r2.body.id)).toMatchObject({ status: 'rejected' });
    const xs = (
      (await app.call('GET', `/v1/agreements/${id}/workflows`, { as: 'auditor' })).body.items as {
        workflow: string;
        output: { outcome: string; reason: string };
      }[]
    ).filter((x) => x.workflow === 'change-request');
    expect(xs.map((x) => x.output.outcome).sort()).toEqual(['rejected', 'superseded']);
    expect(xs.find((x) => x.output.outcome === 'rejected')!.output.reason).toContain('we need 99.9');
    // The other sign-off task was cancelled with the execution.
    expect((await tasksOf('service-owner', r2.body.id, 'cancelled')).map((x) => x.kind)).toEqual([
      'change-signoff',
    ]);
  });

  it('refuses bad requests: a draft agreement (409), a proposal that changes nothing (422), a fixed field (400)', async () => {
    clock.set('2026-04-01T09:00:00.000Z');
    const draft = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody({
        effectiveFrom: '2026-04-02',
        reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
      }),
    });
    const d = await ask('viewer', draft.body.id, { title: 'New' });
    expect(d.status).toBe(409);
    expect(d.body.error.message).toContain('draft');
    const id = await activeAgreement('Bad requests');
    const same = await ask('viewer', id, { title: 'Bad requests' });
    expect(same.status).toBe(422);
    expect(same.body.error.details[0].path).toBe('proposed');
    const fixed = await ask('viewer', id, { serviceId: 'svc_other' });
    expect(fixed.status).toBe(400);
    const past = await ask('viewer', id, { effectiveTo: '2020-01-01' });
    expect(past.status).toBe(422);
    expect(past.body.error.details.map((x: { path: string }) => x.path)).toContain('proposed.effectiveTo');
  });

  it('refuses a fourth open request of one person (409, nothing recorded or mailed) until one closes, and pages the list', async () => {
    clock.set('2026-04-03T09:00:00.000Z');
    const id = await activeAgreement('Open request limit');
    const mine: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await ask('viewer', id, { title: `Open request limit ${n}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      mine.push(r.body.id);
    }
    const mailed = (await outbox(app)).length;
    const fourth = await ask('viewer', id, { title: 'Open request limit 4' });
    expect(fourth.status).toBe(409);
    const open = (
      (await app.call('GET', `/v1/agreements/${id}/change-requests`, { as: 'auditor' })).body.items as {
        id: string;
      }[]
    ).map((x) => x.id);
    expect([...open].sort()).toEqual([...mine].sort());
    expect(fourth.body.error).toEqual({
      code: 'conflict',
      message: expect.stringContaining('policy changeRequest.maxOpenPerRequester = 3'),
      details: [
        {
          path: 'requestedBy',
          problem: `has 3 open change requests (${open.join(', ')}); the limit is 3 (changeRequest.maxOpenPerRequester)`,
        },
      ],
      limit: 3,
      policy: 'changeRequest.maxOpenPerRequester',
      openChangeRequestIds: open,
    });
    expect((await outbox(app)).length).toBe(mailed);
    // Another person is not held back; a declined request frees the viewer's place.
    expect((await ask('sla-manager-retail', id, { title: 'Open request limit 5' })).status).toBe(201);
    const [t] = await tasksOf('sla-manager', mine[0]!);
    expect(
      (await complete('sla-manager', t!.id, { decision: 'rejected', reason: 'the name stays as it is' }))
        .status,
    ).toBe(200);
    await settle(app);
    expect((await ask('viewer', id, { title: 'Open request limit 6' })).status).toBe(201);

    // Five requests now: pages of two, oldest first, the last without a cursor.
    const page = (q: string) =>
      app.call('GET', `/v1/agreements/${id}/change-requests?${q}`, { as: 'viewer' });
    const all = (await page('')).body;
    expect(all.items).toHaveLength(5);
    expect(all.nextCursor).toBeUndefined();
    const seen: string[] = [];
    let q = 'limit=2';
    for (let i = 0; i < 5; i++) {
      const p = await page(q);
      expect(p.status).toBe(200);
      seen.push(...(p.body.items as { id: string }[]).map((x) => x.id));
      if (!p.body.nextCursor) break;
      q = `limit=2&cursor=${encodeURIComponent(p.body.nextCursor)}`;
    }
    expect(seen).toEqual(all.items.map((x: { id: string }) => x.id));
    for (const [bad, path] of [
      ['limit=0', 'query.limit'],
      ['limit=201', 'query.limit'],
      ['limit=ten', 'query.limit'],
      // A well-formed string the API did not issue: refused by the use case, as GET /v1/services/{id}/slis does.
      ['cursor=nope', 'query.cursor'],
    ] as const) {
      const r = await page(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
  });

  it('puts automated updates through the same guard: approved terms are refused and recorded, administrative fields apply', async () => {
    clock.set('2026-04-05T09:00:00.000Z');
    const id = await activeAgreement('Automated');
    const before = await agreement(id);
    const cr = app.workflows.services.changeRequests;
    await expect(
      cr.automated(
        'import:cmdb',
        id,
        { objectives: [{ ...before.objectives[0], target: 95 }] },
        'nightly import',
      ),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('objectives') });
    const applied = await cr.automated('import:cmdb', id, { description: 'from the CMDB' }, 'nightly import');
    expect(applied).toMatchObject({
      status: 'applied',
      appliedVersion: before.version + 1,
      source: 'import:cmdb',
    });
    const after = await agreement(id);
    expect(after).toMatchObject({ description: 'from the CMDB', version: before.version + 1 });
    expect(after.objectives[0].target).toBe(before.objectives[0].target);
    const list = await app.call('GET', `/v1/agreements/${id}/change-requests`, { as: 'viewer' });
    // Both were made at the same instant of the test clock: the list order between them is the id's.
    const items = list.body.items as { status: string; requestedBy: string; history: object[] }[];
    expect(items.map((x) => [x.status, x.requestedBy]).sort()).toEqual([
      ['applied', 'system:import:cmdb'],
      ['refused', 'system:import:cmdb'],
    ]);
    expect(items.find((x) => x.status === 'refused')!.history.at(-1)).toMatchObject({
      step: 'refused',
      detail: 'would override approved terms: objectives',
    });
  });
});

describe('exceptions to a change freeze, through approval (issue 11 item 7)', () => {
  it('opens a frozen change gate only for an approved exception in force, decided by an approver who did not ask', async () => {
    clock.set('2026-05-01T09:00:00.000Z');
    const gate = async () =>
      (await app.call('GET', '/v1/services/svc_payments-gateway/change-gate', { as: 'service-owner' })).body;
    const body = {
      from: '2026-05-01T10:00:00.000Z',
      to: '2026-05-01T14:00:00.000Z',
      change: 'release 4.2.1',
      reason: 'a critical CVE must be patched during the freeze',
    };
    const r = await app.call('POST', '/v1/services/svc_payments-gateway/freeze-exceptions', {
      as: 'service-owner',
      body,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'pending', ...body });
    await settle(app);
    expect((await mails('Exception to a change freeze requested')).map((m) => m.to)).toEqual([
      ['approvers@accord.local'],
    ]);
    const tasks = (await app.call('GET', '/v1/tasks?kind=freeze-exception', { as: 'approver-legal' })).body
      .items;
    expect(tasks.map((t: { id: string }) => t.id)).toEqual([r.body.taskId]);
    // The owner who asked holds no approver role; an approver decides.
    expect(
      (await complete('service-owner', r.body.taskId, { decision: 'approved', reason: 'not mine to give' }))
        .status,
    ).toBe(403);
    expect(
      (await complete('approver-legal', r.body.taskId, { decision: 'approved', reason: 'patch it' })).status,
    ).toBe(200);
    const list = await app.call('GET', '/v1/services/svc_payments-gateway/freeze-exceptions', {
      as: 'viewer',
    });
    expect(list.status).toBe(404); // the viewer's unit (retail-banking) does not hold the service
    const mine = await app.call('GET', '/v1/services/svc_payments-gateway/freeze-exceptions', {
      as: 'sla-manager',
    });
    expect(mine.body.items.map((x: { status: string }) => x.status)).toEqual(['approved']);
    // The gate here is not frozen (no evaluation spent a budget): an exception changes nothing then.
    expect(await gate()).toMatchObject({ allowed: true });
    expect((await gate()).exception).toBeUndefined();

    const tooLong = await app.call('POST', '/v1/services/svc_payments-gateway/freeze-exceptions', {
      as: 'sla-manager',
      body: { ...body, to: '2026-05-05T10:00:00.000Z' },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.details[0]).toMatchObject({ path: 'to' });
    const backwards = await app.call('POST', '/v1/services/svc_payments-gateway/freeze-exceptions', {
      as: 'sla-manager',
      body: { ...body, to: body.from },
    });
    expect(backwards.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRequestCalls } from '../../helpers/change-request-e2e.js';
import { startTestApp, type TestApp } from '../../helpers/local-app.js';
import { advance, settle, startWorkflowApp, TestClock } from '../../helpers/workflows.js';

// Withdrawing a change request (docs/workflows.md, "Change requests"): on the embedded default, over HTTP, with a
// restart on the same data directory.

const H = 3_600_000;
const clock = new TestClock(Date.parse('2026-05-04T09:00:00.000Z'));
let app: TestApp;

beforeAll(async () => {
  app = await startWorkflowApp(clock);
});
afterAll(async () => app.close());

const calls = changeRequestCalls(() => app, clock);
const { activeAgreement, request, mails } = calls;
const ask = (as: string, agreementId: string, proposed: object, summary = 'a change') =>
  calls.ask(as, agreementId, proposed, summary, 'the name no longer says what it covers');
const withdraw = (as: string, id: string, reason = 'we settled it another way') =>
  app.call('POST', `/v1/change-requests/${id}/withdraw`, { as, body: { reason } });
const pendingTasks = (as: string, changeRequestId: string) => calls.tasksOf(as, changeRequestId);
const changeExecutions = calls.executions;

describe('withdrawing a change request (POST /v1/change-requests/{id}/withdraw)', () => {
  it('lets the requester take an open request back: withdrawn, its task gone, no reminder, the assessors told, and a place under the cap again', async () => {
    const id = await activeAgreement('Withdrawn title change');
    const mine: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await ask('viewer', id, { title: `Withdrawn title change ${n}` }, `Rename ${n}`);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      mine.push(r.body.id);
    }
    expect((await ask('viewer', id, { title: 'Withdrawn title change 4' })).status).toBe(409);
    const first = mine[0]!;
    expect(await pendingTasks('sla-manager', first)).toHaveLength(1);

    // Someone else may not: another person of a party unit, though she may withdraw her own (403).
    const other = await withdraw('sla-manager-retail', first);
    expect(other.status, JSON.stringify(other.body)).toBe(403);
    expect(other.body.error.message).toContain('only whoever asked');
    // A reason is required, as everywhere (400 naming it).
    const noReason = await app.call('POST', `/v1/change-requests/${first}/withdraw`, {
      as: 'viewer',
      body: {},
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: { path: string }) => d.path)).toEqual(['reason']);

    const w = await withdraw('viewer', first);
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body).toMatchObject({ id: first, status: 'withdrawn' });
    expect(w.body.history.at(-1)).toEqual({
      at: new Date(clock.ms).toISOString(),
      step: 'withdrawn',
      by: expect.any(String),
      detail: 'we settled it another way',
    });
    await settle(app);
    // The assessor's task is gone from the inbox; the execution closed the request with the reason.
    expect(await pendingTasks('sla-manager', first)).toEqual([]);
    const [exec] = (await changeExecutions(id)).filter((x) => x.name === first);
    expect(exec).toMatchObject({
      status: 'succeeded',
      output: { outcome: 'withdrawn', reason: expect.stringContaining('we settled it another way') },
    });
    expect(exec!.path).toContain('ChangeWithdrawn');
    expect(await request(first)).toMatchObject({
      status: 'withdrawn',
      history: expect.arrayContaining([
        expect.objectContaining({ step: 'closed', detail: expect.stringMatching(/^withdrawn: /) }),
      ]),
    });
    const told = await mails('Change request withdrawn: Withdrawn title change');
    expect(told.map((m) => m.to)).toEqual([['sla-manager@accord.local']]);
    expect(told[0]!.text).toContain('Rename 1');

    // Twice: 409 naming the state, for the requester and for an admin alike.
    for (const as of ['viewer', 'admin']) {
      const again = await withdraw(as, first);
      expect(again.status, as).toBe(409);
      expect(again.body.error).toMatchObject({
        details: [{ path: 'status', problem: 'is withdrawn' }],
        state: 'withdrawn',
      });
    }

    // No reminder for the withdrawn request once its assessment nears its due time; the others are reminded.
    await advance(app, clock, 48 * H + 60_000);
    const reminders = await mails(
      'Reminder: assessment due in 24 h: change request to Withdrawn title change',
    );
    expect(reminders.map((m) => m.text.match(/\(chg_[0-9a-f]+\)/)?.[0]).sort()).toEqual(
      [`(${mine[1]})`, `(${mine[2]})`].sort(),
    );
    // Withdrawn is final: the person has a place under the cap again.
    expect((await ask('viewer', id, { title: 'Withdrawn title change 5' })).status).toBe(201);

    // An admin may withdraw anyone's request.
    const byAdmin = await withdraw('admin', mine[1]!, 'opened by mistake');
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(200);
    expect(byAdmin.body.status).toBe('withdrawn');
  });

  it('ends the sign-offs of an accepted material change and tells the signers who had a task', async () => {
    const id = await activeAgreement('Withdrawn target change');
    const a = (await app.call('GET', `/v1/agreements/${id}`, { as: 'auditor' })).body;
    const r = await ask(
      'viewer',
      id,
      { objectives: [{ ...a.objectives[0], target: 99.5 }] },
      'Lower the target',
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [assessment] = await pendingTasks('sla-manager', r.body.id);
    const accept = await app.call('POST', `/v1/tasks/${assessment!.id}/complete`, {
      as: 'sla-manager',
      body: { decision: 'approved', reason: 'the data supports it' },
    });
    expect(accept.status).toBe(200);
    await settle(app);
    // Each signer has the task in their inbox (GET /v1/tasks answers the caller's own by default).
    const signers = ['service-owner', 'approver-business'];
    for (const as of signers) expect(await pendingTasks(as, r.body.id), as).toHaveLength(1);

    expect((await withdraw('viewer', r.body.id)).status).toBe(200);
    await settle(app);
    for (const as of signers) expect(await pendingTasks(as, r.body.id), as).toEqual([]);
    expect((await request(r.body.id)).status).toBe('withdrawn');
    const [exec] = await changeExecutions(id);
    expect(exec).toMatchObject({ status: 'succeeded', output: { outcome: 'withdrawn' } });
    const told = await mails('Change request withdrawn: Withdrawn target change');
    expect(told).toHaveLength(1);
    expect([...told[0]!.to].sort()).toEqual(
      ['business-owner@accord.local', 'owen@example.com', 'sla-manager@accord.local'].sort(),
    );
    // No reminder of the sign-offs after it.
    await advance(app, clock, 72 * H);
    expect(await mails('sign-off due in')).toEqual([]);
  });

  it('does not bring a withdrawn request back after a restart, even one withdrawn just before the process stopped', async () => {
    const id = await activeAgreement('Withdrawn before restart');
    const r = await ask('viewer', id, { title: 'Withdrawn before restart, renamed' });
    expect(r.status).toBe(201);
    expect(await pendingTasks('sla-manager', r.body.id)).toHaveLength(1);
    expect((await withdraw('viewer', r.body.id)).status).toBe(200);
    // Stop without letting the execution run on, and start again on the same data directory.
    await app.stop();
    app = await startTestApp({}, { clock, dir: app.dir });
    await settle(app);
    expect(await pendingTasks('sla-manager', r.body.id)).toEqual([]);
    expect(await request(r.body.id)).toMatchObject({ status: 'withdrawn' });
    const [exec] = await changeExecutions(id);
    expect(exec).toMatchObject({ status: 'succeeded', output: { outcome: 'withdrawn' } });
    // A second restart and a day and a half later: still no task, and no reminder.
    await app.stop();
    app = await startTestApp({}, { clock, dir: app.dir });
    await advance(app, clock, 48 * H + 60_000);
    expect(await pendingTasks('sla-manager', r.body.id)).toEqual([]);
    expect(await mails('change request to Withdrawn before restart')).toEqual([]);
  });
});

describe('the open-request cap under concurrent requests (SQLite, one IMMEDIATE transaction)', () => {
  it('lets exactly the limit through when one person sends eight requests at the same instant; the rest get 409', async () => {
    const id = await activeAgreement('Concurrent requests');
    const replies = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
        app.call('POST', `/v1/agreements/${id}/change-requests`, {
          as: 'viewer',
          body: {
            summary: `Rename ${n}`,
            why: 'all at once',
            proposed: { title: `Concurrent requests ${n}` },
          },
        }),
      ),
    );
    await settle(app);
    const created = replies.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    const stored = (
      (await app.call('GET', `/v1/agreements/${id}/change-requests`, { as: 'auditor' })).body.items as {
        id: string;
      }[]
    ).map((x) => x.id);
    expect([...stored].sort()).toEqual([...created].sort());
    for (const r of replies.filter((x) => x.status === 409)) {
      expect(r.body.error.openChangeRequestIds).toEqual(stored);
    }
  });
});

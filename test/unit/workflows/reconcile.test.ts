import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MemoryEmailSender } from '../../../shared/adapters/memory/notifier.js';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { WorkflowReconciliation } from '../../../shared/usecases/workflows/reconcile.js';
import { activeAgreement as activeForChange, customerViewer } from '../../helpers/change-request-world.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';
import { activeAgreement, violation } from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// The reconciliation of failed workflow starts (shared/usecases/workflows/reconcile.ts) on the real embedded engine
// and the real ASL, with the engine port's start failing where the test says: what was stored stays, the run starts
// what is missing under the same name, and nothing runs or is told twice.

const manager = principal({
  subject: 'sam@example.com',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});
const approver = (capacity: string) =>
  principal({
    subject: `${capacity}@example.com`,
    roles: ['approver'],
    signOffCapacities: [capacity as never],
  });
const unavailable = () => new Error('Step Functions unavailable');

let w: WorkflowWorld;
let mails: MemoryEmailSender;
beforeEach(async () => {
  w = await workflowWorld();
  mails = w.notifications.email as MemoryEmailSender;
});

/** Creates an agreement and submits it while the engine's next start fails; the submission stands. */
async function submitWhileStartFails(): Promise<AgreementVersion> {
  const a = await w.useCases.create(manager, agreementBody({ effectiveFrom: '2026-03-03' }));
  vi.spyOn(w.engine, 'start').mockRejectedValueOnce(unavailable());
  await expect(w.useCases.submit(manager, a.id, 1, 'ready')).rejects.toThrow('Step Functions unavailable');
  await w.settle();
  return a;
}

const signOffTasks = async (id: string) =>
  (await w.tasks.list({ subjectId: id })).filter((t) => t.kind === 'signoff');

describe('an approval whose start failed', () => {
  it('is started by the next run under the submission name, and asks each capacity once', async () => {
    const a = await submitWhileStartFails();
    expect((await w.agreements.get(a.id))?.status).toBe('submitted');
    expect(await w.engine.listExecutions({ type: 'agreement', id: a.id })).toEqual([]);
    expect(await signOffTasks(a.id)).toEqual([]);
    expect(mails.sent).toEqual([]);

    const first = await w.wf.reconciliation.run();
    await w.settle();
    expect(first).toEqual({ started: [`approval:${a.id}-v2`], recorded: [], present: 0, failed: [] });
    const [e] = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect([e?.name, e?.status]).toEqual([`${a.id}-v2`, 'waiting']);
    const tasks = await signOffTasks(a.id);
    expect(tasks.map((t) => t.assignees.capacity).sort()).toEqual([
      'business-owner',
      'governance-board',
      'service-owner',
    ]);
    const sentAfterStart = mails.sent.length;
    expect(sentAfterStart).toBeGreaterThan(0);

    // Run again: the execution is there, so nothing starts and nobody is asked again.
    const again = await w.wf.reconciliation.run();
    await w.settle();
    expect(again).toEqual({ started: [], recorded: [], present: 1, failed: [] });
    expect(await w.engine.listExecutions({ type: 'agreement', id: a.id })).toHaveLength(1);
    expect(await signOffTasks(a.id)).toHaveLength(3);
    expect(mails.sent).toHaveLength(sentAfterStart);
  });

  it('starts the approval of the submitted version when sign-offs were given while no execution ran', async () => {
    const a = await submitWhileStartFails();
    const signed = await w.useCases.signOff(approver('business-owner'), a.id, 2, {
      capacity: 'business-owner',
      decision: 'approved',
      reason: 'ok',
    });
    expect(signed.version).toBe(3);
    const summary = await w.wf.reconciliation.run();
    await w.settle();
    expect(summary.started).toEqual([`approval:${a.id}-v2`]);
    // The capacity that signed meanwhile is neither asked nor given a task: the other two are.
    expect((await signOffTasks(a.id)).map((t) => [t.assignees.capacity, t.status]).sort()).toEqual([
      ['governance-board', 'pending'],
      ['service-owner', 'pending'],
    ]);
    const requested = mails.sent.filter((m) => /^Subject: Sign-off requested/m.test(String(m.raw)));
    expect(requested).toHaveLength(2);
    // The sign-off given while no execution ran counts: the other two capacities complete the approval, and the
    // recovered execution activates the agreement on its effective date.
    let v = signed.version;
    for (const c of ['governance-board', 'service-owner']) {
      v = (
        await w.useCases.signOff(approver(c), a.id, v, {
          capacity: c as never,
          decision: 'approved',
          reason: 'ok',
        })
      ).version;
      await w.settle();
    }
    expect((await w.agreements.get(a.id))?.status).toBe('approved');
    await w.advance(24 * 3_600_000);
    expect((await w.agreements.get(a.id))?.status).toBe('active');
    const [e] = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect([e?.name, e?.status, (e?.output as { outcome?: string })?.outcome]).toEqual([
      `${a.id}-v2`,
      'succeeded',
      'activated',
    ]);
  });

  it('keeps a start that fails again for the next run, and starts the others meanwhile', async () => {
    const a = await submitWhileStartFails();
    const b = await submitWhileStartFails();
    const start = vi.spyOn(w.engine, 'start');
    start.mockRejectedValueOnce(unavailable());
    const first = await w.wf.reconciliation.run();
    await w.settle();
    const names = [`approval:${a.id}-v2`, `approval:${b.id}-v2`];
    expect(first.failed).toEqual([{ execution: expect.any(String), error: 'Step Functions unavailable' }]);
    expect([first.failed[0]!.execution, ...first.started].sort()).toEqual(names.sort());
    const second = await w.wf.reconciliation.run();
    expect(second).toEqual({ started: [first.failed[0]!.execution], recorded: [], present: 1, failed: [] });
  });

  it('leaves alone an approval whose start succeeded though the caller saw an error (no second execution)', async () => {
    const a = await w.useCases.create(manager, agreementBody({ effectiveFrom: '2026-03-03' }));
    const real = w.engine.start.bind(w.engine);
    vi.spyOn(w.engine, 'start').mockImplementationOnce(async (req) => {
      await real(req);
      throw new Error('the answer was lost');
    });
    await expect(w.useCases.submit(manager, a.id, 1, 'ready')).rejects.toThrow('the answer was lost');
    await w.settle();
    const sent = mails.sent.length;
    expect(await w.wf.reconciliation.run()).toEqual({ started: [], recorded: [], present: 1, failed: [] });
    await w.settle();
    expect(await w.engine.listExecutions({ type: 'agreement', id: a.id })).toHaveLength(1);
    expect(mails.sent).toHaveLength(sent);
  });

  it('reads every page of submitted agreements (three agreements, a page of one)', async () => {
    const ids = [
      (await submitWhileStartFails()).id,
      (await submitWhileStartFails()).id,
      (await submitWhileStartFails()).id,
    ];
    const paged = new WorkflowReconciliation({
      agreements: w.agreements,
      violations: w.violations,
      requests: w.requests,
      engine: () => w.engine,
      changeRequests: () => w.wf.changeRequests,
      pageSize: 1,
    });
    const summary = await paged.run();
    expect([...summary.started].sort()).toEqual(ids.map((id) => `approval:${id}-v2`).sort());
  });

  it('starts nothing for an agreement that is no longer submitted', async () => {
    const a = await submitWhileStartFails();
    await w.useCases.withdraw(manager, a.id, 2, 'changes needed');
    expect(await w.wf.reconciliation.run()).toEqual({ started: [], recorded: [], present: 0, failed: [] });
  });
});

describe('a remediation whose start failed', () => {
  it('is started for the open violation by the next run, once', async () => {
    const a = await activeAgreement(w);
    const v = violation(w, a);
    await w.violations.record(v);
    vi.spyOn(w.engine, 'start').mockRejectedValueOnce(unavailable());
    await expect(w.wf.remediation.opened(v)).rejects.toThrow('Step Functions unavailable');
    // A resolved violation needs no remediation started.
    await w.violations.record(
      violation(w, a, { id: 'vio_01WF000000000000000002', key: 'k2', status: 'resolved' }),
    );

    expect(await w.wf.reconciliation.run()).toEqual({
      started: [`remediation:${v.id}`],
      recorded: [],
      present: 0,
      failed: [],
    });
    await w.settle();
    expect(await w.remediation.get(v.id)).toMatchObject({ violationId: v.id });
    const rca = (await w.tasks.list({ subjectId: v.id })).filter((t) => t.kind === 'rca');
    expect(rca).toHaveLength(1);
    expect(await w.wf.reconciliation.run()).toEqual({ started: [], recorded: [], present: 1, failed: [] });
    expect(await w.engine.listExecutions({ type: 'violation', id: v.id })).toHaveLength(1);
  });
});

describe('a change request whose start failed', () => {
  const ask = (a: AgreementVersion) =>
    w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'clearer',
      proposed: { title: 'Payments availability (EU)' },
    } as never);

  it('is recorded without an execution, then started by the next run and its execution recorded', async () => {
    const a = await activeForChange(w);
    vi.spyOn(w.engine, 'start').mockRejectedValueOnce(unavailable());
    // Answered with the recorded request, not the engine's error (red team, wave 36: a 5xx for a request that
    // stood had the person ask again).
    const answer = await ask(a);
    const [stored] = (await w.requests.listBySubject(a.id)) as ChangeRequestRecord[];
    expect(answer).toEqual(stored);
    expect([stored?.status, stored?.executionId]).toEqual(['assessing', undefined]);
    expect(await w.requests.unstarted(10)).toEqual([stored]);

    const summary = await w.wf.reconciliation.run();
    await w.settle();
    expect(summary).toEqual({
      started: [`change-request:${stored!.id}`],
      recorded: [],
      present: 0,
      failed: [],
    });
    expect(((await w.requests.get(stored!.id)) as ChangeRequestRecord | undefined)?.executionId).toBe(
      `local:change-request:${stored!.id}`,
    );
    expect(await w.requests.unstarted(10)).toEqual([]);
    const assessments = (await w.tasks.list({ subjectId: stored!.id })).filter(
      (t) => t.kind === 'change-assessment',
    );
    expect(assessments).toHaveLength(1);
    expect(await w.wf.reconciliation.run()).toEqual({ started: [], recorded: [], present: 0, failed: [] });
  });

  it('keeps a request whose start fails again for the next run, naming the error', async () => {
    const a = await activeForChange(w);
    vi.spyOn(w.engine, 'start').mockRejectedValueOnce(unavailable());
    expect((await ask(a)).executionId).toBeUndefined();
    const [stored] = await w.requests.listBySubject(a.id);
    vi.spyOn(w.engine, 'start').mockRejectedValueOnce(unavailable());
    expect(await w.wf.reconciliation.run()).toEqual({
      started: [],
      recorded: [],
      present: 0,
      failed: [{ execution: `change-request:${stored!.id}`, error: 'Step Functions unavailable' }],
    });
    expect((await w.wf.reconciliation.run()).started).toEqual([`change-request:${stored!.id}`]);
  });

  it('records the execution of a start that succeeded when writing it on the request failed', async () => {
    const a = await activeForChange(w);
    const put = w.requests.put.bind(w.requests);
    let writes = 0;
    vi.spyOn(w.requests, 'put').mockImplementation(async (r, expected) => {
      // The request's first write after the start (the one naming its execution) fails once.
      if ((r as ChangeRequestRecord).executionId && writes++ === 0) throw new Error('table unavailable');
      return put(r, expected);
    });
    expect((await ask(a)).status).toBe('assessing');
    const summary = await w.wf.reconciliation.run();
    const [stored] = await w.requests.listBySubject(a.id);
    expect(summary).toEqual({
      started: [],
      recorded: [`change-request:${stored!.id}`],
      present: 0,
      failed: [],
    });
    expect(await w.engine.listExecutions({ type: 'agreement', id: a.id })).toHaveLength(1);
  });

  it('never starts a workflow for an automated update the guard refused', async () => {
    const a = await activeForChange(w);
    await expect(
      w.wf.changeRequests.automated(
        'cmdb',
        a.id,
        { objectives: [{ ...a.objectives[0]!, target: 90 }] },
        'sync',
      ),
    ).rejects.toThrow();
    expect(await w.requests.unstarted(10)).toEqual([]);
    expect(await w.wf.reconciliation.run()).toEqual({ started: [], recorded: [], present: 0, failed: [] });
  });
});

import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';
import workflowsJson from '../../../shared/policy/workflows.json' with { type: 'json' };
import type { FreezeExceptionRecord } from '../../../shared/ports/governance.js';
import { ChangeGateUseCases } from '../../../shared/usecases/workflows/change-gate.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// Exceptions to a change freeze (wf.freezeExceptions): the request (its record, the approvers' task, the notice),
// the decision through that task, the exceptions in force, and how the change gate names one.

const SVC = 'svc_payments-gateway';
const NOW = '2026-03-02T09:00:00.000Z';
const HOUR = 3_600_000;
const sam = principal({ subject: 'sam@example.com', roles: ['sla-manager'], businessUnits: ['payments'] });
const abe = principal({ subject: 'abe@example.com', roles: ['approver'] });
const iso = (ms: number) => new Date(ms).toISOString();
const hours = (h: number) => iso(Date.parse(NOW) + h * HOUR);

let w: WorkflowWorld;
let notify: MockInstance<Notifications['notify']>;
const requests = () => notify.mock.calls.map((c) => c[0] as NotifyRequest);
const body = (o: { from?: string; to?: string } = {}) => ({
  from: o.from ?? hours(1),
  to: o.to ?? hours(5),
  change: 'release 4.2 (hotfix for card declines)',
  reason: 'card declines are hurting customers',
});
const ask = (o: { from?: string; to?: string } = {}) => w.wf.freezeExceptions.request(sam, SVC, body(o));

beforeEach(async () => {
  w = await workflowWorld({ now: NOW });
  notify = vi.spyOn(w.wf.notifications, 'notify');
});

describe('asking for an exception to a change freeze', () => {
  it('records the request, gives the approvers a task due in the decision time, and tells them', async () => {
    const r = await ask({ from: '2026-03-02T10:00:00+00:00' });
    expect(r.id).toMatch(/^frx_[0-9a-f]{20}$/);
    expect(r.taskId).toMatch(/^tsk_[0-9a-f]{24}$/);
    const record: FreezeExceptionRecord = {
      kind: 'freeze-exception',
      id: r.id,
      serviceId: SVC,
      businessUnit: 'payments',
      from: hours(1),
      to: hours(5),
      reason: 'card declines are hurting customers',
      change: 'release 4.2 (hotfix for card declines)',
      requestedBy: 'sam@example.com',
      requestedAt: NOW,
      status: 'pending',
      taskId: r.taskId,
      history: [
        {
          at: NOW,
          step: 'requested',
          by: 'sam@example.com',
          detail: 'release 4.2 (hotfix for card declines): card declines are hurting customers',
        },
      ],
      revision: 1,
    };
    expect(r).toEqual(record);
    expect(await w.requests.get(r.id)).toEqual(record);
    const task = await w.tasks.get(r.taskId);
    expect(task).toEqual({
      id: r.taskId,
      kind: 'freeze-exception',
      workflow: 'change-freeze-exception',
      executionId: r.id,
      token: '',
      subject: { type: 'service', id: SVC },
      businessUnit: 'payments',
      serviceId: SVC,
      title:
        'Decide the exception to the change freeze of Payments gateway: release 4.2 (hotfix for card declines)',
      assignees: { roles: ['approver'], except: ['sam@example.com'] },
      status: 'pending',
      createdAt: NOW,
      updatedAt: NOW,
      dueAt: hours(8),
      externalRef: expect.stringMatching(/^ACCORD-[0-9A-F]{10}$/),
      data: {
        freezeExceptionId: r.id,
        from: hours(1),
        to: hours(5),
        change: 'release 4.2 (hotfix for card declines)',
      },
      revision: 1,
    });
    expect(task?.externalRef).toMatch(/[A-F]/);
    expect(requests()).toEqual([
      {
        key: `freeze-exception/${r.id}/requested`,
        topic: `service:${SVC}`,
        event: 'freeze-exception.requested',
        businessUnit: 'payments',
        lists: [{ role: 'approver' }],
        subject: 'Exception to a change freeze requested: Payments gateway',
        paragraphs: [
          `sam@example.com asks to make a change to Payments gateway (${SVC}) during its change freeze: release 4.2 (hotfix for card declines).`,
          `From ${hours(1)} to ${hours(5)}. Why: card declines are hurting customers`,
        ],
        links: [{ label: 'Your task', url: `https://accord.example/v1/tasks/${r.taskId}` }],
        headers: { 'X-Accord-Task': r.taskId, 'X-Accord-Task-Ref': task?.externalRef },
        data: { freezeExceptionId: r.id, serviceId: SVC, taskId: r.taskId },
      },
    ]);
  });

  it('gives each request of the service its own id and task', async () => {
    const a = await ask();
    const b = await ask();
    expect(a.id).not.toBe(b.id);
    expect(a.taskId).not.toBe(b.taskId);
    expect((await w.wf.freezeExceptions.list(sam, SVC)).items.map((r) => r.id)).toEqual([a.id, b.id].sort());
  });

  it('accepts a window of exactly the longest the policy allows, ending in the future', async () => {
    const r = await ask({ from: hours(-71), to: hours(1) });
    expect([r.from, r.to]).toEqual([hours(-71), hours(1)]);
  });

  it('refuses a window that ended, or that lasts longer than the policy allows, naming both', async () => {
    const e = await ask({ from: hours(-80), to: NOW }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('the freeze exception breaks a rule');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'to', problem: `is not in the future (now is ${NOW})` },
      { path: 'to', problem: 'the exception may last at most 72 h (policy)' },
    ]);
    expect(await w.wf.freezeExceptions.list(sam, SVC)).toEqual({ items: [] });
    expect(notify).not.toHaveBeenCalled();
  });

  it('refuses a window just over the longest allowed, alone', async () => {
    const e = await ask({ from: iso(Date.parse(hours(1)) - 72 * HOUR - 1), to: hours(1) }).catch(
      (x: unknown) => x,
    );
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'to', problem: 'the exception may last at most 72 h (policy)' },
    ]);
  });

  it('refuses a request that lost the race for its id', async () => {
    vi.spyOn(w.requests, 'recordIfUnder').mockResolvedValue({ status: 'exists' });
    const e = await ask().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe(
      'another freeze exception was asked for at the same instant: try again',
    );
    expect(notify).not.toHaveBeenCalled();
  });

  it('answers not found for a service that does not exist or is out of scope, and forbids it without the right', async () => {
    for (const [p, s] of [
      [sam, 'svc_nowhere'],
      [principal({ subject: 'x@example.com', roles: ['sla-manager'], businessUnits: ['platform'] }), SVC],
    ] as const) {
      const e = await w.wf.freezeExceptions.request(p, s, body()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as NotFoundError).message).toBe(`no service ${s}`);
      expect((e as NotFoundError).details).toEqual([{ path: 'serviceId', problem: 'names no service' }]);
    }
    const auditor = principal({ subject: 'audrey@example.com', roles: ['auditor'] });
    const e = await w.wf.freezeExceptions.request(auditor, SVC, body()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe('your scope does not allow exception.request here');
    // Reading them is allowed.
    expect(await w.wf.freezeExceptions.list(auditor, SVC)).toEqual({ items: [] });
  });
});

describe('red team, wave 35: a few pending exceptions per person and service', () => {
  const POLICY_KEY = 'freezeExceptions.maxPendingPerRequester';
  const decideAs = async (r: FreezeExceptionRecord, decision: 'approved' | 'rejected') =>
    w.wf.freezeExceptions.decide(abe, (await w.tasks.get(r.taskId))!, { decision, reason: 'decided' });

  it('ships a limit of 3, and refuses a policy without a whole limit from 1 to 100', () => {
    expect(loadWorkflowPolicy().freezeExceptions.maxPendingPerRequester).toBe(3);
    const raw = structuredClone(workflowsJson) as { freezeExceptions: Record<string, unknown> };
    for (const bad of [0, 1.5, 101, undefined]) {
      raw.freezeExceptions.maxPendingPerRequester = bad;
      expect(() => loadWorkflowPolicy(raw)).toThrow(/freezeExceptions\.maxPendingPerRequester/);
    }
  });

  it('refuses the fourth pending exception of one person with a 409 naming the limit, the policy key and the pending ones, and records, tasks and mails nothing', async () => {
    const three = [await ask(), await ask(), await ask()];
    notify.mockClear();
    const tasks = (await w.tasks.list({ status: 'pending' })).length;
    const e = await ask().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    const ids = three.map((r) => r.id).sort();
    const pending = (await w.wf.freezeExceptions.list(sam, SVC)).items.map((r) => r.id);
    expect([...pending].sort()).toEqual(ids);
    expect((e as ConflictError).message).toBe(
      `you have 3 freeze exceptions of ${SVC} waiting for a decision, the most one person may have (policy ${POLICY_KEY} = 3): wait until one is decided or its window ends`,
    );
    expect((e as ConflictError).details).toEqual([
      {
        path: 'requestedBy',
        problem: `has 3 pending freeze exceptions (${pending.join(', ')}); the limit is 3 (${POLICY_KEY})`,
      },
    ]);
    expect((e as ConflictError).context).toEqual({
      limit: 3,
      policy: POLICY_KEY,
      pendingFreezeExceptionIds: pending,
    });
    expect((await w.tasks.list({ status: 'pending' })).length).toBe(tasks);
    expect(notify).not.toHaveBeenCalled();
  });

  it('lets exactly the limit through when one person asks many times at the same instant (the count and the write are one step)', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => ask()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect((r.reason as ConflictError).context).toMatchObject({ limit: 3 });
    expect((await w.wf.freezeExceptions.list(sam, SVC)).items).toHaveLength(3);
  });

  it('frees a place once one is decided, and lets another person ask meanwhile', async () => {
    const [first] = [await ask(), await ask(), await ask()];
    const owen = principal({ subject: 'owen@example.com', roles: ['service-owner'], services: [SVC] });
    expect((await w.wf.freezeExceptions.request(owen, SVC, body())).status).toBe('pending');
    await expect(ask()).rejects.toBeInstanceOf(ConflictError);
    await decideAs(first!, 'rejected');
    expect((await ask()).status).toBe('pending');
  });
});

describe('red team, wave 36: an exception whose window ended undecided lapses', () => {
  it('frees its requester’s place: three undecided past their windows no longer stop a fourth', async () => {
    const three = [await ask(), await ask(), await ask()];
    await expect(ask()).rejects.toBeInstanceOf(ConflictError);
    // Nobody decided; the windows (to = now + 5 h) end. Before wave 36 the person could never ask again.
    w.now.ms += 5 * HOUR;
    const fourth = await ask({ from: hours(6), to: hours(9) });
    expect(fourth.status).toBe('pending');
    const all = (await w.wf.freezeExceptions.list(sam, SVC)).items;
    expect(all.map((r) => [r.id, r.status])).toEqual([
      // Asked at one instant: listed by id.
      ...three
        .map((r) => r.id)
        .sort()
        .map((id) => [id, 'lapsed']),
      [fourth.id, 'pending'],
    ]);
    expect(all[0]!.history.at(-1)).toEqual({
      at: hours(5),
      step: 'lapsed',
      by: 'system',
      detail: `the window ended at ${hours(5)} undecided`,
    });
    // Their approvers' tasks are gone from the inboxes; the fourth's waits.
    for (const r of three) {
      expect(await w.tasks.get(r.taskId)).toMatchObject({
        status: 'cancelled',
        settledBy: 'system',
        outcome: { decision: 'lapsed' },
      });
    }
    expect((await w.tasks.get(fourth.taskId))?.status).toBe('pending');
  });

  it('leaves a window still open, and another person’s ended ones, as they are', async () => {
    const owen = principal({ subject: 'owen@example.com', roles: ['service-owner'], services: [SVC] });
    const his = await w.wf.freezeExceptions.request(owen, SVC, body({ to: hours(2) }));
    const mine = await ask({ to: hours(8) });
    const decided = await ask({ to: hours(2) });
    await w.wf.freezeExceptions.decide(abe, (await w.tasks.get(decided.taskId))!, {
      decision: 'approved',
      reason: 'go',
    });
    w.now.ms += 3 * HOUR;
    await ask({ to: hours(9) });
    expect((await w.requests.get(his.id))?.status).toBe('pending');
    expect((await w.requests.get(mine.id))?.status).toBe('pending');
    // Decided before its window ended: it stays as decided.
    expect((await w.requests.get(decided.id))?.status).toBe('approved');
  });

  it('is not decided once its window ended: 409 naming the state, the record lapsed and the task cancelled', async () => {
    const r = await ask();
    const t = (await w.tasks.get(r.taskId))!;
    w.now.ms += 5 * HOUR;
    const e = (await w.wf.tasks
      .complete(abe, t.id, { decision: 'approved', reason: 'late but fine' })
      .catch((x: unknown) => x)) as ConflictError;
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `freeze exception ${r.id} lapsed: its window ended at ${hours(5)} before anyone decided it`,
    );
    expect(e.details).toEqual([{ path: 'status', problem: `is lapsed (the window ended at ${hours(5)})` }]);
    expect(e.context).toEqual({ state: 'lapsed' });
    expect((await w.requests.get(r.id))?.status).toBe('lapsed');
    expect((await w.tasks.get(r.taskId))?.status).toBe('cancelled');
  });

  it('is decided a moment before its window ends', async () => {
    const r = await ask();
    w.now.ms += 5 * HOUR - 1;
    expect(
      await w.wf.freezeExceptions.decide(abe, (await w.tasks.get(r.taskId))!, {
        decision: 'approved',
        reason: 'ok',
      }),
    ).toEqual({
      freezeException: 'approved',
    });
  });
});

describe('deciding an exception', () => {
  const taskOf = async (r: FreezeExceptionRecord) => (await w.tasks.get(r.taskId))!;

  it('approves it, recording who, when and why, and tells the SLA managers', async () => {
    const r = await ask();
    notify.mockClear();
    w.now.ms += HOUR;
    const at = hours(1);
    expect(
      await w.wf.freezeExceptions.decide(abe, await taskOf(r), { decision: 'approved', reason: 'go' }),
    ).toEqual({ freezeException: 'approved' });
    expect(await w.requests.get(r.id)).toEqual({
      ...r,
      status: 'approved',
      decision: { by: 'abe@example.com', at, reason: 'go' },
      history: [...r.history, { at, step: 'approved', by: 'abe@example.com', detail: 'go' }],
      revision: 2,
    });
    expect(requests()).toEqual([
      {
        key: `freeze-exception/${r.id}/approved`,
        topic: `service:${SVC}`,
        event: 'freeze-exception.approved',
        businessUnit: 'payments',
        lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
        subject: 'Exception to the change freeze approved: release 4.2 (hotfix for card declines)',
        paragraphs: [
          `The exception for "release 4.2 (hotfix for card declines)" on ${SVC} (${hours(1)} to ${hours(5)}) was approved by abe@example.com.`,
          'Why: go',
        ],
        links: [{ label: 'The change gate', url: `https://accord.example/v1/services/${SVC}/change-gate` }],
        data: { freezeExceptionId: r.id, serviceId: SVC, status: 'approved' },
      },
    ]);
  });

  it('rejects it', async () => {
    const r = await ask();
    notify.mockClear();
    expect(
      await w.wf.freezeExceptions.decide(abe, await taskOf(r), { decision: 'rejected', reason: 'too risky' }),
    ).toEqual({ freezeException: 'rejected' });
    expect(await w.requests.get(r.id)).toMatchObject({
      status: 'rejected',
      decision: { reason: 'too risky' },
    });
    expect(requests().map((q) => [q.key, q.event, q.subject])).toEqual([
      [
        `freeze-exception/${r.id}/rejected`,
        'freeze-exception.rejected',
        'Exception to the change freeze rejected: release 4.2 (hotfix for card declines)',
      ],
    ]);
  });

  it('tries again when someone wrote first, and gives up after twenty tries', async () => {
    const r = await ask();
    const t = await taskOf(r);
    const put = w.requests.put.bind(w.requests);
    const spy = vi.spyOn(w.requests, 'put').mockResolvedValueOnce(false);
    spy.mockImplementation(put);
    expect(await w.wf.freezeExceptions.decide(abe, t, { decision: 'approved', reason: 'go' })).toEqual({
      freezeException: 'approved',
    });
    expect(spy).toHaveBeenCalledTimes(2);

    const other = await ask();
    spy.mockReset();
    spy.mockResolvedValue(false);
    const e = await w.wf.freezeExceptions
      .decide(abe, await taskOf(other), { decision: 'approved', reason: 'go' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe(`freeze exception ${other.id} is being changed by others: try again`);
    expect(spy).toHaveBeenCalledTimes(20);
  });

  it('needs a decision', async () => {
    const r = await ask();
    const e = await w.wf.freezeExceptions
      .decide(abe, await taskOf(r), { reason: 'hmm' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe('a freeze exception needs a decision');
    expect((e as ValidationError).details).toEqual([
      { path: 'decision', problem: 'is required: approved or rejected' },
    ]);
  });

  it('is never decided by whoever asked for it', async () => {
    const r = await ask();
    const e = await w.wf.freezeExceptions
      .decide(sam, await taskOf(r), { decision: 'approved', reason: 'mine' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe(
      'whoever asked for a freeze exception cannot decide it (separation of duties)',
    );
    expect((await w.requests.get(r.id))?.status).toBe('pending');
  });

  it('red team, wave 35: a second approver acting on the task it read while it waited does not overturn the first decision (409 naming its state)', async () => {
    const r = await ask();
    const t = await taskOf(r);
    const lee = principal({ subject: 'lee@example.com', roles: ['approver'] });
    await w.wf.freezeExceptions.decide(abe, t, { decision: 'approved', reason: 'go' });
    notify.mockClear();
    const e = await w.wf.freezeExceptions
      .decide(lee, t, { decision: 'rejected', reason: 'too risky' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `freeze exception ${r.id} is approved (by abe@example.com): it no longer waits for a decision`,
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is approved' }]);
    expect((e as ConflictError).context).toEqual({ state: 'approved' });
    const after = await w.requests.get(r.id);
    expect(after).toMatchObject({ status: 'approved', decision: { by: 'abe@example.com' }, revision: 2 });
    expect(after?.history.map((h) => h.step)).toEqual(['requested', 'approved']);
    expect(notify).not.toHaveBeenCalled();
  });

  it('answers not found when the task names no freeze exception', async () => {
    const r = await ask();
    const t = await taskOf(r);
    const e = await w.wf.freezeExceptions
      .decide(
        abe,
        { ...t, data: { ...t.data, freezeExceptionId: 'frx_nothing' } },
        { decision: 'approved', reason: 'go' },
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe('no freeze exception frx_nothing');
  });
});

describe('the exceptions in force', () => {
  it('are the approved ones whose window holds the instant, its start included and its end not', async () => {
    const approved = await ask({ from: hours(1), to: hours(5) });
    const pending = await ask({ from: hours(1), to: hours(5) });
    await w.wf.freezeExceptions.decide(abe, (await w.tasks.get(approved.taskId))!, {
      decision: 'approved',
      reason: 'go',
    });
    const inForce = async (h: number) =>
      (await w.wf.freezeExceptions.inForce(SVC, Date.parse(hours(h)))).map((r) => r.id);
    expect(await inForce(0.5)).toEqual([]);
    expect(await inForce(1)).toEqual([approved.id]);
    expect(await inForce(4.9)).toEqual([approved.id]);
    expect(await inForce(5)).toEqual([]);
    expect(pending.id).not.toBe(approved.id);
  });
});

describe('the change gate with an exception in force', () => {
  const evaluation = (evaluatedAt: string | null) =>
    ({
      agreementId: 'agr_01J000000000001',
      objectiveId: 'availability',
      status: 'breached',
      budget: { remainingRatio: -0.5 },
      evaluatedAt,
    }) as never;
  const deps = (evaluatedAt: (string | null)[]) => ({
    objectives: { statusOfService: async () => ({ objectives: evaluatedAt.map(evaluation) }) } as never,
    services: { get: async () => ({ id: SVC, tier: 1 }) } as never,
  });
  const exception = (over: Partial<FreezeExceptionRecord>): FreezeExceptionRecord => ({
    kind: 'freeze-exception',
    id: 'frx_1',
    serviceId: SVC,
    businessUnit: 'payments',
    from: hours(-1),
    to: hours(2),
    reason: 'r',
    change: 'release 4.2',
    requestedBy: 'sam@example.com',
    requestedAt: NOW,
    status: 'approved',
    taskId: 'tsk_1',
    history: [],
    revision: 1,
    ...over,
  });

  it('answers the latest evaluation time among the objectives', async () => {
    const gate = new ChangeGateUseCases(w.policy.errorBudget);
    const d = deps(['2026-03-02T07:00:00.000Z', '2026-03-02T08:30:00.000Z', '2026-03-02T08:00:00.000Z']);
    const a = await gate.gate(sam, SVC, d.objectives, d.services);
    expect(a).toMatchObject({
      serviceId: SVC,
      tier: 1,
      evaluatedAt: '2026-03-02T08:30:00.000Z',
      allowed: false,
    });
    expect(a.consequences).toContain('change-freeze');
    expect(a).not.toHaveProperty('exception');
  });

  it('opens a frozen gate with the latest exception in force, naming who approved it', async () => {
    const gate = new ChangeGateUseCases(w.policy.errorBudget, {
      clock: w.clock,
      inForce: async () => [
        exception({ id: 'frx_old', decision: { by: 'old@example.com', at: NOW, reason: 'x' } }),
        exception({ decision: { by: 'abe@example.com', at: NOW, reason: 'go' } }),
      ],
    });
    const d = deps(['2026-03-02T08:00:00.000Z']);
    const a = await gate.gate(sam, SVC, d.objectives, d.services);
    expect(a.allowed).toBe(true);
    expect(a.reasons.at(-1)).toBe(
      `freeze exception frx_1 for "release 4.2" approved by abe@example.com, in force until ${hours(2)}`,
    );
    expect(a.exception).toEqual({
      id: 'frx_1',
      from: hours(-1),
      to: hours(2),
      change: 'release 4.2',
      approvedBy: 'abe@example.com',
    });
  });

  it('names "an approver" when the exception records no decision', async () => {
    const gate = new ChangeGateUseCases(w.policy.errorBudget, {
      clock: w.clock,
      inForce: async () => [exception({})],
    });
    const d = deps([null]);
    const a = await gate.gate(sam, SVC, d.objectives, d.services);
    expect(a.evaluatedAt).toBeNull();
    expect(a.reasons.at(-1)).toBe(
      `freeze exception frx_1 for "release 4.2" approved by an approver, in force until ${hours(2)}`,
    );
    expect(a.exception?.approvedBy).toBe('');
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { WorkTask } from '../../../shared/ports/tasks.js';
import { StaleTaskError, type WorkflowEngine } from '../../../shared/ports/workflows.js';
import { ListTasksQuery } from '../../../shared/schemas/workflows.js';
import type { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { encodeCursor } from '../../../shared/usecases/cursor.js';
import { type TaskDeps, TaskUseCases } from '../../../shared/usecases/workflows/tasks.js';
import { principal } from '../../helpers/fixtures.js';

const NOW = '2026-03-02T09:00:00.000Z';
// A service owner of no payments service, named by e-mail on payments tasks (a CAPA item's owner): a role that may act
// on tasks, outside the tasks' read scope.
const owen = principal({
  subject: 'owen',
  email: 'Owen@Example.com',
  roles: ['service-owner'],
  services: ['svc_retail-app'],
});
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const platformManager = principal({ subject: 'pia', roles: ['sla-manager'], businessUnits: ['platform'] });
const auditor = principal({ subject: 'aud', roles: ['auditor'] });
const viewer = principal({ subject: 'vic', roles: ['viewer'], businessUnits: ['payments'] });
const serviceOwner = principal({
  subject: 'sol',
  roles: ['service-owner'],
  services: ['svc_payments-gateway'],
});
const legalApprover = principal({ subject: 'lee', roles: ['approver'], signOffCapacities: ['legal'] });

function task(over: Partial<Omit<WorkTask, 'revision'>> = {}): Omit<WorkTask, 'revision'> {
  return {
    id: 'tsk_1',
    kind: 'capa',
    workflow: 'remediation',
    executionId: 'exe_1',
    token: 'tok_1',
    subject: { type: 'violation', id: 'vio_1' },
    businessUnit: 'payments',
    serviceId: 'svc_payments-gateway',
    title: 'Corrective action capa-1',
    assignees: { emails: ['owen@example.com'] },
    status: 'pending',
    createdAt: NOW,
    updatedAt: NOW,
    externalRef: 'CAPA-1',
    data: { capaId: 'capa-1' },
    ...over,
  };
}

const q = (over: Record<string, unknown> = {}) => ListTasksQuery.parse(over);
const ids = (r: { items: { id: string }[] }) => r.items.map((t) => t.id);

/** Task use cases over `store` alone (no agreements, no engine), their clock stopped at `now`. */
function storeOnlyTaskUseCases(store: MemoryWorkTaskStore, now: string | number = NOW): TaskUseCases {
  return new TaskUseCases({
    tasks: store,
    agreements: {} as AgreementUseCases,
    engine: () => ({}) as WorkflowEngine,
    clock: { now: () => new Date(now) },
  });
}
describe('people’s tasks (TaskUseCases)', () => {
  let store: MemoryWorkTaskStore;
  let sent: { token: string; output: unknown }[];
  let sendTaskSuccess: WorkflowEngine['sendTaskSuccess'];
  let deps: TaskDeps;
  let uc: TaskUseCases;
  beforeEach(() => {
    store = new MemoryWorkTaskStore();
    sent = [];
    sendTaskSuccess = async (token, output) => {
      sent.push({ token, output });
    };
    deps = {
      tasks: store,
      agreements: {} as AgreementUseCases,
      engine: () => ({ sendTaskSuccess: (t: string, o: unknown) => sendTaskSuccess(t, o) }) as WorkflowEngine,
      clock: { now: () => new Date('2026-03-02T10:00:00.000Z') },
    };
    uc = new TaskUseCases(deps);
  });

  describe('who a task is addressed to', () => {
    it('lets a named owner act whatever the case of the address, and only while the task waits', async () => {
      await store.upsert(task({ assignees: { emails: ['someone@example.com', 'OWEN@example.com'] } }));
      await store.upsert(task({ id: 'tsk_2', status: 'completed' }));
      expect((await uc.get(owen, 'tsk_1')).yours).toBe(true);
      expect((await uc.get(owen, 'tsk_2')).yours).toBe(false);
      expect((await uc.get(auditor, 'tsk_1')).yours).toBe(false);
    });

    it('shows a task without its token or revision', async () => {
      await store.upsert(task());
      const { token: _t, ...rest } = task();
      expect(await uc.get(owen, 'tsk_1')).toEqual({ ...rest, yours: true });
    });

    it('lets the holder of a sign-off capacity act, and not a holder of another one', async () => {
      await store.upsert(task({ kind: 'signoff', assignees: { capacity: 'legal' } }));
      await store.upsert(task({ id: 'tsk_2', kind: 'signoff', assignees: { capacity: 'service-owner' } }));
      expect((await uc.get(legalApprover, 'tsk_1')).yours).toBe(true);
      expect((await uc.get(legalApprover, 'tsk_2')).yours).toBe(false);
      expect((await uc.get(serviceOwner, 'tsk_2')).yours).toBe(true);
      expect((await uc.get(serviceOwner, 'tsk_1')).yours).toBe(false);
    });

    it('lets a holder of one of the named roles act within the task’s scope only', async () => {
      await store.upsert(task({ assignees: { roles: ['approver', 'sla-manager'] } }));
      expect((await uc.get(manager, 'tsk_1')).yours).toBe(true);
      expect((await uc.get(viewer, 'tsk_1')).yours).toBe(false);
      const e = await uc.get(platformManager, 'tsk_1').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
    });

    it('hides a task from someone who may neither see nor act on it, naming no task', async () => {
      await store.upsert(task({ assignees: { emails: ['someone@example.com'] } }));
      const e = (await uc.get(owen, 'tsk_1').catch((x: unknown) => x)) as NotFoundError;
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e.message).toBe('no task tsk_1');
      expect(e.details).toEqual([{ path: 'taskId', problem: 'names no task you may see' }]);
      await expect(uc.get(auditor, 'tsk_404')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('listing', () => {
    beforeEach(async () => {
      await store.upsert(task({ id: 'tsk_a', createdAt: '2026-03-02T09:00:03.000Z' }));
      await store.upsert(
        task({
          id: 'tsk_b',
          kind: 'rca',
          subject: { type: 'violation', id: 'vio_2' },
          createdAt: '2026-03-02T09:00:02.000Z',
          assignees: { roles: ['sla-manager'] },
        }),
      );
      await store.upsert(
        task({
          id: 'tsk_c',
          businessUnit: 'platform',
          serviceId: 'svc_platform',
          createdAt: '2026-03-02T09:00:01.000Z',
          assignees: { emails: ['pia@example.com'] },
        }),
      );
      await store.upsert(task({ id: 'tsk_d', status: 'completed', createdAt: '2026-03-02T09:00:04.000Z' }));
    });

    it('lists by default the waiting tasks addressed to the caller', async () => {
      expect(ids(await uc.list(owen, q()))).toEqual(['tsk_a']);
      expect(ids(await uc.list(manager, q()))).toEqual(['tsk_b']);
      expect(ids(await uc.list(auditor, q()))).toEqual([]);
    });

    it('lists every task in the caller’s read scope, and its own, with view=all', async () => {
      expect(ids(await uc.list(auditor, q({ view: 'all' })))).toEqual(['tsk_a', 'tsk_b', 'tsk_c']);
      expect(ids(await uc.list(viewer, q({ view: 'all' })))).toEqual(['tsk_a', 'tsk_b']);
      expect(ids(await uc.list(serviceOwner, q({ view: 'all' })))).toEqual(['tsk_a', 'tsk_b']);
      expect(ids(await uc.list(owen, q({ view: 'all' })))).toEqual(['tsk_a']);
    });

    it('filters by status, kind and subject, and stops at the limit', async () => {
      expect(ids(await uc.list(auditor, q({ view: 'all', status: 'completed' })))).toEqual(['tsk_d']);
      expect(ids(await uc.list(auditor, q({ view: 'all', kind: 'rca' })))).toEqual(['tsk_b']);
      expect(ids(await uc.list(auditor, q({ view: 'all', subjectId: 'vio_2' })))).toEqual(['tsk_b']);
      expect(ids(await uc.list(auditor, q({ view: 'all', limit: 2 })))).toEqual(['tsk_a', 'tsk_b']);
    });
  });

  describe('completing', () => {
    it('refuses someone else’s task, naming whom it is addressed to', async () => {
      await store.upsert(
        task({
          assignees: { capacity: 'legal', emails: ['a@example.com', 'b@example.com'], roles: ['approver'] },
        }),
      );
      const e = (await uc.complete(auditor, 'tsk_1', { reason: 'done' }).catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(ForbiddenError);
      expect(e.message).toBe(
        'task tsk_1 is addressed to the holders of the legal sign-off capacity or a@example.com, b@example.com or the roles approver, not to you',
      );
      await store.upsert(task({ id: 'tsk_2', assignees: {} }));
      const nobody = (await uc
        .complete(auditor, 'tsk_2', { reason: 'done' })
        .catch((x: unknown) => x)) as Error;
      expect(nobody).toBeInstanceOf(ForbiddenError);
      expect(nobody.message).toBe('task tsk_2 is addressed to nobody, not to you');
      expect((nobody as ForbiddenError).details).toEqual([
        { path: 'subject', problem: "is not among the task's assignees (nobody)" },
      ]);
    });

    it('refuses a task that no longer waits, naming its state', async () => {
      await store.upsert(task({ status: 'cancelled' }));
      const e = (await uc
        .complete(owen, 'tsk_1', { reason: 'done' })
        .catch((x: unknown) => x)) as ConflictError;
      expect(e).toBeInstanceOf(ConflictError);
      expect(e.message).toBe('task tsk_1 is cancelled: it no longer waits for anyone');
      expect(e.details).toEqual([{ path: 'status', problem: 'is cancelled' }]);
      expect(e.context).toEqual({ state: 'cancelled' });
      expect(sent).toEqual([]);
    });

    it('records the outcome with the kind’s own result and answers the waiting execution', async () => {
      deps.completions = { review: async (p, t) => ({ capaId: t.data.capaId, closedBy: p.subject }) };
      await store.upsert(task({ kind: 'review' }));
      const v = await uc.complete(owen, 'tsk_1', {
        reason: 'done',
        comment: 'pool resized',
        decision: 'approved',
      });
      const outcome = {
        decision: 'approved',
        reason: 'done',
        by: 'owen',
        comment: 'pool resized',
        capaId: 'capa-1',
        closedBy: 'owen',
      };
      expect(v).toMatchObject({ status: 'completed', outcome, yours: false });
      const stored = await store.get('tsk_1');
      expect(stored).toMatchObject({
        status: 'completed',
        outcome,
        settledBy: 'owen',
        settledAt: '2026-03-02T10:00:00.000Z',
        updatedAt: '2026-03-02T10:00:00.000Z',
        revision: 2,
      });
      expect(sent).toEqual([{ token: 'tok_1', output: outcome }]);
    });

    it('red team, wave 37: refuses a field the kind does not take, naming it (a CAPA item rejected was closed as done), and records nothing', async () => {
      const capa = vi.fn(async () => ({ status: 'closed' }));
      deps.completions = { capa, rca: capa, review: capa };
      await store.upsert(task());
      await store.upsert(task({ id: 'tsk_rca', kind: 'rca', externalRef: 'RCA-1' }));
      await store.upsert(task({ id: 'tsk_rev', kind: 'review', externalRef: 'REV-1' }));
      const refused = async (id: string, body: Record<string, unknown>) =>
        (await uc
          .complete(owen, id, { reason: 'will not do', ...body })
          .catch((x: unknown) => x)) as ValidationError;
      for (const decision of ['rejected', 'approved']) {
        const e = await refused('tsk_1', { decision });
        expect(e).toBeInstanceOf(ValidationError);
        expect(e.message).toBe('a capa task does not take decision');
        expect(e.details).toEqual([
          { path: 'decision', problem: 'is not taken by a capa task: it is closed with its resolution' },
        ]);
      }
      expect((await refused('tsk_rca', { decision: 'rejected' })).details).toEqual([
        { path: 'decision', problem: 'is not taken by an rca task: it is completed with the analysis (rca)' },
      ]);
      expect((await refused('tsk_1', { rca: {} })).details).toEqual([
        { path: 'rca', problem: 'is taken by an rca task only, not by a capa task' },
      ]);
      expect((await refused('tsk_rev', { resolution: 'done it' })).details).toEqual([
        { path: 'resolution', problem: 'is taken by a capa task only, not by a review task' },
      ]);
      expect(capa).not.toHaveBeenCalled();
      expect((await store.get('tsk_1'))?.status).toBe('pending');
    });

    it('records a rejection as rejected, and an outcome without decision or comment when none is given', async () => {
      await store.upsert(task({ kind: 'review' }));
      await uc.complete(owen, 'tsk_1', { reason: 'no', decision: 'rejected' });
      expect(await store.get('tsk_1')).toMatchObject({
        status: 'rejected',
        outcome: { decision: 'rejected', reason: 'no', by: 'owen' },
      });
      await store.upsert(task({ id: 'tsk_2', kind: 'review' }));
      await uc.complete(owen, 'tsk_2', { reason: 'fine' });
      const t = await store.get('tsk_2');
      expect(t?.status).toBe('completed');
      expect(t?.outcome).toEqual({ reason: 'fine', by: 'owen' });
    });

    it('refuses a sign-off without a decision, and signs off through the agreement use case with one', async () => {
      const signOff = vi.fn(async () => undefined);
      const get = vi.fn(async () => ({ id: 'agr_1', version: 3 }));
      deps.agreements = { get, signOff } as unknown as AgreementUseCases;
      await store.upsert(
        task({
          kind: 'signoff',
          subject: { type: 'agreement', id: 'agr_1' },
          assignees: { capacity: 'legal' },
        }),
      );
      const e = (await uc
        .complete(legalApprover, 'tsk_1', { reason: 'ok' })
        .catch((x: unknown) => x)) as ValidationError;
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.message).toBe('a sign-off needs a decision');
      expect(e.details).toEqual([{ path: 'decision', problem: 'is required: approved or rejected' }]);
      expect(signOff).not.toHaveBeenCalled();
      const v = await uc.complete(legalApprover, 'tsk_1', {
        reason: 'ok',
        decision: 'approved',
        comment: 'c',
      });
      expect(get).toHaveBeenCalledWith(legalApprover, 'agr_1');
      expect(signOff).toHaveBeenCalledWith(legalApprover, 'agr_1', 3, {
        capacity: 'legal',
        decision: 'approved',
        reason: 'ok',
        comment: 'c',
      });
      expect(v.status).toBe('pending');
      expect(sent).toEqual([]);
    });
  });

  describe('settling', () => {
    it('refuses to settle a task that changed meanwhile, naming its state now, or that it is gone', async () => {
      const t = await store.upsert(task());
      await store.update({ ...t, status: 'cancelled' }, t.revision);
      const e = (await uc.settle(t, { by: 'x' }, 'x').catch((x: unknown) => x)) as ConflictError;
      expect(e).toBeInstanceOf(ConflictError);
      expect(e.message).toBe('task tsk_1 changed while you acted: it is cancelled');
      expect(e.context).toEqual({ state: 'cancelled' });
      const gone = (await uc
        .settle({ ...t, id: 'tsk_gone' }, {}, 'x')
        .catch((x: unknown) => x)) as ConflictError;
      expect(gone).toBeInstanceOf(ConflictError);
      expect(gone.message).toBe('task tsk_gone changed while you acted: it is gone');
      expect(gone.context).toEqual({ state: undefined });
      expect(sent).toEqual([]);
    });

    it('answers no execution for a task without a token (a preventive task)', async () => {
      const t = await store.upsert(task({ kind: 'preventive', token: '' }));
      await uc.settle(t, { reason: 'done' }, 'owen');
      expect((await store.get('tsk_1'))?.status).toBe('completed');
      expect(sent).toEqual([]);
    });

    it('keeps the outcome when the execution moved on (a stale token), and fails on any other engine error', async () => {
      sendTaskSuccess = async () => {
        throw new StaleTaskError('the token no longer waits', 'succeeded');
      };
      const t = await store.upsert(task());
      await uc.settle(t, { reason: 'done' }, 'owen', 'completed');
      expect((await store.get('tsk_1'))?.status).toBe('completed');
      sendTaskSuccess = async () => {
        throw new Error('engine down');
      };
      const t2 = await store.upsert(task({ id: 'tsk_2' }));
      await expect(uc.settle(t2, { reason: 'done' }, 'owen')).rejects.toThrow('engine down');
    });
  });

  describe('inbound webhooks from a team’s tool', () => {
    let updates: { id: string; update: unknown }[];
    beforeEach(async () => {
      updates = [];
      deps.verifyInbound = (headers) => {
        if (headers['webhook-signature'] === 'other-team') {
          return {
            id: 'msg_8',
            tool: { tool: 'snow', businessUnits: ['platform'], services: ['svc_ledger'] },
          };
        }
        if (headers['webhook-signature'] === 'by-service') {
          return { id: 'msg_9', tool: { tool: 'pd', services: ['svc_payments-gateway'] } };
        }
        if (headers['webhook-signature'] !== 'good') throw new UnauthenticatedError('bad signature');
        return { id: 'msg_7', tool: { tool: 'jira', businessUnits: ['payments'] } };
      };
      deps.inbound = async (t, u) => {
        updates.push({ id: t.id, update: u });
        if (u.status === 'closed') {
          const cur = (await store.get(t.id))!;
          await store.update({ ...cur, status: 'completed' }, cur.revision);
        }
      };
      await store.upsert(task());
    });
    const signed = { 'webhook-signature': 'good' };

    it('refuses every webhook where no secret is configured, saying why', async () => {
      const bare = new TaskUseCases({
        ...deps,
        verifyInbound: undefined,
        inbound: undefined,
      } as unknown as TaskDeps);
      const e = (await bare.inbound(signed, '{}').catch((x: unknown) => x)) as UnauthenticatedError;
      expect(e).toBeInstanceOf(UnauthenticatedError);
      expect(e.message).toBe('inbound webhooks are not configured here (ACCORD_INBOUND_WEBHOOK_TOOLS)');
      expect(e.details).toEqual([
        { path: 'webhook-signature', problem: 'cannot be verified: no inbound webhook secret is configured' },
      ]);
      const noHandler = new TaskUseCases({ ...deps, inbound: undefined } as unknown as TaskDeps);
      await expect(noHandler.inbound(signed, '{}')).rejects.toBeInstanceOf(UnauthenticatedError);
    });

    it('refuses an unsigned body, malformed JSON and a body off the schema, naming the fields', async () => {
      await expect(uc.inbound({}, '{}')).rejects.toThrow('bad signature');
      const bad = (await uc.inbound(signed, '{oops').catch((x: unknown) => x)) as ValidationError;
      expect(bad).toBeInstanceOf(ValidationError);
      expect(bad.message).toBe('malformed JSON');
      expect(bad.details).toEqual([{ path: '(body)', problem: 'is not valid JSON' }]);
      const off = (await uc
        .inbound(signed, JSON.stringify({ externalRef: 'CAPA-1', status: 'done' }))
        .catch((x: unknown) => x)) as ValidationError;
      expect(off).toBeInstanceOf(ValidationError);
      expect(off.message).toBe('the body does not match the schema');
      expect(off.details.map((d) => d.path)).toEqual(['status']);
      const notObject = (await uc.inbound(signed, '[]').catch((x: unknown) => x)) as ValidationError;
      expect(notObject.details.map((d) => d.path)).toEqual(['(body)']);
      expect(updates).toEqual([]);
    });

    it('refuses a reference that names no task', async () => {
      const e = (await uc
        .inbound(signed, JSON.stringify({ externalRef: 'CAPA-404', status: 'closed' }))
        .catch((x: unknown) => x)) as NotFoundError;
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e.message).toBe('no task with the reference CAPA-404');
      expect(e.details).toEqual([{ path: 'externalRef', problem: 'names no task' }]);
    });

    it('red team, wave 35: refuses an update of a task that is no RCA or CAPA item (a change assessment, a freeze exception, a sign-off), naming the reference and the kind', async () => {
      for (const kind of ['change-assessment', 'freeze-exception', 'signoff'] as const) {
        await store.upsert(task({ id: `tsk_${kind}`, kind, externalRef: `ACCORD-${kind}` }));
        const e = (await uc
          .inbound(signed, JSON.stringify({ externalRef: `ACCORD-${kind}`, status: 'closed' }))
          .catch((x: unknown) => x)) as BusinessRuleError;
        expect(e).toBeInstanceOf(BusinessRuleError);
        expect(e.message).toBe(
          `task tsk_${kind} is a ${kind} task: a team's tool updates only RCA and CAPA items`,
        );
        expect(e.details).toEqual([{ path: 'externalRef', problem: `names a ${kind} task` }]);
        expect((await store.get(`tsk_${kind}`))?.status).toBe('pending');
      }
      expect(updates).toEqual([]);
    });

    it('hands the update of a waiting task on, as the tool or the webhook’s message, then answers its status', async () => {
      expect(
        await uc.inbound(signed, JSON.stringify({ externalRef: 'CAPA-1', status: 'in-progress', note: 'n' })),
      ).toEqual({
        taskId: 'tsk_1',
        status: 'pending',
      });
      expect(
        await uc.inbound(signed, JSON.stringify({ externalRef: 'CAPA-1', status: 'closed', by: 'OPS-1' })),
      ).toEqual({ taskId: 'tsk_1', status: 'completed' });
      expect(updates).toEqual([
        {
          id: 'tsk_1',
          update: { externalRef: 'CAPA-1', status: 'in-progress', note: 'n', by: 'jira:msg_7' },
        },
        { id: 'tsk_1', update: { externalRef: 'CAPA-1', status: 'closed', by: 'jira:OPS-1' } },
      ]);
    });

    it("red team, wave 36: a tool updates only the items of the units or services it is configured for; another team's item is answered as no task, and who acted is recorded as the tool's", async () => {
      // A tool of another unit and another service: the payments CAPA item is, for it, a task that does not exist.
      const e = (await uc
        .inbound(
          { 'webhook-signature': 'other-team' },
          JSON.stringify({ externalRef: 'CAPA-1', status: 'closed', by: 'sam' }),
        )
        .catch((x: unknown) => x)) as NotFoundError;
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e.message).toBe('no task with the reference CAPA-1');
      expect(e.details).toEqual([{ path: 'externalRef', problem: 'names no task' }]);
      expect(updates).toEqual([]);
      expect((await store.get('tsk_1'))?.status).toBe('pending');
      // A tool scoped to the item's service (not its unit) reaches it; the name it sends is kept as its own.
      expect(
        await uc.inbound(
          { 'webhook-signature': 'by-service' },
          JSON.stringify({ externalRef: 'CAPA-1', status: 'closed', by: 'sam' }),
        ),
      ).toEqual({ taskId: 'tsk_1', status: 'completed' });
      expect(updates).toEqual([
        { id: 'tsk_1', update: { externalRef: 'CAPA-1', status: 'closed', by: 'pd:sam' } },
      ]);
    });

    it('changes nothing on a task that no longer waits, so the tool may retry', async () => {
      const t = (await store.get('tsk_1'))!;
      await store.update({ ...t, status: 'completed' }, t.revision);
      expect(await uc.inbound(signed, JSON.stringify({ externalRef: 'CAPA-1', status: 'closed' }))).toEqual({
        taskId: 'tsk_1',
        status: 'completed',
      });
      expect(updates).toEqual([]);
    });
  });
});

describe('red team, wave 36: a task separation of duties keeps someone from acting on is not theirs', () => {
  it('is not yours and not in your inbox when you are among assignees.except (subject, or e-mail on record), but still in view=all and readable', async () => {
    const store = new MemoryWorkTaskStore();
    const uc = storeOnlyTaskUseCases(store);
    // An SLA managers' assessment of sam's own request; a CAPA item owen asked for, recorded by his e-mail.
    await store.upsert(
      task({ id: 'tsk_assess', externalRef: 'A-1', assignees: { roles: ['sla-manager'], except: ['sam'] } }),
    );
    await store.upsert(
      task({
        id: 'tsk_capa',
        externalRef: 'C-1',
        assignees: { emails: ['owen@example.com'], except: ['OWEN@example.com'] },
      }),
    );
    const otherManager = principal({ subject: 'max', roles: ['sla-manager'], businessUnits: ['payments'] });
    expect((await uc.get(manager, 'tsk_assess')).yours).toBe(false);
    expect((await uc.get(otherManager, 'tsk_assess')).yours).toBe(true);
    expect(ids(await uc.list(manager, q()))).toEqual([]);
    expect(ids(await uc.list(otherManager, q()))).toEqual(['tsk_assess']);
    // Same instant: newest first by id.
    expect(ids(await uc.list(manager, q({ view: 'all' })))).toEqual(['tsk_capa', 'tsk_assess']);
    expect((await uc.get(owen, 'tsk_capa')).yours).toBe(false);
    expect(ids(await uc.list(owen, q()))).toEqual([]);
  });

  it("red team, wave 37: a viewer or auditor named by e-mail (a CAPA item's owner) reads the task, but it is not theirs: they may not act on tasks", async () => {
    const store = new MemoryWorkTaskStore();
    const uc = storeOnlyTaskUseCases(store);
    await store.upsert(task({ id: 'tsk_capa', assignees: { emails: ['olive@example.com'] } }));
    const olive = principal({
      subject: 'olive',
      email: 'Olive@example.com',
      roles: ['viewer'],
      businessUnits: ['retail'],
    });
    const audrey = principal({ subject: 'audrey', email: 'olive@example.com', roles: ['auditor'] });
    for (const p of [olive, audrey]) {
      expect((await uc.get(p, 'tsk_capa')).yours).toBe(false);
      expect(ids(await uc.list(p, q()))).toEqual([]);
      expect(ids(await uc.list(p, q({ view: 'all' })))).toEqual(['tsk_capa']);
    }
    // The same person as a service owner acts on it.
    const owner = principal({ subject: 'olive', email: 'olive@example.com', roles: ['service-owner'] });
    expect((await uc.get(owner, 'tsk_capa')).yours).toBe(true);
    expect(ids(await uc.list(owner, q()))).toEqual(['tsk_capa']);
  });
});

describe('GET /v1/tasks past one page of the store (TaskUseCases.list)', () => {
  // `n` pending tasks of others, all newer than owen's tasks, a second apart; a store page is TASK_PAGE = 500.
  const others = (store: MemoryWorkTaskStore, n = 1200) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.upsert(
          task({
            id: `tsk_o${String(i).padStart(5, '0')}`,
            externalRef: `O-${i}`,
            assignees: { emails: ['someone@example.com'] },
            createdAt: new Date(Date.UTC(2026, 2, 2, 6) + i * 1000).toISOString(),
          }),
        ),
      ),
    );
  const make = (store: MemoryWorkTaskStore) => storeOnlyTaskUseCases(store, '2026-03-02T10:00:00.000Z');

  it('lists (view=all) the caller’s only task, the oldest, behind 10,050 newer tasks of others, reading at most 2,000 a request (red team, wave 36)', async () => {
    // Past the 10,000 rows the list once asked the store for: the oldest task, the most overdue, dropped out. Then
    // a request read the whole status to find it: 2 s of the embedded server's thread per 100,000 tasks.
    const store = new MemoryWorkTaskStore();
    await others(store, 10_050);
    await store.upsert(task({ id: 'tsk_mine', createdAt: '2026-03-01T00:00:00.000Z' }));
    const listed = vi.spyOn(store, 'list');
    const uc = make(store);
    const first = await uc.list(owen, q({ view: 'all' }));
    // Four store pages, the budget: nothing of owen's yet, and a cursor after the last task read.
    expect(ids(first)).toEqual([]);
    expect(listed.mock.calls.map(([a]) => a.limit)).toEqual(Array(4).fill(500));
    expect(listed.mock.calls[1]![0].before).toEqual({
      createdAt: new Date(Date.UTC(2026, 2, 2, 6) + 9550 * 1000).toISOString(),
      id: 'tsk_o09550',
    });
    const second = await uc.list(owen, q({ view: 'all', cursor: first.nextCursor }));
    // The second request starts after the 2,000th newest task, where the first stopped.
    expect(listed.mock.calls[4]![0].before).toEqual({
      createdAt: new Date(Date.UTC(2026, 2, 2, 6) + 8050 * 1000).toISOString(),
      id: 'tsk_o08050',
    });
    const walked = [...ids(first), ...ids(second)];
    let cursor = second.nextCursor;
    let requests = 2;
    while (cursor) {
      const page = await uc.list(owen, q({ view: 'all', cursor }));
      walked.push(...ids(page));
      cursor = page.nextCursor;
      requests++;
    }
    expect(walked).toEqual(['tsk_mine']);
    // 10,051 tasks, 2,000 a request: six requests, the last finding owen's task and no cursor after it.
    expect(requests).toBe(6);
    expect(listed.mock.calls.length).toBeLessThanOrEqual(6 * 4);
  });

  it('pages a caller’s tasks with nextCursor: every task once, newest first; a forged cursor is a 400', async () => {
    const store = new MemoryWorkTaskStore();
    await others(store);
    // Three of owen's, interleaved with the others; two share an instant (the id orders them).
    for (const [id, at] of [
      ['tsk_m1', '2026-03-02T06:19:59.500Z'],
      ['tsk_m2', '2026-03-02T06:05:00.000Z'],
      ['tsk_m3', '2026-03-02T06:05:00.000Z'],
    ] as const)
      await store.upsert(task({ id, externalRef: id, createdAt: at }));
    const uc = make(store);
    const first = await uc.list(owen, q({ limit: 2 }));
    expect(ids(first)).toEqual(['tsk_m1', 'tsk_m3']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await uc.list(owen, q({ limit: 2, cursor: first.nextCursor }));
    expect(ids(second)).toEqual(['tsk_m2']);
    expect(second.nextCursor).toBeUndefined();
    // Exactly a page: no cursor to an empty page.
    expect((await uc.list(owen, q({ limit: 3 }))).nextCursor).toBeUndefined();
    // A page of one: each cursor holds the page's last task's place.
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await uc.list(owen, q({ limit: 1, ...(cursor ? { cursor } : {}) }));
      walked.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(['tsk_m1', 'tsk_m3', 'tsk_m2']);
    // A place that is not [createdAt, id] as two strings: 400 naming query.cursor.
    for (const place of ['["a","b","c"]', '[1,"b"]', '["a",2]', '"a"']) {
      const e = await uc
        .list(owen, q({ limit: 2, cursor: encodeCursor(place, { status: 'pending', view: 'mine' }) }))
        .catch((x: unknown) => x);
      expect(e, place).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details).toEqual([
        { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
      ]);
    }
    // A cursor of other filters, a forged one, or one holding no place: refused, naming the cursor.
    for (const cursor of [
      first.nextCursor!,
      'not-a-cursor',
      // Issued for these filters, but holding no task's place.
      encodeCursor('["x"]', { status: 'pending', view: 'mine' }),
    ]) {
      const other = cursor === first.nextCursor ? { kind: 'capa' } : {};
      await expect(uc.list(owen, q({ limit: 2, cursor, ...other }))).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

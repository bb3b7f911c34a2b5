import { beforeEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError, ValidationError } from '../../../shared/domain/errors.js';
import type { WorkTask } from '../../../shared/ports/tasks.js';
import {
  buildWorkflowServices,
  type WorkflowServices,
  workflowsIn,
} from '../../../shared/usecases/workflows/index.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// How buildWorkflowServices wires people's tasks to the workflows (shared/usecases/workflows/index.ts): the
// completion of each task kind, and the updates a team's own tool sends about RCA and CAPA tasks.

const sam = principal({ subject: 'sam@example.com', roles: ['sla-manager'], businessUnits: ['payments'] });
const NOW = '2026-03-02T09:00:00.000Z';

let w: WorkflowWorld;
/** The same services, built with an inbound webhook verifier that accepts every message as `msg_1`. */
let wf: WorkflowServices;

const task = (over: Partial<WorkTask>) =>
  w.tasks.upsert({
    id: 'tsk_wiring',
    kind: 'capa',
    workflow: 'remediation',
    executionId: 'local:remediation:x',
    token: '',
    subject: { type: 'violation', id: 'vio_1' },
    businessUnit: 'payments',
    serviceId: 'svc_payments-gateway',
    title: 'a task',
    assignees: { roles: ['sla-manager'] },
    status: 'pending',
    createdAt: NOW,
    updatedAt: NOW,
    externalRef: 'ACCORD-WIRING0001',
    data: { capaId: 'capa-1' },
    ...over,
  });
const inbound = (body: Record<string, unknown>) =>
  wf.tasks.inbound({}, JSON.stringify({ externalRef: 'ACCORD-WIRING0001', ...body }));

beforeEach(async () => {
  w = await workflowWorld({ now: NOW });
  wf = buildWorkflowServices({
    engine: w.engine,
    tasks: w.tasks,
    remediation: w.remediation,
    requests: w.requests,
    notifications: w.wf.notifications,
    violations: w.violations,
    agreements: w.agreements,
    useCases: () => w.useCases,
    services: w.services,
    clock: w.clock,
    policy: w.policy,
    baseUrl: 'https://accord.example',
    verifyInbound: () => ({ id: 'msg_1', tool: { tool: 'webhook', businessUnits: ['*'] } }),
  });
});

describe('the workflows of a container', () => {
  it('are its own, or refused as unavailable where none are deployed', () => {
    expect(workflowsIn({ workflows: w.wf })).toBe(w.wf);
    expect(() => workflowsIn({})).toThrow(new UnavailableError('workflows are not deployed here'));
    expect(() => workflowsIn({})).toThrow(UnavailableError);
  });
});

describe('completing a task', () => {
  it('refuses an RCA task completed without the analysis, and leaves it pending', async () => {
    await task({ kind: 'rca' });
    const e = await wf.tasks.complete(sam, 'tsk_wiring', { reason: 'done' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe('an RCA task is completed with the analysis');
    expect((e as ValidationError).details).toEqual([{ path: 'rca', problem: 'is required' }]);
    expect((await w.tasks.get('tsk_wiring'))?.status).toBe('pending');
  });

  it('hands a freeze-exception task to the freeze exceptions, whose decision becomes its outcome', async () => {
    const r = await wf.freezeExceptions.request(sam, 'svc_payments-gateway', {
      from: '2026-03-02T10:00:00.000Z',
      to: '2026-03-02T12:00:00.000Z',
      change: 'release 4.2',
      reason: 'a fix customers need',
    });
    const abe = principal({ subject: 'abe@example.com', roles: ['approver'] });
    const v = await wf.tasks.complete(abe, r.taskId, { decision: 'approved', reason: 'go' });
    expect(v.outcome).toEqual({
      decision: 'approved',
      reason: 'go',
      by: 'abe@example.com',
      freezeException: 'approved',
    });
    expect((await w.requests.get(r.id))?.status).toBe('approved');
  });
});

describe("an update from a team's tool", () => {
  it('closes a CAPA task as the tool says, with its resolution, and settles the task with the outcome', async () => {
    await task({});
    const close = vi
      .spyOn(wf.remediation, 'closeCapa')
      .mockResolvedValue({ status: 'closed', capaId: 'capa-1', by: 'kim' });
    const note = vi.spyOn(wf.remediation, 'note').mockResolvedValue();
    expect(await inbound({ status: 'closed', resolution: 'patched', note: 'see PR 12', by: 'kim' })).toEqual({
      taskId: 'tsk_wiring',
      status: 'completed',
    });
    expect(close.mock.calls.map(([by, t, res]) => [by, t.id, res])).toEqual([
      ['webhook:kim', 'tsk_wiring', 'patched'],
    ]);
    expect(note).not.toHaveBeenCalled();
    expect(await w.tasks.get('tsk_wiring')).toMatchObject({
      status: 'completed',
      outcome: { status: 'closed', capaId: 'capa-1', by: 'kim' },
      settledBy: 'webhook:kim',
    });
  });

  it("takes the note as the resolution when there is none, and says it was closed in the team's tool when neither is given", async () => {
    await task({});
    const close = vi.spyOn(wf.remediation, 'closeCapa').mockResolvedValue({ status: 'closed' });
    await inbound({ status: 'closed', note: 'fixed upstream' });
    await w.tasks.update({ ...(await w.tasks.get('tsk_wiring'))!, status: 'pending' }, 2);
    await inbound({ status: 'closed' });
    expect(close.mock.calls.map(([by, , res]) => [by, res])).toEqual([
      ['webhook:msg_1', 'fixed upstream'],
      ['webhook:msg_1', 'closed in the team tool'],
    ]);
  });

  it('keeps any other update as a note in the history, with its text when it has one', async () => {
    await task({});
    const close = vi.spyOn(wf.remediation, 'closeCapa');
    const note = vi.spyOn(wf.remediation, 'note').mockResolvedValue();
    await inbound({ status: 'in-progress', note: 'working on it', by: 'kim' });
    await inbound({ status: 'in-progress' });
    await task({ id: 'tsk_rca', kind: 'rca', externalRef: 'ACCORD-WIRINGRCA1' });
    await wf.tasks.inbound({}, JSON.stringify({ externalRef: 'ACCORD-WIRINGRCA1', status: 'closed' }));
    expect(note.mock.calls.map(([by, t, text]) => [by, t.id, text])).toEqual([
      ['webhook:kim', 'tsk_wiring', 'in-progress: working on it'],
      ['webhook:msg_1', 'tsk_wiring', 'in-progress'],
      ['webhook:msg_1', 'tsk_rca', 'closed'],
    ]);
    expect(close).not.toHaveBeenCalled();
    expect((await w.tasks.get('tsk_wiring'))?.status).toBe('pending');
  });
});

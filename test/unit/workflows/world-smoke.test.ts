import { beforeEach, describe, expect, it } from 'vitest';
import { agreementBody, principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const manager = principal({
  subject: 'sam@example.com',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});

describe('the workflow world (test/helpers/workflow-world.ts)', () => {
  let w: WorkflowWorld;
  beforeEach(async () => {
    w = await workflowWorld();
  });

  it('runs the approval ASL when an agreement is submitted: one sign-off task per capacity a tier-1 SLA needs, each e-mailed', async () => {
    const a = await w.useCases.create(manager, agreementBody({ effectiveFrom: '2026-03-10' }));
    await w.useCases.submit(manager, a.id, 1, { reason: 'ready' } as never);
    await w.settle();
    const executions = await w.engine.listExecutions({ type: 'agreement', id: a.id });
    expect(executions.map((e) => [e.workflow, e.status])).toEqual([['approval', 'waiting']]);
    const tasks = await w.tasks.list({ subjectId: a.id } as never);
    expect(tasks.map((t) => [t.kind, t.assignees.capacity ?? t.assignees.roles?.join()]).sort()).toEqual([
      ['signoff', 'business-owner'],
      ['signoff', 'governance-board'],
      ['signoff', 'service-owner'],
    ]);
    expect((w.notifications.email as { sent: unknown[] }).sent).toHaveLength(3);
  });
});

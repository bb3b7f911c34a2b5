import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/domain/access/policy.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';
import { awsContainerOnLocal, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { agreementBody, principal, serviceBody } from '../helpers/fixtures.js';

const sfn = mockClient(SFNClient);
const local = useDynamoLocal();
const PREFIX = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Accord-eu-west-1-';
const NOW = Date.parse('2026-03-02T09:00:00.000Z');

const manager: Principal = principal({
  subject: 'sam@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['payments', 'retail-banking'],
});
const business: Principal = principal({
  subject: 'bo@bank.example',
  roles: ['approver'],
  signOffCapacities: ['business-owner'],
});
const legal: Principal = principal({
  subject: 'lee@bank.example',
  roles: ['approver'],
  signOffCapacities: ['legal'],
});

describe('the approval workflow through the AWS composition root (DynamoDB Local, Step Functions mocked)', () => {
  it('starts the approval state machine on submit, records the sign-off task with its token, and answers it when signed', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `${PREFIX.replace('stateMachine', 'execution')}approval:x`,
      startDate: new Date(NOW),
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const { container: c } = await awsContainerOnLocal(local(), NOW, (t) => ({
      [AWS_ENV.workflowsTable]: t.Workflows!,
      [AWS_ENV.stateMachineArnPrefix]: PREFIX,
    }));
    const w = workflowsIn(c);
    await c.services.register(manager, serviceBody({ tier: 2 }));
    const a = await c.agreements.create(
      manager,
      agreementBody({ effectiveFrom: '2026-03-10', effectiveTo: '2027-03-09' }),
    );
    const s = await c.agreements.submit(manager, a.id, 1, 'ready');
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: `${PREFIX}approval`, name: `${a.id}-v2` });
    expect(JSON.parse(start.input!)).toEqual({ agreementId: a.id, version: 2 });

    // What Step Functions does next: the plan, then the callback task of each capacity with its token.
    const plan = (await w.approval.task({
      task: 'plan',
      agreementId: a.id,
      version: 2,
      executionId: 'arn:exec',
    })) as {
      signOffs: { capacity: string }[];
      dueAt: string;
    };
    expect(plan).toMatchObject({ status: 'submitted', dueAt: '2026-03-05T09:00:00.000Z' });
    for (const { capacity } of plan.signOffs) {
      await w.approval.task({
        task: 'await-signoff',
        agreementId: a.id,
        version: 2,
        capacity,
        dueAt: plan.dueAt,
        round: 0,
        executionId: 'arn:exec',
        taskToken: `token-${capacity}`,
      });
    }
    const [task] = (await w.tasks.list(business, { status: 'pending', view: 'mine', limit: 50 })).items;
    expect(task).toMatchObject({ kind: 'signoff', assignees: { capacity: 'business-owner' }, yours: true });
    await expect(
      w.tasks.complete(legal, task!.id, { decision: 'approved', reason: 'not mine' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await w.tasks.complete(business, task!.id, { decision: 'approved', reason: 'meets our needs' });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((x) => x.args[0].input)).toEqual([
      {
        taskToken: 'token-business-owner',
        output: JSON.stringify({
          decision: 'approved',
          by: 'bo@bank.example',
          reason: 'approved: meets our needs',
          version: s.version + 1,
        }),
      },
    ]);
    expect((await w.tasks.get(business, task!.id)).status).toBe('completed');
    const queued = await w.notifications.dispatch();
    expect(queued.sent + queued.retried).toBeGreaterThan(0);
  });
});

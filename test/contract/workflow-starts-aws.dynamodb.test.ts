import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as reconcile } from '../../functions/workflows/reconcile-scheduled.js';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DynamoViolationStore } from '../../shared/adapters/dynamodb/objectives.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { ChangeRequestRecord } from '../../shared/ports/governance.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import type { Container } from '../../shared/runtime/container.js';
import { setContainer } from '../../shared/runtime/container.js';
import { type WorkflowServices, workflowsIn } from '../../shared/usecases/workflows/index.js';
import { awsContainerOnLocal, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { sampleEvent } from '../helpers/events.js';
import { agreementBody, agreementVersion, principal, serviceBody } from '../helpers/fixtures.js';
import { putLegacyTask } from '../helpers/legacy-tasks.js';
import { violation } from '../helpers/remediation-world.js';
import { workTask } from './work-task-store.contract.js';

// The `workflow-starts` schedule's function on the AWS composition root: DynamoDB Local for the tables, Step
// Functions mocked with aws-sdk-client-mock. A start that fails leaves the change stored; the scheduled run starts it
// under the same execution name and input; an execution Step Functions already has is recorded, never doubled.

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const sfn = mockClient(SFNClient);
const local = useDynamoLocal();
const PREFIX = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Accord-eu-west-1-';
const EXEC_PREFIX = 'arn:aws:states:eu-west-1:123456789012:execution:Accord-eu-west-1-';
const NOW = Date.parse('2026-03-02T09:00:00.000Z');
const tick = sampleEvent('eventbridge/workflow-starts');

const manager: Principal = principal({
  subject: 'sam@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['payments', 'retail-banking'],
});
const customerViewer: Principal = principal({
  subject: 'vic@retail.example',
  roles: ['viewer'],
  businessUnits: ['retail-banking'],
});
/** What Step Functions answers when its endpoint is overloaded (the SDK gives up after its retries). */
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const startInputs = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

let c: Container;
let w: WorkflowServices;
let tables: Record<string, string | undefined>;
beforeEach(async () => {
  sfn.reset();
  const built = await awsContainerOnLocal(local(), NOW, (t) => ({
    [AWS_ENV.workflowsTable]: t.Workflows!,
    [AWS_ENV.stateMachineArnPrefix]: PREFIX,
  }));
  c = built.container;
  tables = built.tables;
  w = workflowsIn(c);
  setContainer(c);
  await c.services.register(manager, serviceBody({ tier: 2 }));
});

async function submitted() {
  const a = await c.agreements.create(
    manager,
    agreementBody({ effectiveFrom: '2026-03-10', effectiveTo: '2027-03-09' }),
  );
  // The submission stands although the start failed: the AWS observer logs the error.
  await c.agreements.submit(manager, a.id, 1, 'ready');
  expect((await c.agreements.load(manager, 'agreement.read', a.id)).status).toBe('submitted');
  return a;
}

describe('an approval whose StartExecution failed', () => {
  it('is started by the next scheduled run with the same name and input, and by no later run', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(throttled())
      .resolves({ executionArn: `${EXEC_PREFIX}approval:started`, startDate: new Date(NOW) });
    const a = await submitted();
    const name = `${a.id}-v2`;
    expect(startInputs()).toHaveLength(1);
    expect(
      await w.engine.findByName({ workflow: 'approval', name, subject: { type: 'agreement', id: a.id } }),
    ).toBe(undefined);

    expect(await reconcile(tick)).toEqual({
      started: [`approval:${name}`],
      recorded: [],
      present: 0,
      failed: [],
    });
    const [first, again] = startInputs();
    expect(again).toEqual(first);
    expect(again).toEqual({
      stateMachineArn: `${PREFIX}approval`,
      name,
      input: JSON.stringify({ agreementId: a.id, version: 2 }),
    });
    expect(
      await w.engine.findByName({ workflow: 'approval', name, subject: { type: 'agreement', id: a.id } }),
    ).toBe(`${EXEC_PREFIX}approval:started`);

    expect(await reconcile(tick)).toEqual({ started: [], recorded: [], present: 1, failed: [] });
    expect(startInputs()).toHaveLength(2);
  });

  it('records the execution Step Functions already has (ExecutionAlreadyExists) instead of starting another', async () => {
    // The first start reached Step Functions but its answer was lost: nothing was indexed. Step Functions answers
    // ExecutionAlreadyExists for that name (closed since, or asked with another input).
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const a = await submitted();
    const name = `${a.id}-v2`;
    expect(await reconcile(tick)).toEqual({
      started: [],
      recorded: [`approval:${name}`],
      present: 0,
      failed: [],
    });
    expect(
      await w.engine.findByName({ workflow: 'approval', name, subject: { type: 'agreement', id: a.id } }),
    ).toBe(`${EXEC_PREFIX}approval:${name}`);
    expect(await reconcile(tick)).toEqual({ started: [], recorded: [], present: 1, failed: [] });
    expect(startInputs()).toHaveLength(2);
  });

  it('fails the scheduled run while Step Functions still refuses, naming the execution, and starts it once it answers', async () => {
    sfn.on(StartExecutionCommand).rejects(throttled());
    const a = await submitted();
    await expect(reconcile(tick)).rejects.toThrow(`1 workflow start(s) failed again: approval:${a.id}-v2`);
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXEC_PREFIX}approval:x`, startDate: new Date(NOW) });
    expect((await reconcile(tick)).started).toEqual([`approval:${a.id}-v2`]);
  });
});

describe('remediations and change requests on AWS', () => {
  it("starts an open violation's remediation that never started, once", async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXEC_PREFIX}remediation:v`, startDate: new Date(NOW) });
    const a = agreementVersion({ status: 'active' });
    const v = violation({ clock: { now: () => new Date(NOW) } } as never, a);
    await new DynamoViolationStore(local().doc, tables.Data!).record(v);
    expect(await reconcile(tick)).toEqual({
      started: [`remediation:${v.id}`],
      recorded: [],
      present: 0,
      failed: [],
    });
    expect(startInputs()).toEqual([
      { stateMachineArn: `${PREFIX}remediation`, name: v.id, input: JSON.stringify({ violationId: v.id }) },
    ]);
    expect((await reconcile(tick)).present).toBe(1);
    expect(startInputs()).toHaveLength(1);
  });

  it('starts a change request recorded while StartExecution failed, and records its execution on it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(throttled())
      .resolves({ executionArn: `${EXEC_PREFIX}change-request:c`, startDate: new Date(NOW) });
    const a = agreementVersion({
      id: 'agr_01WFACTIVE0000000001',
      status: 'active',
      effectiveFrom: '2026-03-01',
      effectiveTo: '2027-02-28',
    });
    await new DynamoAgreementStore(local().doc, tables.Data!).create(a);
    // The request is recorded and answered (201 on the API) although its start failed: the schedule starts it.
    const answered = await w.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'clearer',
      proposed: { title: 'Payments availability (EU)' },
    } as never);
    expect(startInputs()).toHaveLength(1);
    const [r] = await w.changeRequests.list(customerViewer, a.id).then((p) => p.items);
    expect([r?.id, r?.status, r?.executionId]).toEqual([answered.id, 'assessing', undefined]);

    expect(await reconcile(tick)).toEqual({
      started: [`change-request:${r!.id}`],
      recorded: [],
      present: 0,
      failed: [],
    });
    expect(startInputs()[1]).toEqual({
      stateMachineArn: `${PREFIX}change-request`,
      name: r!.id,
      input: JSON.stringify({ changeRequestId: r!.id }),
    });
    const [after] = (await w.changeRequests.list(customerViewer, a.id)).items as ChangeRequestRecord[];
    expect(after?.executionId).toBe(`${EXEC_PREFIX}change-request:c`);
    expect(await reconcile(tick)).toEqual({ started: [], recorded: [], present: 0, failed: [] });
    expect(startInputs()).toHaveLength(2);
  });
});

describe('the data migrations on AWS', () => {
  it("indexes the tasks stored before the index by assignee on the next run, so they are in each person's view=mine, once", async () => {
    const ana = principal({
      subject: 'ana@bank.example',
      email: 'ana@bank.example',
      roles: ['service-owner'],
      businessUnits: ['payments'],
    });
    const table = tables.Workflows!;
    await putLegacyTask(local().doc, table, {
      ...workTask('tsk_legacy1', {
        kind: 'rca',
        workflow: 'remediation',
        subject: { type: 'violation', id: 'vio_1' },
        assignees: { emails: ['Ana@Bank.example'] },
      }),
      revision: 4,
    });
    const mine = async () =>
      (await w.tasks.list(ana, { view: 'mine', status: 'pending', limit: 50 } as never)).items.map(
        (t) => t.id,
      );
    expect(await mine()).toEqual([]);

    await reconcile(tick);
    expect(await mine()).toEqual(['tsk_legacy1']);
    const checkpoint = await local().doc.send(
      new GetCommand({ TableName: table, Key: { pk: 'MIGRATION#tasks-by-assignee', sk: 'MIGRATION' } }),
    );
    expect(checkpoint.Item?.record).toMatchObject({ id: 'tasks-by-assignee', read: 1, changed: 1 });
    expect(checkpoint.Item?.record.doneAt).toEqual(expect.any(String));

    // Done: a task written the old way afterwards is not looked for again (none is: every writer indexes now).
    await putLegacyTask(local().doc, table, {
      ...workTask('tsk_legacy2', { assignees: { emails: ['ana@bank.example'] } }),
      revision: 1,
    });
    await reconcile(tick);
    expect(await mine()).toEqual(['tsk_legacy1']);
  });
});

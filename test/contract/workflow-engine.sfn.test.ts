import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoExecutionIndex } from '../../shared/adapters/dynamodb/workflows.js';
import { executionName, StepFunctionsWorkflowEngine } from '../../shared/adapters/sfn/engine.js';
import { StaleTaskError } from '../../shared/ports/workflows.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';

const sfn = mockClient(SFNClient);
const local = useDynamoLocal();
const PREFIX = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Accord-eu-west-1-';
const subject = { type: 'agreement' as const, id: 'agr_01JTEST0000001' };

describe('WorkflowEngine on Step Functions (SDK mocked, execution index on DynamoDB Local)', () => {
  let engine: StepFunctionsWorkflowEngine;
  let now: Date;
  beforeEach(async () => {
    sfn.reset();
    now = new Date('2026-03-02T09:00:00.000Z');
    const { doc, createTables } = local();
    const index = new DynamoExecutionIndex(doc, (await createTables(['Workflows'])).Workflows!);
    engine = new StepFunctionsWorkflowEngine(
      new SFNClient({ region: 'eu-west-1' }),
      (w) => `${PREFIX}${w}`,
      index,
      { now: () => now },
    );
  });

  it('starts the named state machine once per name: a second start answers the first execution', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:exec:1', startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const first = await engine.start({
      workflow: 'approval',
      name: 'agr_01JTEST0000001-v2',
      subject,
      input: { agreementId: subject.id, version: 2 },
    });
    const again = await engine.start({
      workflow: 'approval',
      name: 'agr_01JTEST0000001-v2',
      subject,
      input: {},
    });
    expect(first).toEqual({ executionId: 'arn:exec:1', started: true });
    expect(again).toEqual({ executionId: 'arn:exec:1', started: false });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: `${PREFIX}approval`,
      name: 'agr_01JTEST0000001-v2',
      input: '{"agreementId":"agr_01JTEST0000001","version":2}',
    });
  });

  it('lists the executions of a subject from the index, with their state from Step Functions', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1', startDate: new Date() });
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: 'arn:exec:1',
      stateMachineArn: `${PREFIX}approval`,
      name: 'n1',
      status: 'SUCCEEDED',
      startDate: new Date('2026-03-02T09:00:00.000Z'),
      stopDate: new Date('2026-03-05T00:00:00.000Z'),
      output: '{"outcome":"activated"}',
    });
    expect(await engine.listExecutions(subject)).toEqual([
      {
        executionId: 'arn:exec:1',
        workflow: 'approval',
        name: 'n1',
        subject,
        status: 'succeeded',
        startedAt: '2026-03-02T09:00:00.000Z',
        stoppedAt: '2026-03-05T00:00:00.000Z',
        output: { outcome: 'activated' },
        path: [],
      },
    ]);
    expect(await engine.listExecutions({ type: 'agreement', id: 'agr_other0000000' })).toEqual([]);
  });

  it('answers task tokens, and turns a token Step Functions no longer knows into a 409 naming its state', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    sfn.on(SendTaskFailureCommand).resolves({});
    await engine.sendTaskSuccess('tok-1', { decision: 'approved' });
    await engine.sendTaskFailure('tok-2', 'Withdrawn', 'withdrawn: changes asked');
    await expect(engine.sendTaskSuccess('tok-1', {})).rejects.toEqual(expect.any(StaleTaskError));
    await expect(engine.sendTaskSuccess('tok-1', {})).rejects.toMatchObject({
      state: 'timed out',
      code: 'task_not_pending',
    });
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: 'tok-2',
      error: 'Withdrawn',
      cause: 'withdrawn: changes asked',
    });
  });

  it('finds an execution by workflow and name from the index alone, without asking Step Functions', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1', startDate: new Date() });
    const ask = { workflow: 'approval' as const, name: 'agr_01JTEST0000001-v2', subject };
    expect(await engine.findByName(ask)).toBeUndefined();
    await engine.start({ ...ask, input: {} });
    const calls = sfn.calls().length;
    expect(await engine.findByName(ask)).toBe('arn:exec:1');
    // Another workflow, another name, another subject: not that execution.
    expect(await engine.findByName({ ...ask, workflow: 'remediation' })).toBeUndefined();
    expect(await engine.findByName({ ...ask, name: 'agr_01JTEST0000001-v4' })).toBeUndefined();
    expect(
      await engine.findByName({ ...ask, subject: { type: 'agreement', id: 'agr_other' } }),
    ).toBeUndefined();
    expect(sfn.calls()).toHaveLength(calls);
  });

  it('lists an execution once when two starts of its name both indexed it (a start racing the reconciliation)', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1', startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: 'arn:exec:1',
      stateMachineArn: `${PREFIX}approval`,
      name: 'n1',
      status: 'RUNNING',
      startDate: new Date('2026-03-02T09:00:00.000Z'),
    });
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    now = new Date('2026-03-02T09:10:00.000Z');
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    expect((await engine.listExecutions(subject)).map((e) => e.executionId)).toEqual(['arn:exec:1']);
  });

  it('keeps execution names within what Step Functions accepts', () => {
    expect(executionName('agr_01J:v2/ä'.padEnd(100, 'x'))).toMatch(/^[A-Za-z0-9_-]{80}$/);
  });
});

import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoExecutionIndex } from '../../shared/adapters/dynamodb/workflows.js';
import { executionName, StepFunctionsWorkflowEngine, visitedPath } from '../../shared/adapters/sfn/engine.js';
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
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
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
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    now = new Date('2026-03-02T09:10:00.000Z');
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    expect((await engine.listExecutions(subject)).map((e) => e.executionId)).toEqual(['arn:exec:1']);
  });

  it('reads the visited-state path from the paged execution history, Map iterations as Map[index].State', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:1', startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: 'arn:exec:1',
      stateMachineArn: `${PREFIX}approval`,
      name: 'n1',
      status: 'RUNNING',
      startDate: new Date('2026-03-02T09:00:00.000Z'),
    });
    const history = approvalHistory();
    sfn
      .on(GetExecutionHistoryCommand, {
        executionArn: 'arn:exec:1',
        maxResults: 1000,
        includeExecutionData: false,
      })
      .resolves({ events: history.slice(0, 9), nextToken: 'page-2' });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: 'arn:exec:1', nextToken: 'page-2' })
      .resolves({ events: history.slice(9) });
    await engine.start({ workflow: 'approval', name: 'n1', subject, input: {} });
    const path = [
      'PlanApproval',
      'CollectSignOffs',
      'CollectSignOffs[0].AwaitSignOff',
      'CollectSignOffs[1].AwaitSignOff',
      'CollectSignOffs[0].FollowUpSignOff',
      'CollectSignOffs[0].AwaitSignOff',
      'PlanActivation',
    ];
    expect((await engine.listExecutions(subject)).map((e) => e.path)).toEqual([path]);
    expect((await engine.describe('arn:exec:1'))?.path).toEqual(path);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      'page-2',
      undefined,
      'page-2',
    ]);
  });

  it('nests the path of a Map inside a Map iteration, and leaves states after a Map outside it', () => {
    const ev = (id: number, previousEventId: number, type: string, more: Partial<HistoryEvent> = {}) =>
      ({ id, previousEventId, type, timestamp: new Date(0), ...more }) as HistoryEvent;
    const entered = (id: number, prev: number, type: string, name: string) =>
      ev(id, prev, type, { stateEnteredEventDetails: { name } });
    const iter = (id: number, prev: number, type: string, name: string, index: number) =>
      ev(id, prev, type, {
        [`mapIteration${type.slice('MapIteration'.length)}EventDetails`]: { name, index },
      } as Partial<HistoryEvent>);
    expect(
      visitedPath([
        ev(1, 0, 'ExecutionStarted'),
        entered(2, 1, 'MapStateEntered', 'Outer'),
        iter(3, 2, 'MapIterationStarted', 'Outer', 1),
        entered(4, 3, 'MapStateEntered', 'Inner'),
        iter(5, 4, 'MapIterationStarted', 'Inner', 2),
        entered(6, 5, 'TaskStateEntered', 'Work'),
        iter(7, 6, 'MapIterationSucceeded', 'Inner', 2),
        ev(8, 7, 'MapStateExited'),
        entered(9, 8, 'PassStateEntered', 'AfterInner'),
        iter(10, 9, 'MapIterationSucceeded', 'Outer', 1),
        ev(11, 10, 'MapStateExited'),
        entered(12, 11, 'SucceedStateEntered', 'Done'),
      ]),
    ).toEqual(['Outer', 'Outer[1].Inner', 'Outer[1].Inner[2].Work', 'Outer[1].AfterInner', 'Done']);
  });

  it('keeps execution names within what Step Functions accepts', () => {
    expect(executionName('agr_01J:v2/ä'.padEnd(100, 'x'))).toMatch(/^[A-Za-z0-9_-]{80}$/);
  });
});

/**
 * An approval's history as Step Functions writes it (ids, previousEventId links, no data): the plan, the sign-off Map
 * with two iterations (the first heartbeats once into its follow-up and waits again), then the activation plan.
 */
function approvalHistory(): HistoryEvent[] {
  const at = new Date('2026-03-02T09:00:00.000Z');
  const e = (
    id: number,
    previousEventId: number,
    type: string,
    more: Partial<HistoryEvent> = {},
  ): HistoryEvent => ({ id, previousEventId, type, timestamp: at, ...more }) as HistoryEvent;
  const entered = (name: string) => ({ stateEnteredEventDetails: { name } });
  return [
    e(1, 0, 'ExecutionStarted'),
    e(2, 1, 'TaskStateEntered', entered('PlanApproval')),
    e(3, 2, 'TaskSucceeded'),
    e(4, 3, 'TaskStateExited', { stateExitedEventDetails: { name: 'PlanApproval' } }),
    e(5, 4, 'MapStateEntered', entered('CollectSignOffs')),
    e(6, 5, 'MapStateStarted', { mapStateStartedEventDetails: { length: 2 } }),
    e(7, 6, 'MapIterationStarted', {
      mapIterationStartedEventDetails: { name: 'CollectSignOffs', index: 0 },
    }),
    e(8, 7, 'TaskStateEntered', entered('AwaitSignOff')),
    e(9, 6, 'MapIterationStarted', {
      mapIterationStartedEventDetails: { name: 'CollectSignOffs', index: 1 },
    }),
    e(10, 9, 'TaskStateEntered', entered('AwaitSignOff')),
    e(11, 8, 'TaskTimedOut'),
    e(12, 11, 'TaskStateEntered', entered('FollowUpSignOff')),
    e(13, 12, 'TaskStateEntered', entered('AwaitSignOff')),
    e(14, 13, 'MapIterationSucceeded', {
      mapIterationSucceededEventDetails: { name: 'CollectSignOffs', index: 0 },
    }),
    e(15, 10, 'MapIterationSucceeded', {
      mapIterationSucceededEventDetails: { name: 'CollectSignOffs', index: 1 },
    }),
    e(16, 15, 'MapStateSucceeded'),
    e(17, 16, 'MapStateExited', { stateExitedEventDetails: { name: 'CollectSignOffs' } }),
    e(18, 17, 'TaskStateEntered', entered('PlanActivation')),
  ];
}

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Clock } from '../../ports/clock.js';
import {
  type ExecutionStatus,
  type ExecutionSummary,
  StaleTaskError,
  type StartRequest,
  type WorkflowEngine,
  type WorkflowName,
  type WorkflowSubject,
} from '../../ports/workflows.js';
import type { DynamoExecutionIndex, IndexedExecution } from '../dynamodb/workflows.js';

/** Step Functions execution names: at most 80 of letters, digits, `-` and `_`. */
export const executionName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);

const STATUS: Record<string, ExecutionStatus> = {
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
  ABORTED: 'aborted',
  PENDING_REDRIVE: 'failed',
};

/**
 * The WorkflowEngine on AWS: Step Functions Standard. Starting is idempotent by execution name (a second start of
 * the same name is ExecutionAlreadyExists); answers go to SendTaskSuccess/SendTaskFailure; a token Step Functions no
 * longer knows (timed out, answered, execution ended) is a StaleTaskError (409). Executions are indexed by subject
 * in DynamoDB, since Step Functions cannot list executions by their input.
 */
export class StepFunctionsWorkflowEngine implements WorkflowEngine {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machineArn: (workflow: WorkflowName) => string,
    private readonly index: DynamoExecutionIndex,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts the execution named `req.name` (sanitised by executionName). Step Functions answers a start of a running
   * execution with the same name and input with that execution; a closed one, or one with the same name and another
   * input, with ExecutionAlreadyExists: either way an execution exists under this name, so the answer is that one
   * (`started: false`), from the index or, when the index misses it (a start whose index write failed), its ARN,
   * which is then indexed. The name is the idempotency key: a second execution for the same subject is never made.
   */
  async start(req: StartRequest): Promise<{ executionId: string; started: boolean }> {
    const stateMachineArn = this.machineArn(req.workflow);
    const name = executionName(req.name);
    let executionArn: string;
    let started = true;
    try {
      const out = await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(req.input) }),
      );
      executionArn = out.executionArn!;
    } catch (e) {
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
      started = false;
      const known = await this.index.byName(req.subject, name);
      if (known) return { executionId: known.executionArn, started };
      executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    }
    await this.index.put({
      executionArn,
      workflow: req.workflow,
      name,
      subject: req.subject,
      startedAt: this.clock.now().toISOString(),
    });
    return { executionId: executionArn, started };
  }

  /** From the execution index alone (one Query of the subject's items); Step Functions is not asked. */
  async findByName(req: Pick<StartRequest, 'workflow' | 'name' | 'subject'>): Promise<string | undefined> {
    const name = executionName(req.name);
    const known = (await this.index.bySubject(req.subject)).find(
      (e) => e.name === name && e.workflow === req.workflow,
    );
    return known?.executionArn;
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await this.answer(() =>
      this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? null) })),
    );
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.answer(() =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, 256),
          cause: cause.slice(0, 32_768),
        }),
      ),
    );
  }

  async listExecutions(subject: WorkflowSubject): Promise<ExecutionSummary[]> {
    // A start repeated by the reconciliation while the first was in flight indexes the same execution twice (each
    // under its own start time): listed once, by its newest item.
    const seen = new Set<string>();
    const indexed = (await this.index.bySubject(subject)).filter(
      (e) => !seen.has(e.executionArn) && seen.add(e.executionArn),
    );
    return Promise.all(indexed.map((e) => this.summarise(e)));
  }

  async describe(executionId: string): Promise<ExecutionSummary | undefined> {
    try {
      const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn: executionId }));
      return { ...toSummary(d, undefined), path: await this.path(executionId) };
    } catch (e) {
      if ((e as Error).name === 'ExecutionDoesNotExist') return undefined;
      throw e;
    }
  }

  private async summarise(e: IndexedExecution): Promise<ExecutionSummary> {
    const [d, path] = await Promise.all([
      this.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
      this.path(e.executionArn),
    ]);
    return { ...toSummary(d, e), path };
  }

  /**
   * The states an execution entered, in order, from its history (GetExecutionHistory, oldest first, 1,000 events a
   * page, without inputs and outputs): as the embedded engine records them, a state inside a Map iteration as
   * `Map[index].State`. A Standard execution has at most 25,000 events: at most 25 pages.
   */
  private async path(executionArn: string): Promise<string[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          includeExecutionData: false,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return visitedPath(events);
  }

  private async answer(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'TaskTimedOut')
        throw new StaleTaskError('the task is no longer waiting: it timed out', 'timed out');
      if (name === 'TaskDoesNotExist' || name === 'InvalidToken') {
        throw new StaleTaskError('no task waits on this token (answered, or its execution ended)', 'unknown');
      }
      throw e;
    }
  }
}

function toSummary(d: DescribeExecutionCommandOutput, e: IndexedExecution | undefined): ExecutionSummary {
  const input = d.input ? (JSON.parse(d.input) as { agreementId?: string }) : {};
  return {
    executionId: d.executionArn!,
    workflow: (e?.workflow ??
      d.stateMachineArn?.split(':').at(-1)?.split('-').at(-1) ??
      'approval') as WorkflowName,
    name: d.name ?? e?.name ?? '',
    subject: e?.subject ?? { type: 'agreement', id: input.agreementId ?? '' },
    status: STATUS[d.status ?? 'RUNNING'] ?? 'running',
    startedAt: (d.startDate ?? new Date(0)).toISOString(),
    ...(d.stopDate ? { stoppedAt: d.stopDate.toISOString() } : {}),
    ...(d.output ? { output: JSON.parse(d.output) as unknown } : {}),
    ...(d.error ? { error: { error: d.error, cause: d.cause ?? '' } } : {}),
    path: [],
  };
}

/**
 * The visited-state path of a Step Functions history: the name of every `…StateEntered` event, in event order, a state
 * entered inside a Map iteration prefixed with `Map[index].` (nested iterations each add theirs). Which iteration an
 * event belongs to follows from its `previousEventId`: an event is in the iterations its previous event is in, a
 * `MapIterationStarted` opens one and the end of that iteration (`MapIterationSucceeded`, `…Failed`, `…Aborted`)
 * closes it.
 */
export function visitedPath(events: readonly HistoryEvent[]): string[] {
  const scope = new Map<number, string[]>();
  const path: string[] = [];
  for (const e of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) {
    const before = (e.previousEventId !== undefined && scope.get(e.previousEventId)) || [];
    let here = before;
    const it = e.mapIterationStartedEventDetails;
    const end =
      e.mapIterationSucceededEventDetails ??
      e.mapIterationFailedEventDetails ??
      e.mapIterationAbortedEventDetails;
    if (e.type === 'MapIterationStarted' && it) here = [...before, `${it.name}[${it.index}]`];
    else if (end && before.at(-1) === `${end.name}[${end.index}]`) here = before.slice(0, -1);
    if (e.id !== undefined) scope.set(e.id, here);
    const name = e.stateEnteredEventDetails?.name;
    if (e.type?.endsWith('StateEntered') && name !== undefined) path.push([...here, name].join('.'));
  }
  return path;
}

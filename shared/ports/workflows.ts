/**
 * The workflow engine: Step Functions Standard on AWS, the same ASL files run by aws-local-stepfunctions on the
 * embedded default. Named for what the use cases need: start an execution (idempotent by name), answer a
 * callback task (task token), and list the executions of an agreement, a violation or a service.
 */
import { ConflictError } from '../domain/errors.js';

/** The state machines (one ASL file each under infra/workflows/; the table is shared/workflows.ts). */
export const WORKFLOW_NAMES = [
  'approval',
  'remediation',
  'renewal',
  'change-request',
  'decommission',
  'change-freeze-exception',
  /** Driven by schedules, not a state machine: a report's commentary window (shared/usecases/reports/commentary.ts). */
  'report-commentary',
] as const;
export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

/** What an execution is about: listing by subject answers "the state of every workflow of this agreement". */
export interface WorkflowSubject {
  type: 'agreement' | 'violation' | 'service' | 'change-request';
  id: string;
}

export type ExecutionStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'aborted';

/** An execution as the API shows it. Times are ISO 8601 instants. */
export interface ExecutionSummary {
  /** Unique per deployment; on AWS the execution ARN. */
  executionId: string;
  workflow: WorkflowName;
  /** The idempotency name given at start (at most 80 characters, as Step Functions allows). */
  name: string;
  subject: WorkflowSubject;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string | undefined;
  /** The output of a finished execution (for example `{outcome: 'rejected', reason}`). */
  output?: unknown;
  error?: { error: string; cause: string } | undefined;
  /** The states entered so far, in order; nested states as `Map[index].State`. Empty where not tracked. */
  path: string[];
}

export interface StartRequest {
  workflow: WorkflowName;
  /** Idempotency: starting the same name twice answers the first execution. */
  name: string;
  subject: WorkflowSubject;
  input: Record<string, unknown>;
}

/** A task token that is no longer waiting (answered, timed out, or its execution ended): HTTP 409. */
export class StaleTaskError extends ConflictError {
  override readonly code = 'task_not_pending';
  constructor(
    message: string,
    readonly state: string,
  ) {
    super(message, [{ path: 'taskToken', problem: `is ${state}` }], { state });
  }
}

export interface WorkflowEngine {
  /** Starts an execution; the same name again answers the existing one with `started: false`. */
  start(req: StartRequest): Promise<{ executionId: string; started: boolean }>;
  /**
   * The id of the execution started under this workflow and name (about this subject), or undefined when none is
   * known: what the reconciliation asks before it starts anything again. A read only: it never starts one.
   */
  findByName(req: Pick<StartRequest, 'workflow' | 'name' | 'subject'>): Promise<string | undefined>;
  /** Completes a waiting callback task with its output; StaleTaskError when the token no longer waits. */
  sendTaskSuccess(token: string, output: unknown): Promise<void>;
  /** Fails a waiting callback task with a named error (caught by the ASL's Catch); StaleTaskError as above. */
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  /** Every execution about one subject, newest first. */
  listExecutions(subject: WorkflowSubject): Promise<ExecutionSummary[]>;
  describe(executionId: string): Promise<ExecutionSummary | undefined>;
}

/** An execution as the embedded engine keeps it: the summary plus what it needs to replay. */
export interface ExecutionRecord extends ExecutionSummary {
  input: Record<string, unknown>;
  /**
   * Where a waiting execution resumes: the top-level state it waits in, the input that state was first entered
   * with, and the states entered before it. A replay starts there instead of at `StartAt` (the states before it are
   * done; their outcomes are in the journal). Absent: the replay starts at the beginning.
   */
  checkpoint?: ExecutionCheckpoint | undefined;
}

/** A waiting execution's resume point (see ExecutionRecord.checkpoint). */
export interface ExecutionCheckpoint {
  /** A top-level state of the definition. */
  state: string;
  /** The input that state was first entered with. */
  input: unknown;
  /** The visited-state path before that state was entered. */
  path: string[];
}

/** What the engine may change on an execution record. */
export type ExecutionPatchField = 'status' | 'stoppedAt' | 'output' | 'error' | 'path' | 'checkpoint';

/**
 * One step of an execution's journal. The embedded engine replays an execution from its start whenever it must
 * go on (a token answered, a timer due, a restart); every Task outcome is journaled under a key derived from the
 * state, its effective input and how often that pair occurred before, so a replay answers recorded outcomes
 * without calling the handler again, and runs exactly the steps that never finished.
 */
export interface JournalStep {
  key: string;
  /** done/failed: the outcome is recorded; waiting: a durable timer; pending: a callback token. */
  status: 'done' | 'failed' | 'waiting' | 'pending';
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  /** Epoch ms a durable wait ends. */
  wakeAt?: number | undefined;
  /** The callback token of a pending step. */
  token?: string | undefined;
  /** Whether the callback's handler has run (registered the task, notified); a crash before it runs it again. */
  invoked?: boolean | undefined;
}

/** The embedded engine's persistence: executions, their journals and durable timers (SQLite; memory for tests). */
export interface ExecutionJournal {
  /** Stores a new execution; false when one with the same workflow and name exists. */
  create(e: ExecutionRecord): Promise<boolean>;
  get(executionId: string): Promise<ExecutionRecord | undefined>;
  byName(workflow: WorkflowName, name: string): Promise<ExecutionRecord | undefined>;
  update(executionId: string, patch: Partial<Pick<ExecutionRecord, ExecutionPatchField>>): Promise<void>;
  /**
   * Marks the execution running when it is waiting (as `update(id, {status: 'running'})` would), and leaves it as it
   * is otherwise; true when it was waiting. The engine's mark before a token of the execution is answered: one
   * conditional write, no read of the record.
   */
  markRunning(executionId: string): Promise<boolean>;
  listBySubject(subject: WorkflowSubject): Promise<ExecutionRecord[]>;
  /** Ids of executions with a status among these (a restart resumes the ones that were running). */
  idsWithStatus(statuses: readonly ExecutionStatus[], limit: number): Promise<string[]>;
  steps(executionId: string): Promise<Map<string, JournalStep>>;
  putStep(executionId: string, step: JournalStep): Promise<void>;
  /** Several steps at once, and optionally the execution's new state, in one transaction where the backend has them. */
  putSteps(
    executionId: string,
    steps: readonly JournalStep[],
    patch?: Partial<Pick<ExecutionRecord, ExecutionPatchField>>,
  ): Promise<void>;
  /** Executions with a durable wait due at or before `nowMs`. */
  dueWakes(nowMs: number, limit: number): Promise<string[]>;
}

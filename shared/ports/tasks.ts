/**
 * Tasks: the callback tasks of workflow executions as people see them (a sign-off, an RCA, a CAPA item, a change
 * assessment, a review), and, for the embedded engine, the task tokens those callbacks wait on.
 */
import type { Role } from '../domain/access/policy.js';
import { ValidationError } from '../domain/errors.js';
import type { WorkflowName } from './workflows.js';

export const TASK_KINDS = [
  'signoff',
  'rca',
  'capa',
  'change-assessment',
  'change-signoff',
  'review',
  'preventive',
  'freeze-exception',
  'commentary',
  'vendor-remediation',
  'renegotiation',
  'review-action',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_STATUSES = ['pending', 'completed', 'rejected', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Who may act on a task: any one of these matches (capacity needs the sign-off claim, email the token's email). */
export interface TaskAssignees {
  /** A sign-off capacity (approvers holding it; the service owner of the service for `service-owner`). */
  capacity?: string | undefined;
  /** Roles whose holders may act, within the task's scope. */
  roles?: Role[] | undefined;
  /** People named by e-mail (an RCA or CAPA owner). */
  emails?: string[] | undefined;
  /**
   * People (as recorded: a subject, or an e-mail on older records) whom separation of duties keeps from acting though
   * they match the above: a request's requester, a change's assessor. The task is not theirs (`yours: false`, not in
   * their `view=mine`); acting on it is refused by the kind's own rule, which names why.
   */
  except?: string[] | undefined;
}

/** One task of a person or group, with the token of the callback it answers. */
export interface WorkTask {
  /** Stable for the life of the task (`tsk_…`), whatever token its callback carries now. */
  id: string;
  kind: TaskKind;
  workflow: WorkflowName;
  executionId: string;
  /** The callback token the execution waits on now; replaced each time the callback task is entered again. */
  token: string;
  subject: { type: 'agreement' | 'violation' | 'service' | 'change-request'; id: string };
  /** Where it lives, for the access scope. */
  businessUnit: string;
  serviceId: string;
  title: string;
  assignees: TaskAssignees;
  status: TaskStatus;
  createdAt: string;
  updatedAt: string;
  /** When the task is due (ISO instant); reminders and escalation count from it. */
  dueAt?: string | undefined;
  /** A stable reference another tool (a ticketing system) holds for this task: inbound webhooks name it. */
  externalRef: string;
  /** Task-specific data (the capacity, the RCA draft, the CAPA item, …). */
  data: Record<string, unknown>;
  /** The decision or result, once acted on. */
  outcome?: Record<string, unknown> | undefined;
  settledBy?: string | undefined;
  settledAt?: string | undefined;
  /** Increments on every write: the optimistic lock of `update`. */
  revision: number;
}

/**
 * A place in the task store's list order: newest first by `createdAt`, ties broken by `id` (greatest first), both
 * compared as plain strings (code unit order). Total and stable: no two tasks share a place.
 */
export interface TaskPosition {
  createdAt: string;
  id: string;
}

export interface TaskQuery {
  status?: TaskStatus | undefined;
  subjectId?: string | undefined;
  executionId?: string | undefined;
  /** At most this many tasks (default 1,000). */
  limit?: number | undefined;
  /**
   * Keyset: only tasks strictly after this place in the list order (older, or as old with a smaller id). Give the
   * last task of a page to read the next one; a task written meanwhile never shifts a page.
   */
  before?: TaskPosition | undefined;
}

/** Whether task `t` comes strictly after place `p` in the store's list order (newest first, then greatest id). */
export function isAfter(t: TaskPosition, p: TaskPosition): boolean {
  return t.createdAt < p.createdAt || (t.createdAt === p.createdAt && t.id < p.id);
}

/**
 * At most this many assignee keys per task: DynamoDB writes a task, its key items and the removal of the keys it
 * lost in one transaction (at most 100 actions: 1 + 45 + 45). Seven roles (21 keys), a capacity (2) and 22 e-mails fit.
 */
export const MAX_ASSIGNEE_KEYS = 45;

/**
 * The index keys a task is listed under for the people it is addressed to, without repeats, sorted (code unit order):
 * - `cap:<capacity>`: approvers holding that sign-off capacity;
 * - `owner:<serviceId>`: for the `service-owner` capacity, the service owners of the task's service as well;
 * - `email:<address, lower case>`: a person named by e-mail;
 * - `role:<role>#*`, `role:<role>#bu:<businessUnit>`, `role:<role>#svc:<serviceId>`: holders of a named role whose
 *   scope for acting on tasks is everything, the task's business unit, or its service.
 * A principal's keys (shared/usecases/workflows/tasks.ts `principalTaskKeys`) meet a task's keys exactly when
 * `mayAct` says the principal may act on it.
 * @throws ValidationError (path `assignees`) when the task would carry more than MAX_ASSIGNEE_KEYS keys
 */
export function assigneeKeys(t: Pick<WorkTask, 'assignees' | 'businessUnit' | 'serviceId'>): string[] {
  const a = t.assignees;
  const keys = new Set<string>();
  if (a.capacity) {
    keys.add(`cap:${a.capacity}`);
    if (a.capacity === 'service-owner') keys.add(`owner:${t.serviceId}`);
  }
  for (const e of a.emails ?? []) keys.add(`email:${e.toLowerCase()}`);
  for (const r of a.roles ?? []) {
    keys.add(`role:${r}#*`);
    keys.add(`role:${r}#bu:${t.businessUnit}`);
    keys.add(`role:${r}#svc:${t.serviceId}`);
  }
  if (keys.size > MAX_ASSIGNEE_KEYS) {
    throw new ValidationError('a task is addressed to too many assignees', [
      {
        path: 'assignees',
        problem: `give at most ${MAX_ASSIGNEE_KEYS} index keys (3 per role, 1 per e-mail, 1 or 2 for a capacity), not ${keys.size}`,
      },
    ]);
  }
  return [...keys].sort();
}

/** A page of the tasks carrying one assignee key (see `assigneeKeys`). */
export interface AssigneeQuery {
  /** One key of `assigneeKeys`, e.g. `cap:legal` or `email:ana@example.com`. */
  key: string;
  status: TaskStatus;
  /** At most this many tasks (default 1,000). */
  limit?: number | undefined;
  /** Keyset: only tasks strictly after this place in the list order, as in TaskQuery. */
  before?: TaskPosition | undefined;
}

export interface WorkTaskStore {
  /**
   * Creates the task, or, when one with this id exists, refreshes its token, due date, assignees and data (revision +
   * 1): the callback step entered again names whom it waits for now.
   * @throws ValidationError when the task carries more than MAX_ASSIGNEE_KEYS assignee keys
   */
  upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask>;
  get(id: string): Promise<WorkTask | undefined>;
  byExternalRef(ref: string): Promise<WorkTask | undefined>;
  /**
   * Newest first (`createdAt`, then `id`, descending, as plain strings), at most `q.limit`, after `q.before` when
   * given: pages read with the last task's place as `before` together hold every matching task exactly once.
   */
  list(q: TaskQuery): Promise<WorkTask[]>;
  /**
   * The tasks of one status carrying `q.key` (an index by assignee: a page costs the tasks it answers, however many
   * other tasks the status holds), in the same order and with the same keyset as `list`. A task is listed under the
   * keys of its assignees as they are now: an upsert or update that changes them moves it between keys.
   */
  listByAssignee(q: AssigneeQuery): Promise<WorkTask[]>;
  /**
   * Replaces a task when its revision is still `expected`; false when someone else changed it first (the caller
   * re-reads and decides again).
   * @throws ValidationError when the task carries more than MAX_ASSIGNEE_KEYS assignee keys
   */
  update(task: WorkTask, expected: number): Promise<boolean>;
}

/** A callback token of the embedded engine, with the timers Step Functions keeps on AWS (heartbeat, timeout). */
export interface TokenRecord {
  token: string;
  executionId: string;
  /** The journal step the token belongs to. */
  stepKey: string;
  status: 'pending' | 'succeeded' | 'failed';
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  /** Epoch ms: when States.HeartbeatTimeout fires unless answered; absent when the state has no heartbeat. */
  heartbeatAt?: number | undefined;
  /** Epoch ms: when States.Timeout fires unless answered. */
  timeoutAt?: number | undefined;
}

/** The embedded engine's `.waitForTaskToken`: pending tokens persisted, so a restart loses none. */
export interface TaskTokenStore {
  /** Registers a pending token; registering the same token again is a no-op. */
  register(t: TokenRecord): Promise<void>;
  get(token: string): Promise<TokenRecord | undefined>;
  /** Settles a pending token; answers the record as it is after, and whether this call settled it. */
  settle(
    token: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string },
  ): Promise<{ record: TokenRecord | undefined; settled: boolean }>;
  /** Pending tokens whose heartbeat or timeout is at or before `nowMs`. */
  due(nowMs: number, limit: number): Promise<TokenRecord[]>;
  /** Pending tokens of one execution. */
  pendingOf(executionId: string): Promise<TokenRecord[]>;
  /** Every token of one execution, whatever its status (one query: a replay reloads its tokens at once). */
  ofExecution(executionId: string): Promise<TokenRecord[]>;
}

/**
 * Every task of `store` matching `q` (after `q.before` when given), newest first, read `page` at a time by keyset, with no cap: for jobs
 * that must see all of them (reminders), where a single `list` with a limit would drop the oldest past it.
 */
export async function* eachTask(
  store: Pick<WorkTaskStore, 'list'>,
  q: Omit<TaskQuery, 'limit'>,
  page = 500,
): AsyncGenerator<WorkTask> {
  let before: TaskPosition | undefined = q.before;
  for (;;) {
    const rows = await store.list({ ...q, limit: page, ...(before ? { before } : {}) });
    yield* rows;
    if (rows.length < page) return;
    const last = rows.at(-1)!;
    before = { createdAt: last.createdAt, id: last.id };
  }
}

/** Every task carrying one assignee key, newest first, read `page` at a time by keyset (as `eachTask`). */
export async function* eachTaskOf(
  store: Pick<WorkTaskStore, 'listByAssignee'>,
  q: Omit<AssigneeQuery, 'limit'>,
  page = 500,
): AsyncGenerator<WorkTask> {
  let before: TaskPosition | undefined = q.before;
  for (;;) {
    const rows = await store.listByAssignee({ ...q, limit: page, ...(before ? { before } : {}) });
    yield* rows;
    if (rows.length < page) return;
    const last = rows.at(-1)!;
    before = { createdAt: last.createdAt, id: last.id };
  }
}

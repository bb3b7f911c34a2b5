import { canAccess, isAllowed, listScope, type Principal } from '../../domain/access/policy.js';
import { mayActInCapacity } from '../../domain/agreements/signoff.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../domain/errors.js';
import { samePerson } from '../../domain/people.js';
import type { Clock } from '../../ports/clock.js';
import {
  eachTask,
  eachTaskOf,
  isAfter,
  type TaskPosition,
  type TaskStatus,
  type WorkTask,
  type WorkTaskStore,
} from '../../ports/tasks.js';
import { type ExecutionSummary, StaleTaskError, type WorkflowEngine } from '../../ports/workflows.js';
import type { SignOffCapacity } from '../../schemas/agreement.js';
import {
  type CompleteTaskBody,
  InboundTaskWebhook,
  type InboundWebhookTool,
  type ListTasksQuery,
  toolReaches,
} from '../../schemas/workflows.js';
import type { AgreementUseCases } from '../agreements.js';
import { decodeCursor, encodeCursor } from '../cursor.js';

export type WorkTaskView = Omit<WorkTask, 'token' | 'revision'> & { yours: boolean };

/** What completing a task of one kind records besides the task itself (the RCA, a CAPA closure); its outcome. */
export type TaskCompletion = (
  p: Principal,
  t: WorkTask,
  body: CompleteTaskBody,
) => Promise<Record<string, unknown>>;

export interface TaskDeps {
  tasks: WorkTaskStore;
  agreements: AgreementUseCases;
  engine: () => WorkflowEngine;
  clock: Clock;
  /** Kind-specific completion (rca, capa …); a kind without one records the decision and reason. */
  completions?: Partial<Record<WorkTask['kind'], TaskCompletion>>;
  /** Verifies an inbound signed webhook (Standard Webhooks) against the configured tools' secrets; throws 401. */
  verifyInbound?: InboundVerifier;
  /**
   * What a ticketing tool's update does to a task: close it, or add a note. `delivery` is the message's `<tool>:<webhook-id>`:
   * a message delivered again must change nothing.
   */
  inbound?: (t: WorkTask, update: InboundTaskWebhook, delivery: string) => Promise<void>;
}

/**
 * Verifies an inbound signed webhook: its `webhook-id`, and the ticketing tool whose secret signed it (its name and
 * the business units or services it reaches).
 * @throws UnauthenticatedError (401) naming the header at fault
 */
export type InboundVerifier = (
  headers: Record<string, string>,
  body: string,
) => Promise<InboundSender> | InboundSender;

/** Who sent an inbound webhook: the message's `webhook-id` and the tool whose secret signed it. */
export interface InboundSender {
  id: string;
  tool: Pick<InboundWebhookTool, 'tool' | 'businessUnits' | 'services'>;
}

/**
 * Whether a principal may act on a task: one of its roles allows acting on tasks (`task.act`: not a viewer or an
 * auditor, whose every `POST /v1/tasks/{id}/complete` is a 403 by role) and it is one of the people the task is
 * addressed to (`addressedTo`). Red team, wave 37: a viewer named by e-mail as a CAPA item's owner had the item in
 * their inbox as theirs (`yours: true`, the console's form) and acting on it was that 403.
 */
export function mayAct(p: Principal, t: Pick<WorkTask, 'assignees' | 'businessUnit' | 'serviceId'>): boolean {
  return isAllowed(p, 'task.act') && addressedTo(p, t);
}

/**
 * Whether a principal is one of the people a task is addressed to: a sign-off capacity it holds (the service owner
 * for `service-owner`), its e-mail among the named owners, or one of the roles named within the task's scope. Such a
 * person reads the task, in their read scope or not; acting on it takes `mayAct`.
 */
export function addressedTo(
  p: Principal,
  t: Pick<WorkTask, 'assignees' | 'businessUnit' | 'serviceId'>,
): boolean {
  const a = t.assignees;
  if (a.capacity && mayActInCapacity(p, a.capacity as SignOffCapacity, t.serviceId)) return true;
  if (a.emails && p.email && a.emails.some((e) => e.toLowerCase() === p.email!.toLowerCase())) return true;
  if (a.roles?.some((r) => p.roles.includes(r)) && canAccess(p, 'task.act', t)) return true;
  return false;
}

/**
 * Whether a task waits for this principal: addressed to them (`mayAct`) and they are none of the people separation of
 * duties keeps from acting on it (`assignees.except`: red team, wave 36, an SLA manager's own change request showed
 * in their inbox as theirs to assess, and acting on it was a 403).
 */
export function waitsFor(
  p: Principal,
  t: Pick<WorkTask, 'assignees' | 'businessUnit' | 'serviceId'>,
): boolean {
  return mayAct(p, t) && !(t.assignees.except ?? []).some((x) => samePerson(p, x));
}

/**
 * The assignee keys (shared/ports/tasks.ts `assigneeKeys`) under which the tasks a principal may act on are listed,
 * sorted: its sign-off capacities (an approver), its services for the `service-owner` capacity (a service owner), its
 * e-mail, and each of its roles within its scope for acting on tasks (everything, its business units, its services).
 * A task carries one of these keys exactly when `mayAct(p, task)`: the two are kept in step by the tests.
 */
export function principalTaskKeys(p: Principal): string[] {
  const keys = new Set<string>();
  if (!isAllowed(p, 'task.act')) return [];
  if (p.roles.includes('approver')) for (const c of p.signOffCapacities) keys.add(`cap:${c}`);
  if (p.roles.includes('service-owner')) for (const s of p.services) keys.add(`owner:${s}`);
  if (p.email) keys.add(`email:${p.email.toLowerCase()}`);
  const scope = listScope(p, 'task.act');
  for (const r of p.roles) {
    if (scope.all) {
      keys.add(`role:${r}#*`);
      continue;
    }
    for (const bu of scope.businessUnits) keys.add(`role:${r}#bu:${bu}`);
    for (const s of scope.serviceIds) keys.add(`role:${r}#svc:${s}`);
  }
  return [...keys].sort();
}

/**
 * The tasks of one status carrying any of `keys`, newest first, after `before`, each once however many of the keys it
 * carries: the per-key ranges of the index merged by keyset, each read `page` at a time as the merge needs it.
 */
async function* tasksOfKeys(
  store: Pick<WorkTaskStore, 'listByAssignee'>,
  keys: string[],
  status: TaskStatus,
  before: TaskPosition | undefined,
  page: number,
): AsyncGenerator<WorkTask> {
  const streams = keys.map((key) => eachTaskOf(store, { key, status, ...(before ? { before } : {}) }, page));
  const heads = await Promise.all(streams.map((s) => s.next()));
  let last: string | undefined;
  for (let taken = -1; ; ) {
    // The stream the last task came from moves on only now, when one more is asked for: a page that is full stops
    // before reading past it.
    if (taken >= 0) heads[taken] = await streams[taken]!.next();
    // The newest head; a task under several keys heads each of their streams at the same place, so it comes out
    // of them one after another and is given once.
    let i = -1;
    for (let j = 0; j < heads.length; j++) {
      const h = heads[j]!;
      if (!h.done && (i < 0 || isAfter(heads[i]!.value as WorkTask, h.value))) i = j;
    }
    if (i < 0) return;
    const t = heads[i]!.value as WorkTask;
    taken = i;
    if (t.id !== last) yield t;
    last = t.id;
  }
}

/** How many tasks `list` reads from the store at a time. */
export const TASK_PAGE = 500;

/**
 * How many tasks one `GET /v1/tasks` reads from the store at most (four store pages). Past it the answer holds what
 * was found so far and a `nextCursor` at the last task read, so a short (even empty) page may come with a cursor
 * (red team, wave 36: a viewer with no tasks made each request read every task of the status, 2 s of the embedded
 * server's one thread per 100,000 completed tasks, while other requests waited).
 */
export const TASK_SCAN_BUDGET = 2_000;

/** An opaque cursor holding a task's place in the store's order, for the filters it was issued for. */
function encodePosition(t: TaskPosition, filter: object): string {
  return encodeCursor(JSON.stringify([t.createdAt, t.id]), filter);
}

/** The place a cursor holds; a ValidationError (400 naming `cursor`) for anything this API did not issue. */
function decodePosition(cursor: string, filter: object): TaskPosition {
  const key = decodeCursor(cursor, filter);
  let place: unknown;
  try {
    place = JSON.parse(key);
  } catch {
    // Not JSON: refused below as not a place.
  }
  if (
    !Array.isArray(place) ||
    place.length !== 2 ||
    typeof place[0] !== 'string' ||
    typeof place[1] !== 'string'
  ) {
    throw new ValidationError('bad cursor', [
      { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
    ]);
  }
  return { createdAt: place[0], id: place[1] };
}

const view = (p: Principal, t: WorkTask): WorkTaskView => {
  const { token: _t, revision: _r, ...rest } = t;
  return { ...rest, yours: t.status === 'pending' && waitsFor(p, t) };
};

/** People's tasks: what waits for me, and acting on it (GET /v1/tasks, POST /v1/tasks/{id}/complete). */
export class TaskUseCases {
  constructor(private readonly deps: TaskDeps) {}

  /**
   * GET /v1/tasks: at most `q.limit` tasks the caller sees (addressed to them, or, with `view=all`, in their read
   * scope), newest first, after `q.cursor` (a previous page's `nextCursor`). `view=mine` (without a subject) reads
   * the index by assignee: the ranges of the caller's keys (`principalTaskKeys`), merged, a page of at most
   * `q.limit + 1` tasks per key at a time, so its cost follows the caller's own tasks, not everyone's. Otherwise the
   * status (or subject) is read page after page (`TASK_PAGE` tasks each, by keyset). Either way reading stops when the
   * page is full, the store has no more, or `TASK_SCAN_BUDGET` tasks were read; `nextCursor` is given when a matching
   * task is left after the page, or when the budget ran out (the page may then be short, even empty: following the
   * cursors reaches every task, however many of others are newer).
   * @throws ValidationError for a cursor this API did not issue for these filters
   */
  async list(p: Principal, q: ListTasksQuery): Promise<{ items: WorkTaskView[]; nextCursor?: string }> {
    const scope = listScope(p, 'task.read');
    const visible = (t: WorkTask) =>
      scope.all || scope.businessUnits.includes(t.businessUnit) || scope.serviceIds.includes(t.serviceId);
    const shown = (t: WorkTask) =>
      (q.kind === undefined || t.kind === q.kind) &&
      (q.view === 'mine' ? waitsFor(p, t) : visible(t) || addressedTo(p, t));
    const filter = { status: q.status, view: q.view, kind: q.kind, subjectId: q.subjectId };
    const before = q.cursor === undefined ? undefined : decodePosition(q.cursor, filter);
    const found: WorkTask[] = [];
    const tasks =
      q.view === 'mine' && q.subjectId === undefined
        ? tasksOfKeys(
            this.deps.tasks,
            principalTaskKeys(p),
            q.status,
            before,
            Math.min(TASK_PAGE, q.limit + 1),
          )
        : eachTask(
            this.deps.tasks,
            {
              status: q.status,
              ...(q.subjectId ? { subjectId: q.subjectId } : {}),
              ...(before ? { before } : {}),
            },
            TASK_PAGE,
          );
    // One more than the page: whether a next page exists, without reading to the end of the store for it. At most
    // TASK_SCAN_BUDGET tasks are read: past it the next page starts after the last task read.
    let read = 0;
    let last: WorkTask | undefined;
    for await (const t of tasks) {
      read++;
      last = t;
      if (shown(t)) found.push(t);
      if (found.length > q.limit || read >= TASK_SCAN_BUDGET) break;
    }
    const items = found.slice(0, q.limit);
    const next = found.length > q.limit ? items.at(-1) : read >= TASK_SCAN_BUDGET ? last : undefined;
    return {
      items: items.map((t) => view(p, t)),
      ...(next ? { nextCursor: encodePosition(next, filter) } : {}),
    };
  }

  async get(p: Principal, id: string): Promise<WorkTaskView> {
    return view(p, await this.load(p, id));
  }

  /** Acts on a task: 403 when it is someone else's, 409 naming its state when it no longer waits. */
  async complete(p: Principal, id: string, body: CompleteTaskBody): Promise<WorkTaskView> {
    const t = await this.load(p, id);
    if (!mayAct(p, t)) {
      throw new ForbiddenError(`task ${id} is addressed to ${describeAssignees(t)}, not to you`, [
        { path: 'subject', problem: `is not among the task's assignees (${describeAssignees(t)})` },
      ]);
    }
    if (t.status !== 'pending') {
      throw new ConflictError(
        `task ${id} is ${t.status}: it no longer waits for anyone`,
        [{ path: 'status', problem: `is ${t.status}` }],
        {
          state: t.status,
        },
      );
    }
    const stray = fieldNotTaken(t.kind, body);
    if (stray) throw new ValidationError(`a ${t.kind} task does not take ${stray.path}`, [stray]);
    if (t.kind === 'signoff') {
      if (!body.decision) {
        throw new ValidationError('a sign-off needs a decision', [
          { path: 'decision', problem: 'is required: approved or rejected' },
        ]);
      }
      // Through the agreement use case, so separation of duties, scope and lifecycle rules all apply; the workflow
      // observes the sign-off and answers this task.
      const a = await this.deps.agreements.get(p, t.subject.id);
      await this.deps.agreements.signOff(p, a.id, a.version, {
        capacity: t.assignees.capacity as SignOffCapacity,
        decision: body.decision,
        reason: body.reason,
        comment: body.comment,
      });
      return view(p, (await this.deps.tasks.get(id)) ?? t);
    }
    const special = this.deps.completions?.[t.kind];
    const extra = special ? await special(p, t, body) : {};
    const outcome = {
      ...(body.decision ? { decision: body.decision } : {}),
      reason: body.reason,
      by: p.subject,
      ...(body.comment ? { comment: body.comment } : {}),
      ...extra,
    };
    await this.settle(t, outcome, p.subject, body.decision === 'rejected' ? 'rejected' : 'completed');
    return view(p, (await this.deps.tasks.get(id)) ?? t);
  }

  /**
   * An update from a team's own tool (a signed webhook naming the task's external reference): `closed` completes a
   * CAPA task as that tool, `in-progress` (or any update of an RCA) adds its note to the history. An update of a task
   * that no longer waits changes nothing, so the tool may retry.
   * @throws BusinessRuleError (422) for a reference naming a task that is no RCA or CAPA item
   */
  async inbound(headers: Record<string, string>, raw: string): Promise<{ taskId: string; status: string }> {
    // No secret configured: no signature can be verified, so the request is refused as unauthenticated (a
    // caller's 4xx, not the service's 5xx), saying why.
    if (!this.deps.verifyInbound || !this.deps.inbound) {
      throw new UnauthenticatedError(
        'inbound webhooks are not configured here (ACCORD_INBOUND_WEBHOOK_TOOLS)',
        [
          {
            path: 'webhook-signature',
            problem: 'cannot be verified: no inbound webhook secret is configured',
          },
        ],
      );
    }
    const { id, tool } = await this.deps.verifyInbound(headers, raw);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ValidationError('malformed JSON', [{ path: '(body)', problem: 'is not valid JSON' }]);
    }
    const r = InboundTaskWebhook.safeParse(json);
    if (!r.success) {
      throw new ValidationError(
        'the body does not match the schema',
        // Stryker disable next-line StringLiteral: the webhook body is flat, so a path has at most one segment and the separator never shows
        r.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', problem: i.message })),
      );
    }
    const found = await this.deps.tasks.byExternalRef(r.data.externalRef);
    // A tool updates the items of the units or services it is configured for; another team's item is answered as
    // one that does not exist, so a tool cannot learn what other teams track (red team, wave 36: any secret closed
    // any team's CAPA item).
    const t = found && toolReaches(tool, found) ? found : undefined;
    if (!t) {
      throw new NotFoundError(`no task with the reference ${r.data.externalRef}`, [
        { path: 'externalRef', problem: 'names no task' },
      ]);
    }
    // Every task has an external reference (it is in its mails), but a team's tool answers for RCA and CAPA items only
    // (red team, wave 35: a change assessment's reference reached the remediation and was a 404 naming no violation).
    if (t.kind !== 'rca' && t.kind !== 'capa') {
      throw new BusinessRuleError(
        `task ${t.id} is a ${t.kind} task: a team's tool updates only RCA and CAPA items`,
        [{ path: 'externalRef', problem: `names a ${t.kind} task` }],
      );
    }
    if (t.status === 'pending')
      // Who acted is the tool, and the person it names only as that tool's word for them: `<tool>:<by>`, so a tool
      // cannot write a name that reads as one of Accord's own people.
      // The message is the tool's: its id is kept with the tool's name, so another tool's message under the same id
      // is not taken for a repeat of it (red team, wave 37: a second tool's note was answered 200 and dropped).
      await this.deps.inbound(t, { ...r.data, by: `${tool.tool}:${r.data.by ?? id}` }, `${tool.tool}:${id}`);
    return { taskId: t.id, status: (await this.deps.tasks.get(t.id))?.status ?? t.status };
  }

  /** Records a task's outcome, then answers the workflow waiting on it (when one does). */
  async settle(
    t: WorkTask,
    outcome: Record<string, unknown>,
    by: string,
    status: WorkTask['status'] = 'completed',
  ): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const next: WorkTask = { ...t, status, outcome, settledBy: by, settledAt: now, updatedAt: now };
    if (!(await this.deps.tasks.update(next, t.revision))) {
      const again = await this.deps.tasks.get(t.id);
      throw new ConflictError(`task ${t.id} changed while you acted: it is ${again?.status ?? 'gone'}`, [], {
        state: again?.status,
      });
    }
    if (!t.token) return; // a task no execution waits on (a preventive task)
    try {
      await this.deps.engine().sendTaskSuccess(t.token, outcome);
    } catch (e) {
      if (!(e instanceof StaleTaskError)) throw e;
      // The workflow moved on (a reminder re-issued the token): its next visit reads the recorded outcome.
    }
  }

  private async load(p: Principal, id: string): Promise<WorkTask> {
    const t = await this.deps.tasks.get(id);
    if (!t || !(canAccess(p, 'task.read', t) || addressedTo(p, t))) {
      throw new NotFoundError(`no task ${id}`, [{ path: 'taskId', problem: 'names no task you may see' }]);
    }
    return t;
  }
}

/**
 * The first field of a completion a task of this kind does not take, as a 400's detail: a decision on an RCA or a
 * CAPA item (they are completed with the analysis, closed with the resolution), the analysis on any other kind, the
 * resolution on any but a CAPA item. Red team, wave 37: a CAPA item completed with `decision: rejected` was closed
 * as done (`capa-closed`, the remediation then closed) while its task said rejected.
 */
export function fieldNotTaken(
  kind: WorkTask['kind'],
  body: Pick<CompleteTaskBody, 'decision' | 'rca' | 'resolution'>,
): { path: string; problem: string } | undefined {
  if (body.decision !== undefined && kind === 'capa')
    return { path: 'decision', problem: 'is not taken by a capa task: it is closed with its resolution' };
  if (body.decision !== undefined && kind === 'rca')
    return {
      path: 'decision',
      problem: 'is not taken by an rca task: it is completed with the analysis (rca)',
    };
  if (body.rca !== undefined && kind !== 'rca')
    return { path: 'rca', problem: `is taken by an rca task only, not by a ${kind} task` };
  if (body.resolution !== undefined && kind !== 'capa')
    return { path: 'resolution', problem: `is taken by a capa task only, not by a ${kind} task` };
  return undefined;
}

function describeAssignees(t: WorkTask): string {
  const a = t.assignees;
  return (
    [
      a.capacity ? `the holders of the ${a.capacity} sign-off capacity` : '',
      a.emails?.length ? a.emails.join(', ') : '',
      a.roles?.length ? `the roles ${a.roles.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' or ') || 'nobody'
  );
}

/** The executions of one agreement, for its readers. */
export async function agreementExecutions(
  agreements: AgreementUseCases,
  engine: WorkflowEngine,
  p: Principal,
  agreementId: string,
): Promise<{ items: ExecutionSummary[] }> {
  await agreements.load(p, 'agreement.read', agreementId);
  return { items: await engine.listExecutions({ type: 'agreement', id: agreementId }) };
}

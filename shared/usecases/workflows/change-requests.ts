import { createHash } from 'node:crypto';
import { grantsFor, type Principal } from '../../domain/access/policy.js';
import { contentProblems, dateProblems } from '../../domain/agreements/rules.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/errors.js';
import { type Person, samePerson } from '../../domain/people.js';
import { changedSince, changeSignOffs, classifyChange } from '../../domain/workflows/change-control.js';
import { followUp } from '../../domain/workflows/follow-up.js';
import type { Recipient, RecipientQuery } from '../../domain/workflows/recipients.js';
import type { WorkflowPolicy } from '../../policy/workflows.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import {
  type ChangeRequestRecord,
  countsTowardCap,
  countsTowardRecentCap,
  type GovernanceRequest,
  type GovernanceRequestStore,
  OPEN_CHANGE_REQUEST_STATUSES,
} from '../../ports/governance.js';
import type { ServiceStore } from '../../ports/services.js';
import type { WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import type { StartRequest, WorkflowEngine } from '../../ports/workflows.js';
import type { AgreementVersion, SignOffCapacity } from '../../schemas/agreement.js';
import { type ChangeRequestBody, ChangeRequestTaskEvent } from '../../schemas/governance.js';
import type { CompleteTaskBody } from '../../schemas/workflows.js';
import type { AgreementUseCases } from '../agreements.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { escalationLevels } from './approval.js';
import type { Notifications } from './notifications.js';

/** The change-request workflow acts as this identity when it applies an approved change. */
export const CHANGE_PRINCIPAL: Principal = {
  subject: 'system:workflow-change-request',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

export interface ChangeRequestDeps {
  requests: GovernanceRequestStore;
  agreements: AgreementStore;
  useCases: AgreementUseCases;
  services: ServiceStore;
  tasks: WorkTaskStore;
  engine: () => WorkflowEngine;
  notifications: Notifications;
  clock: Clock;
  policy: WorkflowPolicy;
  baseUrl: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How many ids one request tries when others made at the same instant took the ones before. */
const RETRIES_AT_ONE_INSTANT = 16;
/** A change request list page when the caller names no limit. */
export const CHANGE_REQUESTS_PAGE = 50;
/** A request's place in the store's order (requestedAt is a fixed-width ISO instant, so the strings compare). */
const listKey = (r: ChangeRequestRecord) => `${r.requestedAt}|${r.id}`;
const short = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);
const tierKey = (tier: number | undefined) => String(Math.min(4, Math.max(1, tier ?? 4))) as '1';

/** The stable id of one callback task of a change request's execution (the assessment, or one capacity's sign-off). */
export const changeTaskId = (executionId: string, what: string) =>
  `tsk_${short(`${executionId}|chg|${what}`)}`;

/** The start of a change request's workflow, named by the request (the request and the reconciliation ask the same). */
export const changeRequestStart = (r: Pick<ChangeRequestRecord, 'id' | 'agreementId'>): StartRequest => ({
  workflow: 'change-request',
  name: r.id,
  subject: { type: 'agreement', id: r.agreementId },
  input: { changeRequestId: r.id },
});

/**
 * Change requests to an active agreement (issue 11 item 4) and the Tasks of infra/workflows/change-request.asl.json.
 * A party's viewer or SLA manager asks for a change (what, why, proposed terms); the guard classifies it
 * (administrative fields change in force, material ones need a new version and sign-off); the provider's SLA
 * managers assess it; the change control path (policy by tier and content) decides the sign-offs; an approved request
 * becomes a new version of the agreement through the agreement use case. Automated updates go through the same guard
 * (`automated`) and are refused, recorded as a `refused` request, when they would override approved terms.
 */
export class ChangeRequestWorkflow {
  constructor(private readonly deps: ChangeRequestDeps) {}

  /**
   * POST /v1/agreements/{id}/change-requests: records the request and starts its workflow. 409 unless active, and
   * 409 when the caller already has `changeRequest.maxOpenPerRequester` requests open on the agreement, or asked for
   * `changeRequest.maxPerRequesterPerDay` on it in the last 24 hours.
   */
  async request(p: Principal, agreementId: string, body: ChangeRequestBody): Promise<ChangeRequestRecord> {
    const a = await this.deps.useCases.load(p, 'change.request', agreementId);
    if (a.status !== 'active') {
      throw new ConflictError(
        `agreement ${agreementId} is ${a.status}: change requests are for active agreements (a draft is edited directly)`,
        [{ path: 'status', problem: `is ${a.status}` }],
      );
    }
    // A first look answers the common case before the rules are checked; the store's atomic count decides.
    await this.refuseOverLimit(p, a.id);
    const proposed = strip(body.proposed as Record<string, unknown>);
    const record = await this.newRecord(
      a,
      p.subject,
      'api',
      body.summary,
      body.why,
      proposed,
      true,
      undefined,
      p,
    );
    try {
      return (await this.startWorkflow(record)).record;
    } catch {
      // The request is recorded: a start that failed (or whose execution id was not written) is made by the
      // `workflow-starts` schedule (reconcile.ts), under the same name, once. So the answer is the request, not a 5xx
      // that would have the person ask again, a second request toward their caps (red team, wave 36).
      return record;
    }
  }

  /**
   * An automated update (an import, a schedule, a job) through the guard: a draft is updated as asked; on an agreement
   * whose terms are approved, administrative fields are applied and a material change is refused (409) and recorded
   * as a `refused` change request naming the fields, so the attempt stays in the record.
   */
  async automated(
    source: string,
    agreementId: string,
    proposed: Record<string, unknown>,
    reason: string,
  ): Promise<ChangeRequestRecord> {
    const a = await this.deps.agreements.get(agreementId);
    if (!a)
      throw new NotFoundError(`no agreement ${agreementId}`, [
        { path: 'agreementId', problem: 'names no agreement' },
      ]);
    const who = `system:${source}`;
    const changes = strip(proposed);
    const record = await this.newRecord(
      a,
      who,
      source,
      `automated update from ${source}`,
      reason,
      changes,
      false,
    );
    const c = record.classification;
    if (a.status !== 'draft' && c.material.length > 0) {
      await this.mutate(record.id, (r) =>
        step(
          { ...r, status: 'refused' },
          this.now(),
          'refused',
          who,
          `would override approved terms: ${c.material.join(', ')}`,
        ),
      );
      throw new ConflictError(
        `${source} may not change ${c.material.join(', ')} of agreement ${agreementId}: it is ${a.status} and these terms were approved; ask for a change request`,
        c.material.map((f) => ({
          path: f,
          problem: 'is an approved term: an automated update cannot override it',
        })),
        { changeRequestId: record.id },
      );
    }
    const fields =
      // Stryker disable next-line ConditionalExpression: an agreement that is not a draft reaches this line only when its change is administrative (a material one was refused above), so c.material is empty and both branches give c.administrative
      a.status === 'draft'
        ? [...c.administrative, ...c.material.map((f) => f.split('.')[0]!)]
        : c.administrative;
    // Stryker disable next-line BlockStatement: unreachable: newRecord refuses a change of nothing, a draft's fields are all it changes and an approved agreement's material change was refused above, so fields is never empty here
    if (fields.length === 0) {
      return this.mutate(record.id, (r) =>
        step(
          { ...r, status: 'applied', appliedVersion: a.version },
          this.now(),
          // Stryker disable next-line StringLiteral: unreachable (fields is never empty, see above)
          'unchanged',
          who,
          // Stryker disable next-line StringLiteral: unreachable (fields is never empty, see above)
          'nothing differs',
        ),
      );
    }
    const v = await this.deps.useCases.update(CHANGE_PRINCIPAL, a.id, a.version, {
      ...Object.fromEntries([...new Set(fields)].map((f) => [f, changes[f]])),
      reason: `change request ${record.id}: ${reason}`,
    } as never);
    return this.mutate(record.id, (r) =>
      step(
        { ...r, status: 'applied', appliedVersion: v.version },
        this.now(),
        'applied',
        who,
        `version ${v.version}`,
      ),
    );
  }

  /**
   * A change request opened by a remediation whose RCA found the target unrealistic (issue 11 item 2): the same
   * record, guard, rules and workflow as `request`, asked by the RCA's author with the RCA's proposed terms, source
   * `rca`. Idempotent by violation (a replay of the remediation step finds the request it opened). 409 unless the
   * agreement is active; 422 when the proposal changes nothing or breaks a rule (the caller falls back to a task).
   */
  async fromRca(e: {
    violationId: string;
    agreementId: string;
    requestedBy: string;
    summary: string;
    why: string;
    proposed: Record<string, unknown>;
  }): Promise<ChangeRequestRecord> {
    const id = `chg_${short(`rca|${e.violationId}`, 20)}`;
    const existing = await this.deps.requests.get(id);
    if (existing?.kind === 'change-request' && existing.executionId) return existing;
    const a = await this.deps.agreements.get(e.agreementId);
    if (!existing && a?.status !== 'active')
      throw new ConflictError(`agreement ${e.agreementId} is ${a?.status ?? 'missing'}: no change request`, [
        { path: 'status', problem: `is ${a?.status ?? 'missing'}` },
      ]);
    // A crash between recording the request and starting its workflow: the replay starts it (by name, once).
    const record =
      existing?.kind === 'change-request'
        ? existing
        : await this.newRecord(
            a as AgreementVersion,
            e.requestedBy,
            'rca',
            e.summary,
            e.why,
            strip(e.proposed),
            true,
            id,
          );
    return (await this.startWorkflow(record)).record;
  }

  /**
   * Starts a recorded request's workflow (by its id: once, however often asked) and records the execution on it. The
   * request is recorded first, so a start that fails leaves it open without an `executionId`: the reconciliation
   * (shared/usecases/workflows/reconcile.ts) finds it there and calls this again. `started` is false when the
   * execution already existed (only its id was missing from the record).
   */
  async startWorkflow(
    record: ChangeRequestRecord,
  ): Promise<{ record: ChangeRequestRecord; started: boolean }> {
    const s = await this.deps.engine().start(changeRequestStart(record));
    const saved = await this.mutate(record.id, (r) =>
      // Stryker disable next-line ConditionalExpression: a shortcut: writing the same execution id again stores the same record
      r.executionId === s.executionId ? r : { ...r, executionId: s.executionId },
    );
    return { record: saved, started: s.started };
  }

  /**
   * GET /v1/agreements/{id}/change-requests: a page of at most `limit` (default 50) of the agreement's change requests,
   * oldest first, after `cursor` (a previous page's `nextCursor`). Paged here over the store's whole list (an
   * agreement has tens of requests, not thousands: the open ones are capped per person); the cursor is the last
   * item's (requestedAt, id), the store's order, so a page is stable while new requests are added at the end.
   * @throws ValidationError for a cursor this API did not issue for this agreement
   */
  async list(
    p: Principal,
    agreementId: string,
    page: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<{ items: ChangeRequestRecord[]; nextCursor?: string }> {
    await this.deps.useCases.load(p, 'agreement.read', agreementId);
    const filter = { agreementId };
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, filter);
    const limit = page.limit ?? CHANGE_REQUESTS_PAGE;
    const rest = (await this.deps.requests.listBySubject(agreementId)).filter(
      (r): r is ChangeRequestRecord =>
        r.kind === 'change-request' && (after === undefined || listKey(r) > after),
    );
    const items = rest.slice(0, limit);
    return {
      items,
      ...(rest.length > limit ? { nextCursor: encodeCursor(listKey(items.at(-1)!), filter) } : {}),
    };
  }

  async get(p: Principal, id: string): Promise<ChangeRequestRecord> {
    const r = await this.deps.requests.get(id);
    if (r?.kind !== 'change-request') throw noSuchRequest(id);
    try {
      await this.deps.useCases.load(p, 'agreement.read', r.agreementId);
    } catch (e) {
      if (e instanceof NotFoundError) throw noSuchRequest(id);
      throw e;
    }
    return r;
  }

  /**
   * POST /v1/change-requests/{id}/withdraw: whoever asked (subject or e-mail on record, as separation of duties
   * matches a person), or anyone holding `change.withdraw.any` (admins), takes an open request back. It becomes
   * `withdrawn` (final: it no longer counts toward the cap) with a `withdrawn` history step; its people's open tasks
   * are cancelled and their callbacks failed with `Withdrawn`, so the execution closes the request (the workflow's
   * end notifies the assessors and signers) with no further reminder. A replay finds the request withdrawn and ends.
   * @throws NotFoundError for a request the caller may not see; ForbiddenError for someone else's request;
   *   ConflictError (409, `state`) when the request is already final
   */
  async withdraw(p: Principal, id: string, reason: string): Promise<ChangeRequestRecord> {
    const r = await this.get(p, id);
    const anyone = grantsFor(p, 'change.withdraw.any').length > 0;
    if (!anyone) {
      await this.deps.useCases.load(p, 'change.withdraw', r.agreementId);
      if (!samePerson(p, r.requestedBy)) {
        throw new ForbiddenError(
          `only whoever asked for change request ${id} (${r.requestedBy}) or an admin may withdraw it`,
          [
            {
              path: 'subject',
              problem: `you did not ask for change request ${id}, and no role of yours withdraws any`,
            },
          ],
        );
      }
    }
    const now = this.now();
    const saved = await this.mutate(id, (x) => {
      if (!OPEN_CHANGE_REQUEST_STATUSES.includes(x.status)) throw finalRequest(x);
      return step({ ...x, status: 'withdrawn' }, now, 'withdrawn', p.subject, reason);
    });
    await this.endTasks(saved, `withdrawn by ${p.subject}: ${reason}`, p.subject);
    return saved;
  }

  /**
   * Cancels the pending tasks of a withdrawn request and fails the callbacks they wait on (`Withdrawn`), so the
   * execution leaves its waiting state for CloseChangeRequest; a token no longer waiting (answered, or the execution
   * already ended) is left as it is.
   */
  private async endTasks(r: ChangeRequestRecord, cause: string, by: string): Promise<void> {
    const now = this.now();
    for (const t of await this.deps.tasks.list({ subjectId: r.id, status: 'pending' })) {
      await this.deps.tasks.update(
        {
          ...t,
          status: 'cancelled',
          outcome: { decision: 'withdrawn', reason: cause },
          updatedAt: now,
          settledAt: now,
          settledBy: by,
        },
        t.revision,
      );
      await this.failToken(t.token, cause);
    }
  }

  private async failToken(token: string, cause: string): Promise<void> {
    try {
      await this.deps.engine().sendTaskFailure(token, 'Withdrawn', cause);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }

  /** Why a withdrawn request ended (its `withdrawn` step), for the callbacks a replay meets. */
  private withdrawnCause(r: ChangeRequestRecord): string {
    const w = r.history.findLast((h) => h.step === 'withdrawn');
    // Stryker disable next-line StringLiteral: the fallbacks: a withdrawn request always has its withdrawn step (withdraw writes both)
    return `withdrawn by ${w?.by ?? 'unknown'}: ${w?.detail ?? ''}`;
  }

  /**
   * Completing a `change-assessment` task: the provider accepts (approved) or declines (rejected) the request.
   * @throws ConflictError (409, `state`) when the request is no longer assessing or was assessed already
   */
  async assess(p: Principal, t: WorkTask, body: CompleteTaskBody): Promise<Record<string, unknown>> {
    if (!body.decision) {
      throw new ValidationError('an assessment needs a decision', [
        { path: 'decision', problem: 'is required: approved (accept the change) or rejected (decline it)' },
      ]);
    }
    const r = await this.load(String(t.data.changeRequestId));
    if (samePerson(p, r.requestedBy)) {
      throw new ForbiddenError('whoever asked for a change cannot assess it (separation of duties)', [
        { path: 'subject', problem: `you asked for change request ${r.id} (separation of duties)` },
      ]);
    }
    const decision = body.decision === 'approved' ? 'accepted' : 'rejected';
    await this.mutate(r.id, (x) => {
      // The task was read while it waited; the request may have moved on since (withdrawn, or assessed by another).
      if (x.status !== 'assessing') throw noLongerWaiting(x, 'an assessment');
      if (x.assessment) {
        throw new ConflictError(
          `change request ${x.id} was assessed already (${x.assessment.decision} by ${x.assessment.by}): it no longer waits for an assessment`,
          [{ path: 'status', problem: `is ${x.status}, assessed` }],
          { state: x.status },
        );
      }
      return step(
        {
          ...x,
          assessment: { decision, by: p.subject, at: this.now(), reason: body.reason },
          ...(decision === 'rejected' ? { status: 'rejected' as const } : {}),
        },
        this.now(),
        `assessment-${decision}`,
        p.subject,
        body.reason,
      );
    });
    return { assessment: decision };
  }

  /**
   * Completing a `change-signoff` task. Separation of duties: neither the requester nor the assessor signs, and one
   * person signs at most one capacity of a request (four eyes).
   * @throws ConflictError (409, `state`) when the request is no longer signing, or another holder signed the capacity
   */
  async signOff(p: Principal, t: WorkTask, body: CompleteTaskBody): Promise<Record<string, unknown>> {
    if (!body.decision) {
      throw new ValidationError('a sign-off needs a decision', [
        { path: 'decision', problem: 'is required: approved or rejected' },
      ]);
    }
    const r = await this.load(String(t.data.changeRequestId));
    const capacity = String(t.assignees.capacity);
    if (samePerson(p, r.requestedBy) || (r.assessment && samePerson(p, r.assessment.by))) {
      throw new ForbiddenError(
        'whoever asked for or assessed a change cannot sign it off (separation of duties)',
        [
          {
            path: 'subject',
            problem: `you asked for or assessed change request ${r.id} (separation of duties)`,
          },
        ],
      );
    }
    if (r.signOffs.some((s) => samePerson(p, s.by) && s.capacity !== capacity)) {
      throw new ForbiddenError('one person signs at most one capacity of a change request (four eyes)', [
        {
          path: 'subject',
          problem: `you have signed change request ${r.id} in another capacity (four eyes)`,
        },
      ]);
    }
    await this.mutate(r.id, (x) => {
      // The task was read while it waited; the request may have moved on since (withdrawn, or rejected by a signer).
      if (x.status !== 'signing') throw noLongerWaiting(x, 'a sign-off');
      const signed = x.signOffs.find((s) => s.capacity === capacity);
      // The same person may change their own decision while the request waits; another holder may not overturn it.
      if (signed && !samePerson(p, signed.by)) {
        throw new ConflictError(
          `change request ${x.id} was signed as ${capacity} already (${signed.decision} by ${signed.by})`,
          [{ path: 'capacity', problem: `${capacity} has signed` }],
          { state: x.status },
        );
      }
      return step(
        {
          ...x,
          signOffs: [
            ...x.signOffs.filter((s) => s.capacity !== capacity),
            { capacity, decision: body.decision!, by: p.subject, at: this.now(), reason: body.reason },
          ],
          ...(body.decision === 'rejected' ? { status: 'rejected' as const } : {}),
        },
        this.now(),
        `signoff:${capacity}:${body.decision}`,
        p.subject,
        body.reason,
      );
    });
    return {};
  }

  /** One step of the state machine (the Lambda handler functions/workflows/change-request.ts calls this). */
  async task(raw: unknown): Promise<unknown> {
    const parsed = ChangeRequestTaskEvent.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`bad change-request task: ${parsed.error.message}`);
    const e = parsed.data;
    switch (e.task) {
      case 'plan':
        return this.plan(e.changeRequestId);
      case 'await-assessment':
        return this.awaitAssessment(e);
      case 'follow-up':
        return this.followUp(e);
      case 'plan-signoffs':
        return this.planSignOffs(e.changeRequestId);
      case 'await-signoff':
        return this.awaitSignOff(e);
      case 'apply':
        return this.apply(e.changeRequestId);
      case 'close':
        return this.close(e);
    }
  }

  private async plan(id: string) {
    const r = await this.load(id);
    const a = await this.deps.agreements.get(r.agreementId);
    const service = await this.deps.services.get(r.serviceId);
    const hours = this.deps.policy.changeRequest.assessmentHours[tierKey(service?.tier)];
    const dueAt = new Date(Date.parse(r.requestedAt) + hours * HOUR).toISOString();
    if (r.status !== 'assessing' || !a || a.status !== 'active') {
      return {
        status: 'superseded',
        dueAt,
        reason: `the request is ${r.status}; the agreement is ${a?.status ?? 'gone'}`,
      };
    }
    return { status: 'assessing', dueAt, reason: `assessment due by ${dueAt}` };
  }

  private async awaitAssessment(e: {
    changeRequestId: string;
    dueAt: string;
    round: number;
    executionId: string;
    taskToken: string;
  }) {
    const r = await this.load(e.changeRequestId);
    // Withdrawn while no token waited (or before a restart): the task is not opened again, the callback fails at once.
    if (r.status === 'withdrawn') return this.endWithdrawn(r, e.taskToken);
    const a = await this.deps.agreements.get(r.agreementId);
    const id = changeTaskId(e.executionId, 'assessment');
    const existing = await this.deps.tasks.get(id);
    const task = await this.upsertTask(r, {
      id,
      kind: 'change-assessment',
      executionId: e.executionId,
      token: e.taskToken,
      title: `Assess the change request "${r.summary}" to ${a?.title ?? r.agreementId}`,
      assignees: { roles: ['sla-manager'], except: [r.requestedBy] },
      dueAt: e.dueAt,
      data: { changeRequestId: r.id, round: e.round, classification: r.classification, proposed: r.proposed },
    });
    if (!existing) {
      await this.notify(
        r,
        'assessment-requested',
        task,
        {
          subject: `Change request to assess: ${a?.title ?? r.agreementId}`,
          paragraphs: [
            `${r.requestedBy} asks to change ${a?.kind ?? 'the agreement'} "${a?.title ?? r.agreementId}" (${r.agreementId}): ${r.summary}.`,
            `Why: ${r.why}`,
            r.classification.material.length
              ? `Material terms change (${r.classification.material.join(', ')}): a new version and sign-off follow an acceptance.`
              : `Only administrative fields change (${r.classification.administrative.join(', ')}): an acceptance applies it.`,
            `Your assessment is due by ${e.dueAt}.`,
          ],
        },
        [],
        [{ role: 'sla-manager', businessUnit: r.businessUnit }],
      );
    }
    if (r.assessment) {
      await this.deps.engine().sendTaskSuccess(e.taskToken, {
        decision: r.assessment.decision === 'accepted' ? 'approved' : 'rejected',
        reason: r.assessment.reason,
      });
    }
    // Stryker disable next-line ObjectLiteral: a callback (waitForTaskToken) Task's own answer is discarded, by Step Functions and by the local engine alike; the state's result is the token's answer
    return { taskId: task.id };
  }

  private async followUp(e: {
    changeRequestId: string;
    step: 'assessment' | 'signoff';
    capacity?: string | undefined;
    dueAt: string;
    round: number;
    reminders: number;
    level: number;
  }) {
    const r = await this.load(e.changeRequestId);
    const a = await this.deps.agreements.get(r.agreementId);
    const next = {
      changeRequestId: r.id,
      dueAt: e.dueAt,
      round: e.round + 1,
      ...(e.capacity ? { capacity: e.capacity } : {}),
    };
    const decided =
      r.status === 'withdrawn' ||
      (e.step === 'assessment'
        ? r.assessment !== undefined
        : r.signOffs.some((s) => s.capacity === e.capacity));
    if (decided || !a) return { ...next, reminders: e.reminders, level: e.level };
    const steps = escalationLevels(a);
    const d = followUp(
      Date.parse(e.dueAt),
      this.deps.clock.now().getTime(),
      e,
      this.deps.policy.changeRequest,
      Math.max(1, steps.length),
    );
    const what = e.step === 'assessment' ? 'assessment' : `${e.capacity} sign-off`;
    const isStepTask =
      // Stryker disable next-line ConditionalExpression: an assessment follow-up carries no capacity (change-request.asl.json), and of a request's tasks only its assessment task has none (a sign-off task always names its capacity), so the capacity test picks the same task
      e.step === 'assessment'
        ? (t: WorkTask) => t.kind === 'change-assessment'
        : (t: WorkTask) => t.assignees.capacity === e.capacity;
    const task = (await this.deps.tasks.list({ subjectId: r.id, status: 'pending' })).find(isStepTask);
    const lists: RecipientQuery[] =
      e.step === 'assessment'
        ? [{ role: 'sla-manager', businessUnit: r.businessUnit }]
        : [{ capacity: e.capacity!, businessUnit: a.businessUnit, agreementId: a.id }];
    if (d.remind !== null) {
      const hours = this.deps.policy.changeRequest.remindBeforeHours[d.remind]!;
      await this.notify(
        r,
        `${e.step}-${e.capacity ?? ''}-reminder-${d.remind}`,
        task,
        {
          subject: `Reminder: ${what} due in ${hours} h: change request to ${a.title}`,
          paragraphs: [`The ${what} of the change request "${r.summary}" (${r.id}) is due by ${e.dueAt}.`],
        },
        [],
        lists,
      );
    }
    if (d.escalateTo !== null) {
      const contacts = steps[d.escalateTo - 1] ?? [];
      await this.notify(
        r,
        `${e.step}-${e.capacity ?? ''}-escalation-${d.escalateTo}`,
        task,
        {
          subject: `Escalation (level ${d.escalateTo}): overdue ${what}: change request to ${a.title}`,
          paragraphs: [
            `The ${what} of the change request "${r.summary}" (${r.id}) was due by ${e.dueAt} and is still missing.`,
          ],
        },
        contacts,
        contacts.length ? lists : [...lists, { role: 'sla-manager', businessUnit: a.businessUnit }],
      );
    }
    return { ...next, reminders: d.next.reminders, level: d.next.level };
  }

  private async planSignOffs(id: string) {
    const r = await this.load(id);
    const a = await this.deps.agreements.get(r.agreementId);
    const service = await this.deps.services.get(r.serviceId);
    const tier = Math.min(4, Math.max(1, service?.tier ?? 4));
    const required = changeSignOffs(
      this.deps.policy.changeRequest,
      r.classification.material,
      tier,
      a?.kind ?? 'SLA',
    );
    const hours = this.deps.policy.changeRequest.signOffHours[tierKey(tier)];
    const dueAt = new Date(this.deps.clock.now().getTime() + hours * HOUR).toISOString();
    // Withdrawn after its acceptance, before this step (red team, wave 35): it was moved back to `signing` and its
    // sign-offs asked for. No sign-off is needed; ApplyChange finds it withdrawn and applies nothing.
    if (!OPEN_CHANGE_REQUEST_STATUSES.includes(r.status)) return { needed: false, signOffs: [], dueAt };
    if (r.requiredSignOffs.length === 0 && required.length > 0) {
      await this.mutate(id, (x) =>
        x.status !== 'assessing'
          ? x
          : step(
              { ...x, status: 'signing', requiredSignOffs: required },
              this.now(),
              'signing',
              'system',
              `sign-offs by ${required.map((q) => q.capacity).join(', ')} due by ${dueAt} (change control, tier ${tier})`,
            ),
      );
    }
    const list = (r.requiredSignOffs.length ? r.requiredSignOffs : required).map((q) => ({
      capacity: q.capacity,
    }));
    return { needed: list.length > 0, signOffs: list, dueAt };
  }

  private async awaitSignOff(e: {
    changeRequestId: string;
    capacity: string;
    dueAt: string;
    round: number;
    executionId: string;
    taskToken: string;
  }) {
    const r = await this.load(e.changeRequestId);
    if (r.status === 'withdrawn') return this.endWithdrawn(r, e.taskToken);
    const a = await this.deps.agreements.get(r.agreementId);
    const id = changeTaskId(e.executionId, `signoff:${e.capacity}`);
    const existing = await this.deps.tasks.get(id);
    const task = await this.upsertTask(r, {
      id,
      kind: 'change-signoff',
      executionId: e.executionId,
      token: e.taskToken,
      title: `Sign off the change "${r.summary}" to ${a?.title ?? r.agreementId} as ${e.capacity}`,
      assignees: {
        capacity: e.capacity,
        except: [r.requestedBy, ...(r.assessment ? [r.assessment.by] : [])],
      },
      dueAt: e.dueAt,
      data: {
        changeRequestId: r.id,
        capacity: e.capacity,
        round: e.round,
        proposed: r.proposed,
        material: r.classification.material,
      },
    });
    if (!existing) {
      const owner = e.capacity === 'service-owner' ? await this.deps.services.get(r.serviceId) : undefined;
      await this.notify(
        r,
        `signoff-${e.capacity}-requested`,
        task,
        {
          subject: `Change sign-off requested: ${a?.title ?? r.agreementId} (${e.capacity})`,
          paragraphs: [
            `The change request "${r.summary}" (${r.id}) to ${r.agreementId} changes ${r.classification.material.join(', ')} and waits for a sign-off as ${e.capacity}.`,
            `It is due by ${e.dueAt}.`,
          ],
        },
        owner ? [owner.owner] : [],
        [
          {
            capacity: e.capacity,
            businessUnit: a?.businessUnit ?? r.businessUnit,
            agreementId: r.agreementId,
          },
        ],
      );
    }
    const signed = r.signOffs.find((s) => s.capacity === e.capacity);
    if (signed) {
      await this.deps
        .engine()
        .sendTaskSuccess(e.taskToken, { decision: signed.decision, reason: signed.reason, by: signed.by });
    }
    // Stryker disable next-line ObjectLiteral: a callback (waitForTaskToken) Task's own answer is discarded, by Step Functions and by the local engine alike; the state's result is the token's answer
    return { taskId: task.id };
  }

  /** A callback of a withdrawn request: its tasks stay closed, the token fails with `Withdrawn`. */
  private async endWithdrawn(r: ChangeRequestRecord, token: string) {
    const cause = this.withdrawnCause(r);
    await this.endTasks(r, cause, 'system');
    await this.failToken(token, cause);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a callback (waitForTaskToken) Task's own answer is discarded, by Step Functions and by the local engine alike; the token's failure is what the execution sees
    return { withdrawn: true };
  }

  /**
   * Applies an accepted (and, when material, signed) request as a new version; superseded when the agreement moved on;
   * nothing when it was withdrawn before it was applied.
   */
  private async apply(id: string) {
    const r = await this.load(id);
    // Stryker disable next-line ConditionalExpression: a shortcut: an applied request's version is on record (change amend:<id>, or a reason starting "change request <id>:"), so the lookup below finds that same version and finish() leaves an applied record as it is
    if (r.status === 'applied') return { status: 'applied', reason: `version ${r.appliedVersion}` };
    const versions = await this.deps.agreements.listVersions(r.agreementId);
    const done = versions.find(
      (v) => v.change === `amend:${r.id}` || v.reason.startsWith(`change request ${r.id}:`),
    );
    if (done) return this.finish(r, 'applied', `version ${done.version}`, done.version);
    // Withdrawn after its last sign-off, before this step (red team, wave 35): the withdrawal was answered 200, so
    // nothing is applied; the request ends withdrawn (CloseChangeRequest names the withdrawal).
    if (r.status === 'withdrawn') return { status: 'withdrawn', reason: this.withdrawnCause(r) };
    const a = await this.deps.agreements.get(r.agreementId);
    const base = versions.find((v) => v.version === r.baseVersion);
    if (a?.status !== 'active')
      return this.finish(r, 'superseded', `the agreement is ${a?.status ?? 'gone'}`);
    const moved = base ? changedSince(base, a, r.proposed) : [];
    if (moved.length) {
      return this.finish(
        r,
        'superseded',
        `${moved.join(', ')} changed since version ${r.baseVersion}, which the request was made against`,
      );
    }
    const reason = `change request ${r.id}: ${r.summary}`;
    try {
      const v = r.classification.material.length
        ? await this.deps.useCases.amend(CHANGE_PRINCIPAL, a.id, a.version, {
            changeRequestId: r.id,
            changes: r.proposed,
            requiredSignOffs: r.requiredSignOffs.map((q) => ({
              capacity: q.capacity as SignOffCapacity,
              rules: q.rules,
            })),
            signOffs: r.signOffs
              .filter((s) => s.decision === 'approved')
              .map((s) => ({
                capacity: s.capacity as SignOffCapacity,
                decision: s.decision,
                by: s.by,
                at: s.at,
                comment: s.reason,
              })),
            reason,
          })
        : await this.deps.useCases.update(CHANGE_PRINCIPAL, a.id, a.version, {
            ...r.proposed,
            reason,
          } as never);
      return this.finish(r, 'applied', `version ${v.version}`, v.version);
    } catch (err) {
      if (err instanceof ConflictError || err instanceof BusinessRuleError) {
        return this.finish(
          r,
          'superseded',
          `${err.message}${err.details.length ? `: ${err.details.map((d) => `${d.path} ${d.problem}`).join('; ')}` : ''}`,
        );
      }
      throw err;
    }
  }

  private async finish(
    r: ChangeRequestRecord,
    status: 'applied' | 'superseded',
    reason: string,
    version?: number,
  ) {
    await this.mutate(r.id, (x) =>
      x.status === status
        ? x
        : step(
            { ...x, status, ...(version ? { appliedVersion: version } : {}) },
            this.now(),
            status,
            'system',
            reason,
          ),
    );
    return { status, reason };
  }

  private async close(e: { changeRequestId: string; outcome: string; reason: string; executionId: string }) {
    const now = this.now();
    for (const t of await this.deps.tasks.list({ executionId: e.executionId, status: 'pending' })) {
      await this.deps.tasks.update(
        { ...t, status: 'cancelled', updatedAt: now, outcome: { reason: e.outcome } },
        t.revision,
      );
    }
    const r = await this.load(e.changeRequestId);
    // A request withdrawn before its workflow reached a callback ends through PlanChangeRequest's "superseded".
    const withdrawn = r.status === 'withdrawn';
    const outcome = withdrawn ? 'withdrawn' : e.outcome;
    // Stryker disable next-line ConditionalExpression,StringLiteral: with outcome `withdrawn` the ASL passes the Withdrawn error's cause, which is withdrawnCause's text
    const reason = withdrawn && e.outcome !== 'withdrawn' ? this.withdrawnCause(r) : e.reason;
    const final =
      (['applied', 'rejected', 'superseded', 'refused'] as const).find((s) => s === e.outcome) ??
      'superseded';
    await this.mutate(r.id, (x) =>
      x.history.some((h) => h.step === 'closed')
        ? x
        : step(
            { ...x, status: x.status === 'assessing' || x.status === 'signing' ? final : x.status },
            now,
            'closed',
            'system',
            `${outcome}: ${reason}`,
          ),
    );
    const a = await this.deps.agreements.get(r.agreementId);
    // A withdrawal is news to the signers who had a task too (each capacity's holders, the service's owner by name),
    // not only to the assessors.
    const capacities = withdrawn
      ? [
          ...new Set(
            (await this.deps.tasks.list({ subjectId: r.id }))
              .filter((t) => t.kind === 'change-signoff')
              .map((t) => String(t.assignees.capacity)),
          ),
        ]
      : [];
    const owner = capacities.includes('service-owner')
      ? await this.deps.services.get(r.serviceId)
      : undefined;
    const signers: RecipientQuery[] = capacities.map((capacity) => ({
      capacity,
      businessUnit: a?.businessUnit ?? r.businessUnit,
      agreementId: r.agreementId,
    }));
    await this.notify(
      r,
      'closed',
      undefined,
      {
        subject: `Change request ${outcome}: ${a?.title ?? r.agreementId}`,
        paragraphs: [
          `The change request "${r.summary}" (${r.id}) to ${r.agreementId} ended: ${outcome}.`,
          `Why: ${reason}`,
        ],
      },
      owner ? [owner.owner] : [],
      [
        { role: 'sla-manager', businessUnit: r.businessUnit },
        ...(a && a.businessUnit !== r.businessUnit
          ? [{ role: 'sla-manager', businessUnit: a.businessUnit }]
          : []),
        ...signers,
      ],
    );
    return { outcome, reason };
  }

  private async newRecord(
    a: AgreementVersion,
    by: string,
    source: string,
    summary: string,
    why: string,
    proposed: Record<string, unknown>,
    checkRules: boolean,
    fixedId?: string,
    cappedFor?: Principal,
  ): Promise<ChangeRequestRecord> {
    const classification = classifyChange(a as never, proposed);
    if (classification.administrative.length + classification.material.length === 0) {
      throw new BusinessRuleError('the request changes nothing', [
        {
          path: 'proposed',
          problem: `every proposed term already has that value (${classification.unchanged.join(', ')})`,
        },
      ]);
    }
    if (checkRules) {
      const merged = { ...a, ...proposed } as AgreementVersion;
      const given = new Set(Object.keys(proposed));
      const problems = [
        ...contentProblems(merged),
        ...dateProblems(merged, this.deps.clock.now(), given),
        ...(await this.deps.useCases.boundTermProblems(a, proposed)),
      ];
      if (problems.length) {
        throw new BusinessRuleError(
          'the proposed terms break a rule',
          problems.map((x) => ({ ...x, path: `proposed.${x.path}` })),
        );
      }
    }
    const service = await this.deps.services.get(a.serviceId);
    const now = this.now();
    const existing = await this.deps.requests.listBySubject(a.id);
    const id = fixedId ?? `chg_${short(`${a.id}|${existing.length}|${now}|${by}`, 20)}`;
    const record: ChangeRequestRecord = {
      kind: 'change-request',
      id,
      agreementId: a.id,
      serviceId: a.serviceId,
      businessUnit: service?.businessUnit ?? a.businessUnit,
      baseVersion: a.version,
      requestedBy: by,
      requestedAt: now,
      source,
      summary,
      why,
      proposed,
      classification: { administrative: classification.administrative, material: classification.material },
      status: 'assessing',
      requiredSignOffs: [],
      signOffs: [],
      history: [
        {
          at: now,
          step: 'requested',
          by,
          detail: `${summary} (administrative: ${classification.administrative.join(', ') || 'none'}; material: ${classification.material.join(', ') || 'none'})`,
        },
      ],
      revision: 0,
    };
    if (cappedFor) {
      const limit = this.deps.policy.changeRequest.maxOpenPerRequester;
      // Requests at the same instant, counted against the same list, derive the same id: the ones that find it taken
      // try the next ids of that instant (a few: the cap stops a person long before).
      let candidate = record;
      for (let attempt = 1; attempt <= RETRIES_AT_ONE_INSTANT; attempt++) {
        const res = await this.deps.requests.recordIfUnder(candidate, limit, cappedFor, {
          limit: this.deps.policy.changeRequest.maxPerRequesterPerDay,
          since: this.dayAgo(),
        });
        if (res.status === 'over-limit') throw overLimit(record.agreementId, limit, res.openIds);
        if (res.status === 'over-recent-limit')
          throw overDailyLimit(
            record.agreementId,
            this.deps.policy.changeRequest.maxPerRequesterPerDay,
            res.asked,
          );
        if (res.status === 'recorded') return { ...candidate, revision: 1 };
        candidate = {
          ...record,
          id: `chg_${short(`${a.id}|${existing.length}|${now}|${by}|${attempt}`, 20)}`,
        };
      }
      throw sameInstant();
    }
    if (!(await this.deps.requests.put(record, 0))) throw sameInstant();
    return { ...record, revision: 1 };
  }

  /**
   * The per-person cap on open requests (red team wave 32): a person with `maxOpenPerRequester` requests still being
   * assessed or signed on this agreement may not open another (each mails the provider's SLA managers) until one
   * closes. Only a person's own requests (source `api`) count; RCA and automated ones are not people's.
   */
  private async refuseOverLimit(p: Principal, agreementId: string): Promise<void> {
    const limit = this.deps.policy.changeRequest.maxOpenPerRequester;
    const all = await this.deps.requests.listBySubject(agreementId);
    const open = all.filter((r) => countsTowardCap(r, p));
    if (open.length >= limit)
      throw overLimit(
        agreementId,
        limit,
        open.map((r) => r.id),
      );
    this.refuseOverDailyLimit(agreementId, p, all);
  }

  /**
   * The per-person cap on requests asked in any 24 hours (red team wave 35: asking and withdrawing in turn kept one
   * request open at a time, so the open cap never bit, and mailed the provider's SLA managers twice a turn). Counts the
   * person's own requests (source `api`) on this agreement asked in the 24 h before now, whatever their status. A cheap
   * first look before the terms are checked; the store's `recordIfUnder` counts again atomically with the write (its
   * `recent` cap), so requests sent at one instant cannot pass together.
   */
  private refuseOverDailyLimit(agreementId: string, who: Person, all: GovernanceRequest[]): void {
    const limit = this.deps.policy.changeRequest.maxPerRequesterPerDay;
    const today = all.filter((r) => countsTowardRecentCap(r, who, this.dayAgo()));
    if (today.length >= limit) throw overDailyLimit(agreementId, limit, today);
  }

  /** The instant 24 h before now (ISO): requests asked after it count toward `maxPerRequesterPerDay`. */
  private dayAgo(): string {
    return new Date(this.deps.clock.now().getTime() - DAY).toISOString();
  }

  private async load(id: string): Promise<ChangeRequestRecord> {
    const r = await this.deps.requests.get(id);
    if (r?.kind !== 'change-request') throw noSuchRequest(id);
    return r;
  }

  /** Read, change, write under the revision; retried when someone wrote first. */
  private async mutate(
    id: string,
    f: (r: ChangeRequestRecord) => ChangeRequestRecord,
  ): Promise<ChangeRequestRecord> {
    for (let i = 0; i < 20; i++) {
      const r = await this.load(id);
      const next = f(r);
      if (next === r) return r;
      if (await this.deps.requests.put(next, r.revision)) return { ...next, revision: r.revision + 1 };
    }
    throw new ConflictError(`change request ${id} is being changed by others: try again`);
  }

  private async upsertTask(
    r: ChangeRequestRecord,
    t: Pick<WorkTask, 'id' | 'kind' | 'executionId' | 'token' | 'title' | 'assignees' | 'dueAt' | 'data'>,
  ): Promise<WorkTask> {
    const now = this.now();
    return this.deps.tasks.upsert({
      ...t,
      workflow: 'change-request',
      subject: { type: 'change-request', id: r.id },
      businessUnit: r.businessUnit,
      serviceId: r.serviceId,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      externalRef: `ACCORD-${short(t.id, 10).toUpperCase()}`,
    });
  }

  private async notify(
    r: ChangeRequestRecord,
    what: string,
    task: WorkTask | undefined,
    text: { subject: string; paragraphs: string[] },
    named: Recipient[],
    lists: RecipientQuery[],
  ): Promise<void> {
    await this.deps.notifications.notify({
      key: `change-request/${r.id}/${what}`,
      topic: `agreement:${r.agreementId}`,
      event: `change-request.${what.split('-').at(-1) === 'requested' ? 'requested' : what.includes('reminder') ? 'reminder' : what.includes('escalation') ? 'escalated' : 'closed'}`,
      businessUnit: r.businessUnit,
      to: named,
      lists,
      subject: text.subject,
      paragraphs: text.paragraphs,
      links: [
        ...(task ? [{ label: 'Your task', url: `${this.deps.baseUrl}/v1/tasks/${task.id}` }] : []),
        { label: 'The change request', url: `${this.deps.baseUrl}/v1/change-requests/${r.id}` },
      ],
      headers: task ? { 'X-Accord-Task': task.id, 'X-Accord-Task-Ref': task.externalRef } : {},
      data: { changeRequestId: r.id, agreementId: r.agreementId, ...(task ? { taskId: task.id } : {}) },
    });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function step<T extends { history: { at: string; step: string; by: string; detail: string }[] }>(
  r: T,
  at: string,
  name: string,
  by: string,
  detail: string,
): T {
  return { ...r, history: [...r.history, { at, step: name, by, detail }] };
}

function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function sameInstant(): ConflictError {
  return new ConflictError('another change request was made at the same instant: try again');
}

/** 409: the person has `limit` requests open on the agreement (`ids`, oldest first). */
function overLimit(agreementId: string, limit: number, ids: string[]): ConflictError {
  return new ConflictError(
    `you have ${ids.length} change requests open on agreement ${agreementId}, the most one person may have (policy changeRequest.maxOpenPerRequester = ${limit}): wait until one is closed`,
    [
      {
        path: 'requestedBy',
        problem: `has ${ids.length} open change requests (${ids.join(', ')}); the limit is ${limit} (changeRequest.maxOpenPerRequester)`,
      },
    ],
    { limit, policy: 'changeRequest.maxOpenPerRequester', openChangeRequestIds: ids },
  );
}

/**
 * 409: the person asked for `today.length` (at least `limit`) requests on the agreement in the last 24 h (`today`,
 * oldest first); the message says when they may ask again (the oldest plus 24 h).
 */
function overDailyLimit(
  agreementId: string,
  limit: number,
  today: readonly { id: string; requestedAt: string }[],
): ConflictError {
  const again = new Date(Date.parse(today[0]!.requestedAt) + DAY).toISOString();
  const ids = today.map((r) => r.id);
  return new ConflictError(
    `you asked for ${today.length} change requests on agreement ${agreementId} in the last 24 h, the most one person may (policy changeRequest.maxPerRequesterPerDay = ${limit}): ask again from ${again}`,
    [
      {
        path: 'requestedBy',
        problem: `asked for ${today.length} change requests in the last 24 h (${ids.join(', ')}); the limit is ${limit} (changeRequest.maxPerRequesterPerDay)`,
      },
    ],
    { limit, policy: 'changeRequest.maxPerRequesterPerDay', changeRequestIds: ids },
  );
}

/** 409 naming the state of a request that is no longer open. */
function finalRequest(r: ChangeRequestRecord): ConflictError {
  return new ConflictError(
    `change request ${r.id} is ${r.status}: only an open request (assessing or signing) can be withdrawn`,
    [{ path: 'status', problem: `is ${r.status}` }],
    { state: r.status },
  );
}

/** 409: a decision (`what`: an assessment, a sign-off) on a request no longer in the step that waits for it. */
function noLongerWaiting(r: ChangeRequestRecord, what: string): ConflictError {
  return new ConflictError(
    `change request ${r.id} is ${r.status}: it no longer waits for ${what}`,
    [{ path: 'status', problem: `is ${r.status}` }],
    { state: r.status },
  );
}

function noSuchRequest(id: string): NotFoundError {
  return new NotFoundError(`no change request ${id}`, [
    { path: 'changeRequestId', problem: 'names no change request you may see' },
  ]);
}

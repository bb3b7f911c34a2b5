import { createHash } from 'node:crypto';
import { type Action, accessProblem, canAccess, type Principal } from '../../domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../domain/errors.js';
import { samePerson } from '../../domain/people.js';
import type { WorkflowPolicy } from '../../policy/workflows.js';
import type { Clock } from '../../ports/clock.js';
import type { FreezeExceptionRecord, GovernanceRequestStore } from '../../ports/governance.js';
import type { ServiceStore } from '../../ports/services.js';
import type { WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import type { FreezeExceptionBody } from '../../schemas/governance.js';
import type { Service } from '../../schemas/service.js';
import type { CompleteTaskBody } from '../../schemas/workflows.js';
import type { Notifications } from './notifications.js';

export interface FreezeExceptionDeps {
  requests: GovernanceRequestStore;
  services: ServiceStore;
  tasks: WorkTaskStore;
  notifications: Notifications;
  clock: Clock;
  policy: WorkflowPolicy['freezeExceptions'];
  baseUrl: string;
}

const HOUR = 3_600_000;
const short = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);

/**
 * Exceptions to a change freeze (issue 11 item 7), through approval as exception windows are: a service's owner or
 * SLA manager asks for a window in which a named change may proceed despite the freeze (at most `maxHours`); an
 * approver who did not ask decides through the `freeze-exception` task (POST /v1/tasks/{id}/complete); an approved
 * exception in force opens the change gate and names itself there. Nothing here lifts the freeze for other changes.
 */
export class FreezeExceptionUseCases {
  constructor(private readonly deps: FreezeExceptionDeps) {}

  /**
   * POST /v1/services/{id}/freeze-exceptions: records the request and addresses the decision to the approvers.
   * @throws ConflictError (409) when the caller has `maxPendingPerRequester` exceptions of the service pending
   */
  async request(p: Principal, serviceId: string, body: FreezeExceptionBody): Promise<FreezeExceptionRecord> {
    const s = await this.service(p, serviceId, 'exception.request');
    const now = this.deps.clock.now();
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    const problems = [
      ...(to <= now.getTime()
        ? [{ path: 'to', problem: `is not in the future (now is ${now.toISOString()})` }]
        : []),
      ...(to - from > this.deps.policy.maxHours * HOUR
        ? [{ path: 'to', problem: `the exception may last at most ${this.deps.policy.maxHours} h (policy)` }]
        : []),
    ];
    if (problems.length) throw new BusinessRuleError('the freeze exception breaks a rule', problems);
    const at = now.toISOString();
    // The person's own exceptions whose window ended undecided no longer hold a place (red team, wave 36: three such
    // kept the person from ever asking again for the service, as nothing ends an undecided exception).
    for (const r of await this.deps.requests.listBySubject(serviceId)) {
      if (r.kind === 'freeze-exception' && r.status === 'pending' && samePerson(p, r.requestedBy))
        await this.lapseIfOver(r, now.getTime());
    }
    const existing = await this.deps.requests.listBySubject(serviceId);
    const limit = this.deps.policy.maxPendingPerRequester;
    // The count of the person's pending exceptions and the write are one atomic step of the store (counters in the
    // same transaction on DynamoDB), so exceptions asked for at one instant cannot all pass the cap. Those asked for by
    // one person at one instant, counted against the same list, derive the same id: the ones that find it taken try
    // the next ids of that instant (at most `limit` of them can be recorded, so `limit + 1` tries settle it).
    let record: FreezeExceptionRecord | undefined;
    for (let attempt = 0; attempt <= limit && !record; attempt++) {
      const id = `frx_${short(`${serviceId}|${existing.length}|${at}|${p.subject}${attempt ? `|${attempt}` : ''}`, 20)}`;
      const candidate: FreezeExceptionRecord = {
        kind: 'freeze-exception',
        id,
        serviceId,
        businessUnit: s.businessUnit,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        reason: body.reason,
        change: body.change,
        requestedBy: p.subject,
        requestedAt: at,
        status: 'pending',
        taskId: `tsk_${short(`${id}|decision`)}`,
        history: [{ at, step: 'requested', by: p.subject, detail: `${body.change}: ${body.reason}` }],
        revision: 0,
      };
      const recorded = await this.deps.requests.recordIfUnder(candidate, limit, p);
      if (recorded.status === 'over-limit') throw this.overLimit(serviceId, recorded.openIds);
      if (recorded.status === 'recorded') record = candidate;
    }
    if (!record) {
      throw new ConflictError('another freeze exception was asked for at the same instant: try again', [
        { path: 'from', problem: `every id of this instant (${at}) was taken: ask again` },
      ]);
    }
    const { id, taskId } = record;
    const task = await this.deps.tasks.upsert({
      id: taskId,
      kind: 'freeze-exception',
      workflow: 'change-freeze-exception',
      executionId: id,
      token: '',
      subject: { type: 'service', id: serviceId },
      businessUnit: s.businessUnit,
      serviceId,
      title: `Decide the exception to the change freeze of ${s.name}: ${body.change}`,
      assignees: { roles: ['approver'], except: [p.subject] },
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      dueAt: new Date(now.getTime() + this.deps.policy.decisionHours * HOUR).toISOString(),
      externalRef: `ACCORD-${short(taskId, 10).toUpperCase()}`,
      data: { freezeExceptionId: id, from: record.from, to: record.to, change: body.change },
    });
    await this.deps.notifications.notify({
      key: `freeze-exception/${id}/requested`,
      topic: `service:${serviceId}`,
      event: 'freeze-exception.requested',
      businessUnit: s.businessUnit,
      lists: [{ role: 'approver' }],
      subject: `Exception to a change freeze requested: ${s.name}`,
      paragraphs: [
        `${p.subject} asks to make a change to ${s.name} (${serviceId}) during its change freeze: ${body.change}.`,
        `From ${record.from} to ${record.to}. Why: ${body.reason}`,
      ],
      links: [{ label: 'Your task', url: `${this.deps.baseUrl}/v1/tasks/${task.id}` }],
      headers: { 'X-Accord-Task': task.id, 'X-Accord-Task-Ref': task.externalRef },
      data: { freezeExceptionId: id, serviceId, taskId: task.id },
    });
    return { ...record, revision: 1 };
  }

  /**
   * The per-person cap on pending exceptions (red team wave 35: a service owner asked for 30 at once, each mailing every
   * approver and adding a task to each inbox): a person with `maxPendingPerRequester` exceptions of this service waiting
   * for a decision may not ask for another until one is decided. A person is their subject (or the e-mail on record,
   * as separation of duties matches one: `countsTowardCap`). The 409 for `ids`, the person's pending exceptions.
   */
  private overLimit(serviceId: string, ids: string[]): ConflictError {
    const limit = this.deps.policy.maxPendingPerRequester;
    return new ConflictError(
      `you have ${ids.length} freeze exceptions of ${serviceId} waiting for a decision, the most one person may have (policy freezeExceptions.maxPendingPerRequester = ${limit}): wait until one is decided or its window ends`,
      [
        {
          path: 'requestedBy',
          problem: `has ${ids.length} pending freeze exceptions (${ids.join(', ')}); the limit is ${limit} (freezeExceptions.maxPendingPerRequester)`,
        },
      ],
      { limit, policy: 'freezeExceptions.maxPendingPerRequester', pendingFreezeExceptionIds: ids },
    );
  }

  /**
   * Completing a `freeze-exception` task: approved or rejected, never by whoever asked (separation of duties).
   * @throws ConflictError (409, `state`) when the exception was already decided
   */
  async decide(p: Principal, t: WorkTask, body: CompleteTaskBody): Promise<Record<string, unknown>> {
    if (!body.decision) {
      throw new ValidationError('a freeze exception needs a decision', [
        { path: 'decision', problem: 'is required: approved or rejected' },
      ]);
    }
    const id = String(t.data.freezeExceptionId);
    for (let i = 0; i < 20; i++) {
      const r = await this.deps.requests.get(id);
      if (r?.kind !== 'freeze-exception')
        throw new NotFoundError(`no freeze exception ${id}`, [
          { path: 'taskId', problem: `its freeze exception ${id} does not exist` },
        ]);
      if (samePerson(p, r.requestedBy)) {
        throw new ForbiddenError(
          'whoever asked for a freeze exception cannot decide it (separation of duties)',
          [{ path: 'subject', problem: `you asked for freeze exception ${id} (separation of duties)` }],
        );
      }
      // A window that ended undecided lapses: deciding it now would change nothing (red team, wave 36).
      if (r.status === 'pending' && (await this.lapseIfOver(r, this.deps.clock.now().getTime()))) {
        throw new ConflictError(
          `freeze exception ${id} lapsed: its window ended at ${r.to} before anyone decided it`,
          [{ path: 'status', problem: `is lapsed (the window ended at ${r.to})` }],
          { state: 'lapsed' },
        );
      }
      // Two approvers may both have read the task while it waited (red team, wave 35): the record decides, so the
      // second never overturns the first (its task update would fail after the record had changed).
      if (r.status !== 'pending') {
        throw new ConflictError(
          `freeze exception ${id} is ${r.status} (by ${r.decision?.by ?? 'unknown'}): it no longer waits for a decision`,
          [{ path: 'status', problem: `is ${r.status}` }],
          { state: r.status },
        );
      }
      const at = this.deps.clock.now().toISOString();
      const status = body.decision === 'approved' ? 'approved' : 'rejected';
      const next: FreezeExceptionRecord = {
        ...r,
        status,
        decision: { by: p.subject, at, reason: body.reason },
        history: [...r.history, { at, step: status, by: p.subject, detail: body.reason }],
      };
      if (await this.deps.requests.put(next, r.revision)) {
        await this.deps.notifications.notify({
          key: `freeze-exception/${id}/${status}`,
          topic: `service:${r.serviceId}`,
          event: `freeze-exception.${status}`,
          businessUnit: r.businessUnit,
          lists: [{ role: 'sla-manager', businessUnit: r.businessUnit }],
          subject: `Exception to the change freeze ${status}: ${r.change}`,
          paragraphs: [
            `The exception for "${r.change}" on ${r.serviceId} (${r.from} to ${r.to}) was ${status} by ${p.subject}.`,
            `Why: ${body.reason}`,
          ],
          links: [
            { label: 'The change gate', url: `${this.deps.baseUrl}/v1/services/${r.serviceId}/change-gate` },
          ],
          data: { freezeExceptionId: id, serviceId: r.serviceId, status },
        });
        return { freezeException: status };
      }
    }
    throw new ConflictError(`freeze exception ${id} is being changed by others: try again`);
  }

  /**
   * Marks a pending exception whose window has ended at `nowMs` (`to` ≤ now) `lapsed`, with a history step, and
   * cancels its approvers' task; true when it lapsed (here or by someone else meanwhile). A lapsed exception no
   * longer counts toward its requester's cap (on DynamoDB its counters move with the write).
   */
  private async lapseIfOver(r: FreezeExceptionRecord, nowMs: number): Promise<boolean> {
    if (Date.parse(r.to) > nowMs) return false;
    const at = new Date(nowMs).toISOString();
    const next: FreezeExceptionRecord = {
      ...r,
      status: 'lapsed',
      history: [
        ...r.history,
        { at, step: 'lapsed', by: 'system', detail: `the window ended at ${r.to} undecided` },
      ],
    };
    if (!(await this.deps.requests.put(next, r.revision))) {
      // Someone wrote first: a decision, or another lapse.
      return (await this.deps.requests.get(r.id))?.status === 'lapsed';
    }
    const t = await this.deps.tasks.get(r.taskId);
    if (t?.status === 'pending') {
      await this.deps.tasks.update(
        {
          ...t,
          status: 'cancelled',
          outcome: { decision: 'lapsed', reason: `the window ended at ${r.to} undecided` },
          updatedAt: at,
          settledAt: at,
          settledBy: 'system',
        },
        t.revision,
      );
    }
    return true;
  }

  /** GET /v1/services/{id}/freeze-exceptions: every exception of a service, oldest first. */
  async list(p: Principal, serviceId: string): Promise<{ items: FreezeExceptionRecord[] }> {
    await this.service(p, serviceId, 'objective.read');
    return { items: await this.of(serviceId) };
  }

  /** The approved exceptions of a service in force at `nowMs` (from ≤ now < to). */
  async inForce(serviceId: string, nowMs: number): Promise<FreezeExceptionRecord[]> {
    return (await this.of(serviceId)).filter(
      (r) => r.status === 'approved' && Date.parse(r.from) <= nowMs && nowMs < Date.parse(r.to),
    );
  }

  private async of(serviceId: string): Promise<FreezeExceptionRecord[]> {
    return (await this.deps.requests.listBySubject(serviceId)).filter(
      // Stryker disable next-line ConditionalExpression: requests are listed by subject, a change request under its agreement (agr_…) and a freeze exception under its service (svc_…), so a service lists no change request
      (r): r is FreezeExceptionRecord => r.kind === 'freeze-exception',
    );
  }

  private async service(p: Principal, id: string, action: Action): Promise<Service> {
    const s = await this.deps.services.get(id);
    const where = s && { businessUnit: s.businessUnit, serviceId: s.id };
    if (!s || !where || !canAccess(p, 'service.read', where)) {
      throw new NotFoundError(`no service ${id}`, [{ path: 'serviceId', problem: 'names no service' }]);
    }
    if (!canAccess(p, action, where))
      throw new ForbiddenError(`your scope does not allow ${action} here`, [accessProblem(p, action)]);
    return s;
  }
}

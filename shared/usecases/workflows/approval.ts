import { createHash } from 'node:crypto';
import type { Principal } from '../../domain/access/policy.js';
import { BusinessRuleError, ConflictError, ValidationError } from '../../domain/errors.js';
import { followUp, startOfLocalDay } from '../../domain/workflows/follow-up.js';
import type { Recipient, RecipientQuery } from '../../domain/workflows/recipients.js';
import type { WorkflowPolicy } from '../../policy/workflows.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type { ServiceStore } from '../../ports/services.js';
import type { WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import type { StartRequest, WorkflowEngine } from '../../ports/workflows.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import { ApprovalTaskEvent } from '../../schemas/workflows.js';
import type { AgreementUseCases } from '../agreements.js';
import type { Notifications } from './notifications.js';

/** The approval workflow acts as this identity (recorded as the author of the activation it makes). */
export const APPROVAL_PRINCIPAL: Principal = {
  subject: 'system:workflow-approval',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

export interface ApprovalDeps {
  agreements: AgreementStore;
  useCases: AgreementUseCases;
  services: ServiceStore;
  tasks: WorkTaskStore;
  /** Lazily: the embedded engine calls back into this use case, so it is built after it. */
  engine: () => WorkflowEngine;
  notifications: Notifications;
  clock: Clock;
  policy: WorkflowPolicy;
  /** Where people reach the API (links in messages), such as http://localhost:3000. */
  baseUrl: string;
}

const HOUR = 3_600_000;
const short = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The stable id of the sign-off task of one capacity in one execution. */
export const signOffTaskId = (executionId: string, capacity: string) =>
  `tsk_${short(`${executionId}|${capacity}`)}`;

/**
 * The start of the approval of one submission: named by agreement and submitted version, so the submit hook and the
 * reconciliation (shared/usecases/workflows/reconcile.ts) ask for the same execution and never make two.
 */
export const approvalStart = (agreementId: string, version: number): StartRequest => ({
  workflow: 'approval',
  name: `${agreementId}-v${version}`,
  subject: { type: 'agreement', id: agreementId },
  input: { agreementId, version },
});

type SubmissionState = 'submitted' | 'approved' | 'rejected' | 'withdrawn' | 'superseded';

/**
 * The approval workflow's steps (the Tasks of infra/workflows/approval.asl.json) and its link to the agreement
 * use cases: a submission starts an execution; a sign-off or a withdrawal through the existing routes answers or
 * fails the waiting callback; the workflow never replaces the rules of AgreementUseCases, it calls them.
 */
export class ApprovalWorkflow {
  constructor(private readonly deps: ApprovalDeps) {}

  /** Called after every committed agreement change (the hook in AgreementUseCases). */
  async changed(after: AgreementVersion): Promise<void> {
    if (after.change === 'submit') {
      await this.deps.engine().start(approvalStart(after.id, after.version));
      return;
    }
    if (after.change === 'withdraw') {
      for (const t of await this.pendingSignOffs(after.id)) {
        await this.answer(
          t,
          { status: 'cancelled', outcome: { decision: 'withdrawn', reason: after.reason } },
          () => this.deps.engine().sendTaskFailure(t.token, 'Withdrawn', `withdrawn: ${after.reason}`),
        );
      }
      return;
    }
    // Stryker disable next-line Regex: change names are a closed set (create, update, submit, withdraw, activate, signoff:<capacity>:<decision>, …); none has text before "signoff:" or after the decision, so the anchors change nothing
    const m = /^signoff:([a-z-]+):(approved|rejected)$/.exec(after.change);
    if (!m) return;
    const [, capacity, decision] = m as unknown as [string, string, 'approved' | 'rejected'];
    const t = (await this.pendingSignOffs(after.id)).find((x) => x.data.capacity === capacity);
    if (!t) return; // no execution waits (a sign-off before the workflow reached it): its follow-up sees it
    const outcome = {
      decision,
      by: after.changedBy,
      reason: `${decision}: ${after.reason}`,
      version: after.version,
    };
    await this.answer(
      t,
      { status: decision === 'approved' ? 'completed' : 'rejected', outcome, by: after.changedBy },
      () => this.deps.engine().sendTaskSuccess(t.token, outcome),
    );
  }

  /** One step of the state machine (the Lambda handler functions/workflows/approval.ts calls this). */
  async task(raw: unknown): Promise<unknown> {
    const r = ApprovalTaskEvent.safeParse(raw);
    if (!r.success) throw new ValidationError(`bad approval task: ${r.error.message}`);
    const e = r.data;
    switch (e.task) {
      case 'plan':
        return this.plan(e.agreementId, e.version);
      case 'await-signoff':
        return this.awaitSignOff(e);
      case 'follow-up':
        return this.followUp(e);
      case 'activation-time':
        return this.activationTime(e.agreementId);
      case 'activate':
        return this.activate(e.agreementId, e.version);
      case 'close':
        return this.close(e);
    }
  }

  private async plan(agreementId: string, version: number) {
    const a = await this.deps.agreements.get(agreementId);
    const state = a ? await this.submissionState(a, version) : 'superseded';
    if (!a || state !== 'submitted') {
      return {
        status: 'superseded',
        signOffs: [],
        dueAt: '',
        reason: `the submission of version ${version} is ${state}`,
      };
    }
    // The submitted version is usually the current one: read it again only when later versions were written.
    // Stryker disable next-line ConditionalExpression: while the submitted version is current, getVersion reads that same version again, so `false` only costs a read; `true` fails approval-steps (a sign-off written after the submission)
    const submitted = a.version === version ? a : await this.deps.agreements.getVersion(agreementId, version);
    const service = await this.deps.services.get(a.serviceId);
    const tier = String(Math.min(4, Math.max(1, service?.tier ?? 4))) as '1';
    const hours = this.deps.policy.approval.deadlineHours[tier][a.kind];
    const dueAt = new Date(Date.parse(submitted?.changedAt ?? a.changedAt) + hours * HOUR).toISOString();
    return {
      status: 'submitted',
      signOffs: a.requiredSignOffs.map((s) => ({ capacity: s.capacity })),
      dueAt,
      reason: `${a.requiredSignOffs.length} sign-off(s) due by ${dueAt} (tier ${tier} ${a.kind}: ${hours} h)`,
    };
  }

  private async awaitSignOff(e: {
    agreementId: string;
    version: number;
    capacity: string;
    dueAt: string;
    round: number;
    executionId: string;
    taskToken: string;
  }) {
    const a = await this.deps.agreements.get(e.agreementId);
    if (!a) throw new ConflictError(`agreement ${e.agreementId} is gone`);
    const now = this.deps.clock.now().toISOString();
    const id = signOffTaskId(e.executionId, e.capacity);
    // A decision made before this callback ran (signed while no execution waited: a start made late by the
    // reconciliation, a quick approver) answers the token at once, with no task to act on and no request sent.
    const decided = await this.capacityState(a, e.version, e.capacity);
    if (decided !== 'submitted' && !(await this.deps.tasks.get(id))) {
      await this.answerDecided(a, e, decided);
      return { taskId: id };
    }
    const task = await this.deps.tasks.upsert({
      id,
      kind: 'signoff',
      workflow: 'approval',
      executionId: e.executionId,
      token: e.taskToken,
      subject: { type: 'agreement', id: a.id },
      businessUnit: a.businessUnit,
      serviceId: a.serviceId,
      title: `Sign off "${a.title}" (version ${e.version}) as ${e.capacity}`,
      assignees: { capacity: e.capacity },
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      dueAt: e.dueAt,
      externalRef: `ACCORD-${short(id, 10).toUpperCase()}`,
      data: { capacity: e.capacity, version: e.version, round: e.round },
    });
    // Revision 1: this run created the task (a later run, with a new token, refreshes it): the request goes out once.
    if (task.revision === 1) {
      await this.notify(a, e.capacity, task, 'requested', {
        subject: `Sign-off requested: ${a.title} (${e.capacity})`,
        paragraphs: [
          `${a.kind} "${a.title}" (${a.id}, version ${e.version}) waits for a sign-off as ${e.capacity}.`,
          `It is due by ${e.dueAt}. Reminders follow before then; an overdue sign-off escalates along the agreement's escalation matrix.`,
        ],
      });
    }
    // A decision made before a restart (the task exists) answers the new token at once.
    await this.answerDecided(a, e, await this.capacityState(a, e.version, e.capacity));
    return { taskId: task.id };
  }

  /** Answers a callback whose capacity is decided (or whose submission ended); nothing while it is still awaited. */
  private async answerDecided(
    a: AgreementVersion,
    e: { version: number; capacity: string; taskToken: string },
    state: SubmissionState,
  ): Promise<void> {
    if (state === 'approved' || state === 'rejected') {
      const signed = a.signOffs.filter((s) => s.capacity === e.capacity).at(-1);
      await this.deps.engine().sendTaskSuccess(e.taskToken, {
        decision: state,
        by: signed?.by ?? 'unknown',
        reason: await this.lastReason(a, e.version),
      });
    } else if (state === 'withdrawn' || state === 'superseded') {
      await this.deps.engine().sendTaskFailure(e.taskToken, 'Withdrawn', `the submission is ${state}`);
    }
  }

  private async followUp(e: {
    agreementId: string;
    version: number;
    capacity: string;
    dueAt: string;
    round: number;
    reminders: number;
    level: number;
    executionId?: string | undefined;
  }) {
    const a = await this.deps.agreements.get(e.agreementId);
    const state = a ? await this.capacityState(a, e.version, e.capacity) : 'withdrawn';
    const base = {
      agreementId: e.agreementId,
      version: e.version,
      capacity: e.capacity,
      dueAt: e.dueAt,
      round: e.round + 1,
    };
    if (!a || state !== 'submitted') {
      return {
        ...base,
        reminders: e.reminders,
        level: e.level,
        status: state === 'superseded' ? 'withdrawn' : state,
        reason: a ? await this.lastReason(a, e.version) : 'the agreement is gone',
      };
    }
    const steps = escalationLevels(a);
    const now = this.deps.clock.now().getTime();
    const d = followUp(Date.parse(e.dueAt), now, e, this.deps.policy.approval, Math.max(1, steps.length));
    const task = (await this.pendingSignOffs(a.id)).find((t) => t.data.capacity === e.capacity);
    if (d.remind !== null) {
      const hours = this.deps.policy.approval.remindBeforeHours[d.remind]!;
      await this.notify(a, e.capacity, task, `reminder-${d.remind}`, {
        subject: `Reminder: sign-off due in ${hours} h: ${a.title} (${e.capacity})`,
        paragraphs: [
          `The sign-off of "${a.title}" (${a.id}, version ${e.version}) as ${e.capacity} is due by ${e.dueAt}.`,
        ],
      });
    }
    if (d.escalateTo !== null) {
      const contacts = steps[d.escalateTo - 1] ?? [];
      await this.notify(
        a,
        e.capacity,
        task,
        `escalation-${d.escalateTo}`,
        {
          subject: `Escalation (level ${d.escalateTo}): overdue sign-off: ${a.title} (${e.capacity})`,
          paragraphs: [
            `The sign-off of "${a.title}" (${a.id}, version ${e.version}) as ${e.capacity} was due by ${e.dueAt} and is still missing.`,
            contacts.length
              ? `You are level ${d.escalateTo} of its escalation matrix.`
              : 'The agreement has no escalation matrix: its SLA managers are told instead.',
          ],
        },
        contacts,
        contacts.length ? [] : [{ role: 'sla-manager', businessUnit: a.businessUnit }],
      );
      if (task) {
        await this.deps.tasks.update(
          { ...task, data: { ...task.data, escalationLevel: d.escalateTo } },
          task.revision,
        );
      }
    }
    return { ...base, reminders: d.next.reminders, level: d.next.level, status: 'waiting', reason: '' };
  }

  private async activationTime(agreementId: string) {
    const a = await this.deps.agreements.get(agreementId);
    const now = this.deps.clock.now().getTime();
    const starts = a ? startOfLocalDay(a.effectiveFrom, a.timeZone) : now;
    const lastSignOff = Math.max(now, ...(a?.signOffs ?? []).map((s) => Date.parse(s.at)));
    const grace = lastSignOff + this.deps.policy.approval.activationDelayMinutes * 60_000;
    return { at: new Date(Math.max(grace, starts)).toISOString(), effectiveFrom: a?.effectiveFrom ?? null };
  }

  private async activate(agreementId: string, version: number) {
    const a = await this.deps.agreements.get(agreementId);
    if (!a) return { status: 'superseded', reason: 'the agreement is gone' };
    if (a.status === 'active')
      return { status: 'activated', reason: `already active (version ${a.version})` };
    // Stryker disable next-line ConditionalExpression: the status test only saves reading the versions: submissionState answers 'approved' only for an agreement approved or active, and an active one returned above, so `false` answers alike, with the same reason; the other variants fail approval-steps and approval-hooks
    if (a.status !== 'approved' || (await this.submissionState(a, version)) !== 'approved') {
      return { status: 'superseded', reason: `the agreement is ${a.status}` };
    }
    try {
      const v = await this.deps.useCases.activate(
        APPROVAL_PRINCIPAL,
        a.id,
        a.version,
        'every sign-off is in and the effective date has come (approval workflow)',
      );
      return { status: 'activated', reason: `active from version ${v.version}` };
    } catch (err) {
      // Held, not failed: the hourly lifecycle job activates it once its OLAs/UCs are in force.
      if (err instanceof ConflictError || err instanceof BusinessRuleError) {
        return { status: 'held', reason: err.message };
      }
      throw err;
    }
  }

  private async close(e: {
    agreementId: string;
    version: number;
    outcome: string;
    reason: string;
    executionId: string;
  }) {
    const now = this.deps.clock.now().toISOString();
    for (const t of await this.deps.tasks.list({ executionId: e.executionId, status: 'pending' })) {
      await this.deps.tasks.update(
        { ...t, status: 'cancelled', updatedAt: now, outcome: { reason: e.outcome } },
        t.revision,
      );
    }
    const a = await this.deps.agreements.get(e.agreementId);
    if (a) {
      const service = await this.deps.services.get(a.serviceId);
      await this.deps.notifications.notify({
        key: `approval/${e.executionId}/closed`,
        topic: `agreement:${a.id}`,
        event: `approval.${e.outcome}`,
        businessUnit: a.businessUnit,
        to: service ? [service.owner] : [],
        lists: [{ role: 'sla-manager', businessUnit: a.businessUnit, agreementId: a.id }],
        subject: `Approval ${e.outcome}: ${a.title}`,
        paragraphs: [
          `The approval of "${a.title}" (${a.id}, version ${e.version}) ended: ${e.outcome}.`,
          `Why: ${e.reason}`,
        ],
        links: [{ label: 'The agreement', url: `${this.deps.baseUrl}/v1/agreements/${a.id}` }],
        data: { agreementId: a.id, outcome: e.outcome, reason: e.reason },
      });
    }
    return { outcome: e.outcome, reason: e.reason };
  }

  private async notify(
    a: AgreementVersion,
    capacity: string,
    task: WorkTask | undefined,
    what: string,
    text: { subject: string; paragraphs: string[] },
    named: Recipient[] = [],
    extraLists: RecipientQuery[] = [],
  ): Promise<void> {
    const service = capacity === 'service-owner' ? await this.deps.services.get(a.serviceId) : undefined;
    const holders: Recipient[] = service ? [service.owner] : [];
    await this.deps.notifications.notify({
      key: `approval/${task?.executionId ?? a.id}/${capacity}/${what}`,
      topic: `agreement:${a.id}`,
      event:
        what === 'requested'
          ? 'approval.signoff-requested'
          : what.startsWith('escalation')
            ? 'approval.escalated'
            : 'approval.reminder',
      businessUnit: a.businessUnit,
      to: [...named, ...holders],
      lists: [{ capacity, businessUnit: a.businessUnit, agreementId: a.id }, ...extraLists],
      subject: text.subject,
      paragraphs: text.paragraphs,
      links: [
        ...(task ? [{ label: 'Your task', url: `${this.deps.baseUrl}/v1/tasks/${task.id}` }] : []),
        { label: 'The agreement', url: `${this.deps.baseUrl}/v1/agreements/${a.id}` },
      ],
      headers: task ? { 'X-Accord-Task': task.id, 'X-Accord-Task-Ref': task.externalRef } : {},
      data: { agreementId: a.id, capacity, ...(task ? { taskId: task.id } : {}) },
    });
  }

  private async pendingSignOffs(agreementId: string): Promise<WorkTask[]> {
    return (await this.deps.tasks.list({ subjectId: agreementId, status: 'pending' })).filter(
      (t) => t.kind === 'signoff',
    );
  }

  /** Settles a person's task record, then answers the engine; a token no longer waiting is left to the follow-up. */
  private async answer(
    t: WorkTask,
    change: { status: WorkTask['status']; outcome: Record<string, unknown>; by?: string },
    signal: () => Promise<void>,
  ): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.deps.tasks.update(
      {
        ...t,
        status: change.status,
        outcome: change.outcome,
        updatedAt: now,
        settledAt: now,
        ...(change.by ? { settledBy: change.by } : {}),
      },
      t.revision,
    );
    try {
      await signal();
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }

  /** Why the submission ended: the reason of the withdrawal or rejection written after `version`. */
  private async lastReason(a: AgreementVersion, version: number): Promise<string> {
    // Stryker disable next-line EqualityOperator: a step's version is always its execution's submission (changed() starts one only on a 'submit' change), so `>=` adds only that 'submit' version, neither a withdrawal nor a rejection; `<=` fails approval-steps
    const later = (await this.deps.agreements.listVersions(a.id)).filter((v) => v.version > version);
    // Stryker disable next-line Regex: change names are a closed set (see above): dropping an anchor changes nothing; the `.*` -> `.` variant is killed by approval-steps
    const end = later.find((v) => v.change === 'withdraw' || /^signoff:.*:rejected$/.test(v.change));
    if (end) return `${end.change === 'withdraw' ? 'withdrawn' : 'rejected'}: ${end.reason}`;
    return a.reason;
  }

  /** Where the submission of `version` stands, from the versions written since. */
  private async submissionState(a: AgreementVersion, version: number): Promise<SubmissionState> {
    // Stryker disable next-line ConditionalExpression: a step's version is its execution's submission, stored as submitted: while it is current, the path below (no later version, status submitted) answers 'submitted' too, so `false` only costs listing the versions; `true` and the status test's variants fail approval-steps and unit-of-work
    if (a.version === version) return a.status === 'submitted' ? 'submitted' : 'superseded';
    const later = (await this.deps.agreements.listVersions(a.id)).filter((v) => v.version > version);
    for (const v of later) {
      if (v.change === 'withdraw') return 'withdrawn';
      if (v.change === 'submit') return 'superseded';
      // Stryker disable next-line Regex: change names are a closed set (see above): dropping an anchor changes nothing; the `.*` -> `.` variant is killed by approval-steps
      if (/^signoff:.*:rejected$/.test(v.change)) return 'rejected';
    }
    if (a.status === 'submitted') return 'submitted';
    if (a.status === 'approved' || a.status === 'active') return 'approved';
    return 'superseded';
  }

  private async capacityState(
    a: AgreementVersion,
    version: number,
    capacity: string,
  ): Promise<SubmissionState> {
    const s = await this.submissionState(a, version);
    if (s !== 'submitted' && s !== 'approved') return s;
    const mine = a.signOffs.filter((x) => x.capacity === capacity);
    // Stryker disable next-line ConditionalExpression: a capacity's sign-off other than an approval is a rejection, which writes a 'signoff:<capacity>:rejected' version (submissionState answers 'rejected' above) and returns the agreement to draft, and the next submission clears the sign-offs: while the submission stands each one is an approval, so `x.decision === 'approved'` -> `true` answers alike; the other variants fail approval-steps and unit-of-work
    if (mine.some((x) => x.decision === 'approved')) return 'approved';
    return s === 'approved' ? 'approved' : 'submitted';
  }
}

/** The contacts of each escalation level of the agreement's matrix, level 1 first. */
export function escalationLevels(a: Pick<AgreementVersion, 'escalation'>): Recipient[][] {
  const levels = [...new Set(a.escalation.map((s) => s.level))].sort((x, y) => x - y);
  return levels.map((l) => a.escalation.filter((s) => s.level === l).map((s) => s.contact));
}

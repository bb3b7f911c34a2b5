import { createHash } from 'node:crypto';
import type { Principal } from '../../domain/access/policy.js';
import { localDate } from '../../domain/agreements/rules.js';
import { DomainError, ValidationError } from '../../domain/errors.js';
import type { Recipient, RecipientQuery } from '../../domain/workflows/recipients.js';
import { addDays, daysUntil, dueReminder, nextReviewDate } from '../../domain/workflows/renewals.js';
import type { WorkflowPolicy } from '../../policy/workflows.js';
import { type AgreementStore, eachAgreement } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type { ServiceStore } from '../../ports/services.js';
import type { WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import type { CompleteTaskBody } from '../../schemas/workflows.js';
import type { AgreementUseCases } from '../agreements.js';
import { escalationLevels } from './approval.js';
import type { Notifications } from './notifications.js';

/** The renewals job acts as this identity (the author of renewals and of review dates it moves). */
export const RENEWAL_PRINCIPAL: Principal = {
  subject: 'system:workflow-renewal',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

export interface RenewalDeps {
  agreements: AgreementStore;
  useCases: AgreementUseCases;
  services: ServiceStore;
  tasks: WorkTaskStore;
  notifications: Notifications;
  clock: Clock;
  policy: WorkflowPolicy['renewal'];
  baseUrl: string;
  pageSize?: number;
}

export interface RenewalRunSummary {
  /** `<agreement id>:<renewal|review>:<days before>` for each reminder due this run. */
  reminded: string[];
  renewed: string[];
  /** Auto-renewing agreements that reached their date after notice was given: not renewed. */
  notRenewed: string[];
  /** Reviews whose date passed without an outcome (told once to level 1 of the escalation matrix). */
  overdueReviews: string[];
  held: { id: string; reason: string }[];
}

const short = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);
/** The task of one renewal date (its notice or decision) and of one review date. */
export const renewalTaskId = (agreementId: string, date: string) =>
  `tsk_${short(`renewal|${agreementId}|${date}`)}`;
export const reviewTaskId = (agreementId: string, date: string) =>
  `tsk_${short(`review|${agreementId}|${date}`)}`;

/**
 * Renewals and periodic reviews (issue 11 item 3), run hourly by the `agreement-renewals` schedule
 * (shared/schedules.ts: an EventBridge rule on AWS, the embedded scheduler locally), so that each agreement's own
 * midnight is seen within the hour; every reminder is keyed by its cause, so a run repeats nothing. For every active agreement,
 * judged in its own time zone: reminders at the policy's offsets before its renewal date and its next review date to
 * its owners (the service's owner, the SLA managers of both parties), each once; a task for the provider's SLA
 * managers (kind `review`): to give notice on (or confirm) a renewal, to hold a review. An auto-renewing agreement
 * renews at its date by a new version through the agreement use case unless notice was given in time (its renewal
 * task completed as `rejected` no later than `noticeDays` before the date); a review's outcome, given by completing
 * its task, is recorded and schedules the next review.
 */
export class RenewalWorkflow {
  constructor(private readonly deps: RenewalDeps) {}

  async run(): Promise<RenewalRunSummary> {
    const summary: RenewalRunSummary = {
      reminded: [],
      renewed: [],
      notRenewed: [],
      overdueReviews: [],
      held: [],
    };
    for await (const a of eachAgreement(this.deps.agreements, { status: 'active' }, this.deps.pageSize)) {
      try {
        const today = localDate(this.deps.clock.now(), a.timeZone);
        if (a.renewal) await this.renewal(a, today, summary);
        await this.review(a, today, summary);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        summary.held.push({ id: a.id, reason: err.message });
      }
    }
    return summary;
  }

  /**
   * Completing a `review` task through POST /v1/tasks/{id}/complete. A renewal task: `rejected` gives notice (the
   * agreement does not renew), `approved` confirms the renewal. A review task: its `reason` is the review's outcome
   * (and `comment` the minutes); the agreement's next review date moves on by its cycle, as a new version.
   */
  async complete(p: Principal, t: WorkTask, body: CompleteTaskBody): Promise<Record<string, unknown>> {
    if (t.data.purpose === 'renewal') {
      if (!body.decision) {
        throw new ValidationError('a renewal task needs a decision', [
          {
            path: 'decision',
            problem: 'is required: approved (renew) or rejected (give notice: do not renew)',
          },
        ]);
      }
      const noticeBy = String(t.data.noticeBy);
      const today = String(t.data.timeZone ? localDate(this.deps.clock.now(), String(t.data.timeZone)) : '');
      return body.decision === 'rejected'
        ? { notice: true, noticeInTime: today <= noticeBy, noticeBy }
        : { notice: false };
    }
    const a = await this.deps.agreements.get(t.subject.id);
    if (!a) return { outcome: body.reason };
    const reviewed = String(t.data.reviewDate);
    const today = localDate(this.deps.clock.now(), a.timeZone);
    const next = nextReviewDate(reviewed, a.reviewCycle.everyMonths, today);
    if (a.reviewCycle.nextReviewDate === reviewed && (a.status === 'active' || a.status === 'draft')) {
      await this.deps.useCases.update(RENEWAL_PRINCIPAL, a.id, a.version, {
        reviewCycle: { ...a.reviewCycle, nextReviewDate: next },
        reason: `review of ${reviewed} held by ${p.subject}: ${body.reason}`,
      });
    }
    return { outcome: body.reason, ...(body.comment ? { minutes: body.comment } : {}), nextReviewDate: next };
  }

  private async renewal(a: AgreementVersion, today: string, s: RenewalRunSummary): Promise<void> {
    const r = a.renewal!;
    const left = daysUntil(today, r.renewalDate);
    const noticeBy = addDays(r.renewalDate, -r.noticeDays);
    const id = renewalTaskId(a.id, r.renewalDate);
    const due = dueReminder(this.deps.policy.remindDaysBefore, left);
    if (due !== null) {
      const task = await this.ensureTask(a, id, {
        title: r.autoRenew
          ? `"${a.title}" renews by itself on ${r.renewalDate}: give notice by ${noticeBy} to stop it`
          : `"${a.title}" is up for renewal on ${r.renewalDate}: decide whether to renew`,
        dueAt: `${r.autoRenew ? noticeBy : r.renewalDate}T00:00:00.000Z`,
        data: {
          purpose: 'renewal',
          renewalDate: r.renewalDate,
          noticeBy,
          autoRenew: r.autoRenew,
          timeZone: a.timeZone,
        },
      });
      await this.notify(a, `renewal/${a.id}/${r.renewalDate}/${due}`, 'renewal.reminder', task, {
        subject: `Renewal in ${left} days: ${a.title} (${r.renewalDate})`,
        paragraphs: [
          `${a.kind} "${a.title}" (${a.id}) reaches its renewal date on ${r.renewalDate}.`,
          r.autoRenew
            ? `It renews by itself for ${this.deps.policy.termMonths} months unless notice is given by ${noticeBy} (${r.noticeDays} days before).`
            : 'It does not renew by itself: decide whether to renew it, and draft the new terms in time.',
        ],
      });
      s.reminded.push(`${a.id}:renewal:${due}`);
    }
    if (left > 0 || !r.autoRenew) return;
    const task = await this.deps.tasks.get(id);
    const notice = task?.outcome?.notice === true && task.outcome.noticeInTime === true;
    if (notice) {
      await this.notify(a, `renewal/${a.id}/${r.renewalDate}/not-renewed`, 'renewal.not-renewed', undefined, {
        subject: `Not renewed (notice given): ${a.title}`,
        paragraphs: [
          `${a.kind} "${a.title}" (${a.id}) reached its renewal date ${r.renewalDate}; notice was given by ${task!.settledBy}, so it does not renew.`,
          a.effectiveTo
            ? `It ends after ${a.effectiveTo}.`
            : 'It has no end date: sunset it when the service ends.',
        ],
      });
      s.notRenewed.push(a.id);
      return;
    }
    const v = await this.deps.useCases.renew(
      RENEWAL_PRINCIPAL,
      a.id,
      a.version,
      this.deps.policy.termMonths,
      `auto-renewal on ${r.renewalDate} for ${this.deps.policy.termMonths} months (no notice given by ${noticeBy})`,
    );
    if (task?.status === 'pending') {
      const now = this.deps.clock.now().toISOString();
      await this.deps.tasks.update(
        {
          ...task,
          status: 'completed',
          outcome: { renewed: v.version },
          settledBy: RENEWAL_PRINCIPAL.subject,
          settledAt: now,
          updatedAt: now,
        },
        task.revision,
      );
    }
    await this.notify(a, `renewal/${a.id}/${r.renewalDate}/renewed`, 'renewal.renewed', undefined, {
      subject: `Renewed: ${a.title} until ${v.effectiveTo ?? v.renewal?.renewalDate}`,
      paragraphs: [
        `${a.kind} "${a.title}" (${a.id}) renewed by itself on ${r.renewalDate} for ${this.deps.policy.termMonths} months (version ${v.version}).`,
        `Next renewal date: ${v.renewal?.renewalDate}.`,
      ],
    });
    s.renewed.push(a.id);
  }

  private async review(a: AgreementVersion, today: string, s: RenewalRunSummary): Promise<void> {
    const date = a.reviewCycle.nextReviewDate;
    const left = daysUntil(today, date);
    const due = dueReminder(this.deps.policy.remindDaysBefore, left);
    const id = reviewTaskId(a.id, date);
    if (due === null && left > 0) return;
    const task = await this.ensureTask(a, id, {
      title: `Review "${a.title}" by ${date}: record its outcome (the next review follows every ${a.reviewCycle.everyMonths} months)`,
      dueAt: `${date}T00:00:00.000Z`,
      data: { purpose: 'review', reviewDate: date },
    });
    if (due !== null) {
      await this.notify(a, `review/${a.id}/${date}/${due}`, 'review.reminder', task, {
        subject: `Review in ${left} days: ${a.title} (${date})`,
        paragraphs: [`The periodic review of ${a.kind} "${a.title}" (${a.id}) is due on ${date}.`],
      });
      s.reminded.push(`${a.id}:review:${due}`);
    } else if (task.status === 'pending') {
      const [level1] = escalationLevels(a);
      await this.notify(
        a,
        `review/${a.id}/${date}/overdue`,
        'review.overdue',
        task,
        {
          subject: `Overdue review: ${a.title} (due ${date})`,
          paragraphs: [
            `The periodic review of ${a.kind} "${a.title}" (${a.id}) was due on ${date} and has no outcome.`,
          ],
        },
        level1 ?? [],
      );
      s.overdueReviews.push(a.id);
    }
  }

  private async ensureTask(
    a: AgreementVersion,
    id: string,
    t: { title: string; dueAt: string; data: Record<string, unknown> },
  ): Promise<WorkTask> {
    const existing = await this.deps.tasks.get(id);
    if (existing) return existing;
    const service = await this.deps.services.get(a.serviceId);
    const now = this.deps.clock.now().toISOString();
    return this.deps.tasks.upsert({
      id,
      kind: 'review',
      workflow: 'renewal',
      executionId: `renewals:${a.id}`,
      token: '',
      subject: { type: 'agreement', id: a.id },
      businessUnit: service?.businessUnit ?? a.businessUnit,
      serviceId: a.serviceId,
      title: t.title,
      assignees: { roles: ['sla-manager'] },
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      dueAt: t.dueAt,
      externalRef: `ACCORD-${short(id, 10).toUpperCase()}`,
      data: t.data,
    });
  }

  private async notify(
    a: AgreementVersion,
    key: string,
    event: string,
    task: WorkTask | undefined,
    text: { subject: string; paragraphs: string[] },
    named: Recipient[] = [],
  ): Promise<void> {
    const service = await this.deps.services.get(a.serviceId);
    const units = [a.parties.provider, a.parties.customer].flatMap((p) =>
      p.type === 'business-unit' ? [p.businessUnit] : [],
    );
    const lists: RecipientQuery[] = [...new Set([a.businessUnit, ...units])].map((u) => ({
      role: 'sla-manager',
      businessUnit: u,
      agreementId: a.id,
    }));
    await this.deps.notifications.notify({
      key,
      topic: `agreement:${a.id}`,
      event,
      businessUnit: a.businessUnit,
      to: [...named, ...(service ? [service.owner] : [])],
      lists,
      subject: text.subject,
      paragraphs: text.paragraphs,
      links: [
        ...(task ? [{ label: 'Your task', url: `${this.deps.baseUrl}/v1/tasks/${task.id}` }] : []),
        { label: 'The agreement', url: `${this.deps.baseUrl}/v1/agreements/${a.id}` },
      ],
      headers: task ? { 'X-Accord-Task': task.id, 'X-Accord-Task-Ref': task.externalRef } : {},
      data: { agreementId: a.id, ...(task ? { taskId: task.id } : {}) },
    });
  }
}

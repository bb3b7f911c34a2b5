import { createHash } from 'node:crypto';
import type { Commentary } from '../../domain/reports/model.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type { CommentaryRequest, CommentaryState, CommentaryWindow } from '../../ports/reports.js';
import { eachTask, type WorkTask, type WorkTaskStore } from '../../ports/tasks.js';
import type { Notifications } from '../workflows/notifications.js';

const HOUR = 3_600_000;
const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 26);

export interface CommentaryDeps {
  tasks: WorkTaskStore;
  agreements: AgreementStore;
  /** The workflows' notifier (built after the reports on AWS: looked up when needed). */
  notifications: () => Notifications | undefined;
  clock: Clock;
  /** Where people open a task (`<baseUrl>/v1/tasks/<id>`), in the e-mails. */
  baseUrl?: string | undefined;
}

/**
 * A report's commentary window as people's tasks (issue 12 item 4, on the tasks of issue 11): one `commentary` task
 * per owner of an objective that missed, addressed to the owner by e-mail and to the service's owners and SLA
 * managers in scope, due when the window closes, answered through `POST /v1/tasks/{id}/complete` with `comment`.
 * The owner is e-mailed when it opens and reminded at the policy's hours before the close (each reminder once: the
 * notifier keys it by task and offset); while a report is held for missing commentary, owners are reminded every
 * `heldRemindEveryHours` with the SLA managers in copy. The window is driven by the schedule table (open on the
 * 2nd, hourly follow-up, publication on the 5th), not by a state machine: the tasks carry its whole state.
 */
export class TaskCommentaryWindow implements CommentaryWindow {
  constructor(private readonly deps: CommentaryDeps) {}

  private notifier(): Notifications {
    const n = this.deps.notifications();
    if (!n) throw new Error('the notifier is not deployed here: owners cannot be asked for commentary');
    return n;
  }

  async open(req: CommentaryRequest): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    for (const o of req.objectives) {
      const id = `tsk_${short(`commentary|${req.publicationId}|${o.agreementId}|${o.objectiveId}`)}`;
      if (await this.deps.tasks.get(id)) continue; // the window was opened already: nothing asked twice
      const a = await this.deps.agreements.get(o.agreementId);
      if (!a) continue;
      const name = a.objectives.find((x) => x.id === o.objectiveId)?.name ?? o.objectiveId;
      const compliance = o.compliance === null ? 'no data' : `${o.compliance.toFixed(3)}%`;
      const task = await this.deps.tasks.upsert({
        id,
        kind: 'commentary',
        workflow: 'report-commentary',
        executionId: req.publicationId,
        token: '',
        subject: { type: 'agreement', id: a.id },
        businessUnit: a.businessUnit,
        serviceId: a.serviceId,
        title: `Explain why "${name}" of ${a.title} missed its target in ${req.period}`,
        assignees: { emails: [o.owner.email], roles: ['sla-manager', 'service-owner'] },
        status: 'pending',
        createdAt: now,
        updatedAt: now,
        dueAt: req.closesAt,
        externalRef: `commentary/${req.publicationId}/${a.id}/${o.objectiveId}`,
        data: {
          publicationId: req.publicationId,
          scheduleId: req.scheduleId,
          period: req.period,
          agreementId: a.id,
          objectiveId: o.objectiveId,
          objective: name,
          compliance: o.compliance,
          target: o.target,
          owner: o.owner,
        },
      });
      await this.ask(task, 'requested', [
        `"${name}" of ${a.title} reached ${compliance} in ${req.period} against a target of ${o.target}%.`,
        `Before the monthly report is published, please explain the deviation and the remediation. Your commentary is printed in the report and is part of its hash. The window closes at ${req.closesAt}.`,
      ]);
    }
  }

  /** E-mails a task's owner (and, when `copyManagers`, the SLA managers), once per `step`; answers how many were queued. */
  private async ask(t: WorkTask, step: string, paragraphs: string[], copyManagers = false): Promise<number> {
    const owner = t.data.owner as { name: string; email: string };
    const url = this.deps.baseUrl ? `${this.deps.baseUrl.replace(/\/$/, '')}/v1/tasks/${t.id}` : undefined;
    const { queued } = await this.notifier().notify({
      key: `commentary/${t.id}/${step}`,
      topic: `agreement:${t.subject.id}`,
      event: `report.commentary-${step.startsWith('remind') ? 'reminder' : step}`,
      businessUnit: t.businessUnit,
      to: [owner],
      lists: copyManagers ? [{ role: 'sla-manager', businessUnit: t.businessUnit }] : [],
      subject: `${step === 'requested' ? 'Commentary requested' : 'Reminder: commentary'}: ${t.title}`,
      paragraphs: [
        ...paragraphs,
        `Answer the task ${t.id} with your comment (POST /v1/tasks/${t.id}/complete, {"reason", "comment"}).`,
      ],
      ...(url ? { links: [{ label: 'Open the task', url }] } : {}),
      headers: { 'X-Accord-Task': t.id },
    });
    return queued;
  }

  private async tasksOf(publicationId: string): Promise<WorkTask[]> {
    const out: WorkTask[] = [];
    for await (const t of eachTask(this.deps.tasks, { executionId: publicationId })) {
      if (t.kind === 'commentary') out.push(t);
    }
    return out;
  }

  async collect(publicationId: string): Promise<Commentary[]> {
    // The task is answered with `comment` (the commentary) and the tasks API's required `reason`; a bare reason is
    // the commentary when no comment was given.
    const text = (t: WorkTask) => {
      const c = t.outcome?.comment ?? t.outcome?.reason;
      // Stryker disable next-line MethodExpression: a blank comment passing this test untrimmed is answered as '', which the caller's filter drops as it drops undefined
      return typeof c === 'string' && c.trim() ? c.trim() : undefined;
    };
    return (await this.tasksOf(publicationId))
      .filter((t) => t.status === 'completed' && text(t))
      .map((t) => ({
        agreementId: String(t.data.agreementId),
        objectiveId: String(t.data.objectiveId),
        author: String(t.outcome?.by ?? t.settledBy),
        at: t.settledAt ?? t.updatedAt,
        text: text(t)!,
      }))
      .sort(
        (a, b) => a.agreementId.localeCompare(b.agreementId) || a.objectiveId.localeCompare(b.objectiveId),
      );
  }

  async state(publicationId: string): Promise<CommentaryState> {
    const ts = await this.tasksOf(publicationId);
    const published = ts.find((t) => typeof t.data.publishedReportId === 'string');
    return {
      asked: ts.length,
      pending: ts.filter((t) => t.status === 'pending').length,
      publishedReportId: published ? String(published.data.publishedReportId) : undefined,
    };
  }

  async close(publicationId: string): Promise<number> {
    const now = this.deps.clock.now().toISOString();
    let n = 0;
    for (const t of await this.tasksOf(publicationId)) {
      if (t.status !== 'pending') continue;
      const next: WorkTask = {
        ...t,
        status: 'expired',
        outcome: { reason: 'the commentary window closed without an answer' },
        settledBy: 'system:reports',
        settledAt: now,
        updatedAt: now,
      };
      if (await this.deps.tasks.update(next, t.revision)) n++;
    }
    return n;
  }

  async published(publicationId: string, reportId: string): Promise<void> {
    for (const t of await this.tasksOf(publicationId)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const cur = attempt === 0 ? t : await this.deps.tasks.get(t.id);
        if (!cur) break;
        const next = { ...cur, data: { ...cur.data, publishedReportId: reportId } };
        if (await this.deps.tasks.update(next, cur.revision)) break;
      }
    }
  }

  async remind(policy: { remindHoursBefore: number[]; heldRemindEveryHours: number }): Promise<number> {
    const now = this.deps.clock.now().getTime();
    const pending: WorkTask[] = [];
    for await (const t of eachTask(this.deps.tasks, { status: 'pending' })) {
      if (t.kind === 'commentary' && t.dueAt) pending.push(t);
    }
    let sent = 0;
    for (const t of pending) {
      const due = Date.parse(t.dueAt!);
      if (now < due) {
        // The nearest offset whose time has come (offsets that fell due together are one reminder).
        const h = [...policy.remindHoursBefore].sort((a, b) => a - b).find((x) => now >= due - x * HOUR);
        if (h === undefined) continue;
        sent += await this.ask(t, `remind-${h}h`, [
          `The commentary window closes in less than ${h} hours (${t.dueAt}).`,
          `"${String(t.data.objective)}" missed its target in ${String(t.data.period)}; your explanation is still missing.`,
        ]);
      } else {
        // Past the close and still pending: the report is held for it (a `publish` window expires its tasks).
        const n = Math.floor((now - due) / (policy.heldRemindEveryHours * HOUR));
        sent += await this.ask(
          t,
          `remind-held-${n}`,
          [
            `The commentary window closed at ${t.dueAt}; the report is held until every owner has answered.`,
            `"${String(t.data.objective)}" missed its target in ${String(t.data.period)}; your explanation is still missing.`,
          ],
          true,
        );
      }
    }
    return sent;
  }
}

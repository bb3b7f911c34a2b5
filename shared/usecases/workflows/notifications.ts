import { createHash } from 'node:crypto';
import {
  type Recipient,
  type RecipientQuery,
  recipientsFor,
  webhooksFor,
} from '../../domain/workflows/recipients.js';
import type { DistributionPolicy, WorkflowPolicy } from '../../policy/workflows.js';
import type { Clock } from '../../ports/clock.js';
import type {
  AttachmentRef,
  EmailMessage,
  EmailSender,
  NotificationRecord,
  NotificationStore,
  RawEmail,
  WebhookRequest,
  WebhookSender,
} from '../../ports/notifier.js';

/** One notification to send: what it is about, to whom (named people and lists), and its words. */
export interface NotifyRequest {
  /** Idempotency key from what caused it (`approval/agr_…/v2/legal/requested`): the same key notifies once. */
  key: string;
  /** What it is about, `agreement:agr_…` or `violation:vio_…`. */
  topic: string;
  /** What happened, such as `approval.signoff-requested`; webhook subscriptions match on it. */
  event: string;
  businessUnit: string;
  /** People named directly (an owner, an escalation contact). */
  to?: readonly Recipient[];
  /** Lists to match (by role, capacity, business unit, agreement). */
  lists?: readonly RecipientQuery[];
  subject: string;
  /** Paragraphs of plain text; rendered as <p> in HTML. */
  paragraphs: readonly string[];
  /** Links, rendered as anchors in HTML and as `label: url` lines in text. */
  links?: readonly { label: string; url: string }[];
  /** Extra headers (X-Accord-Task …) and the webhook payload's data. */
  headers?: Record<string, string>;
  data?: Record<string, unknown>;
  /** Files from the archive, attached when the message is composed (reports). */
  attachments?: readonly AttachmentRef[];
  /** A complete e-mail-safe HTML body instead of the paragraphs' (reports); the caller escapes what it holds. */
  html?: string;
}

export interface NotificationDeps {
  store: NotificationStore;
  email: EmailSender;
  webhooks: WebhookSender;
  compose: (m: EmailMessage) => Promise<RawEmail>;
  sign: (secret: string, id: string, nowMs: number, body: string) => Record<string, string>;
  /** The signing secret of a webhook subscription, by the environment variable its policy names. */
  secret: (envName: string) => string | undefined;
  clock: Clock;
  distribution: DistributionPolicy;
  policy: WorkflowPolicy['notifications'];
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A key short enough for any backend's id (and a Message-ID's left part), still unique per cause. */
export const notificationId = (key: string) =>
  `ntf_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/**
 * Notifications: queued durably (one record per e-mail and per webhook subscription, keyed by their cause), then
 * delivered by `dispatch` with retries and backoff from policy, dead-lettered after the last attempt. Workflow steps
 * only queue, so a failing mail server or webhook endpoint never blocks or fails a workflow.
 */
export class Notifications {
  constructor(private readonly deps: NotificationDeps) {}

  /** Queues the e-mail (when anyone is to receive it) and one webhook per matching subscription. */
  async notify(req: NotifyRequest): Promise<{ queued: number; recipients: Recipient[] }> {
    const now = this.deps.clock.now();
    const to = recipientsFor(this.deps.distribution.lists, req.lists ?? [], req.to ?? []);
    let queued = 0;
    const base = {
      topic: req.topic,
      event: req.event,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now.getTime(),
      createdAt: now.toISOString(),
    };
    if (to.length > 0) {
      const id = notificationId(`email|${req.key}`);
      const linksText = (req.links ?? []).map((l) => `${l.label}: ${l.url}`);
      const email: EmailMessage = {
        id,
        from: this.deps.distribution.from,
        to,
        subject: req.subject,
        text: [...req.paragraphs, ...(linksText.length ? ['', ...linksText] : [])]
          .join('\n\n')
          .replace(/\n{3,}/g, '\n\n'),
        html: [
          '<!doctype html><html><body>',
          ...req.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
          ...(req.links ?? []).map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`),
          '</body></html>',
        ].join('\n'),
        date: now.toISOString(),
        headers: { 'X-Accord-Event': req.event, ...(req.headers ?? {}) },
        ...(req.attachments?.length ? { attachments: [...req.attachments] } : {}),
      };
      if (req.html !== undefined) email.html = req.html;
      if (await this.deps.store.enqueue({ ...base, id, channel: 'email', email })) queued++;
    }
    for (const sub of webhooksFor(this.deps.distribution.webhooks, req.event, req.businessUnit)) {
      const id = notificationId(`webhook|${sub.id}|${req.key}`);
      const payload = {
        type: req.event,
        timestamp: now.toISOString(),
        data: { topic: req.topic, subject: req.subject, ...(req.data ?? {}) },
      };
      const record: NotificationRecord = {
        ...base,
        id,
        channel: 'webhook',
        webhook: { url: sub.url, secretRef: sub.secretEnv, payload },
      };
      if (await this.deps.store.enqueue(record)) queued++;
    }
    return { queued, recipients: to };
  }

  /**
   * Delivers what is due: sent, retried later with backoff, or dead-lettered after the last attempt. Passes in one
   * process run one after another: a call made while another pass holds its claims (the embedded default's pump)
   * waits for that pass, then makes its own, so when it returns everything due at its call has been attempted.
   */
  async dispatch(limit = 100): Promise<{ sent: number; retried: number; dead: number }> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    const pass = this.dispatchPass(limit);
    this.inFlight = pass;
    try {
      return await pass;
    } finally {
      // Stryker disable next-line ConditionalExpression: no other pass can take the slot while this one holds it (a waiting call sets it only after this clears it), so the test is always true; it guards a future change
      if (this.inFlight === pass) this.inFlight = undefined;
    }
  }

  private inFlight: Promise<unknown> | undefined;

  private async dispatchPass(limit: number): Promise<{ sent: number; retried: number; dead: number }> {
    const counts = { sent: 0, retried: 0, dead: 0 };
    const { policy } = this.deps;
    for (;;) {
      const nowMs = this.deps.clock.now().getTime();
      const batch = await this.deps.store.claim(nowMs, limit, 60_000);
      for (const n of batch) {
        const error = await this.deliver(n).then(
          () => undefined,
          (e: unknown) => (e as Error).message || String(e),
        );
        const at = this.deps.clock.now();
        if (error === undefined) {
          await this.deps.store.settle(n.id, { status: 'sent', at: at.toISOString() });
          counts.sent++;
        } else if (n.attempts >= policy.maxAttempts) {
          await this.deps.store.settle(n.id, { status: 'dead', error });
          counts.dead++;
        } else {
          const wait = policy.backoffSeconds[Math.min(n.attempts - 1, policy.backoffSeconds.length - 1)]!;
          await this.deps.store.settle(n.id, {
            status: 'pending',
            nextAttemptAt: at.getTime() + wait * 1000,
            error,
          });
          counts.retried++;
        }
      }
      if (batch.length < limit) return counts;
    }
  }

  private async deliver(n: NotificationRecord): Promise<void> {
    if (n.channel === 'email' && n.email) {
      await this.deps.email.send(await this.deps.compose(n.email));
      return;
    }
    if (n.channel === 'webhook' && n.webhook) {
      const secret = this.deps.secret(n.webhook.secretRef);
      if (!secret) throw new Error(`no signing secret in ${n.webhook.secretRef}`);
      const body = JSON.stringify(n.webhook.payload);
      const req: WebhookRequest = {
        id: n.id,
        url: n.webhook.url,
        body,
        headers: this.deps.sign(secret, n.id, this.deps.clock.now().getTime(), body),
      };
      const { status } = await this.deps.webhooks.post(req);
      if (status < 200 || status >= 300) throw new Error(`the endpoint answered ${status}`);
      return;
    }
    throw new Error('a notification without content');
  }
}

import type {
  EmailSender,
  NotificationRecord,
  NotificationStatus,
  NotificationStore,
  RawEmail,
  WebhookRequest,
  WebhookSender,
} from '../../ports/notifier.js';

const clone = <T>(x: T): T => structuredClone(x);

/** Keeps sent messages in memory (unit tests); can be told to fail the next sends. */
export class MemoryEmailSender implements EmailSender {
  readonly sent: RawEmail[] = [];
  failNext = 0;
  async send(mail: RawEmail) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('mail server unavailable');
    }
    this.sent.push(mail);
    return { messageId: mail.messageId };
  }
}

/** Records webhook posts and answers a scripted status (200 by default). */
export class MemoryWebhookSender implements WebhookSender {
  readonly posts: WebhookRequest[] = [];
  status = 200;
  async post(req: WebhookRequest) {
    this.posts.push(clone(req));
    return { status: this.status };
  }
}

export class MemoryNotificationStore implements NotificationStore {
  private readonly rows = new Map<string, NotificationRecord>();

  async enqueue(n: NotificationRecord) {
    if (this.rows.has(n.id)) return false;
    this.rows.set(n.id, clone(n));
    return true;
  }
  async claim(nowMs: number, limit: number, leaseMs: number) {
    const due = [...this.rows.values()]
      .filter((n) => (n.status === 'pending' || n.status === 'sending') && n.nextAttemptAt <= nowMs)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id.localeCompare(b.id))
      .slice(0, limit);
    for (const n of due) {
      n.status = 'sending';
      n.attempts += 1;
      n.nextAttemptAt = nowMs + leaseMs;
    }
    return due.map(clone);
  }
  async settle(
    id: string,
    o:
      | { status: 'sent'; at: string }
      | { status: 'pending'; nextAttemptAt: number; error: string }
      | { status: 'dead'; error: string },
  ) {
    const n = this.rows.get(id);
    if (!n) return;
    n.status = o.status;
    if (o.status === 'sent') n.sentAt = o.at;
    if (o.status === 'pending') n.nextAttemptAt = o.nextAttemptAt;
    if (o.status !== 'sent') n.lastError = o.error;
  }
  async get(id: string) {
    const n = this.rows.get(id);
    return n ? clone(n) : undefined;
  }
  async list(q: { topic?: string; status?: NotificationStatus; limit?: number }) {
    return [...this.rows.values()]
      .filter(
        (n) =>
          (q.topic === undefined || n.topic === q.topic) && (q.status === undefined || n.status === q.status),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .slice(0, q.limit ?? 1000)
      .map(clone);
  }
}

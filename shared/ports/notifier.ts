/**
 * The notifier: e-mail and signed webhooks. Composing a message is pure (shared/adapters/mail/compose.ts);
 * a sender only ships bytes. Notifications are queued durably first (NotificationStore), keyed by what caused
 * them, so a workflow step that runs again after a restart never notifies twice, and a failing endpoint is
 * retried by the dispatcher, never by the workflow.
 */

export interface Address {
  name?: string | undefined;
  email: string;
}

/** A message before composition. */
export interface EmailMessage {
  /** Stable id (the notification's key): the Message-ID is derived from it, so a re-send carries the same one. */
  id: string;
  from: Address;
  to: Address[];
  cc?: Address[] | undefined;
  subject: string;
  text: string;
  html: string;
  /** The Date header (from the injected clock, never read by the composer). */
  date: string;
  /** Extra headers, such as X-Accord-Task. */
  headers?: Record<string, string> | undefined;
  /**
   * Files attached by reference to the archive: the queue holds the reference (a DynamoDB item stays far below its
   * 400 KB), and the bytes are read from the archive and checked against `sha256` when the message is composed.
   */
  attachments?: AttachmentRef[] | undefined;
}

/** A file in the WORM archive to attach to a message. */
export interface AttachmentRef {
  fileName: string;
  contentType: string;
  /** The archive key holding the bytes. */
  archiveKey: string;
  /** SHA-256 of the bytes (hex), as the archive's manifest recorded it. */
  sha256: string;
  /** Bytes. */
  size: number;
}

/** An attachment's bytes, resolved for composition. */
export interface AttachmentFile {
  fileName: string;
  contentType: string;
  content: Uint8Array;
}

/** A composed RFC 5322 message and its SMTP envelope. */
export interface RawEmail {
  messageId: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/** Ships composed e-mail: SES v2 (raw content), SMTP, or `.eml` files in a local outbox. */
export interface EmailSender {
  /** Sends one message; throws on failure (the dispatcher retries). Sending the same message id twice is allowed. */
  send(mail: RawEmail): Promise<{ messageId: string; transportId?: string | undefined }>;
}

/** One signed webhook delivery. */
export interface WebhookRequest {
  /** The webhook-id header: the same on every retry of this delivery. */
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Posts signed webhooks. Resolves with the HTTP status; throws only when no answer came (network, timeout). */
export interface WebhookSender {
  post(req: WebhookRequest): Promise<{ status: number }>;
}

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** A queued notification, e-mail or webhook, with its delivery bookkeeping. */
export interface NotificationRecord {
  /** Idempotency key, from what caused it (execution, step, recipient list): enqueueing it twice keeps one. */
  id: string;
  channel: 'email' | 'webhook';
  /** What it is about (`agreement:agr_…`, `violation:vio_…`), for listing. */
  topic: string;
  /** What happened (`approval.signoff-requested`, `remediation.escalated`, …). */
  event: string;
  email?: EmailMessage | undefined;
  webhook?: { url: string; secretRef: string; payload: Record<string, unknown> } | undefined;
  status: NotificationStatus;
  attempts: number;
  /** Epoch ms of the next delivery attempt (or of the lease's end while sending). */
  nextAttemptAt: number;
  createdAt: string;
  sentAt?: string | undefined;
  lastError?: string | undefined;
}

export interface NotificationStore {
  /** Queues a notification unless one with its id exists; true when it was queued now. */
  enqueue(n: NotificationRecord): Promise<boolean>;
  /**
   * Claims up to `limit` notifications due at `nowMs` (pending, or sending with an expired lease) and leases them
   * until `nowMs + leaseMs`; a claimed one is not claimed again while its lease runs.
   */
  claim(nowMs: number, limit: number, leaseMs: number): Promise<NotificationRecord[]>;
  /** Records the outcome of an attempt: sent, retry at a time, or dead (no more attempts). */
  settle(
    id: string,
    outcome:
      | { status: 'sent'; at: string }
      | { status: 'pending'; nextAttemptAt: number; error: string }
      | { status: 'dead'; error: string },
  ): Promise<void>;
  get(id: string): Promise<NotificationRecord | undefined>;
  /** Newest first. */
  list(q: { topic?: string; status?: NotificationStatus; limit?: number }): Promise<NotificationRecord[]>;
}

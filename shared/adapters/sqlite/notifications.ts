import type { Database, Statement } from 'better-sqlite3';
import type { NotificationRecord, NotificationStatus, NotificationStore } from '../../ports/notifier.js';
import { preparedOnce } from './statements.js';

/** The notification queue on the embedded default: one row per notification, claimed with a lease. */
export class SqliteNotificationStore implements NotificationStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS notification (
        id TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        status TEXT NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS notification_due ON notification (next_attempt_at) WHERE status IN ('pending', 'sending');
      CREATE INDEX IF NOT EXISTS notification_by_topic ON notification (topic, created_at);
    `);
  }

  async enqueue(n: NotificationRecord): Promise<boolean> {
    // Through the statement cache: preparing it at every call compiled the statement once per notification.
    const r = this.stmt(
      'INSERT OR IGNORE INTO notification (id, topic, status, next_attempt_at, created_at, body) VALUES (?,?,?,?,?,?)',
    ).run(n.id, n.topic, n.status, n.nextAttemptAt, n.createdAt, JSON.stringify(n));
    return r.changes === 1;
  }

  async claim(nowMs: number, limit: number, leaseMs: number): Promise<NotificationRecord[]> {
    const tx = this.db.transaction(() => {
      const rows = this.stmt(
        `SELECT body FROM notification WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?
           ORDER BY next_attempt_at, id LIMIT ?`,
      ).all(nowMs, limit) as { body: string }[];
      const update = this.stmt(
        `UPDATE notification SET status = 'sending', next_attempt_at = ?, body = ? WHERE id = ?`,
      );
      return rows.map((r) => {
        const n = JSON.parse(r.body) as NotificationRecord;
        const next: NotificationRecord = {
          ...n,
          status: 'sending',
          attempts: n.attempts + 1,
          nextAttemptAt: nowMs + leaseMs,
        };
        update.run(next.nextAttemptAt, JSON.stringify(next), n.id);
        return next;
      });
    });
    return tx();
  }

  async settle(
    id: string,
    o:
      | { status: 'sent'; at: string }
      | { status: 'pending'; nextAttemptAt: number; error: string }
      | { status: 'dead'; error: string },
  ): Promise<void> {
    const tx = this.db.transaction(() => {
      const row = this.stmt('SELECT body FROM notification WHERE id = ?').get(id) as
        | { body: string }
        | undefined;
      if (!row) return;
      const n = JSON.parse(row.body) as NotificationRecord;
      const next: NotificationRecord = {
        ...n,
        status: o.status,
        ...(o.status === 'sent' ? { sentAt: o.at } : { lastError: o.error }),
        ...(o.status === 'pending' ? { nextAttemptAt: o.nextAttemptAt } : {}),
      };
      this.stmt('UPDATE notification SET status = ?, next_attempt_at = ?, body = ? WHERE id = ?').run(
        next.status,
        next.nextAttemptAt,
        JSON.stringify(next),
        id,
      );
    });
    tx();
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const row = this.stmt('SELECT body FROM notification WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as NotificationRecord) : undefined;
  }

  async list(q: {
    topic?: string;
    status?: NotificationStatus;
    limit?: number;
  }): Promise<NotificationRecord[]> {
    return (
      this.stmt(
        `SELECT body FROM notification WHERE (@t IS NULL OR topic = @t) AND (@s IS NULL OR status = @s)
           ORDER BY created_at DESC, id DESC LIMIT @l`,
      ).all({ t: q.topic ?? null, s: q.status ?? null, l: q.limit ?? 1000 }) as { body: string }[]
    ).map((r) => JSON.parse(r.body) as NotificationRecord);
  }
}

import type { ArchiveAccess, ArchiveAccessLog } from '../../ports/archive.js';
import type { Db } from './db.js';

/** The archive access log in the embedded database: one row per retrieval, by time. */
export class SqliteArchiveAccessLog implements ArchiveAccessLog {
  private readonly s;
  constructor(db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS archive_access (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS archive_access_by_time ON archive_access (at, id);
    `);
    this.s = {
      put: db.prepare('INSERT OR IGNORE INTO archive_access (id, at, body) VALUES (?, ?, ?)'),
      list: db.prepare(
        'SELECT body FROM archive_access WHERE at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?',
      ),
    };
  }

  async record(a: ArchiveAccess): Promise<void> {
    this.s.put.run(a.id, a.at, JSON.stringify(a));
  }

  async list(q: { from: string; to: string; limit: number }): Promise<ArchiveAccess[]> {
    return (this.s.list.all(q.from, q.to, q.limit) as { body: string }[]).map(
      (r) => JSON.parse(r.body) as ArchiveAccess,
    );
  }
}

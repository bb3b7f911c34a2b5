import type { ArchiveHead, ArchiveHeadStore } from '../../ports/archive.js';
import type { Db } from './db.js';

/**
 * The archive chain's head in the embedded database (`.accord/accord.db`), apart from the files under
 * `.accord/archive/`: deleting the newest archive entries there leaves this row naming an entry that is gone.
 * One row; it only moves forward (`raise` updates it only to a higher sequence number, in one statement).
 */
export class SqliteArchiveHeadStore implements ArchiveHeadStore {
  private readonly s;
  constructor(db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS archive_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
    `);
    this.s = {
      get: db.prepare('SELECT seq, hash FROM archive_head WHERE id = 1'),
      raise: db.prepare(
        `INSERT INTO archive_head (id, seq, hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > archive_head.seq`,
      ),
    };
  }

  async get(): Promise<ArchiveHead | undefined> {
    const r = this.s.get.get() as { seq: number; hash: string } | undefined;
    return r ? { seq: r.seq, hash: r.hash } : undefined;
  }

  async raise(head: ArchiveHead): Promise<void> {
    this.s.raise.run(head.seq, head.hash);
  }
}

import type { Db } from './db.js';

/** One committed change, in commit order: the embedded default's equivalent of a DynamoDB stream record. */
export interface ChangeRow {
  seq: number;
  entity: 'agreement' | 'service' | 'exception-window' | 'vendor';
  entityId: string;
  oldDoc: string | null;
  newDoc: string;
  at: string;
}

export function ensureChangeLog(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS change_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      entity TEXT NOT NULL,
      entity_id TEXT NOT NULL,
      old_doc TEXT,
      new_doc TEXT NOT NULL,
      at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS stream_checkpoints (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL);
  `);
}

/** Reads the change log after a checkpoint and keeps each consumer's checkpoint: at-least-once delivery. */
export class SqliteChangeFeed {
  private readonly readStmt;
  private readonly getCp;
  private readonly setCp;
  constructor(db: Db) {
    ensureChangeLog(db);
    this.readStmt = db.prepare(
      'SELECT seq, entity, entity_id AS entityId, old_doc AS oldDoc, new_doc AS newDoc, at FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.getCp = db.prepare('SELECT seq FROM stream_checkpoints WHERE consumer = ?');
    this.setCp = db.prepare(
      'INSERT INTO stream_checkpoints (consumer, seq) VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET seq = excluded.seq',
    );
  }

  read(afterSeq: number, limit: number): ChangeRow[] {
    return this.readStmt.all(afterSeq, limit) as ChangeRow[];
  }

  checkpoint(consumer: string): number {
    return (this.getCp.get(consumer) as { seq: number } | undefined)?.seq ?? 0;
  }

  advance(consumer: string, seq: number): void {
    this.setCp.run(consumer, seq);
  }
}

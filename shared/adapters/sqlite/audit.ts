import type { AuditStore } from '../../ports/audit.js';
import type { AuditEntry } from '../../schemas/agreement.js';
import type { Db } from './db.js';

export class SqliteAuditStore implements AuditStore {
  private readonly s;
  constructor(db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit_entries (
        entity TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL, entry TEXT NOT NULL,
        PRIMARY KEY (entity, entity_id, version)
      ); -- a rowid table: entries (diffs) are large rows
    `);
    this.s = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO audit_entries (entity, entity_id, version, entry) VALUES (?, ?, ?, ?)',
      ),
      list: db.prepare(
        'SELECT entry FROM audit_entries WHERE entity = ? AND entity_id = ? AND version > ? ORDER BY version LIMIT ?',
      ),
    };
  }

  async record(entry: AuditEntry): Promise<boolean> {
    return (
      this.s.insert.run(entry.entity, entry.entityId, entry.version, JSON.stringify(entry)).changes === 1
    );
  }

  async list(
    entity: AuditEntry['entity'],
    entityId: string,
    o: { limit: number; afterVersion?: number },
  ): Promise<AuditEntry[]> {
    return (this.s.list.all(entity, entityId, o.afterVersion ?? 0, o.limit) as { entry: string }[]).map((r) =>
      JSON.parse(r.entry),
    );
  }
}

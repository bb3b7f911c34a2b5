import type { Database, Statement } from 'better-sqlite3';
import type { RemediationRecord, RemediationStore } from '../../ports/remediation.js';
import { preparedOnce } from './statements.js';

/** Remediation records on the embedded default: one row per violation, replaced under its revision. */
export class SqliteRemediationStore implements RemediationStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`CREATE TABLE IF NOT EXISTS remediation (
      violation_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID`);
  }
  async get(id: string): Promise<RemediationRecord | undefined> {
    const row = this.stmt('SELECT body FROM remediation WHERE violation_id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as RemediationRecord) : undefined;
  }
  async put(r: RemediationRecord, expected: number): Promise<boolean> {
    const next = JSON.stringify({ ...r, revision: expected + 1 });
    const res =
      expected === 0
        ? this.db
            .prepare('INSERT OR IGNORE INTO remediation (violation_id, revision, body) VALUES (?, 1, ?)')
            .run(r.violationId, next)
        : this.db
            .prepare('UPDATE remediation SET revision = ?, body = ? WHERE violation_id = ? AND revision = ?')
            .run(expected + 1, next, r.violationId, expected);
    return res.changes === 1;
  }
}

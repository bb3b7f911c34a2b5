import type { Database, Statement } from 'better-sqlite3';
import type { Person } from '../../domain/people.js';
import {
  awaitsStart,
  type CappedRecordResult,
  type ChangeRequestRecord,
  countsTowardCap,
  countsTowardRecentCap,
  type GovernanceRequest,
  type GovernanceRequestStore,
  type RecentCap,
  requestedAtOf,
  subjectOf,
} from '../../ports/governance.js';
import { preparedOnce } from './statements.js';

/** Change requests and freeze exceptions on the embedded default: one row each, replaced under its revision. */
export class SqliteGovernanceRequestStore implements GovernanceRequestStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`CREATE TABLE IF NOT EXISTS governance_requests (
      id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, requested_at TEXT NOT NULL,
      revision INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS governance_requests_subject ON governance_requests (subject_id, requested_at, id)`);
  }

  async get(id: string): Promise<GovernanceRequest | undefined> {
    const row = this.stmt('SELECT body FROM governance_requests WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as GovernanceRequest) : undefined;
  }

  async put(r: GovernanceRequest, expected: number): Promise<boolean> {
    const body = JSON.stringify({ ...r, revision: expected + 1 });
    const res =
      expected === 0
        ? this.stmt(
            `INSERT OR IGNORE INTO governance_requests (id, subject_id, requested_at, revision, body)
             VALUES (?, ?, ?, 1, ?)`,
          ).run(r.id, subjectOf(r), requestedAtOf(r), body)
        : this.stmt(
            'UPDATE governance_requests SET revision = ?, body = ? WHERE id = ? AND revision = ?',
          ).run(expected + 1, body, r.id, expected);
    return res.changes === 1;
  }

  async listBySubject(subjectId: string): Promise<GovernanceRequest[]> {
    const rows = this.stmt(
      'SELECT body FROM governance_requests WHERE subject_id = ? ORDER BY requested_at, id',
    ).all(subjectId) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as GovernanceRequest);
  }

  /**
   * Open change requests without an execution. The embedded default's requests are tens to thousands, and the
   * reconciliation asks every few minutes: one pass over the table, filtered as the port defines it.
   */
  async unstarted(limit: number): Promise<ChangeRequestRecord[]> {
    const rows = this.stmt(
      `SELECT body FROM governance_requests
       WHERE json_extract(body, '$.kind') = 'change-request' AND json_extract(body, '$.executionId') IS NULL
       ORDER BY requested_at, id`,
    ).all() as { body: string }[];
    return rows
      .map((r) => JSON.parse(r.body) as GovernanceRequest)
      .filter(awaitsStart)
      .slice(0, limit);
  }

  /** Count (both caps) and insert in one IMMEDIATE transaction: the write lock is taken before the count, so no other
   * writer, in this process or another on the same file, records between them. */
  async recordIfUnder(
    r: GovernanceRequest,
    limit: number,
    who: Person,
    recent?: RecentCap,
  ): Promise<CappedRecordResult> {
    const run = this.db.transaction((): CappedRecordResult => {
      if (this.stmt('SELECT 1 FROM governance_requests WHERE id = ?').get(r.id)) return { status: 'exists' };
      const rows = this.stmt(
        'SELECT body FROM governance_requests WHERE subject_id = ? ORDER BY requested_at, id',
      ).all(subjectOf(r)) as { body: string }[];
      const all = rows.map((x) => JSON.parse(x.body) as GovernanceRequest);
      const open = all.filter((x) => countsTowardCap(x, who));
      if (open.length >= limit) return { status: 'over-limit', openIds: open.map((x) => x.id) };
      if (recent) {
        const asked = all.filter((x) => countsTowardRecentCap(x, who, recent.since));
        if (asked.length >= recent.limit)
          return {
            status: 'over-recent-limit',
            asked: asked.map((x) => ({ id: x.id, requestedAt: x.requestedAt })),
          };
      }
      this.stmt(
        `INSERT INTO governance_requests (id, subject_id, requested_at, revision, body) VALUES (?, ?, ?, 1, ?)`,
      ).run(r.id, subjectOf(r), requestedAtOf(r), JSON.stringify({ ...r, revision: 1 }));
      return { status: 'recorded' };
    });
    return run.immediate();
  }
}

import type { Database } from 'better-sqlite3';
import { ConflictError } from '../../domain/errors.js';
import type { ServiceReview, ServiceReviewStore } from '../../ports/reviews.js';

/** Joint service reviews on the embedded default: the record as JSON, keyed for the per-agreement list. */
export class SqliteServiceReviewStore implements ServiceReviewStore {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS service_review (
        id TEXT PRIMARY KEY,
        agreement_id TEXT NOT NULL,
        review_date TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS service_review_by_agreement
        ON service_review (agreement_id, review_date, recorded_at);
    `);
  }

  async create(r: ServiceReview): Promise<void> {
    const done = this.db
      .prepare(
        `INSERT INTO service_review (id, agreement_id, review_date, recorded_at, body) VALUES (?,?,?,?,?)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(r.id, r.agreementId, r.date, r.recordedAt, JSON.stringify(r));
    if (done.changes === 0) throw new ConflictError(`review ${r.id} exists`);
  }

  async get(id: string): Promise<ServiceReview | undefined> {
    const row = this.db.prepare('SELECT body FROM service_review WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row && (JSON.parse(row.body) as ServiceReview);
  }

  async list(agreementId: string): Promise<ServiceReview[]> {
    const rows = this.db
      .prepare(
        `SELECT body FROM service_review WHERE agreement_id = ?
         ORDER BY review_date DESC, recorded_at DESC, id DESC`,
      )
      .all(agreementId) as { body: string }[];
    return rows.map((x) => JSON.parse(x.body) as ServiceReview);
  }
}

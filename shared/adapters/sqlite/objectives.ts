import type { Database, Statement } from 'better-sqlite3';
import { ConflictError, NotFoundError, VersionConflictError } from '../../domain/errors.js';
import type { EvaluationResult } from '../../domain/objectives/types.js';
import {
  type BudgetPoint,
  budgetPoint,
  type EvaluationStore,
  type ExceptionWindowRecord,
  type ExceptionWindowStore,
  type ViolationQuery,
  type ViolationRecord,
  type ViolationStore,
} from '../../ports/objectives.js';
import { ensureChangeLog } from './changes.js';

/** Exception windows: times as epoch ms columns for overlap queries; the record as JSON. */
export class SqliteExceptionWindowStore implements ExceptionWindowStore {
  constructor(private readonly db: Database) {
    ensureChangeLog(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS objective_exception (
        id TEXT PRIMARY KEY,
        agreement_id TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS objective_exception_by_agreement ON objective_exception (agreement_id, start_ms);
    `);
  }

  /** The window row and its change-log row (the audit trail's source) in one transaction. */
  async create(r: ExceptionWindowRecord): Promise<void> {
    this.createNow(r);
  }

  /**
   * The read, the check and the write in one IMMEDIATE transaction: the write lock is taken before the read, so no
   * other writer, in this process or another on the same file, stores a window between them.
   */
  async writeUnless<T>(
    next: ExceptionWindowRecord,
    around: { from: string; to: string },
    refuse: (windows: ExceptionWindowRecord[]) => T | undefined,
  ): Promise<T | undefined> {
    return this.db
      .transaction((): T | undefined => {
        const refused = refuse(this.listNow({ agreementId: next.agreementId, ...around }));
        if (refused !== undefined) return refused;
        if (next.version === 1) this.createNow(next);
        else this.updateNow(next);
        return undefined;
      })
      .immediate();
  }

  private createNow(r: ExceptionWindowRecord): void {
    this.db
      .transaction(() => {
        if (this.db.prepare('SELECT 1 FROM objective_exception WHERE id = ?').get(r.id)) {
          throw new ConflictError(`exception window ${r.id} already exists`);
        }
        const body = JSON.stringify(r);
        this.db
          .prepare(
            'INSERT INTO objective_exception (id, agreement_id, start_ms, end_ms, body) VALUES (?,?,?,?,?)',
          )
          .run(r.id, r.agreementId, Date.parse(r.start), Date.parse(r.end), body);
        this.logChange(r.id, null, body, r.changedAt);
      })
      .immediate();
  }

  async update(next: ExceptionWindowRecord): Promise<void> {
    this.updateNow(next);
  }

  private updateNow(next: ExceptionWindowRecord): void {
    this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT body FROM objective_exception WHERE id = ?').get(next.id) as
          | { body: string }
          | undefined;
        if (!row)
          throw new NotFoundError(`no exception window ${next.id}`, [
            { path: 'exceptionId', problem: `names no exception window (${next.id})` },
          ]);
        const current = JSON.parse(row.body) as ExceptionWindowRecord;
        if (current.version !== next.version - 1) {
          throw new VersionConflictError(
            `stale write: version ${next.version - 1} was expected, the current version is ${current.version}`,
            current,
          );
        }
        const body = JSON.stringify(next);
        this.db.prepare('UPDATE objective_exception SET body = ? WHERE id = ?').run(body, next.id);
        this.logChange(next.id, row.body, body, next.changedAt);
      })
      .immediate();
  }

  private logChange(id: string, oldDoc: string | null, newDoc: string, at: string): void {
    this.db
      .prepare(
        "INSERT INTO change_log (entity, entity_id, old_doc, new_doc, at) VALUES ('exception-window', ?, ?, ?, ?)",
      )
      .run(id, oldDoc, newDoc, at);
  }

  async get(id: string): Promise<ExceptionWindowRecord | undefined> {
    const row = this.db.prepare('SELECT body FROM objective_exception WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as ExceptionWindowRecord) : undefined;
  }

  async list(q: { agreementId?: string; from?: string; to?: string }): Promise<ExceptionWindowRecord[]> {
    return this.listNow(q);
  }

  private listNow(q: { agreementId?: string; from?: string; to?: string }): ExceptionWindowRecord[] {
    const rows = this.db
      .prepare(
        `SELECT body FROM objective_exception
         WHERE (@a IS NULL OR agreement_id = @a) AND (@f IS NULL OR end_ms > @f) AND (@t IS NULL OR start_ms < @t)
         ORDER BY start_ms, id`,
      )
      .all({
        a: q.agreementId ?? null,
        f: q.from ? Date.parse(q.from) : null,
        t: q.to ? Date.parse(q.to) : null,
      }) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ExceptionWindowRecord);
  }
}

/** Violations: a UNIQUE key column makes recording idempotent; filters are columns, the record is JSON. */
export class SqliteViolationStore implements ViolationStore {
  private updateStmt: Statement<unknown[]> | undefined;

  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS objective_violation (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        agreement_id TEXT NOT NULL,
        objective_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        business_unit TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        detected_ms INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS objective_violation_by_objective ON objective_violation (agreement_id, objective_id, status);
      CREATE INDEX IF NOT EXISTS objective_violation_by_service ON objective_violation (service_id, detected_ms);
      CREATE INDEX IF NOT EXISTS objective_violation_by_time ON objective_violation (detected_ms);
    `);
  }

  async record(v: ViolationRecord): Promise<{ violation: ViolationRecord; created: boolean }> {
    const tx = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT body FROM objective_violation WHERE key = ?').get(v.key) as
        | { body: string }
        | undefined;
      if (existing) return { violation: JSON.parse(existing.body) as ViolationRecord, created: false };
      try {
        this.db
          .prepare(
            `INSERT INTO objective_violation (id, key, agreement_id, objective_id, service_id, business_unit, severity,
               status, detected_ms, body) VALUES (?,?,?,?,?,?,?,?,?,?)`,
          )
          .run(...this.columns(v));
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
          throw new ConflictError(`violation ${v.id} already exists`);
        }
        throw e;
      }
      return { violation: v, created: true };
    });
    return tx.immediate();
  }

  async updateMany(vs: readonly ViolationRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const v of vs) this.updateSync(v);
    })();
  }

  async update(v: ViolationRecord): Promise<void> {
    this.updateSync(v);
  }

  private updateSync(v: ViolationRecord): void {
    this.updateStmt ??= this.db.prepare(
      `UPDATE objective_violation SET key = ?, agreement_id = ?, objective_id = ?, service_id = ?, business_unit = ?,
         severity = ?, status = ?, detected_ms = ?, body = ? WHERE id = ?`,
    );
    const res = this.updateStmt.run(...this.columns(v).slice(1), v.id);
    if (res.changes === 0)
      throw new NotFoundError(`violation ${v.id} not found`, [
        { path: 'violationId', problem: `names no violation (${v.id})` },
      ]);
  }

  async get(id: string): Promise<ViolationRecord | undefined> {
    const row = this.db.prepare('SELECT body FROM objective_violation WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as ViolationRecord) : undefined;
  }

  async findOpen(agreementId: string, objectiveId: string): Promise<ViolationRecord | undefined> {
    const row = this.db
      .prepare(
        `SELECT body FROM objective_violation WHERE agreement_id = ? AND objective_id = ? AND status = 'open'
         ORDER BY detected_ms DESC LIMIT 1`,
      )
      .get(agreementId, objectiveId) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ViolationRecord) : undefined;
  }

  async list(q: ViolationQuery): Promise<ViolationRecord[]> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    const eq = (col: string, name: string, v: unknown) => {
      if (v !== undefined) {
        where.push(`${col} = @${name}`);
        args[name] = v;
      }
    };
    eq('agreement_id', 'a', q.agreementId);
    eq('service_id', 's', q.serviceId);
    eq('objective_id', 'o', q.objectiveId);
    eq('severity', 'sev', q.severity);
    eq('status', 'st', q.status);
    if (q.from) {
      where.push('detected_ms >= @f');
      args.f = Date.parse(q.from);
    }
    if (q.to) {
      where.push('detected_ms < @t');
      args.t = Date.parse(q.to);
    }
    if (q.scope) {
      where.push(
        '(business_unit IN (SELECT value FROM json_each(@bus)) OR service_id IN (SELECT value FROM json_each(@svcs)))',
      );
      args.bus = JSON.stringify(q.scope.businessUnits);
      args.svcs = JSON.stringify(q.scope.serviceIds);
    }
    args.limit = q.limit ?? 100;
    const rows = this.db
      .prepare(
        `SELECT body FROM objective_violation ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY detected_ms DESC, id DESC LIMIT @limit`,
      )
      .all(args) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ViolationRecord);
  }

  private columns(v: ViolationRecord): unknown[] {
    return [
      v.id,
      v.key,
      v.agreementId,
      v.objectiveId,
      v.serviceId,
      v.businessUnit,
      v.severity,
      v.status,
      Date.parse(v.detectedAt),
      JSON.stringify(v),
    ];
  }
}

/**
 * Evaluation results: the latest per objective (as JSON) and a compact history point per evaluation.
 * History grows by one row per objective per run; `pruneHistory` (a daily schedule) keeps it bounded.
 */
export class SqliteEvaluationStore implements EvaluationStore {
  private readonly saveTx: (results: readonly EvaluationResult[]) => void;

  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS objective_latest (
        agreement_id TEXT NOT NULL,
        objective_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (agreement_id, objective_id)
      );
      CREATE INDEX IF NOT EXISTS objective_latest_by_service ON objective_latest (service_id);
      CREATE TABLE IF NOT EXISTS objective_history (
        agreement_id TEXT NOT NULL,
        objective_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        point TEXT NOT NULL,
        PRIMARY KEY (agreement_id, objective_id, at_ms)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS objective_history_by_time ON objective_history (at_ms);
    `);
    const upsertLatest = db.prepare(
      `INSERT INTO objective_latest (agreement_id, objective_id, service_id, body) VALUES (?,?,?,?)
       ON CONFLICT (agreement_id, objective_id) DO UPDATE SET service_id = excluded.service_id, body = excluded.body`,
    );
    const upsertPoint = db.prepare(
      `INSERT INTO objective_history (agreement_id, objective_id, at_ms, point) VALUES (?,?,?,?)
       ON CONFLICT (agreement_id, objective_id, at_ms) DO UPDATE SET point = excluded.point`,
    );
    this.saveTx = db.transaction((results: readonly EvaluationResult[]) => {
      for (const r of results) {
        upsertLatest.run(r.agreementId, r.objectiveId, r.serviceId, JSON.stringify(r));
        upsertPoint.run(
          r.agreementId,
          r.objectiveId,
          Date.parse(r.evaluatedAt),
          JSON.stringify(budgetPoint(r)),
        );
      }
    });
  }

  async save(results: readonly EvaluationResult[]): Promise<void> {
    this.saveTx(results);
  }

  async latest(q: {
    agreementId?: string;
    serviceId?: string;
    objectiveId?: string;
  }): Promise<EvaluationResult[]> {
    const rows = this.db
      .prepare(
        `SELECT body FROM objective_latest
         WHERE (@a IS NULL OR agreement_id = @a) AND (@s IS NULL OR service_id = @s) AND (@o IS NULL OR objective_id = @o)
         ORDER BY agreement_id, objective_id`,
      )
      .all({ a: q.agreementId ?? null, s: q.serviceId ?? null, o: q.objectiveId ?? null }) as {
      body: string;
    }[];
    return rows.map((r) => JSON.parse(r.body) as EvaluationResult);
  }

  async pruneHistory(before: string): Promise<number> {
    return this.db.prepare('DELETE FROM objective_history WHERE at_ms < ?').run(Date.parse(before)).changes;
  }

  async history(agreementId: string, objectiveId: string, from: string, to: string): Promise<BudgetPoint[]> {
    const rows = this.db
      .prepare(
        `SELECT point FROM objective_history WHERE agreement_id = ? AND objective_id = ? AND at_ms >= ? AND at_ms < ?
         ORDER BY at_ms`,
      )
      .all(agreementId, objectiveId, Date.parse(from), Date.parse(to)) as { point: string }[];
    return rows.map((r) => JSON.parse(r.point) as BudgetPoint);
  }
}

import type { Database, Statement } from 'better-sqlite3';
import { ValidationError } from '../../domain/errors.js';
import {
  type AssigneeQuery,
  assigneeKeys,
  type TaskQuery,
  type WorkTask,
  type WorkTaskStore,
} from '../../ports/tasks.js';
import { preparedOnce } from './statements.js';

/**
 * People's tasks on the embedded default; the record as JSON, the columns its lists filter on, and the index by
 * assignee (`work_task_key`: one row per key of `assigneeKeys` a task carries, with its status and creation time, so
 * that a person's page is a range of its primary key). Rows are written in the same transaction as the task.
 */
export class SqliteWorkTaskStore implements WorkTaskStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS work_task (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        external_ref TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revision INTEGER NOT NULL,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS work_task_by_status ON work_task (status, created_at);
      CREATE INDEX IF NOT EXISTS work_task_by_subject ON work_task (subject_id, created_at);
      -- (execution, created): an execution's tasks in list order, so the planner prefers it to the status index for an
      -- execution's pending tasks (a few per execution, filtered by status as read). Not the status: settling a task
      -- changes its status, and an index holding it is rewritten by every settle (a page more in each sign-off's commit).
      DROP INDEX IF EXISTS work_task_by_execution;
      DROP INDEX IF EXISTS work_task_by_execution_status;
      CREATE INDEX IF NOT EXISTS work_task_by_execution_created ON work_task (execution_id, created_at);
    `);
    const indexed = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'work_task_key'")
      .get();
    // The table and its backfill in one transaction: a file opened before this index existed gets every task's keys
    // once (a crash in between leaves no table, and the next open starts again).
    db.transaction(() => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS work_task_key (
          key TEXT NOT NULL,
          status TEXT NOT NULL,
          created_at TEXT NOT NULL,
          task_id TEXT NOT NULL,
          PRIMARY KEY (key, status, created_at, task_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS work_task_key_by_task ON work_task_key (task_id);
      `);
      if (!indexed) this.backfill(db);
    })();
    // Made once: better-sqlite3 builds a transaction function and its four variants on every `db.transaction()` call.
    // Only a task that exists is read and rewritten in a transaction; a new one is one INSERT (see `upsert`).
    this.refreshTx = db.transaction((task: Omit<WorkTask, 'revision'>): WorkTask => {
      const row = this.stmt('SELECT body FROM work_task WHERE id = ?').get(task.id) as
        | { body: string }
        | undefined;
      if (!row) {
        const created: WorkTask = { ...task, revision: 1 };
        this.insert(created, false);
        this.index(created, assigneeKeys(created));
        return created;
      }
      const current = JSON.parse(row.body) as WorkTask;
      const next: WorkTask = {
        ...current,
        token: task.token,
        dueAt: task.dueAt,
        assignees: task.assignees,
        data: { ...current.data, ...task.data },
        updatedAt: task.updatedAt,
        revision: current.revision + 1,
      };
      const keys = assigneeKeys(next);
      this.write(next);
      this.reindex(next, keys);
      return next;
    });
    this.createTx = db.transaction((created: WorkTask, keys: string[]): boolean => {
      if (!this.insert(created, true)) return false;
      this.index(created, keys);
      return true;
    });
    this.updateTx = db.transaction((next: WorkTask, expected: number, keys: string[]): boolean => {
      const r = this.stmt(
        'UPDATE work_task SET status = ?, revision = ?, body = ? WHERE id = ? AND revision = ?',
      ).run(next.status, next.revision, JSON.stringify(next), next.id, expected);
      if (r.changes !== 1) return false;
      this.reindex(next, keys);
      return true;
    });
  }

  private readonly createTx: (created: WorkTask, keys: string[]) => boolean;
  private readonly updateTx: (next: WorkTask, expected: number, keys: string[]) => boolean;

  /** Writes the index rows of every stored task (a file from before the index); a task it cannot index is skipped. */
  private backfill(db: Database): void {
    const page = db.prepare('SELECT id, body FROM work_task WHERE id > ? ORDER BY id LIMIT 1000');
    for (let after = ''; ; ) {
      const rows = page.all(after) as { id: string; body: string }[];
      for (const r of rows) {
        const t = JSON.parse(r.body) as WorkTask;
        let keys: string[];
        try {
          keys = assigneeKeys(t);
        } catch (e) {
          // More keys than any write allows (none can be stored since the limit): listed by `view=all` only.
          if (e instanceof ValidationError) continue;
          throw e;
        }
        this.index(t, keys);
      }
      if (rows.length < 1000) return;
      after = rows.at(-1)!.id;
    }
  }

  /** Adds the index rows of a task that has none. */
  private index(t: WorkTask, keys: string[]): void {
    const put = this.stmt('INSERT INTO work_task_key (key, status, created_at, task_id) VALUES (?,?,?,?)');
    for (const k of keys) put.run(k, t.status, t.createdAt, t.id);
  }

  /** Replaces the index rows of a task with `keys` at its current status (a few rows: its assignees' keys). */
  private reindex(t: WorkTask, keys: string[]): void {
    this.stmt('DELETE FROM work_task_key WHERE task_id = ?').run(t.id);
    this.index(t, keys);
  }

  /**
   * Creates the task at revision 1, or refreshes the one with its id. The creation, the common case (a callback step
   * runs once), is one statement that does nothing when the id exists (no read before it, no savepoint around it);
   * only then is the existing task read and rewritten, in one transaction.
   */
  async upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask> {
    const created: WorkTask = { ...task, revision: 1 };
    if (this.createTx(created, assigneeKeys(created))) return created;
    return this.refreshTx(task);
  }

  private readonly refreshTx: (task: Omit<WorkTask, 'revision'>) => WorkTask;

  /**
   * Inserts a new task; with `unlessExists`, nothing happens when a task has its id. Answers whether it inserted. Any
   * other constraint (another task's external reference, a missing column) throws, as a plain INSERT does.
   */
  private insert(t: WorkTask, unlessExists: boolean): boolean {
    return (
      this.stmt(
        `INSERT INTO work_task (id, status, subject_id, execution_id, external_ref, created_at, revision, body)
         VALUES (?,?,?,?,?,?,?,?)${unlessExists ? ' ON CONFLICT (id) DO NOTHING' : ''}`,
      ).run(t.id, t.status, t.subject.id, t.executionId, t.externalRef, t.createdAt, 1, JSON.stringify(t))
        .changes === 1
    );
  }

  async get(id: string): Promise<WorkTask | undefined> {
    return this.one('SELECT body FROM work_task WHERE id = ?', id);
  }

  async byExternalRef(ref: string): Promise<WorkTask | undefined> {
    return this.one('SELECT body FROM work_task WHERE external_ref = ?', ref);
  }

  async list(q: TaskQuery): Promise<WorkTask[]> {
    // Only the filters given, so that SQLite can read the subject's or the execution's index: a fixed statement with
    // `(@x IS NULL OR col = @x)` for each filter cannot use any index and scanned every pending task per call.
    const where: string[] = [];
    const args: Record<string, string | number> = { l: q.limit ?? 1000 };
    if (q.status !== undefined) {
      where.push('status = @s');
      args.s = q.status;
    }
    if (q.subjectId !== undefined) {
      where.push('subject_id = @sub');
      args.sub = q.subjectId;
    }
    if (q.executionId !== undefined) {
      where.push('execution_id = @e');
      args.e = q.executionId;
    }
    if (q.before !== undefined) {
      // A row value: the index's (created_at, then the key id) range after the place, read from the index, no sort.
      where.push('(created_at, id) < (@bc, @bi)');
      args.bc = q.before.createdAt;
      args.bi = q.before.id;
    }
    const sql = `SELECT body FROM work_task ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @l`;
    return (this.stmt(sql).all(args) as { body: string }[]).map((r) => JSON.parse(r.body) as WorkTask);
  }

  async listByAssignee(q: AssigneeQuery): Promise<WorkTask[]> {
    // A range of the index's primary key (key, status, then list order), read backwards; each task by its own key.
    const sql = `SELECT w.body FROM work_task_key k JOIN work_task w ON w.id = k.task_id
      WHERE k.key = @k AND k.status = @s${q.before ? ' AND (k.created_at, k.task_id) < (@bc, @bi)' : ''}
      ORDER BY k.created_at DESC, k.task_id DESC LIMIT @l`;
    const args: Record<string, string | number> = { k: q.key, s: q.status, l: q.limit ?? 1000 };
    if (q.before) {
      args.bc = q.before.createdAt;
      args.bi = q.before.id;
    }
    return (this.stmt(sql).all(args) as { body: string }[]).map((r) => JSON.parse(r.body) as WorkTask);
  }

  async update(task: WorkTask, expected: number): Promise<boolean> {
    const next = { ...task, revision: expected + 1 };
    return this.updateTx(next, expected, assigneeKeys(next));
  }

  private write(t: WorkTask): void {
    this.stmt('UPDATE work_task SET status = ?, revision = ?, body = ? WHERE id = ?').run(
      t.status,
      t.revision,
      JSON.stringify(t),
      t.id,
    );
  }

  private one(sql: string, arg: string): WorkTask | undefined {
    const row = this.stmt(sql).get(arg) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as WorkTask) : undefined;
  }
}

import type { Database, Statement } from 'better-sqlite3';
import type { TaskQuery, WorkTask, WorkTaskStore } from '../../ports/tasks.js';
import { preparedOnce } from './statements.js';

/** People's tasks on the embedded default; the record as JSON, the columns its lists filter on. */
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
    // Made once: better-sqlite3 builds a transaction function and its four variants on every `db.transaction()` call.
    // Only a task that exists is read and rewritten in a transaction; a new one is one INSERT (see `upsert`).
    this.refreshTx = db.transaction((task: Omit<WorkTask, 'revision'>): WorkTask => {
      const row = this.stmt('SELECT body FROM work_task WHERE id = ?').get(task.id) as
        | { body: string }
        | undefined;
      if (!row) {
        const created: WorkTask = { ...task, revision: 1 };
        this.insert(created, false);
        return created;
      }
      const current = JSON.parse(row.body) as WorkTask;
      const next: WorkTask = {
        ...current,
        token: task.token,
        dueAt: task.dueAt,
        data: { ...current.data, ...task.data },
        updatedAt: task.updatedAt,
        revision: current.revision + 1,
      };
      this.write(next);
      return next;
    });
  }

  /**
   * Creates the task at revision 1, or refreshes the one with its id. The creation, the common case (a callback step
   * runs once), is one statement that does nothing when the id exists (no read before it, no savepoint around it);
   * only then is the existing task read and rewritten, in one transaction.
   */
  async upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask> {
    const created: WorkTask = { ...task, revision: 1 };
    if (this.insert(created, true)) return created;
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

  async update(task: WorkTask, expected: number): Promise<boolean> {
    const next = { ...task, revision: expected + 1 };
    const r = this.stmt(
      'UPDATE work_task SET status = ?, revision = ?, body = ? WHERE id = ? AND revision = ?',
    ).run(next.status, next.revision, JSON.stringify(next), next.id, expected);
    return r.changes === 1;
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

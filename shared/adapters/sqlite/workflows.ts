import type { Database, Statement } from 'better-sqlite3';
import type { TaskTokenStore, TokenRecord } from '../../ports/tasks.js';
import type {
  ExecutionJournal,
  ExecutionPatchField,
  ExecutionRecord,
  ExecutionStatus,
  JournalStep,
  WorkflowName,
  WorkflowSubject,
} from '../../ports/workflows.js';
import { preparedOnce } from './statements.js';

/**
 * The embedded engine's executions, journals, durable timers and task tokens, in the one SQLite file. A step and
 * a token are single rows written by one statement each, so a crash leaves each either recorded or not.
 */
export class SqliteExecutionJournal implements ExecutionJournal {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS wf_execution (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        name TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (workflow, name)
      );
      CREATE INDEX IF NOT EXISTS wf_execution_by_subject ON wf_execution (subject_type, subject_id, started_at);
      -- (status, started_at): the executions a restart resumes, oldest first, read in index order.
      DROP INDEX IF EXISTS wf_execution_by_status;
      CREATE INDEX IF NOT EXISTS wf_execution_by_status_started ON wf_execution (status, started_at);
      CREATE TABLE IF NOT EXISTS wf_step (
        execution_id TEXT NOT NULL,
        key TEXT NOT NULL,
        status TEXT NOT NULL,
        wake_at INTEGER,
        body TEXT NOT NULL,
        PRIMARY KEY (execution_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS wf_step_wakes ON wf_step (wake_at) WHERE status = 'waiting';
    `);
    // Made once: better-sqlite3 builds a transaction function and its four variants on every `db.transaction()` call.
    this.putStepsTx = db.transaction(
      (
        executionId: string,
        steps: readonly JournalStep[],
        patch?: Partial<Pick<ExecutionRecord, ExecutionPatchField>>,
      ) => {
        const put = this.stmt(
          `INSERT INTO wf_step (execution_id, key, status, wake_at, body) VALUES (?,?,?,?,?)
           ON CONFLICT (execution_id, key) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, body = excluded.body`,
        );
        for (const s of steps) put.run(executionId, s.key, s.status, s.wakeAt ?? null, JSON.stringify(s));
        if (patch) this.patch(executionId, patch);
      },
    );
  }

  async create(e: ExecutionRecord): Promise<boolean> {
    const r = this.stmt(
      `INSERT OR IGNORE INTO wf_execution (id, workflow, name, subject_type, subject_id, status, started_at, body)
         VALUES (?,?,?,?,?,?,?,?)`,
    ).run(
      e.executionId,
      e.workflow,
      e.name,
      e.subject.type,
      e.subject.id,
      e.status,
      e.startedAt,
      JSON.stringify(e),
    );
    return r.changes === 1;
  }

  async get(id: string): Promise<ExecutionRecord | undefined> {
    const row = this.stmt('SELECT body FROM wf_execution WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as ExecutionRecord) : undefined;
  }

  async byName(workflow: WorkflowName, name: string): Promise<ExecutionRecord | undefined> {
    const row = this.stmt('SELECT body FROM wf_execution WHERE workflow = ? AND name = ?').get(
      workflow,
      name,
    ) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ExecutionRecord) : undefined;
  }

  async update(id: string, patch: Partial<Pick<ExecutionRecord, ExecutionPatchField>>): Promise<void> {
    // One statement: atomic by itself, no transaction (nor, inside the engine's batch, a savepoint) around it.
    this.patch(id, patch);
  }

  async markRunning(id: string): Promise<boolean> {
    // The status column and the body's status are written together, as `patch` writes them; a record not waiting is
    // not touched (not even rewritten unchanged).
    return (
      this.stmt(
        `UPDATE wf_execution SET status = 'running', body = json_set(body, '$.status', 'running')
           WHERE id = ? AND status = 'waiting'`,
      ).run(id).changes === 1
    );
  }

  /**
   * Patches the stored record in one statement, without reading it: each field the patch names is set in the JSON body
   * (`json_set`, the value as JSON), each it names as `undefined` removed (`json_remove`, as `JSON.stringify` of the
   * merged record drops it), and the status column follows the status. The result is the record `{...stored, ...patch}`
   * written whole (the same fields, in the same order); no read, parse and rewrite of the record in JavaScript.
   * No such execution: nothing changes.
   */
  private patch(id: string, patch: Partial<Pick<ExecutionRecord, ExecutionPatchField>>): void {
    const set: string[] = [];
    const removed: string[] = [];
    const values: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) removed.push(field);
      else {
        set.push(field);
        values.push(JSON.stringify(value));
      }
    }
    const status = patch.status;
    this.patchStatement(set, removed, status !== undefined).run(
      ...(status !== undefined ? [status] : []),
      ...values,
      id,
    );
  }

  /**
   * The UPDATE for one shape of patch (the fields set, the fields removed, whether the status column changes),
   * prepared once per shape.
   */
  private patchStatement(set: readonly string[], removed: readonly string[], status: boolean): Statement {
    const key = `${set.join(',')}|${removed.join(',')}|${status}`;
    let st = this.patches.get(key);
    if (!st) {
      // Field names come from ExecutionPatchField (code, never input); they are checked anyway before entering SQL.
      for (const f of [...set, ...removed])
        if (!/^[A-Za-z]+$/.test(f)) throw new Error(`not an execution field: ${f}`);
      let body = 'body';
      if (removed.length) body = `json_remove(${body}, ${removed.map((f) => `'$.${f}'`).join(', ')})`;
      if (set.length) body = `json_set(${body}, ${set.map((f) => `'$.${f}', json(?)`).join(', ')})`;
      st = this.db.prepare(
        `UPDATE wf_execution SET ${status ? 'status = ?, ' : ''}body = ${body} WHERE id = ?`,
      );
      this.patches.set(key, st);
    }
    return st;
  }

  private readonly patches = new Map<string, Statement>();

  async listBySubject(subject: WorkflowSubject): Promise<ExecutionRecord[]> {
    return (
      this.stmt(
        `SELECT body FROM wf_execution WHERE subject_type = ? AND subject_id = ?
           ORDER BY started_at DESC, id DESC`,
      ).all(subject.type, subject.id) as { body: string }[]
    ).map((r) => JSON.parse(r.body) as ExecutionRecord);
  }

  async idsWithStatus(statuses: readonly ExecutionStatus[], limit: number): Promise<string[]> {
    if (statuses.length === 0) return [];
    return (
      this.stmt(
        `SELECT id FROM wf_execution WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY started_at LIMIT ?`,
      ).all(...statuses, limit) as { id: string }[]
    ).map((r) => r.id);
  }

  async steps(executionId: string): Promise<Map<string, JournalStep>> {
    const rows = this.stmt('SELECT body FROM wf_step WHERE execution_id = ?').all(executionId) as {
      body: string;
    }[];
    const out = new Map<string, JournalStep>();
    for (const r of rows) {
      const s = JSON.parse(r.body) as JournalStep;
      out.set(s.key, s);
    }
    return out;
  }

  async putStep(executionId: string, step: JournalStep): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO wf_step (execution_id, key, status, wake_at, body) VALUES (?,?,?,?,?)
         ON CONFLICT (execution_id, key) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, body = excluded.body`,
      )
      .run(executionId, step.key, step.status, step.wakeAt ?? null, JSON.stringify(step));
  }

  async putSteps(
    executionId: string,
    steps: readonly JournalStep[],
    patch?: Partial<Pick<ExecutionRecord, ExecutionPatchField>>,
  ): Promise<void> {
    this.putStepsTx(executionId, steps, patch);
  }

  private readonly putStepsTx: (
    executionId: string,
    steps: readonly JournalStep[],
    patch?: Partial<Pick<ExecutionRecord, ExecutionPatchField>>,
  ) => void;

  async dueWakes(nowMs: number, limit: number): Promise<string[]> {
    return (
      this.stmt(
        // Through the partial index of waiting steps, earliest first: written as one DISTINCT query, SQLite chose to
        // scan every step in key order (distinct for free), once per timer tick.
        `SELECT DISTINCT id FROM (SELECT execution_id AS id FROM wf_step WHERE status = 'waiting' AND wake_at <= ?
           ORDER BY wake_at) LIMIT ?`,
      ).all(nowMs, limit) as { id: string }[]
    ).map((r) => r.id);
  }
}

/** Pending callback tokens with their heartbeat and timeout instants (indexed for the timer query). */
export class SqliteTaskTokenStore implements TaskTokenStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(db: Database) {
    this.stmt = preparedOnce(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS wf_token (
        token TEXT PRIMARY KEY,
        execution_id TEXT NOT NULL,
        status TEXT NOT NULL,
        due_at INTEGER,
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS wf_token_due ON wf_token (due_at) WHERE status = 'pending';
      -- By execution only: settling a token changes its status, and an index holding the status is rewritten by every
      -- settle (a page more in the commit of each sign-off); an execution has a few tokens, filtered by status as read.
      DROP INDEX IF EXISTS wf_token_by_execution;
      CREATE INDEX IF NOT EXISTS wf_token_of_execution ON wf_token (execution_id);
    `);
    // Made once: better-sqlite3 builds a transaction function and its four variants on every `db.transaction()` call.
    this.settleTx = db.transaction(
      (
        token: string,
        outcome:
          | { status: 'succeeded'; output: unknown }
          | { status: 'failed'; error: string; cause: string },
      ): { record: TokenRecord | undefined; settled: boolean } => {
        const row = this.stmt('SELECT body FROM wf_token WHERE token = ?').get(token) as
          | { body: string }
          | undefined;
        if (!row) return { record: undefined, settled: false };
        const current = JSON.parse(row.body) as TokenRecord;
        if (current.status !== 'pending') return { record: current, settled: false };
        const next: TokenRecord = { ...current, ...outcome };
        this.stmt('UPDATE wf_token SET status = ?, due_at = NULL, body = ? WHERE token = ?').run(
          next.status,
          JSON.stringify(next),
          token,
        );
        return { record: next, settled: true };
      },
    );
  }

  async register(t: TokenRecord): Promise<void> {
    const due = [t.heartbeatAt, t.timeoutAt].filter((x): x is number => x !== undefined);
    this.stmt(
      'INSERT OR IGNORE INTO wf_token (token, execution_id, status, due_at, body) VALUES (?,?,?,?,?)',
    ).run(t.token, t.executionId, t.status, due.length ? Math.min(...due) : null, JSON.stringify(t));
  }

  async get(token: string): Promise<TokenRecord | undefined> {
    const row = this.stmt('SELECT body FROM wf_token WHERE token = ?').get(token) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as TokenRecord) : undefined;
  }

  async settle(
    token: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string },
  ): Promise<{ record: TokenRecord | undefined; settled: boolean }> {
    return this.settleTx(token, outcome);
  }

  private readonly settleTx: (
    token: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string },
  ) => { record: TokenRecord | undefined; settled: boolean };

  async due(nowMs: number, limit: number): Promise<TokenRecord[]> {
    return (
      this.stmt(
        `SELECT body FROM wf_token WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?`,
      ).all(nowMs, limit) as { body: string }[]
    ).map((r) => JSON.parse(r.body) as TokenRecord);
  }

  async ofExecution(executionId: string): Promise<TokenRecord[]> {
    return (
      this.stmt('SELECT body FROM wf_token WHERE execution_id = ?').all(executionId) as { body: string }[]
    ).map((r) => JSON.parse(r.body) as TokenRecord);
  }

  async pendingOf(executionId: string): Promise<TokenRecord[]> {
    return (
      this.stmt(`SELECT body FROM wf_token WHERE execution_id = ? AND status = 'pending'`).all(
        executionId,
      ) as { body: string }[]
    ).map((r) => JSON.parse(r.body) as TokenRecord);
  }
}

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteWorkTaskStore } from '../../shared/adapters/sqlite/tasks.js';
import { createdIndexes, queryPlan, recordingDb } from '../helpers/query-plans.js';
import { workTask, workTaskStoreContract } from './work-task-store.contract.js';

workTaskStoreContract('sqlite', () => new SqliteWorkTaskStore(new Database(':memory:')));

describe('the SQLite task store’s indexes', () => {
  it('keep a task’s status out of the index by execution, so settling a task rewrites one index fewer', () => {
    // Every index naming a column that an UPDATE sets is rewritten by it: a settle sets status, revision and body.
    const db = new Database(':memory:');
    new SqliteWorkTaskStore(db);
    expect(createdIndexes(db, 'work_task')).toEqual({
      work_task_by_status: ['status', 'created_at'],
      work_task_by_subject: ['subject_id', 'created_at'],
      work_task_by_execution_created: ['execution_id', 'created_at'],
    });
  });

  it('list an execution’s pending tasks through the index by execution, in list order', async () => {
    const { db, ran } = recordingDb(new Database(':memory:'));
    const store = new SqliteWorkTaskStore(db);
    expect(await store.list({ executionId: 'x', status: 'pending' })).toEqual([]);
    const [listed] = [...ran.values()].filter((s) => s.sql.includes('execution_id = @e'));
    expect(queryPlan(db, listed!)).toEqual([
      'SEARCH work_task USING INDEX work_task_by_execution_created (execution_id=?)',
    ]);
  });

  it('read a page after a keyset place as a range of the index, in list order, with no scan and no sort', async () => {
    const { db, ran } = recordingDb(new Database(':memory:'));
    const store = new SqliteWorkTaskStore(db);
    const before = { createdAt: '2026-03-02T00:00:00.000Z', id: 'tsk_b' };
    await store.list({ status: 'pending', limit: 500, before });
    await store.list({ subjectId: 'agr_1', status: 'pending', limit: 500, before });
    const [byStatus, bySubject] = [...ran.values()].filter((s) => s.sql.includes('(created_at, id) <'));
    expect(queryPlan(db, byStatus!)).toEqual([
      'SEARCH work_task USING INDEX work_task_by_status (status=? AND (created_at,id)<(?,?))',
    ]);
    expect(queryPlan(db, bySubject!)).toEqual([
      'SEARCH work_task USING INDEX work_task_by_subject (subject_id=? AND (created_at,id)<(?,?))',
    ]);
  });

  it('create a new task with one INSERT, its index rows, and no read before it', async () => {
    const { db, ran, clear } = recordingDb(new Database(':memory:'));
    const store = new SqliteWorkTaskStore(db);
    clear(); // the statements of opening the store (the index's backfill check)
    const task = workTask('tsk_1');
    expect(await store.upsert(task)).toEqual({ ...task, revision: 1 });
    expect([...ran.keys()].map((sql) => sql.replace(/\s+/g, ' ').split(' (')[0])).toEqual([
      'INSERT INTO work_task',
      'INSERT INTO work_task_key',
    ]);
    // The same id again: read and refreshed (revision 2); another id with its external reference: refused.
    expect(await store.upsert({ ...task, token: 'tok_2' })).toMatchObject({ token: 'tok_2', revision: 2 });
    await expect(store.upsert({ ...task, id: 'tsk_2' })).rejects.toThrow(/UNIQUE/);
    expect(await store.get('tsk_2')).toBeUndefined();
  });

  it('list a person’s tasks as a range of the index by assignee’s key, each task by its id, no scan, no sort', async () => {
    const { db, ran } = recordingDb(new Database(':memory:'));
    const store = new SqliteWorkTaskStore(db);
    const before = { createdAt: '2026-03-02T00:00:00.000Z', id: 'tsk_b' };
    await store.listByAssignee({ key: 'cap:legal', status: 'pending', limit: 51 });
    await store.listByAssignee({ key: 'cap:legal', status: 'pending', limit: 51, before });
    const [first, after] = [...ran.values()].filter((s) => s.sql.includes('FROM work_task_key'));
    expect(queryPlan(db, first!)).toEqual([
      'SEARCH k USING PRIMARY KEY (key=? AND status=?)',
      'SEARCH w USING PRIMARY KEY (id=?)',
    ]);
    expect(queryPlan(db, after!)).toEqual([
      'SEARCH k USING PRIMARY KEY (key=? AND status=? AND (created_at,task_id)<(?,?))',
      'SEARCH w USING PRIMARY KEY (id=?)',
    ]);
    // A settle rewrites a task's index rows, found by the task's id, not by a scan of the index.
    const t = await store.upsert(workTask('tsk_1'));
    await store.update({ ...t, status: 'completed' }, t.revision);
    const [byTask] = [...ran.values()].filter((s) => s.sql.startsWith('DELETE FROM work_task_key'));
    expect(queryPlan(db, byTask!)).toEqual([
      'SEARCH work_task_key USING COVERING INDEX work_task_key_by_task (task_id=?)',
    ]);
  });

  it('index the tasks of a file opened before the index by assignee, once, at open', async () => {
    // 1,005 tasks: more than one page of the backfill (1,000 a page).
    const db = new Database(':memory:');
    const old = new SqliteWorkTaskStore(db);
    for (let i = 0; i < 1005; i++)
      await old.upsert(
        workTask(`tsk_${String(i).padStart(4, '0')}`, {
          assignees: { emails: [i % 2 ? 'Ana@Example.com' : 'bo@example.com'] },
          ...(i === 1004 ? { status: 'completed' } : {}),
        }),
      );
    // As the file was before this change: no index table.
    db.exec('DROP TABLE work_task_key');
    const store = new SqliteWorkTaskStore(db);
    const ana = await store.listByAssignee({ key: 'email:ana@example.com', status: 'pending', limit: 2000 });
    expect(ana).toHaveLength(502);
    expect(ana[0]?.id).toBe('tsk_1003');
    expect(ana.at(-1)?.id).toBe('tsk_0001');
    expect(
      await store.listByAssignee({ key: 'email:bo@example.com', status: 'pending', limit: 2000 }),
    ).toHaveLength(502);
    expect(
      (await store.listByAssignee({ key: 'email:bo@example.com', status: 'completed' })).map((t) => t.id),
    ).toEqual(['tsk_1004']);
    // Opened again: nothing indexed twice (the primary key would refuse it), the same rows.
    const count = () => (db.prepare('SELECT count(*) AS n FROM work_task_key').get() as { n: number }).n;
    expect(count()).toBe(1005);
    new SqliteWorkTaskStore(db);
    expect(count()).toBe(1005);
  });
});

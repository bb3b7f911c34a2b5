import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteWorkTaskStore } from '../../shared/adapters/sqlite/tasks.js';
import { queryPlan, recordingDb } from '../helpers/query-plans.js';
import { workTaskStoreContract } from './work-task-store.contract.js';

workTaskStoreContract('sqlite', () => new SqliteWorkTaskStore(new Database(':memory:')));

describe('the SQLite task store’s indexes', () => {
  it('keep a task’s status out of the index by execution, so settling a task rewrites one index fewer', () => {
    // Every index naming a column that an UPDATE sets is rewritten by it: a settle sets status, revision and body.
    const db = new Database(':memory:');
    new SqliteWorkTaskStore(db);
    const columns = (index: string) =>
      (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name);
    const indexes = (db.prepare(`PRAGMA index_list(work_task)`).all() as { name: string; origin: string }[])
      .filter((i) => i.origin === 'c')
      .map((i) => [i.name, columns(i.name)]);
    expect(Object.fromEntries(indexes)).toEqual({
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
});

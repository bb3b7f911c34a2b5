import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LocalWorkflowEngine } from '../../shared/adapters/local-sfn/engine.js';
import { type AslDefinition, substitute } from '../../shared/adapters/local-sfn/transform.js';
import { SqliteExecutionJournal, SqliteTaskTokenStore } from '../../shared/adapters/sqlite/workflows.js';
import { SqliteWriteBatch } from '../../shared/adapters/sqlite/write-batch.js';
import { createdIndexes, fullScans, recordingDb } from '../helpers/query-plans.js';
import { workflowEngineContract } from './workflow-engine.contract.js';

workflowEngineContract('sqlite', () => {
  const db = new Database(':memory:');
  return {
    journal: new SqliteExecutionJournal(db),
    tokens: new SqliteTaskTokenStore(db),
    batch: new SqliteWriteBatch(db, (error) => {
      throw error;
    }),
  };
});

describe('the embedded engine’s SQLite statements', () => {
  it('find due timers, tokens and an execution’s steps through indexes, so a timer tick costs the same whatever the history', async () => {
    const real = new Database(':memory:');
    const { db, ran, clear } = recordingDb(real);
    const journal = new SqliteExecutionJournal(db);
    const tokens = new SqliteTaskTokenStore(db);
    for (let i = 0; i < 30; i++) {
      const id = `local:approval:e${i}`;
      await journal.create({
        executionId: id,
        workflow: 'approval',
        name: `e${i}`,
        subject: { type: 'agreement', id: `agr_${i}` },
        status: 'waiting',
        startedAt: `2026-03-02T09:00:${String(i).padStart(2, '0')}.000Z`,
        input: {},
        path: [],
      });
      await journal.putSteps(id, [
        { key: `Plan:${i}:0`, status: 'done', output: {} },
        { key: `Wait:${i}:0`, status: 'waiting', wakeAt: 1_000 + i },
      ]);
      await tokens.register({
        token: `tok_${i}`,
        executionId: id,
        stepKey: `Ask:${i}:0`,
        status: 'pending',
        heartbeatAt: 2_000 + i,
      });
    }
    clear();
    expect(await journal.dueWakes(1_004, 100)).toEqual([0, 1, 2, 3, 4].map((i) => `local:approval:e${i}`));
    expect(await journal.idsWithStatus(['waiting'], 2)).toEqual(['local:approval:e0', 'local:approval:e1']);
    expect((await tokens.due(2_001, 10)).map((t) => t.token)).toEqual(['tok_0', 'tok_1']);
    await journal.steps('local:approval:e3');
    await journal.listBySubject({ type: 'agreement', id: 'agr_3' });
    await journal.update('local:approval:e3', { status: 'running' });
    await journal.markRunning('local:approval:e4');
    await tokens.ofExecution('local:approval:e3');
    await tokens.pendingOf('local:approval:e3');
    await tokens.settle('tok_3', { status: 'succeeded', output: null });
    // The due-timer query was one DISTINCT over the steps, which SQLite answered by scanning every step in key order.
    expect(fullScans(real, ran.values())).toEqual([]);
  });
});

describe('the embedded engine’s token index', () => {
  it('keeps the status of a token only in the index of due tokens, so settling one rewrites no index of executions', () => {
    // Every index naming a column that an UPDATE sets is rewritten by it: a settle sets status, due_at and body.
    const db = new Database(':memory:');
    new SqliteTaskTokenStore(db);
    expect(createdIndexes(db, 'wf_token')).toEqual({
      wf_token_due: ['due_at'],
      wf_token_of_execution: ['execution_id'],
    });
  });

  it('drops the index of executions by status that earlier databases have', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE wf_token (token TEXT PRIMARY KEY, execution_id TEXT NOT NULL, status TEXT NOT NULL,
      due_at INTEGER, body TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX wf_token_by_execution ON wf_token (execution_id, status);`);
    new SqliteTaskTokenStore(db);
    const names = (db.prepare(`PRAGMA index_list(wf_token)`).all() as { name: string }[]).map((i) => i.name);
    expect(names.sort()).toEqual(['sqlite_autoindex_wf_token_1', 'wf_token_due', 'wf_token_of_execution']);
  });
});

describe('the embedded engine’s group commit', () => {
  it('suspends executions that come to rest together in one commit, not one commit each', async () => {
    const db = new Database(':memory:');
    const journal = new SqliteExecutionJournal(db);
    const batch = new SqliteWriteBatch(db, (error) => {
      throw error;
    });
    const toy = substitute(
      JSON.parse(readFileSync('test/fixtures/workflows/toy.asl.json', 'utf8')) as AslDefinition,
      { ToyFunctionArn: 'arn:aws:lambda:local:000000000000:function:toy' },
    );
    const engine = new LocalWorkflowEngine({
      definitions: { approval: toy },
      journal,
      tokens: new SqliteTaskTokenStore(db),
      batch,
      clock: { now: () => new Date('2026-03-01T09:00:00Z') },
      invoke: async (_arn, payload) => {
        const p = payload as { task: string; items?: string[] };
        return p.task === 'plan' ? { items: p.items } : null;
      },
    });
    for (let i = 0; i < 40; i++) {
      await engine.start({
        workflow: 'approval',
        name: `x${i}`,
        subject: { type: 'agreement', id: `agr_${i}` },
        input: { items: ['a', 'b'] },
      });
    }
    await engine.idle();
    const waiting = await journal.idsWithStatus(['waiting'], 100);
    expect(waiting).toHaveLength(40);
    // Each execution's steps are written when it suspends. Every one of the 40 came to rest in the same turn: one
    // commit for the steps of all (with the tokens registered when their runs began), where each used to have its own.
    expect(batch.commits).toBeLessThanOrEqual(3);
    expect((await journal.steps(waiting[0]!)).size).toBe(3);
  });
});

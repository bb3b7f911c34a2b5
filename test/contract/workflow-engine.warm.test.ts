import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LocalWorkflowEngine } from '../../shared/adapters/local-sfn/engine.js';
import { type AslDefinition, substitute } from '../../shared/adapters/local-sfn/transform.js';
import { SqliteExecutionJournal, SqliteTaskTokenStore } from '../../shared/adapters/sqlite/workflows.js';
import { SqliteWriteBatch } from '../../shared/adapters/sqlite/write-batch.js';

const TOY = substitute(
  JSON.parse(readFileSync('test/fixtures/workflows/toy.asl.json', 'utf8')) as AslDefinition,
  { ToyFunctionArn: 'arn:aws:lambda:local:000000000000:function:toy' },
);

type Call = { task: string; item?: string; round?: number; taskToken?: string; items?: string[] };

/** One engine over its own SQLite database, the toy machine's handlers recording their calls. */
function world(warm: { max?: number; ttlMs?: number }) {
  const db = new Database(':memory:');
  const journal = new SqliteExecutionJournal(db);
  // Each replay reads the journal's steps once; a kept run that goes on does not.
  let replays = 0;
  const steps = journal.steps.bind(journal);
  journal.steps = (id) => {
    replays++;
    return steps(id);
  };
  const tokens = new SqliteTaskTokenStore(db);
  const calls: Call[] = [];
  let now = Date.parse('2026-03-01T09:00:00Z');
  const engine = new LocalWorkflowEngine({
    definitions: { approval: TOY },
    journal,
    tokens,
    batch: new SqliteWriteBatch(db, (error) => {
      throw error;
    }),
    clock: { now: () => new Date(now) },
    warm,
    invoke: async (_arn, payload) => {
      const p = payload as Call;
      calls.push(p);
      if (p.task === 'plan') return { items: p.items };
      if (p.task === 'remind') return { item: p.item, round: (p.round ?? 0) + 1 };
      if (p.task === 'finish') return { finished: true };
      return null;
    },
  });
  return {
    db,
    engine,
    calls,
    replays: () => replays,
    advance: (ms: number) => {
      now += ms;
    },
    /** The rows a replay reads: the execution record and its journal, as stored. */
    stored: () => ({
      execution: db.prepare('SELECT status, body FROM wf_execution').all(),
      steps: db.prepare('SELECT key, status, wake_at, body FROM wf_step ORDER BY key').all(),
      tokens: db.prepare('SELECT token, status, due_at, body FROM wf_token ORDER BY token').all(),
    }),
    /** The token the last `await` call for an item was given. */
    token: (item: string) => calls.filter((c) => c.task === 'await' && c.item === item).at(-1)!.taskToken!,
  };
}

/** Drives the toy machine: start, a heartbeat, both items answered, the durable wait, the end; stored rows at each stop. */
async function drive(w: ReturnType<typeof world>): Promise<unknown[]> {
  const seen: unknown[] = [];
  await w.engine.start({
    workflow: 'approval',
    name: 'x1',
    subject: { type: 'agreement', id: 'agr_1' },
    input: { items: ['a', 'b'] },
  });
  await w.engine.idle();
  seen.push(w.stored());
  w.advance(61_000); // both heartbeats are due: each branch reminds and waits on a new token
  await w.engine.tick();
  await w.engine.idle();
  seen.push(w.stored());
  await w.engine.sendTaskSuccess(w.token('a'), { ok: 'a' });
  await w.engine.idle();
  seen.push(w.stored());
  await w.engine.sendTaskSuccess(w.token('b'), { ok: 'b' });
  await w.engine.idle();
  seen.push(w.stored());
  w.advance(3_600_000);
  await w.engine.tick();
  await w.engine.idle();
  seen.push(w.stored());
  return seen;
}

describe('the embedded engine’s runs kept in memory at rest', () => {
  it('writes the same rows at every rest and end as replaying each time from the checkpoint does', async () => {
    const kept = world({});
    const replayed = world({ max: 0 });
    const a = await drive(kept);
    const b = await drive(replayed);
    expect(a).toEqual(b);
    expect(kept.calls).toEqual(replayed.calls);
    // Replayed: the start, the heartbeats, each answer, the wake after the durable wait. Kept: the start (its rest is
    // kept and the heartbeats wake it; woken by a timer, its next rest is not kept), the first answer (kept: the
    // second answer goes on from there), the wake after the durable wait (a run at rest on a timer is not kept).
    expect(replayed.replays()).toBe(5);
    expect(kept.replays()).toBe(3);
    const end = a.at(-1) as { execution: { status: string; body: string }[] };
    expect(end.execution[0]!.status).toBe('succeeded');
    expect((JSON.parse(end.execution[0]!.body) as { output: unknown }).output).toEqual({ finished: true });
  });

  it('replays a run it let go when its time was up, to the same end', async () => {
    const w = world({ ttlMs: 20 });
    const replayed = world({ max: 0 });
    for (const x of [w, replayed]) {
      await x.engine.start({
        workflow: 'approval',
        name: 'x1',
        subject: { type: 'agreement', id: 'agr_1' },
        input: { items: ['a'] },
      });
      await x.engine.idle();
    }
    await new Promise((r) => setTimeout(r, 60));
    for (const x of [w, replayed]) {
      await x.engine.sendTaskSuccess(x.token('a'), { ok: 'a' });
      await x.engine.idle();
    }
    expect(w.stored()).toEqual(replayed.stored());
    expect(w.calls).toEqual(replayed.calls);
    expect(w.replays()).toBe(2);
  });

  it('keeps at most `max` runs, letting the oldest go first, each answered to the same end', async () => {
    const w = world({ max: 2 });
    const replayed = world({ max: 0 });
    for (const x of [w, replayed]) {
      for (const n of ['x1', 'x2', 'x3']) {
        await x.engine.start({
          workflow: 'approval',
          name: n,
          subject: { type: 'agreement', id: `agr_${n}` },
          input: { items: [n] },
        });
      }
      await x.engine.idle();
      for (const n of ['x1', 'x2', 'x3']) await x.engine.sendTaskSuccess(x.token(n), { ok: n });
      await x.engine.idle();
    }
    expect(w.stored()).toEqual(replayed.stored());
  });

  it('lets every kept run go when the engine stops, writing nothing', async () => {
    const w = world({});
    await w.engine.start({
      workflow: 'approval',
      name: 'x1',
      subject: { type: 'agreement', id: 'agr_1' },
      input: { items: ['a'] },
    });
    await w.engine.idle();
    const before = w.stored();
    w.engine.stop();
    await new Promise((r) => setImmediate(r));
    expect(w.stored()).toEqual(before);
    expect((before.execution[0] as { status: string }).status).toBe('waiting');
  });
});

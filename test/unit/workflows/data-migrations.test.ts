import { describe, expect, it } from 'vitest';
import type {
  DataMigration,
  MigrationCheckpoint,
  MigrationCheckpointStore,
} from '../../../shared/ports/migrations.js';
import { DataMigrations } from '../../../shared/usecases/migrations.js';

// The data migrations' runner (shared/usecases/migrations.ts): bounded runs that resume from a checkpoint written
// after every step, over a migration of an array whose positions are indexes.

class MemoryCheckpoints implements MigrationCheckpointStore {
  readonly byId = new Map<string, MigrationCheckpoint>();
  puts = 0;
  async get(id: string) {
    return this.byId.get(id);
  }
  async put(c: MigrationCheckpoint) {
    this.puts++;
    this.byId.set(c.id, structuredClone(c));
  }
}

/** Marks records migrated; `failAt` makes the step that would read that index throw once. */
function arrayMigration(
  id: string,
  records: { done: boolean }[],
  failAt?: number,
): DataMigration & { calls: number } {
  let failed = false;
  const m = {
    id,
    description: `migrate ${id}`,
    calls: 0,
    async step(from: string | undefined, budget: number) {
      m.calls++;
      const start = from === undefined ? 0 : Number(from);
      const end = Math.min(records.length, start + budget);
      if (failAt !== undefined && !failed && failAt >= start && failAt < end) {
        failed = true;
        throw new Error(`store unavailable at ${failAt}`);
      }
      let changed = 0;
      for (let i = start; i < end; i++) {
        if (!records[i]!.done) changed++;
        records[i]!.done = true;
      }
      return { read: end - start, changed, ...(end < records.length ? { next: String(end) } : {}) };
    },
  };
  return m;
}

let now = Date.parse('2026-12-04T02:00:00.000Z');
const clock = {
  now: () => {
    now += 1000;
    return new Date(now);
  },
};
const records = (n: number, migrated = 0) => Array.from({ length: n }, (_, i) => ({ done: i < migrated }));

describe('data migrations', () => {
  it('moves a migration on by at most the budget a run, from where the last run stopped, until it is done', async () => {
    const rs = records(25, 5);
    const checkpoints = new MemoryCheckpoints();
    const runner = new DataMigrations({
      migrations: [arrayMigration('a', rs)],
      checkpoints,
      clock,
      stepSize: 4,
    });
    // Steps of 4, 4, then the 2 left of the budget.
    expect(await runner.run(10)).toEqual([{ id: 'a', read: 10, changed: 5, done: false }]);
    expect(rs.filter((r) => r.done)).toHaveLength(10);
    expect(checkpoints.byId.get('a')).toMatchObject({ read: 10, changed: 5, next: '10' });
    expect(await runner.run(100)).toEqual([{ id: 'a', read: 15, changed: 15, done: true }]);
    expect(rs.every((r) => r.done)).toBe(true);
    const done = checkpoints.byId.get('a')!;
    expect(done).toMatchObject({ read: 25, changed: 20 });
    expect(done.next).toBeUndefined();
    expect(done.doneAt).toBe(done.updatedAt);
  });

  it('does not run a migration again once it is done, and runs the next one with what is left of the budget', async () => {
    const first = arrayMigration('first', records(3));
    const second = arrayMigration('second', records(10));
    const checkpoints = new MemoryCheckpoints();
    const runner = new DataMigrations({ migrations: [first, second], checkpoints, clock, stepSize: 4 });
    expect(await runner.run(7)).toEqual([
      { id: 'first', read: 3, changed: 3, done: true },
      { id: 'second', read: 4, changed: 4, done: false },
    ]);
    const calls = first.calls;
    expect(await runner.run(100)).toEqual([
      { id: 'first', read: 0, changed: 0, done: true },
      { id: 'second', read: 6, changed: 6, done: true },
    ]);
    expect(first.calls).toBe(calls);
    const puts = checkpoints.puts;
    expect(await runner.run(100)).toEqual([
      { id: 'first', read: 0, changed: 0, done: true },
      { id: 'second', read: 0, changed: 0, done: true },
    ]);
    expect(checkpoints.puts).toBe(puts);
  });

  it('finishes an empty migration in one step, and a step that reads nothing still counts against the budget', async () => {
    const empty: DataMigration = {
      id: 'e',
      description: 'nothing',
      step: async () => ({ read: 0, changed: 0 }),
    };
    let steps = 0;
    const idle: DataMigration = {
      id: 'idle',
      description: 'pages that come back empty',
      step: async () => ({ read: 0, changed: 0, next: String(++steps) }),
    };
    const checkpoints = new MemoryCheckpoints();
    const runner = new DataMigrations({ migrations: [empty, idle], checkpoints, clock });
    expect(await runner.run(5)).toEqual([
      { id: 'e', read: 0, changed: 0, done: true },
      { id: 'idle', read: 0, changed: 0, done: false },
    ]);
    expect(steps).toBe(4);
    expect(checkpoints.byId.get('idle')?.next).toBe('4');
  });

  it('keeps the checkpoint of the last step that finished when a step fails, and resumes there', async () => {
    const rs = records(12);
    const m = arrayMigration('a', rs, 9);
    const checkpoints = new MemoryCheckpoints();
    const runner = new DataMigrations({ migrations: [m], checkpoints, clock, stepSize: 4 });
    await expect(runner.run(100)).rejects.toThrow('store unavailable at 9');
    expect(checkpoints.byId.get('a')).toMatchObject({ read: 8, changed: 8, next: '8' });
    expect(await runner.run(100)).toEqual([{ id: 'a', read: 4, changed: 4, done: true }]);
    expect(checkpoints.byId.get('a')).toMatchObject({ read: 12, changed: 12 });
  });
});

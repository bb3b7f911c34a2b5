import { afterEach, describe, expect, it } from 'vitest';
import { MemoryExecutionJournal } from '../../../shared/adapters/memory/workflows.js';
import { type Db, openDatabase } from '../../../shared/adapters/sqlite/db.js';
import { SqliteExecutionJournal } from '../../../shared/adapters/sqlite/workflows.js';
import type { ExecutionJournal, ExecutionRecord } from '../../../shared/ports/workflows.js';

// The engine patches an execution's record at every suspension and end (status, path, checkpoint, output, error).
// SQLite patches the stored JSON in place (json_set/json_remove) instead of reading and rewriting the record: these
// hold both journals to what `{...stored, ...patch}` gives, field by field, so the two cannot drift apart.

const started: ExecutionRecord = {
  executionId: 'local:approval:agr-1-v2',
  workflow: 'approval',
  name: 'agr-1-v2',
  subject: { type: 'agreement', id: 'agr-1' },
  status: 'running',
  startedAt: '2026-03-02T09:00:00.000Z',
  input: { agreementId: 'agr-1', version: 2 },
  path: [],
};

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

const journals: [string, () => ExecutionJournal][] = [
  ['memory', () => new MemoryExecutionJournal()],
  [
    'SQLite',
    () => {
      db = openDatabase(':memory:');
      return new SqliteExecutionJournal(db);
    },
  ],
];

describe.each(journals)('patching an execution record (%s journal)', (_name, make) => {
  it('sets the fields a patch names and keeps every other field as it was', async () => {
    const j = make();
    await j.create(started);
    await j.update(started.executionId, {
      status: 'waiting',
      path: ['PlanApproval', 'IsStillSubmitted', 'CollectSignOffs'],
      checkpoint: {
        state: 'CollectSignOffs',
        input: { signOffs: [{ capacity: 'service-owner' }] },
        path: ['PlanApproval'],
      },
    });
    // By hand: the started record with status, path and checkpoint replaced; identity, input and startedAt untouched.
    expect(await j.get(started.executionId)).toEqual({
      ...started,
      status: 'waiting',
      path: ['PlanApproval', 'IsStillSubmitted', 'CollectSignOffs'],
      checkpoint: {
        state: 'CollectSignOffs',
        input: { signOffs: [{ capacity: 'service-owner' }] },
        path: ['PlanApproval'],
      },
    });
  });

  it('removes a field the patch sets to undefined (a finished execution keeps no checkpoint)', async () => {
    const j = make();
    await j.create({ ...started, checkpoint: { state: 'AwaitEffectiveDate', input: { a: 1 }, path: ['X'] } });
    await j.update(started.executionId, {
      status: 'succeeded',
      output: { outcome: 'activated' },
      stoppedAt: '2026-03-03T00:30:00.000Z',
      checkpoint: undefined,
    });
    const rec = await j.get(started.executionId);
    expect(rec?.checkpoint).toBeUndefined();
    expect(JSON.parse(JSON.stringify(rec))).toEqual({
      ...started,
      status: 'succeeded',
      output: { outcome: 'activated' },
      stoppedAt: '2026-03-03T00:30:00.000Z',
    });
  });

  it('replaces a nested value whole: keys of the old checkpoint input do not survive a new one', async () => {
    const j = make();
    await j.create(started);
    await j.update(started.executionId, {
      checkpoint: { state: 'A', input: { x: 1, y: 2 }, path: ['P', 'Q'] },
    });
    await j.update(started.executionId, { checkpoint: { state: 'B', input: { x: 3 }, path: ['P'] } });
    // A merge (JSON merge patch) would have kept y: 2 and given path ['P']; the patch replaces the value.
    expect((await j.get(started.executionId))?.checkpoint).toEqual({
      state: 'B',
      input: { x: 3 },
      path: ['P'],
    });
  });

  it('keeps every JSON type of an output as the handler returned it', async () => {
    const j = make();
    await j.create(started);
    const output = {
      list: [1, 'two', null, true, { half: 1.5, big: 12345678901234, tiny: 1e-7 }],
      text: 'a "quote", a \\ backslash, a tab\t, é and ✓',
      empty: {},
      none: [],
    };
    await j.update(started.executionId, { output, error: { error: 'States.Timeout', cause: 'late' } });
    const rec = await j.get(started.executionId);
    expect(rec?.output).toEqual(output);
    expect(rec?.error).toEqual({ error: 'States.Timeout', cause: 'late' });
  });

  it('moves the execution between status lists with its status; without a status it stays where it is', async () => {
    const j = make();
    await j.create(started);
    await j.update(started.executionId, { status: 'waiting' });
    expect(await j.idsWithStatus(['waiting'], 10)).toEqual([started.executionId]);
    expect(await j.idsWithStatus(['running'], 10)).toEqual([]);
    await j.update(started.executionId, { path: ['PlanApproval'] });
    expect(await j.idsWithStatus(['waiting'], 10)).toEqual([started.executionId]);
    expect((await j.get(started.executionId))?.status).toBe('waiting');
  });

  it('changes nothing when no execution has that id', async () => {
    const j = make();
    await j.create(started);
    await j.update('local:approval:nobody', { status: 'failed', path: ['X'] });
    expect(await j.get('local:approval:nobody')).toBeUndefined();
    expect(await j.get(started.executionId)).toEqual(started);
  });
});

describe.each(journals)(
  'marking an execution running before a token of it is answered (%s journal)',
  (_n, make) => {
    it('marks a waiting execution running, in its status list and its record, and keeps every other field', async () => {
      const j = make();
      const waiting: ExecutionRecord = {
        ...started,
        status: 'waiting',
        path: ['PlanApproval', 'CollectSignOffs'],
        checkpoint: { state: 'CollectSignOffs', input: { a: 1 }, path: ['PlanApproval'] },
      };
      await j.create(waiting);
      expect(await j.markRunning(started.executionId)).toBe(true);
      expect(await j.get(started.executionId)).toEqual({ ...waiting, status: 'running' });
      expect(await j.idsWithStatus(['running'], 10)).toEqual([started.executionId]);
      expect(await j.idsWithStatus(['waiting'], 10)).toEqual([]);
    });

    it.each(['running', 'succeeded', 'failed'] as const)(
      'leaves an execution that is %s as it is',
      async (status) => {
        const j = make();
        const rec: ExecutionRecord = { ...started, status, path: ['PlanApproval'] };
        await j.create(rec);
        expect(await j.markRunning(started.executionId)).toBe(false);
        expect(await j.get(started.executionId)).toEqual(rec);
        expect(await j.idsWithStatus([status], 10)).toEqual([started.executionId]);
      },
    );

    it('changes nothing when no execution has that id', async () => {
      const j = make();
      await j.create({ ...started, status: 'waiting' });
      expect(await j.markRunning('local:approval:nobody')).toBe(false);
      expect(await j.get('local:approval:nobody')).toBeUndefined();
      expect((await j.get(started.executionId))?.status).toBe('waiting');
    });
  },
);

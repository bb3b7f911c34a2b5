import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteRollupStore, storedRollupTotals } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteSampleStore } from '../../shared/adapters/sqlite/telemetry.js';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import { ratioSample } from '../helpers/samples.js';

const T0 = Date.UTC(2026, 0, 1);
const SLI = 'svc_a/availability';
// A ratio gauge adds its value to good and 1 to total: 1, 0, 1 at three times make good 2 of total 3.
const ratio = (ts: number, value: number, series = 'v1|probe_success|job=a'): Sample =>
  ratioSample(ts, value, { series });
const inBuckets = (db: Database.Database) =>
  db.prepare('SELECT TOTAL(good), TOTAL(total) FROM rollup_bucket').raw().get() as [number, number];
const journalRows = (db: Database.Database) =>
  db.prepare('SELECT COUNT(*) FROM rollup_journal').pluck().get() as number;
const readTotals = async (rollups: SqliteRollupStore) => {
  const c = (await rollups.cumulative([{ sliKey: SLI, instants: [Number.MAX_SAFE_INTEGER] }]))[0]![0]!;
  return [c.good, c.total];
};

// The sample store writes a request's rollup deltas as one journal row in its transaction; the buckets follow later.
describe('SQLite rollups: the journal a write leaves, folded into the buckets', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds a write's deltas in the journal until a read, which folds them first and answers them", async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const store = new SqliteSampleStore(db, rollups);
    await store.write([ratio(T0, 1), ratio(T0 + 1000, 0)]);
    await store.write([ratio(T0 + 2000, 1)]);
    expect(journalRows(db)).toBe(2);
    expect(inBuckets(db)).toEqual([0, 0]);
    expect(storedRollupTotals(db, SLI)).toMatchObject({ good: 2, total: 3 });
    expect(await readTotals(rollups)).toEqual([2, 3]);
    expect(journalRows(db)).toBe(0);
    expect(inBuckets(db)).toEqual([2, 3]);
    // Another store on the same database (the evaluator's) sees what this one journaled.
    await store.write([ratio(T0 + 3000, 1)]);
    expect(await readTotals(new SqliteRollupStore(db))).toEqual([3, 4]);
  });

  it("counts a journal left by a killed process once: the next process's first read folds it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-journal-'));
    try {
      const file = join(dir, 'accord.db');
      const first = new Database(file);
      first.pragma('journal_mode = WAL');
      await new SqliteSampleStore(first, new SqliteRollupStore(first)).write([
        ratio(T0, 1),
        ratio(T0 + 1000, 1),
      ]);
      first.close(); // no fold happened: the process is gone
      const second = new Database(file);
      const rollups = new SqliteRollupStore(second);
      expect(await readTotals(rollups)).toEqual([2, 2]);
      expect(await readTotals(rollups)).toEqual([2, 2]);
      expect(await readTotals(new SqliteRollupStore(second))).toEqual([2, 2]);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds its deltas again when the transaction a fold ran inside rolls back', async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    await new SqliteSampleStore(db, rollups).write([ratio(T0, 1), ratio(T0 + 1000, 0)]);
    const outer = db.transaction(() => {
      rollups.foldJournal();
      throw new Error('the caller failed');
    });
    expect(() => outer()).toThrow('the caller failed');
    expect(journalRows(db)).toBe(1);
    expect(await readTotals(rollups)).toEqual([1, 2]);
  });

  it('folds by itself shortly after a write, so other connections see the buckets too', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const db = new Database(':memory:');
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db));
    await store.write([ratio(T0, 1)]);
    expect(inBuckets(db)).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(inBuckets(db)).toEqual([1, 1]);
    expect(journalRows(db)).toBe(0);
  });

  it('adds the deltas of many writes into the same buckets as one write per request did', async () => {
    // Two databases, the same samples: one read after every write (a fold per write), one read at the end.
    const each = new Database(':memory:');
    const once = new Database(':memory:');
    const re = new SqliteRollupStore(each);
    const ro = new SqliteRollupStore(once);
    const se = new SqliteSampleStore(each, re);
    const so = new SqliteSampleStore(once, ro);
    for (let i = 0; i < 40; i++) {
      // Four series, 30 s apart: buckets fill and close; one late sample every tenth write (merged, not appended).
      const t = T0 + i * 30_000;
      const batch = [0, 1, 2, 3].map((k) =>
        ratio(t + k, (i + k) % 3 === 0 ? 0 : 1, `v1|probe_success|job=${k}`),
      );
      if (i % 10 === 9) batch.push(ratio(T0 + i, 1, 'v1|probe_success|job=late'));
      await se.write(batch);
      await re.read(SLI, T0, T0 + 3_600_000);
      await so.write(batch);
    }
    expect(await ro.read(SLI, T0, T0 + 3_600_000)).toEqual(await re.read(SLI, T0, T0 + 3_600_000));
    expect(await readTotals(ro)).toEqual(await readTotals(re));
  });
});

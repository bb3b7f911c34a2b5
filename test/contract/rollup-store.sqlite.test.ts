import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { rollupStoreContract } from './rollup-store.contract.js';

rollupStoreContract('sqlite', () => new SqliteRollupStore(new Database(':memory:')));

const T0 = Date.UTC(2026, 0, 1);
const d = (bucket: number, good: number, total: number): RollupDelta => ({
  sliKey: 'svc_a/availability',
  bucketStart: T0 + bucket * BUCKET_MS,
  good,
  total,
  count: 0,
  sum: 0,
  min: 0,
  max: 0,
});
const totalsAt = async (store: SqliteRollupStore, buckets: number[]) =>
  (
    await store.cumulative([
      { sliKey: 'svc_a/availability', instants: buckets.map((b) => T0 + (b + 1) * BUCKET_MS) },
    ])
  )[0]!.map((c) => [c.good, c.total]);

// The live append path keeps each series' last row in a write-through cache shared by the stores on one database.
describe('SqliteRollupStore: the cached last row of a series', () => {
  it('stays right when another store on the same database merges late data into that series', async () => {
    const db = new Database(':memory:');
    const live = new SqliteRollupStore(db);
    const backfill = new SqliteRollupStore(db);
    await live.add([d(5, 9, 10)]);
    await backfill.add([d(2, 1, 2)]); // before the last bucket: merged late, running totals of bucket 5 shifted
    await live.add([d(5, 1, 1), d(6, 4, 4)]);
    // Bucket 2: 1/2; bucket 5: 1 + 9 + 1 = 11 of 13; bucket 6: 15 of 17.
    expect(await totalsAt(live, [2, 5, 6])).toEqual([
      [1, 2],
      [11, 13],
      [15, 17],
    ]);
    expect(await totalsAt(backfill, [6])).toEqual([[15, 17]]);
  });

  it('is dropped when the transaction around the write rolls back, so the next append starts from what is stored', async () => {
    const db = new Database(':memory:');
    const store = new SqliteRollupStore(db);
    await store.add([d(1, 3, 4)]);
    const failing = db.transaction(() => {
      store.addSync([d(1, 100, 100)]);
      throw new Error('the rest of the write failed');
    });
    expect(() => failing()).toThrow('the rest of the write failed');
    store.forgetLastRows(); // what the sample store does when its transaction fails
    await store.add([d(1, 1, 1), d(2, 2, 2)]);
    expect(await totalsAt(store, [1, 2])).toEqual([
      [4, 5],
      [6, 7],
    ]);
  });

  it('is dropped when a write fails inside its own transaction (SQLite refuses a row: NaN binds as NULL)', async () => {
    const db = new Database(':memory:');
    const store = new SqliteRollupStore(db);
    await store.add([d(1, 3, 4)]);
    // The second series' row fails the whole add after the first series' new last row was computed and cached.
    expect(() =>
      store.addSync([d(1, 50, 50), { ...d(3, 1, 1), sliKey: 'svc_b/availability', good: Number.NaN }]),
    ).toThrow(/NOT NULL/);
    await store.add([d(1, 1, 1)]);
    expect(await totalsAt(store, [1])).toEqual([[4, 5]]);
  });
});

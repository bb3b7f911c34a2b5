import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import {
  SqliteSampleStore,
  SqliteSliActivityStore,
  storedSampleTotals,
} from '../../shared/adapters/sqlite/telemetry.js';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import { ratioSample } from '../helpers/samples.js';
import { sampleStoreContract } from './sample-store.contract.js';

sampleStoreContract('sqlite', () => {
  const db = new Database(':memory:');
  const rollups = new SqliteRollupStore(db);
  return { store: new SqliteSampleStore(db, rollups), rollups };
});

// Every write cut into chunks at once: retries, conflicts and reads then go through the chunks, not the heads.
sampleStoreContract('sqlite, a checkpoint after every write', () => {
  const db = new Database(':memory:');
  const rollups = new SqliteRollupStore(db);
  return { store: new SqliteSampleStore(db, rollups, undefined, { checkpointSamples: 1 }), rollups };
});

const T0 = Date.UTC(2026, 0, 1);
const gauge = (ts: number, value: number, series = 'v1|probe_success|job=a'): Sample =>
  ratioSample(ts, value, { series });

describe('SQLite raw samples: append records, heads and chunks', () => {
  it('keeps every acknowledged sample across a restart: the append records are replayed into the heads', async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const first = new SqliteSampleStore(db, rollups, undefined, { checkpointSamples: 3 });
    await first.write([gauge(T0, 1), gauge(T0 + 1000, 0)]);
    await first.write([gauge(T0 + 2000, 1), gauge(T0 + 3000, 1, 'v1|probe_success|job=b')]); // checkpointed
    await first.write([gauge(T0 + 4000, 0.5)]); // only in the append log
    // The process dies: a new store on the same database knows everything written.
    const second = new SqliteSampleStore(db, rollups);
    expect(await second.count()).toBe(5);
    const again = await second.write([gauge(T0 + 4000, 0.5), gauge(T0, 1), gauge(T0 + 1000, 1)]);
    expect(again).toMatchObject({ stored: 0, duplicates: 2 });
    expect(again.rejected.map((r) => [r.sample.timestampMs, r.reason])).toEqual([
      [T0 + 1000, 'conflicting_value'],
    ]);
    expect(
      (await second.read('svc_a/availability', T0, T0 + 10_000)).map((r) => [r.timestampMs, r.value]),
    ).toEqual([
      [T0, 1],
      [T0 + 1000, 0],
      [T0 + 2000, 1],
      [T0 + 3000, 1],
      [T0 + 4000, 0.5],
    ]);
    expect(storedSampleTotals(db)).toMatchObject({ n: 5, sum: 3.5 });
  });

  it('loses no sample another store on the same database appended when this one checkpoints (npm start -- --demo)', async () => {
    // The demo loader ingests 30 days through a store of its own on the server's database; the server's store,
    // opened first, later checkpoints after its live writes. Its checkpoint must not delete the loader's records.
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const server = new SqliteSampleStore(db, rollups, undefined, { checkpointSamples: 2 });
    const loader = new SqliteSampleStore(db, rollups);
    await loader.write([gauge(T0, 1), gauge(T0 + 1000, 0.5)]); // only in the append log and the loader's heads
    await server.write([
      gauge(T0 + 5000, 1, 'v1|probe_success|job=b'),
      gauge(T0 + 6000, 1, 'v1|probe_success|job=b'),
    ]);
    expect(storedSampleTotals(db)).toMatchObject({ n: 4, sum: 3.5 });
    const restarted = new SqliteSampleStore(db, rollups);
    expect(await restarted.count()).toBe(4);
  });

  it('replays a sample held twice in the append log (written by two stores before one store per database) once, so the checkpoint still cuts its chunks', async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const a = new SqliteSampleStore(db, rollups);
    const b = new SqliteSampleStore(db, rollups);
    await a.write([gauge(T0, 1), gauge(T0 + 1000, 1)]);
    await b.write([gauge(T0 + 1000, 1), gauge(T0 + 2000, 0)]); // b's heads never saw a's: T0 + 1000 logged twice
    const restarted = new SqliteSampleStore(db, rollups, undefined, { checkpointSamples: 1 });
    expect(await restarted.count()).toBe(3);
    await restarted.write([gauge(T0 + 3000, 1)]); // checkpoints
    expect(db.prepare('SELECT COUNT(*) FROM telemetry_sample_log').pluck().get()).toBe(0);
    expect(storedSampleTotals(db)).toMatchObject({ n: 4, sum: 3 });
  });

  it('replays a logged sample that a chunk already holds (the other store checkpointed its copy) not at all', async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const a = new SqliteSampleStore(db, rollups);
    const b = new SqliteSampleStore(db, rollups, undefined, { checkpointSamples: 1 });
    await a.write([gauge(T0, 1)]); // in the log only
    await b.write([gauge(T0, 1), gauge(T0 + 1000, 0)]); // b's copy of T0 is cut into a chunk; a's record stays
    const restarted = new SqliteSampleStore(db, rollups);
    expect(await restarted.count()).toBe(2);
    expect((await restarted.read('svc_a/availability', T0, T0 + 2000)).map((r) => r.value)).toEqual([1, 0]);
  });

  it('takes a late sample between chunked ones, and reads it in its place', async () => {
    const db = new Database(':memory:');
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db), undefined, { checkpointSamples: 1 });
    await store.write([gauge(T0, 1), gauge(T0 + 2000, 1)]);
    const late = await store.write([gauge(T0 + 1000, 0), gauge(T0 + 2000, 1)]);
    expect(late).toMatchObject({ stored: 1, duplicates: 1 });
    expect((await store.read('svc_a/availability', T0, T0 + 3000)).map((r) => r.value)).toEqual([1, 0, 1]);
    expect(await store.count('v1')).toBe(3);
  });

  it('converts a database of one row per sample into chunks when opened, and drops the old table', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE telemetry_series (id INTEGER PRIMARY KEY, series TEXT NOT NULL UNIQUE,
      vendor_id TEXT NOT NULL, sli_key TEXT NOT NULL, measure TEXT NOT NULL);
      CREATE TABLE telemetry_sample (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
      INSERT INTO telemetry_series VALUES (1, 'v1|probe_success|job=a', 'v1', 'svc_a/availability', 'ratio');`);
    const insert = db.prepare('INSERT INTO telemetry_sample VALUES (1, ?, ?)');
    for (let i = 0; i < 5; i++) insert.run(T0 + i * 1000, i % 2);
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db), undefined, { maxChunkSamples: 2 });
    expect(
      db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'telemetry_sample'").pluck().get(),
    ).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM telemetry_chunk').pluck().get()).toBe(3);
    expect((await store.read('svc_a/availability', T0, T0 + 10_000)).map((r) => r.value)).toEqual([
      0, 1, 0, 1, 0,
    ]);
    expect((await store.write([gauge(T0 + 3000, 1)])).duplicates).toBe(1);
  });

  it('converts an old database holding several series, writing each series while reading the next', async () => {
    // The conversion used to write chunks while a read of the old table was still open on the same connection:
    // better-sqlite3 refuses that ("This database connection is busy executing a query"), so a database of the
    // previous release with more than one series crashed Accord at start.
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE telemetry_series (id INTEGER PRIMARY KEY, series TEXT NOT NULL UNIQUE,
      vendor_id TEXT NOT NULL, sli_key TEXT NOT NULL, measure TEXT NOT NULL);
      CREATE TABLE telemetry_sample (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
      INSERT INTO telemetry_series VALUES (1, 'v1|probe_success|job=a', 'v1', 'svc_a/availability', 'ratio');
      INSERT INTO telemetry_series VALUES (2, 'v1|probe_success|job=b', 'v1', 'svc_b/availability', 'ratio');`);
    const insert = db.prepare('INSERT INTO telemetry_sample VALUES (?, ?, ?)');
    for (let i = 0; i < 3; i++) {
      insert.run(1, T0 + i * 1000, 1);
      insert.run(2, T0 + i * 1000, 0);
    }
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db), undefined, { maxChunkSamples: 2 });
    expect(db.prepare('SELECT COUNT(*) FROM telemetry_chunk').pluck().get()).toBe(4);
    expect((await store.read('svc_a/availability', T0, T0 + 10_000)).map((r) => r.value)).toEqual([1, 1, 1]);
    expect((await store.read('svc_b/availability', T0, T0 + 10_000)).map((r) => r.value)).toEqual([0, 0, 0]);
  });
});

describe('SQLite raw samples: the append record’s two layouts', () => {
  it('replays records of either layout after a restart, the previous release’s wide records included', async () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    const first = new SqliteSampleStore(db, rollups);
    const DAY = 86_400_000;
    await first.write([gauge(T0, 1), gauge(T0 + 1000, 0.25), gauge(T0 + 2000, Number.MAX_VALUE)]); // compact
    await first.write([gauge(T0 + 3000, 0.5)]); // one sample: wide
    await first.write([gauge(T0 + 4000.5, 0), gauge(T0 + 5000, 1)]); // a fraction of a millisecond: wide
    await first.write([gauge(T0 + 6000, 1), gauge(T0 + 30 * DAY, 0.75)]); // 30 days apart: wide
    // A record the previous release wrote (always wide: series id, time, value as doubles), for the series above.
    const sid = db.prepare('SELECT id FROM telemetry_series').pluck().get() as number;
    const old = new Float64Array([sid, T0 + 7000, 0.125, sid, T0 + 8000, 1]);
    db.prepare('INSERT INTO telemetry_sample_log (n, data) VALUES (2, ?)').run(Buffer.from(old.buffer));
    expect(db.prepare('SELECT n, length(data) FROM telemetry_sample_log ORDER BY id').raw().all()).toEqual([
      [3, 8 + 16 * 3],
      [1, 24],
      [2, 48],
      [2, 48],
      [2, 48],
    ]);
    const second = new SqliteSampleStore(db, rollups); // the process died: replay
    const expected = [
      [T0, 1],
      [T0 + 1000, 0.25],
      [T0 + 2000, Number.MAX_VALUE],
      [T0 + 3000, 0.5],
      [T0 + 4000.5, 0],
      [T0 + 5000, 1],
      [T0 + 6000, 1],
      [T0 + 7000, 0.125],
      [T0 + 8000, 1],
      [T0 + 30 * DAY, 0.75],
    ];
    const read = async (s: SqliteSampleStore) =>
      (await s.read('svc_a/availability', T0, T0 + 31 * DAY)).map((r) => [r.timestampMs, r.value]);
    expect(await read(second)).toEqual(expected);
    expect(storedSampleTotals(db).ts.sort((a, b) => a - b)).toEqual(expected.map((e) => e[0]));
    second.checkpoint(); // and into chunks from there
    expect(await read(new SqliteSampleStore(db, rollups))).toEqual(expected);
  });

  it('refuses to replay a record whose length fits neither layout, naming it', () => {
    const db = new Database(':memory:');
    const rollups = new SqliteRollupStore(db);
    new SqliteSampleStore(db, rollups);
    db.prepare('INSERT INTO telemetry_sample_log (n, data) VALUES (3, ?)').run(Buffer.alloc(40));
    expect(() => new SqliteSampleStore(db, rollups)).toThrow(
      'telemetry_sample_log 1 holds 40 bytes for 3 samples',
    );
  });
});

describe('SQLite raw samples: the SLI activity in the write’s transaction', () => {
  it('records the activity of the new samples only, in the same transaction, when the writer says who sent them', async () => {
    const db = new Database(':memory:');
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db));
    const first = await store.write([gauge(T0, 1), gauge(T0 + 60_000, 0)], {
      vendorId: 'v1',
      receivedAtMs: T0 + 90_000,
    });
    expect(first).toMatchObject({ stored: 2, activityRecorded: true });
    const retry = await store.write([gauge(T0, 1)], { vendorId: 'v1', receivedAtMs: T0 + 120_000 });
    expect(retry).toMatchObject({ stored: 0, duplicates: 1 });
    expect(await new SqliteSliActivityStore(db).listByService('svc_a')).toEqual([
      {
        sliKey: 'svc_a/availability',
        vendorId: 'v1',
        samples: 2,
        firstSampleMs: T0,
        lastSampleMs: T0 + 60_000,
        lastReceivedMs: T0 + 90_000,
      },
    ]);
  });

  it('counts the activity of every write once when the journal is folded inside a write (at 512 rows)', async () => {
    const db = new Database(':memory:');
    const store = new SqliteSampleStore(db, new SqliteRollupStore(db));
    for (let i = 0; i < 600; i++)
      await store.write([gauge(T0 + i * 1000, 1)], { vendorId: 'v1', receivedAtMs: T0 + i * 1000 + 5 });
    expect(db.prepare('SELECT COUNT(*) FROM telemetry_sli_activity_journal').pluck().get()).toBe(600 - 512);
    expect(await new SqliteSliActivityStore(db).listByService('svc_a')).toEqual([
      {
        sliKey: 'svc_a/availability',
        vendorId: 'v1',
        samples: 600,
        firstSampleMs: T0,
        lastSampleMs: T0 + 599_000,
        lastReceivedMs: T0 + 599_005,
      },
    ]);
  });
});

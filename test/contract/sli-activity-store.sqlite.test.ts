import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteSliActivityStore } from '../../shared/adapters/sqlite/telemetry.js';
import type { SliActivityRecord } from '../../shared/ports/telemetry.js';
import { sliActivityStoreContract } from './sli-activity-store.contract.js';

sliActivityStoreContract('sqlite', () => new SqliteSliActivityStore(new Database(':memory:')));

const T0 = Date.UTC(2026, 11, 2, 12);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'accord-activity-'));
  dirs.push(dir);
  return join(dir, 'accord.db');
}

const rec = (sli: string, n: number, first: number, last: number, vendorId = 'v1'): SliActivityRecord => ({
  sliKey: `svc_a/${sli}`,
  vendorId,
  samples: n,
  firstSampleMs: first,
  lastSampleMs: last,
  lastReceivedMs: last + 5,
});

const rowsIn = (db: Database.Database) =>
  db.prepare('SELECT sli_key, vendor_id, samples FROM telemetry_sli_activity ORDER BY 1, 2').raw().all();

describe('SQLite SLI activity: the journal behind the rows', () => {
  it('keeps what a process recorded and never folded (killed before its fold), and the next process reads it once', async () => {
    const file = dbFile();
    const first = openDatabase(file);
    const a = new SqliteSliActivityStore(first);
    await a.record([rec('availability', 3, T0, T0 + 10), rec('latency', 1, T0, T0)]);
    await a.record([rec('availability', 2, T0 + 20, T0 + 30, 'v2')]);
    first.close(); // the fold timer finds the database closed: the journal is all there is
    const second = openDatabase(file);
    expect(rowsIn(second)).toEqual([]);
    const b = new SqliteSliActivityStore(second);
    const read = async () => (await b.listByService('svc_a')).map((r) => [r.sliKey, r.vendorId, r.samples]);
    const expected = [
      ['svc_a/availability', 'v1', 3],
      ['svc_a/availability', 'v2', 2],
      ['svc_a/latency', 'v1', 1],
    ];
    expect(await read()).toEqual(expected);
    expect(await read()).toEqual(expected); // folded once: a second read adds nothing
    expect(second.prepare('SELECT COUNT(*) FROM telemetry_sli_activity_journal').pluck().get()).toBe(0);
    second.close();
  });

  it('folds what another connection journaled before answering a read (the telemetry worker writes on its own)', async () => {
    const file = dbFile();
    const writer = openDatabase(file);
    const reader = openDatabase(file);
    await new SqliteSliActivityStore(writer).record([rec('availability', 4, T0, T0 + 10)]);
    const store = new SqliteSliActivityStore(reader);
    expect((await store.listByService('svc_a')).map((r) => r.samples)).toEqual([4]);
    await new SqliteSliActivityStore(writer).record([rec('availability', 1, T0 - 50, T0 + 40)]);
    expect(await store.listByService('svc_a')).toEqual([
      {
        sliKey: 'svc_a/availability',
        vendorId: 'v1',
        samples: 5,
        firstSampleMs: T0 - 50,
        lastSampleMs: T0 + 40,
        lastReceivedMs: T0 + 45,
      },
    ]);
    writer.close();
    reader.close();
  });

  it('takes a record back with the caller’s transaction when that rolls back', async () => {
    const db = new Database(':memory:');
    const store = new SqliteSliActivityStore(db);
    await store.record([rec('availability', 1, T0, T0)]);
    expect(() =>
      db.transaction(() => {
        store.recordSync([rec('availability', 7, T0, T0)]);
        throw new Error('the samples of that write failed');
      })(),
    ).toThrow('the samples of that write failed');
    expect((await store.listByService('svc_a')).map((r) => r.samples)).toEqual([1]);
  });

  it('counts every entry once across folds: by a record once 512 rows wait, by a read, by another store on the database', async () => {
    const db = new Database(':memory:');
    const store = new SqliteSliActivityStore(db);
    for (let i = 0; i < 1200; i++) {
      store.recordSync([rec('availability', 1, T0 + i, T0 + i), rec(`s${i % 3}`, 2, T0, T0)]);
      if (i === 700) new SqliteSliActivityStore(db).fold();
    }
    // Folded at the 512th row and after the 700th; the rest waits in the journal until the read.
    expect(db.prepare('SELECT COUNT(*) FROM telemetry_sli_activity_journal').pluck().get()).toBeLessThan(512);
    const rows = await store.listByService('svc_a');
    expect(rows.map((r) => [r.sliKey, r.samples])).toEqual([
      ['svc_a/availability', 1200],
      ['svc_a/s0', 800],
      ['svc_a/s1', 800],
      ['svc_a/s2', 800],
    ]);
    expect(rows[0]).toMatchObject({ firstSampleMs: T0, lastSampleMs: T0 + 1199, lastReceivedMs: T0 + 1204 });
  });
});

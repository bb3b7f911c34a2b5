import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import {
  type SampleStoreOptions,
  SqliteSliActivityStore,
  storedSampleTotals,
} from '../../shared/adapters/sqlite/telemetry.js';
import {
  TelemetryWorkerError,
  type WorkerEntry,
  WorkerSampleStore,
} from '../../shared/adapters/sqlite/telemetry-worker.js';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import { ratioSample } from '../helpers/samples.js';
import { sampleStoreContract } from './sample-store.contract.js';

const ENTRY: WorkerEntry = {
  file: new URL('../../shared/adapters/sqlite/telemetry-worker-thread.ts', import.meta.url),
  tsx: true,
};
const dirs: string[] = [];
const opened: { store: WorkerSampleStore; db: Db }[] = [];

/** A database file of its own, its main-thread connection and rollup store, and the store in a worker. */
function open(options: SampleStoreOptions = {}, onCrash?: (e: Error) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'accord-worker-store-'));
  dirs.push(dir);
  const file = join(dir, 'accord.db');
  const db = openDatabase(file);
  const rollups = new SqliteRollupStore(db);
  const store = new WorkerSampleStore(file, ENTRY, () => rollups.journaledElsewhere(), options, onCrash);
  opened.push({ store, db });
  return { store, rollups, db, file };
}

afterAll(async () => {
  for (const { store, db } of opened) {
    await store.close();
    db.close();
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

sampleStoreContract('sqlite in a worker thread', () => open());

sampleStoreContract('sqlite in a worker thread, a checkpoint after every write', () =>
  open({ checkpointSamples: 1 }),
);

const T0 = Date.UTC(2026, 0, 1);
const gauge = (ts: number, value: number, series = 'v1|probe_success|job=a'): Sample =>
  ratioSample(ts, value, { series });

describe('the telemetry store in a worker thread', () => {
  it('records the SLI activity of the new samples in the write’s own transaction when asked', async () => {
    const { store, db } = open();
    const out = await store.write([gauge(T0, 1), gauge(T0 + 60_000, 0)], {
      vendorId: 'v1',
      receivedAtMs: T0 + 90_000,
    });
    expect(out).toMatchObject({ stored: 2, activityRecorded: true });
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
    // A retry adds nothing to the activity: only new samples count.
    const retry = await store.write([gauge(T0, 1)], { vendorId: 'v1', receivedAtMs: T0 + 120_000 });
    expect(retry).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await new SqliteSliActivityStore(db).listByService('svc_a'))[0]!.samples).toBe(2);
  });

  it('answers the same Sample objects it was given, the counters’ increases set on them as the inline store sets them', async () => {
    const { store } = open();
    const c = (ts: number, value: number): Sample =>
      ratioSample(ts, value, {
        series: 'v1|good_total|job=a',
        sliKey: 'svc_a/requests',
        measure: 'good',
        type: 'counter',
        feed: 'good',
        cumulative: true,
      });
    const batch = [c(T0, 1000), c(T0 + 60_000, 1060), c(T0 + 120_000, 1120), c(T0 + 180_000, 30)];
    const out = await store.write(batch);
    expect(out.fresh).toEqual(batch);
    expect(out.fresh[0]).toBe(batch[0]);
    // The first sample is the baseline; then 60, 60, and 30 after the reset: 150 in all, as increase() says.
    expect(batch.map((s) => s.events)).toEqual([0, 60, 60, 30]);
  });

  it('shows an acknowledged write to a rollup read on the main thread’s connection at once (the journal is folded first)', async () => {
    const { store, rollups } = open();
    await store.write([gauge(T0, 1), gauge(T0 + 1000, 0)]);
    expect(await rollups.read('svc_a/availability', T0, T0 + 300_000)).toEqual([
      expect.objectContaining({ good: 1, total: 2 }),
    ]);
  });

  it('fails the writes a worker crash interrupts, starts another worker, and keeps every acknowledged sample', async () => {
    const crashes: Error[] = [];
    const { store, file } = open({}, (e) => crashes.push(e));
    await store.write([gauge(T0, 1), gauge(T0 + 1000, 0)]);
    const crash = store.crashForTest();
    const interrupted = store.write([gauge(T0 + 2000, 1)]);
    await crash;
    // Whether or not the interrupted write reached the worker before it died, it is answered, never left hanging.
    const settled = await interrupted.then(
      (out) => ({ ok: true as const, out }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    if (!settled.ok) expect(settled.e).toBeInstanceOf(TelemetryWorkerError);
    expect(crashes.length).toBe(1);
    // The new worker replayed the append records: the acknowledged samples are there, a resend is a retry.
    const again = await store.write([gauge(T0, 1), gauge(T0 + 1000, 0), gauge(T0 + 2000, 1)]);
    expect(again.duplicates + again.stored).toBe(3);
    expect(again.duplicates).toBeGreaterThanOrEqual(2);
    expect(await store.count()).toBe(3);
    expect(store.starts).toBe(2);
    const db = openDatabase(file);
    expect(storedSampleTotals(db)).toMatchObject({ n: 3, sum: 2 });
    db.close();
  });

  it('reads through the worker what it holds in its heads and in its chunks', async () => {
    const { store } = open({ checkpointSamples: 2 });
    await store.write([gauge(T0, 1), gauge(T0 + 1000, 0)]); // cut into a chunk
    await store.write([gauge(T0 + 2000, 0.5)]); // in the head
    expect((await store.read('svc_a/availability', T0, T0 + 3000)).map((s) => s.value)).toEqual([1, 0, 0.5]);
    expect(await store.count('v1')).toBe(3);
  });
});

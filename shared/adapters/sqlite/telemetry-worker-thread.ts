/**
 * The telemetry store's worker thread: the one writer of raw samples, counter states, the rollup journal and the SLI
 * activity on the embedded default when the store runs in a worker (`WorkerSampleStore`). It opens its own connection
 * to the database file, recovers the heads from the append records (as the store always does when opened), then
 * answers the main thread's messages one at a time, in order: each write is one IMMEDIATE transaction, committed
 * before its answer is posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sliActivityOf } from '../../domain/telemetry/activity.js';
import { openDatabase } from './db.js';
import { SqliteRollupStore } from './rollups.js';
import { type SampleStoreOptions, SqliteSampleStore, SqliteSliActivityStore } from './telemetry.js';
import {
  type FromWorker,
  type Shape,
  type ToWorker,
  unpackSamples,
  type WriteReply,
} from './telemetry-worker-protocol.js';

const port = parentPort!;
const { file, options } = workerData as { file: string; options: SampleStoreOptions };

function fail(error: unknown): { name: string; message: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

try {
  const db = openDatabase(file);
  // The worker appends and reads back little (heads are in memory; late samples read a chunk or two): 8 MB of page
  // cache instead of the main connection's 64, which holds what evaluation and reports read.
  db.pragma('cache_size = -8192');
  // This connection only journals rollup deltas: the main thread's rollup stores fold them into the buckets.
  const rollups = new SqliteRollupStore(db, { foldsJournal: false });
  const store = new SqliteSampleStore(db, rollups, undefined, options);
  const activity = new SqliteSliActivityStore(db);
  const shapes = new Map<number, Shape>();

  const handle = async (m: ToWorker): Promise<unknown> => {
    switch (m.t) {
      case 'write': {
        for (const s of m.shapes) shapes.set(s.id, s);
        const samples = unpackSamples(shapes, m.packed);
        const act = m.activity;
        const out = store.writeSync(
          samples,
          act
            ? (fresh) => activity.recordSync(sliActivityOf(fresh, act.vendorId, act.receivedAtMs))
            : undefined,
        );
        const at = new Map<object, number>();
        for (let i = 0; i < samples.length; i++) at.set(samples[i]!, i);
        const fresh = new Int32Array(out.fresh.length);
        const events = new Float64Array(out.fresh.length);
        out.fresh.forEach((s, i) => {
          fresh[i] = at.get(s)!;
          events[i] = s.events;
        });
        const reply: WriteReply = {
          stored: out.stored,
          duplicates: out.duplicates,
          fresh,
          events,
          rejected: out.rejected.map((r) => ({
            at: at.get(r.sample)!,
            reason: r.reason,
            message: r.message,
          })),
          journaled: out.fresh.some((s) => s.rollup),
          activityRecorded: act !== undefined,
        };
        return reply;
      }
      case 'read':
        return store.read(m.sliKey, m.fromMs, m.toMs);
      case 'count':
        return store.count(m.vendorId);
      case 'checkpoint':
        store.checkpoint();
        return undefined;
      case 'close':
        db.close();
        return undefined;
    }
  };

  port.on('message', (m: ToWorker) => {
    // Every handler runs synchronously to its end (better-sqlite3), so messages are served strictly in order.
    handle(m).then(
      (value) => {
        const msg: FromWorker = { id: m.id, ok: true, value };
        if (m.t === 'write') {
          const r = value as WriteReply;
          port.postMessage(msg, [r.fresh.buffer as ArrayBuffer, r.events.buffer as ArrayBuffer]);
        } else port.postMessage(msg);
        if (m.t === 'close') port.close();
      },
      (error: unknown) => port.postMessage({ id: m.id, ok: false, error: fail(error) } satisfies FromWorker),
    );
  });
  port.postMessage({ t: 'ready' } satisfies FromWorker);
} catch (error) {
  port.postMessage({ t: 'failed', error: fail(error) } satisfies FromWorker);
}

import { Worker } from 'node:worker_threads';
import type { Sample } from '../../domain/telemetry/model.js';
import type {
  ActivityOfWrite,
  SampleStore,
  StoredSample,
  StoreRejection,
  WriteOutcome,
} from '../../ports/telemetry.js';
import type { SampleStoreOptions } from './telemetry.js';
import {
  FLAG_HAS_RESET,
  FLAG_RESET,
  FLAG_ROLLUP,
  type FromWorker,
  SAMPLE_STRIDE,
  type Shape,
  type ToWorker,
  type WriteReply,
} from './telemetry-worker-protocol.js';

/**
 * How the worker thread is started: its entry file (the build's JavaScript), or a TypeScript source run through tsx's
 * loader (`tsx: true`: from the sources and in tests; Node 20 does not apply `--import` in a worker's execArgv).
 */
export interface WorkerEntry {
  file: string | URL;
  tsx?: boolean;
}

/** A worker that failed before it was ready is started again on the next call, at most once per this many ms. */
const RESTART_AFTER_FAILED_START_MS = 1000;

/** The store's worker is gone (crashed, or failed to open the database): the write may or may not have committed. */
export class TelemetryWorkerError extends Error {
  override name = 'TelemetryWorkerError';
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The embedded default's raw sample store run in a worker thread (`telemetry-worker-thread.ts`), so that SQLite's
 * transactions, the heads, counter states, the rollup journal and the SLI activity use the second core while the
 * main thread serves HTTP, decodes and prepares. The worker is the one writer of those tables; the main thread keeps
 * its own connection for everything else and folds the rollup journal (`journaledElsewhere` is called before a
 * write resolves, so any read after an acknowledgement folds what it acknowledged).
 *
 * - **write** packs the samples (`SAMPLE_STRIDE` doubles each, transferred) with a dictionary entry per series
 *   shape the worker has not seen, and resolves once the worker answered "committed": the same `WriteOutcome` as
 *   `SqliteSampleStore` (the request's own `Sample` objects, their `events` set as the store set them).
 * - **read** and **count** are answered by the worker (the heads are its memory), after every write sent before.
 * - **A crash** of the worker rejects every pending call with `TelemetryWorkerError` (ingestion spools the batch:
 *   202, replayed later; the store is idempotent, so a batch that had committed counts once) and starts a new worker,
 *   which replays the append records like a restarted server.
 */
export class WorkerSampleStore implements SampleStore {
  private worker!: Worker;
  private ready!: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Series shapes sent to the current worker: series → shape (a new worker starts with none). */
  private shapes = new Map<string, Shape>();
  private nextShape = 1;
  private closed = false;
  /** The current worker died before it was ready. */
  private dead = false;
  private startedAt = 0;
  /** Workers started (1 + restarts after a crash). */
  starts = 0;

  constructor(
    private readonly file: string,
    private readonly entry: WorkerEntry,
    private readonly afterJournal: () => void,
    private readonly options: SampleStoreOptions = {},
    private readonly onCrash: (error: Error) => void = () => {},
  ) {
    this.start();
  }

  /** Resolves once the worker has opened the database and recovered its heads. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private start(): void {
    this.starts++;
    this.startedAt = Date.now();
    this.dead = false;
    this.shapes = new Map();
    const workerData = { file: this.file, options: this.options };
    const url = this.entry.file instanceof URL ? this.entry.file.href : this.entry.file;
    const worker = this.entry.tsx
      ? new Worker(
          `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`,
          { eval: true, workerData },
        )
      : new Worker(this.entry.file, { workerData });
    this.worker = worker;
    let isReady = false;
    let opened: () => void;
    let refused: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      opened = resolve;
      refused = reject;
    });
    this.ready.catch(() => {});
    worker.on('message', (m: FromWorker) => {
      if ('t' in m) {
        if (m.t === 'ready') {
          isReady = true;
          opened();
        } else refused(new TelemetryWorkerError(`the telemetry store could not open: ${m.error.message}`));
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    });
    const gone = (error: Error) => {
      if (this.worker !== worker) return;
      refused(error);
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(error);
      if (this.closed) return;
      this.onCrash(error);
      // A worker that had opened the store is replaced at once (it replays the append records); one that could not
      // open it is tried again by the next call, not in a loop.
      if (isReady) this.start();
      else this.dead = true;
    };
    worker.on('error', (e) =>
      gone(new TelemetryWorkerError(`the telemetry store's worker failed: ${e.message}`)),
    );
    worker.on('exit', (code) =>
      gone(new TelemetryWorkerError(`the telemetry store's worker exited (${code})`)),
    );
    worker.unref();
  }

  /** The current worker's readiness; a worker that died before it was ready is started again (not too often). */
  private live(): Promise<void> {
    if (this.dead && !this.closed && Date.now() - this.startedAt >= RESTART_AFTER_FAILED_START_MS)
      this.start();
    return this.ready;
  }

  private call(m: ToWorker, transfer?: ArrayBuffer[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new TelemetryWorkerError('the telemetry store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject });
      // A pending call keeps the process alive, as an open socket would; an idle worker does not.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(m, transfer ?? []);
    }).finally(() => {
      if (this.pending.size === 0 && !this.closed) this.worker.unref();
    });
  }

  async write(samples: readonly Sample[], activity?: ActivityOfWrite): Promise<WriteOutcome> {
    if (samples.length === 0)
      return { stored: 0, duplicates: 0, fresh: [], rejected: [], activityRecorded: false };
    // Packed and posted in one synchronous run after the worker is ready: a restart cannot come between them, so
    // every shape the message names is either in it or was sent to this same worker before.
    await this.live();
    const shapes: Shape[] = [];
    const packed = new Float64Array(samples.length * SAMPLE_STRIDE);
    for (let i = 0, j = 0; i < samples.length; i++, j += SAMPLE_STRIDE) {
      const s = samples[i]!;
      let shape = this.shapes.get(s.series);
      if (
        shape === undefined ||
        shape.sliKey !== s.sliKey ||
        shape.vendorId !== s.vendorId ||
        shape.measure !== s.measure ||
        shape.type !== s.type ||
        shape.feed !== s.feed ||
        shape.cumulative !== s.cumulative
      ) {
        shape = {
          id: this.nextShape++,
          series: s.series,
          vendorId: s.vendorId,
          sliKey: s.sliKey,
          measure: s.measure,
          type: s.type,
          feed: s.feed,
          cumulative: s.cumulative,
        };
        this.shapes.set(s.series, shape);
        shapes.push(shape);
      }
      packed[j] = shape.id;
      packed[j + 1] = s.index;
      packed[j + 2] = s.timestampMs;
      packed[j + 3] = s.value;
      packed[j + 4] = s.events;
      packed[j + 5] = s.thresholdMs ?? Number.NaN;
      packed[j + 6] = s.startMs ?? Number.NaN;
      packed[j + 7] =
        (s.rollup ? FLAG_ROLLUP : 0) |
        (s.reset === undefined ? 0 : FLAG_HAS_RESET | (s.reset ? FLAG_RESET : 0));
    }
    const id = this.nextId++;
    let r: WriteReply;
    try {
      r = (await this.call({ t: 'write', id, shapes, packed, activity }, [packed.buffer])) as WriteReply;
    } catch (e) {
      // The worker may have died before it learnt the new shapes: send them again to whichever worker runs next.
      for (const s of shapes) if (this.shapes.get(s.series) === s) this.shapes.delete(s.series);
      throw e;
    }
    if (r.journaled) {
      try {
        this.afterJournal();
      } catch {
        // A fold that failed here (busy) leaves the journal flagged: the next read folds it before answering.
      }
    }
    const fresh: Sample[] = new Array(r.fresh.length);
    for (let i = 0; i < r.fresh.length; i++) {
      const s = samples[r.fresh[i]!]!;
      s.events = r.events[i]!;
      fresh[i] = s;
    }
    const rejected: StoreRejection[] = r.rejected.map((x) => ({
      sample: samples[x.at]!,
      reason: x.reason,
      message: x.message,
    }));
    return {
      stored: r.stored,
      duplicates: r.duplicates,
      fresh,
      rejected,
      activityRecorded: r.activityRecorded,
    };
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<StoredSample[]> {
    await this.live();
    return (await this.call({ t: 'read', id: this.nextId++, sliKey, fromMs, toMs })) as StoredSample[];
  }

  async count(vendorId?: string): Promise<number> {
    await this.live();
    return (await this.call({ t: 'count', id: this.nextId++, vendorId })) as number;
  }

  /** Cuts the worker's heads into chunks now (tests: reads and retries then go through the chunks). */
  async checkpoint(): Promise<void> {
    await this.live();
    await this.call({ t: 'checkpoint', id: this.nextId++ });
  }

  /** Closes the worker's connection after the calls sent before; later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.ready.catch(() => {});
    const done = this.call({ t: 'close', id: this.nextId++ }).catch(() => {});
    this.closed = true;
    await done;
    await this.worker.terminate();
  }

  /** Kills the worker as a crash would (tests). */
  async crashForTest(): Promise<void> {
    await this.worker.terminate();
  }
}

import type { Statement } from 'better-sqlite3';
import { sliActivityOf } from '../../domain/telemetry/activity.js';
import type { Sample, UnmappedSighting } from '../../domain/telemetry/model.js';
import { rollupDeltas, type SourceDelta } from '../../domain/telemetry/rollup.js';
import type { CounterState } from '../../domain/telemetry/semantics.js';
import { BUCKET_MS } from '../../ports/rollups.js';
import type {
  ActivityOfWrite,
  DiscrepancyStore,
  IdempotencyStore,
  IdempotentRecord,
  SampleStore,
  SeriesStateChange,
  SeriesStateStore,
  SliActivityRecord,
  SliActivityStore,
  SourceBucketTotals,
  StoredSample,
  StoreRejection,
  UnmappedSeriesStore,
  WriteOutcome,
} from '../../ports/telemetry.js';
import type { Discrepancy, UnmappedSeries } from '../../schemas/telemetry.js';
import { conflict, countCumulativeSync, withoutDecided } from '../series-state.js';
import { decodeChunk, encodeChunk } from './chunks.js';
import type { Db } from './db.js';
import type { SqliteRollupStore } from './rollups.js';
import { preparedOnceBy } from './statements.js';

/** A series' samples not yet in a chunk: parallel arrays in ascending time order. */
interface Head {
  ts: number[];
  values: number[];
}

/** What this process knows of one stored series. */
interface SeriesInfo {
  id: number;
  vendorId: string;
  /** Samples since the last checkpoint (also in the append log), in time order. */
  head: Head;
  /** Time range of the series' chunks (Infinity / -Infinity when it has none). */
  chunkMin: number;
  chunkMax: number;
}

/** Tuning of the raw store: when the heads are cut into chunks, and how large a chunk may be. */
export interface SampleStoreOptions {
  /** Cut every head into chunks once this many samples wait in the heads (default 200,000: about 3 MB). */
  checkpointSamples?: number;
  /** ...or once the oldest waiting sample was appended this long ago (default 15 minutes). */
  checkpointAgeMs?: number;
  /** Most samples in one chunk (default 1,024). */
  maxChunkSamples?: number;
}

/** The samples a write put into the heads (to take out again if its transaction fails): parallel arrays. */
interface Undo {
  infos: SeriesInfo[];
  ts: number[];
}

const LOG_STRIDE = 3; // the wide layout: series id, timestamp, value, one Float64 each
const INT32_MAX = 0x7fffffff;

/**
 * One write's append record (`telemetry_sample_log.data`): its samples' series ids, times (epoch ms) and values, in one
 * of two layouts told apart by length (`n` samples):
 * - **compact**, 8 + 16 bytes a sample: the earliest time as a double, the values as doubles, then the series ids and
 *   each time's offset from the earliest as Int32s. Taken when the record holds at least two samples, every time is a
 *   whole millisecond, they span at most 2^31 - 1 ms (about 24 days) and every series id fits an Int32;
 * - **wide**, 24 bytes a sample (series id, time, value as doubles), otherwise: the only layout of records written before
 *   the compact one, still read. (For one sample both would be 24 bytes; it is always wide.)
 * A third fewer bytes to the WAL a write than the wide layout alone.
 */
export function encodeSampleLog(
  n: number,
  idAt: (i: number) => number,
  timeAt: (i: number) => number,
  valueAt: (i: number) => number,
): Buffer {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let compact = n >= 2;
  for (let i = 0; i < n && compact; i++) {
    const t = timeAt(i);
    if (!Number.isInteger(t) || idAt(i) > INT32_MAX) compact = false;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (compact && max - min <= INT32_MAX) {
    const buf = new ArrayBuffer(8 + 16 * n);
    const doubles = new Float64Array(buf, 0, 1 + n);
    const ids = new Int32Array(buf, 8 + 8 * n, n);
    const offsets = new Int32Array(buf, 8 + 12 * n, n);
    doubles[0] = min;
    for (let i = 0; i < n; i++) {
      doubles[1 + i] = valueAt(i);
      ids[i] = idAt(i);
      offsets[i] = timeAt(i) - min;
    }
    return Buffer.from(buf);
  }
  const rec = new Float64Array(n * LOG_STRIDE);
  for (let i = 0, j = 0; i < n; i++, j += LOG_STRIDE) {
    rec[j] = idAt(i);
    rec[j + 1] = timeAt(i);
    rec[j + 2] = valueAt(i);
  }
  return Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength);
}

/**
 * Calls `each(seriesId, timeMs, value)` for every sample of an append record of `n` samples (either layout, see
 * `encodeSampleLog`), in the order written.
 * @throws Error when the record's length fits neither layout (naming the record `id`)
 */
export function forEachLogged(
  id: number,
  n: number,
  data: Uint8Array,
  each: (seriesId: number, timeMs: number, value: number) => void,
): void {
  // A copy: SQLite's buffer need not be aligned for the typed arrays.
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  if (data.byteLength === n * 8 * LOG_STRIDE) {
    const rec = new Float64Array(buf);
    for (let j = 0; j < rec.length; j += LOG_STRIDE) each(rec[j]!, rec[j + 1]!, rec[j + 2]!);
    return;
  }
  if (n >= 2 && data.byteLength === 8 + 16 * n) {
    const doubles = new Float64Array(buf, 0, 1 + n);
    const ids = new Int32Array(buf, 8 + 8 * n, n);
    const offsets = new Int32Array(buf, 8 + 12 * n, n);
    const min = doubles[0]!;
    for (let i = 0; i < n; i++) each(ids[i]!, min + offsets[i]!, doubles[1 + i]!);
    return;
  }
  throw new Error(`telemetry_sample_log ${id} holds ${data.byteLength} bytes for ${n} samples`);
}

function search(a: readonly number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts (t, v) into a head kept in time order (nearly always at its end). */
function headInsert(h: Head, t: number, v: number): void {
  const n = h.ts.length;
  if (n === 0 || h.ts[n - 1]! < t) {
    h.ts.push(t);
    h.values.push(v);
    return;
  }
  const at = search(h.ts, t);
  h.ts.splice(at, 0, t);
  h.values.splice(at, 0, v);
}

function headRemove(h: Head, t: number): void {
  const at = search(h.ts, t);
  if (h.ts[at] === t) {
    h.ts.splice(at, 1);
    h.values.splice(at, 1);
  }
}

/**
 * Raw samples in SQLite as compressed chunks per series (`chunks.ts`: delta-of-delta timestamps, integer-delta or
 * XOR values), after Gorilla and Prometheus TSDB, with the durability of the row-per-sample design it replaced:
 *
 * - **A write is one transaction**: the request's new samples as ONE append record (`telemetry_sample_log`: series
 *   id, time and value as 24 bytes each), the counter states of its cumulative samples and the rollups of exactly
 *   what was new. Committed to the WAL before write() resolves: an acknowledged sample survives a crash.
 * - **The heads**: the same samples are kept in memory per series (`Head`), the last written ones; a sample is a
 *   retry or a conflict when its series holds that time already, looked up in the head, then (only when the time
 *   falls inside the series' chunk range: late data) in the chunks that cover it. In-order data never reads SQLite.
 * - **Checkpoint**: when the heads hold `checkpointSamples` samples or the oldest is `checkpointAgeMs` old, every
 *   head becomes chunks (at most `maxChunkSamples` each) and the append records are deleted, in one transaction:
 *   each sample is in exactly one of the two tables at every commit.
 * - **Recovery**: opening the store replays the append records into the heads (a crash loses no acknowledged
 *   sample). A database of the row-per-sample design is converted into chunks once, when opened.
 * - **Reads** merge the chunks overlapping the range and the heads. Chunks of one series may overlap in time (a
 *   late sample lands in a later chunk); no sample is in two.
 *
 * One writing process per database file (the embedded default's server): the heads are that process's memory.
 */
export class SqliteSampleStore implements SampleStore {
  private readonly bySeries = new Map<string, SeriesInfo>();
  private readonly byId = new Map<number, SeriesInfo>();
  private headSamples = 0;
  private oldestHeadMs = 0;
  /** The append records whose samples are in this store's heads: the ones a checkpoint may delete. */
  private ownLogIds: number[] = [];
  private readonly opts: Required<SampleStoreOptions>;
  private readonly s: {
    findSeries: Statement<[string]>;
    seriesById: Statement<[number]>;
    addSeries: Statement<[string, string, string, string]>;
    bounds: Statement<[number]>;
    covering: Statement<[number, number, number]>;
    appendLog: Statement<[number, Buffer]>;
    readLog: Statement<[]>;
    clearLog: Statement<[number]>;
    addChunk: Statement<[number, number, number, number, Uint8Array]>;
    slis: Statement<[string]>;
    readChunks: Statement<[string, number, number]>;
    count: Statement<[]>;
    countVendor: Statement<[string]>;
  };
  private readonly writeTx: (
    samples: readonly Sample[],
    undo: Undo,
    inTx: ((fresh: readonly Sample[]) => void) | undefined,
  ) => WriteOutcome;
  private readonly checkpointTx: () => void;

  /** The SLI activity, recorded in the write's transaction when the writer asks (`write`'s second argument). */
  private activity: SqliteSliActivityStore | undefined;

  constructor(
    private readonly db: Db,
    private readonly rollups: SqliteRollupStore,
    readonly states: SqliteSeriesStateStore = new SqliteSeriesStateStore(db),
    options: SampleStoreOptions = {},
  ) {
    this.opts = {
      checkpointSamples: options.checkpointSamples ?? 200_000,
      checkpointAgeMs: options.checkpointAgeMs ?? 15 * 60_000,
      maxChunkSamples: options.maxChunkSamples ?? 1024,
    };
    db.exec(`
      CREATE TABLE IF NOT EXISTS telemetry_series (
        id INTEGER PRIMARY KEY,
        series TEXT NOT NULL UNIQUE,
        vendor_id TEXT NOT NULL,
        sli_key TEXT NOT NULL,
        measure TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS telemetry_series_sli ON telemetry_series (sli_key);
      CREATE TABLE IF NOT EXISTS telemetry_chunk (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        min_ts INTEGER NOT NULL,
        max_ts INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS telemetry_chunk_series ON telemetry_chunk (series_id, max_ts);
      CREATE TABLE IF NOT EXISTS telemetry_sample_log (
        id INTEGER PRIMARY KEY,
        n INTEGER NOT NULL,
        data BLOB NOT NULL
      );
    `);
    this.s = {
      findSeries: db.prepare('SELECT id, vendor_id FROM telemetry_series WHERE series = ?').raw(),
      seriesById: db.prepare('SELECT series, vendor_id FROM telemetry_series WHERE id = ?').raw(),
      addSeries: db.prepare(
        'INSERT INTO telemetry_series (series, vendor_id, sli_key, measure) VALUES (?, ?, ?, ?)',
      ),
      bounds: db.prepare('SELECT MIN(min_ts), MAX(max_ts) FROM telemetry_chunk WHERE series_id = ?').raw(),
      covering: db
        .prepare('SELECT data FROM telemetry_chunk WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?')
        .pluck(),
      appendLog: db.prepare('INSERT INTO telemetry_sample_log (n, data) VALUES (?, ?)'),
      readLog: db.prepare('SELECT id, n, data FROM telemetry_sample_log ORDER BY id').raw(),
      clearLog: db.prepare('DELETE FROM telemetry_sample_log WHERE id = ?'),
      addChunk: db.prepare(
        'INSERT INTO telemetry_chunk (series_id, min_ts, max_ts, n, data) VALUES (?, ?, ?, ?, ?)',
      ),
      slis: db.prepare('SELECT id, series, vendor_id, measure FROM telemetry_series WHERE sli_key = ?').raw(),
      readChunks: db
        .prepare(
          `SELECT c.series_id, c.data FROM telemetry_series s JOIN telemetry_chunk c ON c.series_id = s.id
           WHERE s.sli_key = ? AND c.max_ts >= ? AND c.min_ts < ?`,
        )
        .raw(),
      count: db.prepare('SELECT TOTAL(n) FROM telemetry_chunk').pluck(),
      countVendor: db
        .prepare(
          `SELECT TOTAL(c.n) FROM telemetry_chunk c JOIN telemetry_series s ON s.id = c.series_id
           WHERE s.vendor_id = ?`,
        )
        .pluck(),
    };
    // IMMEDIATE: the write lock is taken at BEGIN (waiting on busy_timeout), so a write never fails half-way because
    // another connection (the main thread's, when this store runs in the telemetry worker) committed meanwhile.
    const writeTx = db.transaction(
      (samples: readonly Sample[], undo: Undo, inTx: ((fresh: readonly Sample[]) => void) | undefined) => {
        const out = this.writeInTx(samples, undo);
        if (inTx && out.fresh.length) inTx(out.fresh);
        return out;
      },
    );
    this.writeTx = (samples, undo, inTx) => writeTx.immediate(samples, undo, inTx);
    const checkpointTx = db.transaction(() => this.checkpointInTx());
    this.checkpointTx = () => checkpointTx.immediate();
    convertRowStore(db, this.opts.maxChunkSamples);
    this.recover();
  }

  /**
   * Stores the samples (see the class). With `activity`, the SLI activity of the new samples is recorded in the same
   * transaction (one commit a request instead of two) and the outcome says so.
   */
  async write(samples: readonly Sample[], activity?: ActivityOfWrite): Promise<WriteOutcome> {
    if (activity === undefined) return this.writeSync(samples);
    this.activity ??= new SqliteSliActivityStore(this.db);
    const store = this.activity;
    const out = this.writeSync(samples, (fresh) =>
      store.recordSync(sliActivityOf(fresh, activity.vendorId, activity.receivedAtMs)),
    );
    return { ...out, activityRecorded: true };
  }

  /**
   * `write`, synchronously, with `inTx` run on the new samples inside the same transaction (the telemetry worker
   * records the SLI activity there, so it commits with the samples).
   * @throws what SQLite throws; the heads and caches are then as before the call
   */
  writeSync(samples: readonly Sample[], inTx?: (fresh: readonly Sample[]) => void): WriteOutcome {
    if (samples.length === 0) return { stored: 0, duplicates: 0, fresh: [], rejected: [] };
    const undo: Undo = { infos: [], ts: [] };
    let out: WriteOutcome;
    try {
      out = this.writeTx(samples, undo, inTx);
    } catch (e) {
      // The transaction rolled back: so do the heads, series ids interned inside it and the rollups' cached last rows.
      for (let i = 0; i < undo.infos.length; i++) headRemove(undo.infos[i]!.head, undo.ts[i]!);
      this.rollups.forgetLastRows();
      this.bySeries.clear();
      this.byId.clear();
      this.headSamples = 0;
      this.ownLogIds = [];
      this.recover();
      throw e;
    }
    if (out.stored > 0) {
      if (this.headSamples === 0) this.oldestHeadMs = Date.now();
      this.headSamples += out.stored;
      if (
        this.headSamples >= this.opts.checkpointSamples ||
        Date.now() - this.oldestHeadMs >= this.opts.checkpointAgeMs
      )
        this.checkpoint();
    }
    return out;
  }

  /** Cuts every head into chunks and empties the append log (one transaction). A failure leaves both as they were. */
  checkpoint(): void {
    if (this.headSamples === 0) return;
    try {
      this.checkpointTx();
    } catch {
      return; // the heads and the log are intact; the next write tries again
    }
    for (const info of this.byId.values()) {
      const h = info.head;
      if (h.ts.length === 0) continue;
      info.chunkMin = Math.min(info.chunkMin, h.ts[0]!);
      info.chunkMax = Math.max(info.chunkMax, h.ts[h.ts.length - 1]!);
      info.head = { ts: [], values: [] };
    }
    this.headSamples = 0;
    this.ownLogIds = [];
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<StoredSample[]> {
    const series = this.s.slis.all(sliKey) as [number, string, string, string][];
    if (series.length === 0) return [];
    const meta = new Map(series.map(([id, name, vendorId, measure]) => [id, { name, vendorId, measure }]));
    const out: StoredSample[] = [];
    const add = (id: number, ts: readonly number[], values: readonly number[]) => {
      const m = meta.get(id)!;
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (t >= fromMs && t < toMs)
          out.push({
            series: m.name,
            vendorId: m.vendorId,
            sliKey,
            measure: m.measure,
            timestampMs: t,
            value: values[i]!,
          });
      }
    };
    for (const [id, data] of this.s.readChunks.all(sliKey, fromMs, toMs) as [number, Uint8Array][]) {
      const c = decodeChunk(data);
      add(id, c.ts, c.values);
    }
    for (const [id] of series) {
      const info = this.byId.get(id);
      if (info) add(id, info.head.ts, info.head.values);
    }
    return out.sort(
      (a, b) => a.timestampMs - b.timestampMs || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0),
    );
  }

  async count(vendorId?: string): Promise<number> {
    let n = (vendorId === undefined ? this.s.count.get() : this.s.countVendor.get(vendorId)) as number;
    for (const info of this.byId.values())
      if (vendorId === undefined || info.vendorId === vendorId) n += info.head.ts.length;
    return n;
  }

  private writeInTx(samples: readonly Sample[], undo: Undo): WriteOutcome {
    let fresh: Sample[] = [];
    const infos: SeriesInfo[] = [];
    const rejected: StoreRejection[] = [];
    let duplicates = 0;
    for (const x of samples) {
      const info = this.info(x);
      const t = x.timestampMs;
      const h = info.head;
      const last = h.ts.length ? h.ts[h.ts.length - 1]! : Number.NEGATIVE_INFINITY;
      let held: number | undefined;
      if (t <= last || t <= info.chunkMax) held = this.held(info, t);
      if (held === undefined) {
        headInsert(h, t, x.value);
        undo.infos.push(info);
        undo.ts.push(t);
        fresh.push(x);
        infos.push(info);
      } else if (held === x.value || (Number.isNaN(held) && Number.isNaN(x.value))) duplicates++;
      else rejected.push(conflict(x, held));
    }
    const step = countCumulativeSync(
      (series) => this.states.loadSync(series),
      (changes) => this.states.commitSync(changes),
      fresh,
    );
    if (step.rejected.length || step.repeats.length) {
      for (const r of step.rejected) headRemove(this.info(r.sample).head, r.sample.timestampMs);
      for (const r of step.repeats) headRemove(this.info(r).head, r.timestampMs);
      rejected.push(...step.rejected);
      duplicates += step.repeats.length;
      const kept = withoutDecided(fresh, step);
      const keep = new Set(kept);
      const keptInfos: SeriesInfo[] = [];
      for (let i = 0; i < fresh.length; i++) if (keep.has(fresh[i]!)) keptInfos.push(infos[i]!);
      fresh = kept;
      infos.length = 0;
      infos.push(...keptInfos);
    }
    if (fresh.length) {
      const rec = encodeSampleLog(
        fresh.length,
        (i) => infos[i]!.id,
        (i) => fresh[i]!.timestampMs,
        (i) => fresh[i]!.value,
      );
      const id = Number(this.s.appendLog.run(fresh.length, rec).lastInsertRowid);
      this.ownLogIds.push(id);
    }
    const deltas = rollupDeltas(fresh);
    if (deltas.length) this.rollups.journal(deltas);
    return { stored: fresh.length, duplicates, fresh, rejected };
  }

  private checkpointInTx(): void {
    const max = this.opts.maxChunkSamples;
    for (const info of this.byId.values()) {
      const { ts, values } = info.head;
      for (let from = 0; from < ts.length; from += max) {
        const to = Math.min(ts.length, from + max);
        this.s.addChunk.run(info.id, ts[from]!, ts[to - 1]!, to - from, encodeChunk(ts, values, from, to));
      }
    }
    // Only the records whose samples were just cut into chunks: a record another store on this database appended
    // (the demo loader's, or a second process's) is not in these heads, and deleting it would lose its samples.
    for (const id of this.ownLogIds) this.s.clearLog.run(id);
  }

  /** The value the series holds at time t (head, then the chunks covering t), or undefined. */
  private held(info: SeriesInfo, t: number): number | undefined {
    const h = info.head;
    const at = search(h.ts, t);
    if (h.ts[at] === t) return h.values[at];
    if (t < info.chunkMin || t > info.chunkMax) return undefined;
    for (const data of this.s.covering.all(info.id, t, t) as Uint8Array[]) {
      const c = decodeChunk(data);
      const i = search(c.ts, t);
      if (c.ts[i] === t) return c.values[i];
    }
    return undefined;
  }

  private info(x: Sample): SeriesInfo {
    let info = this.bySeries.get(x.series);
    if (info === undefined) {
      const row = this.s.findSeries.get(x.series) as [number, string] | undefined;
      const id = row
        ? row[0]
        : Number(this.s.addSeries.run(x.series, x.vendorId, x.sliKey, x.measure).lastInsertRowid);
      info = this.track(id, x.series, row ? row[1] : x.vendorId);
    }
    return info;
  }

  private track(id: number, series: string, vendorId: string): SeriesInfo {
    const [min, max] = this.s.bounds.get(id) as [number | null, number | null];
    const info: SeriesInfo = {
      id,
      vendorId,
      head: { ts: [], values: [] },
      chunkMin: min ?? Number.POSITIVE_INFINITY,
      chunkMax: max ?? Number.NEGATIVE_INFINITY,
    };
    this.bySeries.set(series, info);
    this.byId.set(id, info);
    return info;
  }

  /** Replays the append records (samples since the last checkpoint) into the heads. */
  private recover(): void {
    for (const [id, n, data] of this.s.readLog.all() as [number, number, Buffer][]) {
      forEachLogged(id, n, data, (sid, t, v) => {
        let info = this.byId.get(sid);
        if (info === undefined) {
          const row = this.s.seriesById.get(sid) as [string, string] | undefined;
          if (!row) throw new Error(`telemetry_sample_log ${id} names series ${sid}, which does not exist`);
          info = this.track(sid, row[0], row[1]);
        }
        // A time the series holds already (a log written by two stores on one database: the second's heads had not
        // seen the first's sample) is replayed once, the first acknowledged; twice in a head, it would make every
        // checkpoint fail (a chunk's times must ascend) and the log grow for ever.
        if (this.held(info, t) !== undefined) return;
        headInsert(info.head, t, v);
        this.headSamples++;
      });
      this.ownLogIds.push(id);
    }
    if (this.headSamples > 0) this.oldestHeadMs = Date.now();
  }

  /**
   * Chunks of a series written beside this store in a transaction that committed (the backfill's columnar writer,
   * backfill-writer.ts): a series this store tracks in memory widens its chunk range, so that a later sample at those
   * times is looked up in the chunks (a retry, a conflict) instead of taken as new. An untracked series reads its range
   * from SQLite when first met.
   */
  noteChunks(series: string, minTs: number, maxTs: number): void {
    const info = this.bySeries.get(series);
    if (info === undefined) return;
    info.chunkMin = Math.min(info.chunkMin, minTs);
    info.chunkMax = Math.max(info.chunkMax, maxTs);
  }
}

/**
 * Converts a database of the row-per-sample design (`telemetry_sample`, one row per series and time) into chunks,
 * once, in one transaction, and drops the old table.
 */
function convertRowStore(db: Db, maxChunkSamples: number): void {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'telemetry_sample'")
    .get();
  if (!exists) return;
  const add = db.prepare(
    'INSERT INTO telemetry_chunk (series_id, min_ts, max_ts, n, data) VALUES (?, ?, ?, ?, ?)',
  );
  // better-sqlite3 refuses a write while a read is open on the same connection, so the old table is read one
  // series at a time (`all()` closes each read before that series' chunks are written).
  const ids = db.prepare('SELECT DISTINCT series_id FROM telemetry_sample ORDER BY series_id').pluck();
  const rowsOf = db.prepare('SELECT ts, value FROM telemetry_sample WHERE series_id = ? ORDER BY ts').raw();
  db.transaction(() => {
    for (const id of ids.all() as number[]) {
      const rows = rowsOf.all(id) as [number, number][];
      const ts = rows.map((r) => r[0]);
      const values = rows.map((r) => r[1]);
      for (let from = 0; from < ts.length; from += maxChunkSamples) {
        const to = Math.min(ts.length, from + maxChunkSamples);
        add.run(id, ts[from]!, ts[to - 1]!, to - from, encodeChunk(ts, values, from, to));
      }
    }
    db.exec('DROP TABLE telemetry_sample');
  })();
}

/**
 * Every raw sample the database holds (chunks and append records), read in one snapshot through any connection,
 * even while the server writes: how many, and their sum (what the ingest bench and tests check against what they
 * sent).
 */
export function storedSampleTotals(db: Db, sliKey?: string): { n: number; sum: number; ts: number[] } {
  const read = db.transaction(() => {
    const ids =
      sliKey === undefined
        ? undefined
        : new Set(
            db.prepare('SELECT id FROM telemetry_series WHERE sli_key = ?').pluck().all(sliKey) as number[],
          );
    let n = 0;
    let sum = 0;
    const ts: number[] = [];
    for (const [sid, data] of db
      .prepare('SELECT series_id, data FROM telemetry_chunk')
      .raw()
      .iterate() as IterableIterator<[number, Uint8Array]>) {
      if (ids && !ids.has(sid)) continue;
      const c = decodeChunk(data);
      n += c.ts.length;
      for (let i = 0; i < c.ts.length; i++) {
        sum += c.values[i]!;
        ts.push(c.ts[i]!);
      }
    }
    for (const [id, count, data] of db
      .prepare('SELECT id, n, data FROM telemetry_sample_log')
      .raw()
      .iterate() as IterableIterator<[number, number, Buffer]>) {
      forEachLogged(id, count, data, (sid, t, v) => {
        if (ids && !ids.has(sid)) return;
        n++;
        sum += v;
        ts.push(t);
      });
    }
    return { n, sum, ts };
  });
  return read();
}

export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly s;
  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry_idempotency (
      vendor_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
      body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (vendor_id, key))`); // rowid: bodies are large
    this.s = {
      get: db.prepare(
        `SELECT request_hash AS requestHash, status, body, created_at AS createdAtMs
         FROM telemetry_idempotency WHERE vendor_id = ? AND key = ?`,
      ),
      put: db.prepare(
        `INSERT OR IGNORE INTO telemetry_idempotency (vendor_id, key, request_hash, status, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      purge: db.prepare('DELETE FROM telemetry_idempotency WHERE created_at < ?'),
    };
  }

  async get(vendorId: string, key: string): Promise<IdempotentRecord | undefined> {
    return this.s.get.get(vendorId, key) as IdempotentRecord | undefined;
  }

  async put(vendorId: string, key: string, r: IdempotentRecord): Promise<void> {
    this.s.put.run(vendorId, key, r.requestHash, r.status, r.body, r.createdAtMs);
  }

  async purge(beforeMs: number): Promise<number> {
    return this.s.purge.run(beforeMs).changes;
  }
}

export class SqliteUnmappedSeriesStore implements UnmappedSeriesStore {
  private readonly s;
  private readonly recordTx: (sightings: readonly UnmappedSighting[], atMs: number) => void;
  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry_unmapped (
      vendor_id TEXT NOT NULL, metric TEXT NOT NULL, labels TEXT NOT NULL, samples INTEGER NOT NULL,
      first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (vendor_id, metric, labels)) WITHOUT ROWID`);
    this.s = {
      upsert: db.prepare(
        `INSERT INTO telemetry_unmapped (vendor_id, metric, labels, samples, first_seen, last_seen)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (vendor_id, metric, labels) DO UPDATE SET samples = samples + excluded.samples,
           last_seen = MAX(last_seen, excluded.last_seen)`,
      ),
      list: db.prepare(
        `SELECT vendor_id, metric, labels, samples, first_seen, last_seen FROM telemetry_unmapped
         WHERE (? IS NULL OR vendor_id = ?) ORDER BY samples DESC, vendor_id, metric, labels LIMIT ?`,
      ),
    };
    this.recordTx = db.transaction((sightings: readonly UnmappedSighting[], atMs: number) => {
      for (const u of sightings) {
        this.s.upsert.run(u.vendorId, u.metric, canonicalLabels(u.labels), u.samples, atMs, atMs);
      }
    });
  }

  async record(sightings: readonly UnmappedSighting[], atMs: number): Promise<void> {
    if (sightings.length) this.recordTx(sightings, atMs);
  }

  async list(q: { vendorId?: string; limit: number }): Promise<UnmappedSeries[]> {
    const rows = this.s.list.all(q.vendorId ?? null, q.vendorId ?? null, q.limit) as {
      vendor_id: string;
      metric: string;
      labels: string;
      samples: number;
      first_seen: number;
      last_seen: number;
    }[];
    return rows.map((r) => ({
      vendorId: r.vendor_id,
      metric: r.metric,
      labels: JSON.parse(r.labels) as Record<string, string>,
      samples: r.samples,
      firstSeen: new Date(r.first_seen).toISOString(),
      lastSeen: new Date(r.last_seen).toISOString(),
    }));
  }
}

/**
 * The entries of activity journal rows (`[id, keys, data]`: keys the JSON `[vendors, slis]`, data 5 doubles an entry),
 * added up per (SLI, vendor): samples summed, the first sample time the earliest, the last sample and received times
 * the latest.
 */
function activityOfJournal(rows: readonly [number, string, Buffer][]): SliActivityRecord[] {
  const byKey = new Map<string, SliActivityRecord>();
  for (const [id, keys, data] of rows) {
    const [vendors, slis] = JSON.parse(keys) as [string[], string[]];
    const a = new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    if (a.length !== slis.length * ACTIVITY_STRIDE)
      throw new Error(
        `telemetry_sli_activity_journal ${id} holds ${a.length} numbers for ${slis.length} SLIs`,
      );
    for (let i = 0, j = 0; i < slis.length; i++, j += ACTIVITY_STRIDE) {
      const sliKey = slis[i]!;
      const vendorId = vendors[a[j]!]!;
      const key = `${sliKey}\u0000${vendorId}`;
      const r = byKey.get(key);
      if (r === undefined)
        byKey.set(key, {
          sliKey,
          vendorId,
          samples: a[j + 1]!,
          firstSampleMs: a[j + 2]!,
          lastSampleMs: a[j + 3]!,
          lastReceivedMs: a[j + 4]!,
        });
      else {
        r.samples += a[j + 1]!;
        r.firstSampleMs = Math.min(r.firstSampleMs, a[j + 2]!);
        r.lastSampleMs = Math.max(r.lastSampleMs, a[j + 3]!);
        r.lastReceivedMs = Math.max(r.lastReceivedMs, a[j + 4]!);
      }
    }
  }
  return [...byKey.values()];
}

/** Labels as JSON with sorted names: one key per series whatever order the vendor sent them in. */
export function canonicalLabels(labels: Record<string, string>): string {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return JSON.stringify(out);
}

export class SqliteDiscrepancyStore implements DiscrepancyStore {
  private readonly s;
  private readonly addTx: (deltas: readonly SourceDelta[]) => SourceBucketTotals[];
  constructor(db: Db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS telemetry_source_bucket (
        sli_key TEXT NOT NULL, bucket INTEGER NOT NULL, vendor_id TEXT NOT NULL,
        good REAL NOT NULL, total REAL NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
        PRIMARY KEY (sli_key, bucket, vendor_id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS telemetry_discrepancy (
        sli_key TEXT NOT NULL, bucket INTEGER NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (sli_key, bucket)) WITHOUT ROWID;
    `);
    this.s = {
      add: db.prepare(
        `INSERT INTO telemetry_source_bucket (sli_key, bucket, vendor_id, good, total, count, sum)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sli_key, bucket, vendor_id) DO UPDATE SET good = good + excluded.good,
           total = total + excluded.total, count = count + excluded.count, sum = sum + excluded.sum`,
      ),
      bucket: db.prepare(
        'SELECT vendor_id, good, total, count, sum FROM telemetry_source_bucket WHERE sli_key = ? AND bucket = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO telemetry_discrepancy (sli_key, bucket, record) VALUES (?, ?, ?)
         ON CONFLICT (sli_key, bucket) DO UPDATE SET record = excluded.record`,
      ),
      clear: db.prepare('DELETE FROM telemetry_discrepancy WHERE sli_key = ? AND bucket = ?'),
      list: db.prepare(
        `SELECT record FROM telemetry_discrepancy WHERE (? IS NULL OR sli_key = ?)
         ORDER BY bucket DESC, sli_key LIMIT ?`,
      ),
    };
    this.addTx = db.transaction((deltas: readonly SourceDelta[]) => {
      const touched = new Map<string, SourceBucketTotals>();
      for (const d of deltas) {
        const bucket = d.bucketStart / BUCKET_MS;
        this.s.add.run(d.sliKey, bucket, d.vendorId, d.good, d.total, d.count, d.sum);
        touched.set(`${d.sliKey}@${bucket}`, { sliKey: d.sliKey, bucketStart: d.bucketStart, byVendor: {} });
      }
      for (const t of touched.values()) {
        const rows = this.s.bucket.all(t.sliKey, t.bucketStart / BUCKET_MS) as {
          vendor_id: string;
          good: number;
          total: number;
          count: number;
          sum: number;
        }[];
        for (const r of rows)
          t.byVendor[r.vendor_id] = { good: r.good, total: r.total, count: r.count, sum: r.sum };
      }
      return [...touched.values()];
    });
  }

  async addSourceDeltas(deltas: readonly SourceDelta[]): Promise<SourceBucketTotals[]> {
    return deltas.length ? this.addTx(deltas) : [];
  }

  async upsert(d: Discrepancy): Promise<void> {
    this.s.upsert.run(d.sliKey, Date.parse(d.bucketStart) / BUCKET_MS, JSON.stringify(d));
  }

  async clear(sliKey: string, bucketStartMs: number): Promise<void> {
    this.s.clear.run(sliKey, bucketStartMs / BUCKET_MS);
  }

  async list(q: { sliKey?: string; limit: number }): Promise<Discrepancy[]> {
    const rows = this.s.list.pluck().all(q.sliKey ?? null, q.sliKey ?? null, q.limit) as string[];
    return rows.map((r) => JSON.parse(r) as Discrepancy);
  }
}

/**
 * Counter states in SQLite, one row per series, written in the same transaction as the raw samples and rollups
 * (the sample store calls the *Sync methods inside its transaction); compare-and-set on the version.
 */
export class SqliteSeriesStateStore implements SeriesStateStore {
  private readonly s;
  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry_counter_state (
      series TEXT PRIMARY KEY, last_ts INTEGER NOT NULL, last_value REAL NOT NULL, version INTEGER NOT NULL
    ) WITHOUT ROWID`);
    this.s = {
      get: db
        .prepare('SELECT last_ts, last_value, version FROM telemetry_counter_state WHERE series = ?')
        .raw(),
      insert: db.prepare(
        'INSERT OR IGNORE INTO telemetry_counter_state (series, last_ts, last_value, version) VALUES (?, ?, ?, ?)',
      ),
      update: db.prepare(
        'UPDATE telemetry_counter_state SET last_ts = ?, last_value = ?, version = ? WHERE series = ? AND version = ?',
      ),
      remove: db.prepare('DELETE FROM telemetry_counter_state WHERE series = ? AND version = ?'),
    };
  }

  loadSync(series: readonly string[]): Map<string, CounterState> {
    const out = new Map<string, CounterState>();
    for (const k of series) {
      const row = this.s.get.get(k) as [number, number, number] | undefined;
      if (row) out.set(k, { lastTs: row[0], lastValue: row[1], version: row[2] });
    }
    return out;
  }

  commitSync(changes: readonly SeriesStateChange[]): string[] {
    const lost: string[] = [];
    for (const c of changes) {
      if (c.next === null) {
        if (this.s.remove.run(c.series, c.expected).changes !== 1) lost.push(c.series);
        continue;
      }
      const { lastTs, lastValue, version } = c.next;
      const done =
        c.expected === 0
          ? this.s.insert.run(c.series, lastTs, lastValue, version).changes
          : this.s.update.run(lastTs, lastValue, version, c.series, c.expected).changes;
      if (done !== 1) lost.push(c.series);
    }
    return lost;
  }

  async load(series: readonly string[]): Promise<Map<string, CounterState>> {
    return this.loadSync(series);
  }

  async commit(changes: readonly SeriesStateChange[]): Promise<string[]> {
    return this.commitSync(changes);
  }
}

/** Rows per multi-row activity upsert: 6 parameters each, far below SQLite's 32,766 bound parameters. */
const ACTIVITY_ROWS = 128;
/** How long journaled activity may wait before it is folded into its rows (a read folds it at once). */
const ACTIVITY_FOLD_AFTER_MS = 500;
/** Journal rows (one per record call) after which a record call folds the journal itself. */
const ACTIVITY_FOLD_AT_ROWS = 512;
/** Numbers per journaled entry: vendor (its index), samples, first sample, last sample, last received. */
const ACTIVITY_STRIDE = 5;

/** Per database, in this process: the activity journal's fold timer and the rows journaled since the last fold. */
const activityJournalOf = new WeakMap<Db, { timer: NodeJS.Timeout | undefined; rows: number }>();

/**
 * SLI activity in SQLite: one row per (SLI, vendor) in `telemetry_sli_activity`, written behind a journal as the
 * rollups are (see "Rollups on the embedded default" in docs/telemetry.md). A `record` call is ONE row of
 * `telemetry_sli_activity_journal` (its vendors and SLI keys as JSON, 5 doubles an entry), inside the caller's transaction when
 * there is one (the sample store's write: the activity commits with the samples), instead of an upsert of every SLI's
 * row per request. Folding adds every journal row into the rows (counts summed, first and last times widened) and
 * deletes the journal rows it applied, in one transaction: each entry counts exactly once whatever crashes when.
 * When: before every `listByService` (on any connection: it looks at the journal table, so another connection's or a
 * killed process's journal is folded too), ACTIVITY_FOLD_AFTER_MS after a record, and inside a record once
 * ACTIVITY_FOLD_AT_ROWS rows wait.
 */
export class SqliteSliActivityStore implements SliActivityStore {
  private readonly s;
  private readonly foldTx: () => void;
  private readonly journalState: { timer: NodeJS.Timeout | undefined; rows: number };
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry_sli_activity (
      sli_key TEXT NOT NULL, vendor_id TEXT NOT NULL, samples INTEGER NOT NULL, first_sample INTEGER NOT NULL,
      last_sample INTEGER NOT NULL, last_received INTEGER NOT NULL, PRIMARY KEY (sli_key, vendor_id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS telemetry_sli_activity_journal (
        id INTEGER PRIMARY KEY, keys TEXT NOT NULL, data BLOB NOT NULL)`);
    this.s = {
      upsert: db.prepare(
        `INSERT INTO telemetry_sli_activity (sli_key, vendor_id, samples, first_sample, last_sample, last_received)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sli_key, vendor_id) DO UPDATE SET samples = samples + excluded.samples,
           first_sample = MIN(first_sample, excluded.first_sample), last_sample = MAX(last_sample, excluded.last_sample),
           last_received = MAX(last_received, excluded.last_received)`,
      ),
      list: db.prepare(
        `SELECT sli_key, vendor_id, samples, first_sample, last_sample, last_received FROM telemetry_sli_activity
         WHERE sli_key >= ? AND sli_key < ? ORDER BY sli_key, vendor_id`,
      ),
      journal: db.prepare('INSERT INTO telemetry_sli_activity_journal (keys, data) VALUES (?, ?)'),
      pending: db.prepare('SELECT 1 FROM telemetry_sli_activity_journal LIMIT 1').pluck(),
      readJournal: db.prepare('SELECT id, keys, data FROM telemetry_sli_activity_journal ORDER BY id').raw(),
      clearJournal: db.prepare('DELETE FROM telemetry_sli_activity_journal WHERE id <= ?'),
    };
    // The folded rows go in multi-row upserts of up to ACTIVITY_ROWS rows (one statement run each instead of one per
    // SLI; SQLite applies the rows in order, so a key twice is added up).
    const upsertOf = preparedOnceBy(
      db,
      (rows: number) =>
        `INSERT INTO telemetry_sli_activity (sli_key, vendor_id, samples, first_sample, last_sample, last_received)
           VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (sli_key, vendor_id) DO UPDATE SET samples = samples + excluded.samples,
             first_sample = MIN(first_sample, excluded.first_sample), last_sample = MAX(last_sample, excluded.last_sample),
             last_received = MAX(last_received, excluded.last_received)`,
    );
    const upsertTx = (entries: readonly SliActivityRecord[]) => {
      // Runs of 128, 64, ..., 2 rows and a last single one: at most eight statements are ever prepared.
      for (let from = 0, rows = 0; from < entries.length; from += rows) {
        rows = Math.min(ACTIVITY_ROWS, 2 ** Math.floor(Math.log2(entries.length - from)));
        const to = from + rows;
        if (rows === 1) {
          const e = entries[from]!;
          this.s.upsert.run(
            e.sliKey,
            e.vendorId,
            e.samples,
            e.firstSampleMs,
            e.lastSampleMs,
            e.lastReceivedMs,
          );
          continue;
        }
        const args: (string | number)[] = [];
        for (let i = from; i < to; i++) {
          const e = entries[i]!;
          args.push(e.sliKey, e.vendorId, e.samples, e.firstSampleMs, e.lastSampleMs, e.lastReceivedMs);
        }
        upsertOf(rows).run(args);
      }
    };
    const foldTx = db.transaction(() => {
      const rows = this.s.readJournal.all() as [number, string, Buffer][];
      if (rows.length === 0) return;
      upsertTx(activityOfJournal(rows));
      this.s.clearJournal.run(rows[rows.length - 1]![0]);
    });
    // IMMEDIATE on its own: the write lock is taken before the journal is read (another connection may fold too).
    this.foldTx = () => foldTx.immediate();
    let st = activityJournalOf.get(db);
    if (st === undefined) {
      st = { timer: undefined, rows: 0 };
      activityJournalOf.set(db, st);
    }
    this.journalState = st;
  }

  async record(entries: readonly SliActivityRecord[]): Promise<void> {
    this.recordSync(entries);
  }

  /**
   * `record`, synchronously: one journal row, inside the caller's transaction when there is one (the sample store's
   * write), so it commits or rolls back with it; folded later (see the class).
   */
  recordSync(entries: readonly SliActivityRecord[]): void {
    if (entries.length === 0) return;
    // The strings as JSON (vendors once: a request has one sender), the numbers as doubles: formatting 1,500 numbers
    // as JSON text cost more than the upserts it replaced.
    const vendors: string[] = [];
    const slis: string[] = new Array(entries.length);
    const nums = new Float64Array(entries.length * ACTIVITY_STRIDE);
    let lastVendor: string | undefined;
    let v = -1;
    for (let i = 0, j = 0; i < entries.length; i++, j += ACTIVITY_STRIDE) {
      const e = entries[i]!;
      if (e.vendorId !== lastVendor) {
        lastVendor = e.vendorId;
        v = vendors.indexOf(e.vendorId);
        if (v < 0) v = vendors.push(e.vendorId) - 1;
      }
      slis[i] = e.sliKey;
      nums[j] = v;
      nums[j + 1] = e.samples;
      nums[j + 2] = e.firstSampleMs;
      nums[j + 3] = e.lastSampleMs;
      nums[j + 4] = e.lastReceivedMs;
    }
    this.s.journal.run(
      JSON.stringify([vendors, slis]),
      Buffer.from(nums.buffer, nums.byteOffset, nums.byteLength),
    );
    const st = this.journalState;
    if (++st.rows >= ACTIVITY_FOLD_AT_ROWS) {
      this.fold();
      return;
    }
    if (st.timer === undefined) this.foldLater();
  }

  /**
   * Adds every journaled entry into the activity rows and empties the journal, in one transaction (a savepoint inside
   * a caller's). Costs one indexed read when the journal is empty.
   */
  fold(): void {
    const st = this.journalState;
    st.rows = 0;
    if (st.timer !== undefined) {
      clearTimeout(st.timer);
      st.timer = undefined;
    }
    if (this.s.pending.get() === undefined) return;
    this.foldTx();
  }

  private foldLater(): void {
    const st = this.journalState;
    st.timer = setTimeout(() => {
      st.timer = undefined;
      if (!this.db.open) return;
      if (this.db.inTransaction) {
        this.foldLater();
        return;
      }
      try {
        this.fold();
      } catch {
        this.foldLater(); // busy or failing: the journal is intact, and reads fold it anyway
      }
    }, ACTIVITY_FOLD_AFTER_MS);
    st.timer.unref();
  }

  async listByService(serviceId: string): Promise<SliActivityRecord[]> {
    this.fold();
    // Keys of one service are `<serviceId>/...`: the range ['<id>/', '<id>0') ('0' follows '/').
    const rows = this.s.list.all(`${serviceId}/`, `${serviceId}0`) as {
      sli_key: string;
      vendor_id: string;
      samples: number;
      first_sample: number;
      last_sample: number;
      last_received: number;
    }[];
    return rows.map((r) => ({
      sliKey: r.sli_key,
      vendorId: r.vendor_id,
      samples: r.samples,
      firstSampleMs: r.first_sample,
      lastSampleMs: r.last_sample,
      lastReceivedMs: r.last_received,
    }));
  }
}

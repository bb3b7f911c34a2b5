import type { Statement } from 'better-sqlite3';
import {
  type BucketPart,
  type BucketScratch,
  type ColumnWrite,
  counterIncreases,
  sliBucketsInto,
} from '../../domain/telemetry/backfill-columns.js';
import type { SliActivityRecord } from '../../ports/telemetry.js';
import { encodeChunk } from './chunks.js';
import type { Db } from './db.js';
import { rollupBucketUpsertSql, SqliteRollupStore } from './rollups.js';
import { preparedOnceBy } from './statements.js';
import { SqliteSliActivityStore } from './telemetry.js';

/** Most samples per raw chunk (the sample store's default `maxChunkSamples`). */
const CHUNK_SAMPLES = 1024;
/** Rows per multi-row rollup upsert of whole rows: 13 parameters each (the rollup store's APPEND_ROWS). */
const ROWS = 64;
/**
 * Rows per multi-row INSERT of new event rows: 7 parameters each (1,792 a statement, far below SQLite's 32,766).
 * Measured on the bench's 540,250 rows (backfill-5 round): 256 rows of 7 parameters cost 0.78x the CPU of 64 rows of 13.
 */
const EVENT_ROWS = 256;
/** Parameters of a new event row: series_id, bucket, good, total, c_good, c_total, c_filled. */
const EVENT_WIDTH = 7;

/** Thrown inside the transaction when the stored state rules the fast path out: rolls back what was written. */
class NotFresh extends Error {}

/** What a committed columnar write did (for the caller's answer and the stores' caches). */
export interface ColumnWriteOutcome {
  stored: number;
}

export interface SqliteBackfillWriterOptions {
  /**
   * Told of each series' new raw chunks after the transaction committed (the sample store's `noteChunks`): a store
   * that tracks the series in memory widens its chunk range, so a later sample at those times is a retry or a conflict.
   */
  onChunks?: (series: string, minTs: number, maxTs: number) => void;
}

/**
 * The backfill's columnar writer on the embedded default (docs/backfill.md, "Backfill-4 round"): a chunk's counter
 * series written in ONE transaction straight into the tables live ingest reads, with no object per sample:
 *
 * - raw samples as compressed chunks (`telemetry_chunk`, `chunks.ts`'s codec; history needs no head or append record:
 *   the chunk rows commit with everything else, or nothing does);
 * - each series' counter state (`telemetry_counter_state`: last time and value, version + samples, as `applyCounters`
 *   leaves it);
 * - the rollup rows per (SLI, bucket) with their running totals, from the SLI's last stored row, by multi-row upserts.
 *
 * It writes only when every sample is new and in order: each series' first time after its stored last (a counter's
 * state holds the last time of every raw sample of the series: live ingest writes both in one transaction), and each
 * SLI's first bucket at or after its last stored one, with no timeslice ledger on it. Otherwise it writes nothing and
 * answers undefined, and the caller sends the chunk through live ingest's path, which finds each retry a duplicate,
 * each other value a conflict, each older sample out of order (a re-sent chunk therefore counts only duplicates).
 *
 * After its commit the caches of the live stores on this database are brought up to date: the rollup store's cached
 * last rows are dropped (`forgetLastRows`) and the sample store is told of the new chunks (`onChunks`). Both run in
 * this process, synchronously after the commit, before any other write can start (one writing process per database).
 */
export class SqliteBackfillWriter {
  private readonly rollups: SqliteRollupStore;
  private readonly activity: SqliteSliActivityStore;
  private s:
    | {
        state: Statement<[string]>;
        putState: Statement<unknown[]>;
        findSeries: Statement<[string]>;
        addSeries: Statement<[string, string, string, string]>;
        addChunk: Statement<unknown[]>;
        findRollup: Statement<[string]>;
        addRollup: Statement<[string]>;
        hasSpec: Statement<[number]>;
        lastRow: Statement<[number]>;
      }
    | undefined;
  /** The multi-row statements by their number of rows: rollup upserts, and inserts of new event rows. */
  private readonly upsertOf: (rows: number) => Statement<unknown[]>;
  private readonly insertOf: (rows: number) => Statement<unknown[]>;
  private buckets: BucketScratch = {
    buckets: new Float64Array(1024),
    good: new Float64Array(1024),
    total: new Float64Array(1024),
  };
  private readonly tx: (
    series: readonly ColumnWrite[],
    nowMs: number,
  ) => {
    stored: number;
    chunks: [string, number, number][];
  };

  constructor(
    private readonly db: Db,
    private readonly opts: SqliteBackfillWriterOptions = {},
  ) {
    this.rollups = new SqliteRollupStore(db);
    this.activity = new SqliteSliActivityStore(db);
    this.upsertOf = preparedOnceBy(db, rollupBucketUpsertSql);
    this.insertOf = preparedOnceBy(db, eventRowsInsertSql);
    this.tx = db.transaction((series: readonly ColumnWrite[], nowMs: number) =>
      this.writeInTx(series, nowMs),
    );
  }

  /**
   * Writes the chunk's series (see the class) and records the SLIs' activity, or writes nothing and answers undefined
   * when a series or an SLI already holds data at or after the chunk's first sample.
   * @throws the database's errors (the transaction rolled back: nothing was written)
   */
  async write(series: readonly ColumnWrite[], nowMs: number): Promise<ColumnWriteOutcome | undefined> {
    this.rollups.foldJournal(); // live writes' journaled deltas first: the last rows are then what SQLite holds
    let done: { stored: number; chunks: [string, number, number][] };
    try {
      done = this.tx(series, nowMs);
    } catch (e) {
      if (e instanceof NotFresh) return undefined;
      throw e;
    } finally {
      // Committed or rolled back, the shared last-row cache may not match SQLite for these SLIs any more.
      this.rollups.forgetLastRows();
    }
    for (const [name, min, max] of done.chunks) this.opts.onChunks?.(name, min, max);
    return { stored: done.stored };
  }

  private statements() {
    // Prepared on first use: the sample store (composed before) creates the raw tables.
    this.s ??= {
      state: this.db
        .prepare('SELECT last_ts, last_value, version FROM telemetry_counter_state WHERE series = ?')
        .raw(),
      putState: this.db.prepare(
        `INSERT INTO telemetry_counter_state (series, last_ts, last_value, version) VALUES (?, ?, ?, ?)
         ON CONFLICT (series) DO UPDATE SET last_ts = excluded.last_ts, last_value = excluded.last_value,
           version = excluded.version`,
      ),
      findSeries: this.db.prepare('SELECT id FROM telemetry_series WHERE series = ?').pluck(),
      addSeries: this.db.prepare(
        'INSERT INTO telemetry_series (series, vendor_id, sli_key, measure) VALUES (?, ?, ?, ?)',
      ),
      addChunk: this.db.prepare(
        'INSERT INTO telemetry_chunk (series_id, min_ts, max_ts, n, data) VALUES (?, ?, ?, ?, ?)',
      ),
      findRollup: this.db.prepare('SELECT id FROM rollup_series WHERE sli_key = ?').pluck(),
      addRollup: this.db.prepare('INSERT INTO rollup_series (sli_key) VALUES (?)'),
      hasSpec: this.db.prepare('SELECT 1 FROM rollup_tslice_spec WHERE series_id = ? LIMIT 1').pluck(),
      lastRow: this.db
        .prepare(
          `SELECT bucket, c_good, c_total, c_count, c_sum, c_filled, good, total, count, sum, min, max
           FROM rollup_bucket WHERE series_id = ? ORDER BY bucket DESC LIMIT 1`,
        )
        .raw(),
    };
    return this.s;
  }

  private writeInTx(
    series: readonly ColumnWrite[],
    nowMs: number,
  ): { stored: number; chunks: [string, number, number][] } {
    const s = this.statements();
    // 1. Counter states: every series' samples must follow its stored last one.
    const parts = new Map<string, BucketPart[]>();
    let stored = 0;
    const chunks: [string, number, number][] = [];
    for (const w of series) {
      const n = w.times.length;
      if (n === 0) continue;
      const row = s.state.get(w.series) as [number, number, number] | undefined;
      if (row && row[0] >= w.times[0]!) throw new NotFresh();
      const events = counterIncreases(w.values, row ? { lastTs: row[0], lastValue: row[1] } : undefined);
      let list = parts.get(w.sliKey);
      if (!list) {
        list = [];
        parts.set(w.sliKey, list);
      }
      list.push({ feed: w.feed, times: w.times, events });
      s.putState.run(w.series, w.times[n - 1]!, w.values[n - 1]!, (row ? row[2] : 0) + n);
      // 2. Raw samples as chunks.
      let id = s.findSeries.get(w.series) as number | undefined;
      if (id === undefined)
        id = Number(s.addSeries.run(w.series, w.vendorId, w.sliKey, w.measure).lastInsertRowid);
      for (let from = 0; from < n; from += CHUNK_SAMPLES) {
        const to = Math.min(n, from + CHUNK_SAMPLES);
        s.addChunk.run(
          id,
          w.times[from]!,
          w.times[to - 1]!,
          to - from,
          encodeChunk(w.times, w.values, from, to),
        );
      }
      chunks.push([w.series, w.times[0]!, w.times[n - 1]!]);
      stored += n;
    }
    // 3. Rollups per SLI, appended after (or into) its last stored bucket: rows go out many at a time through one
    // reused parameter array per kind (no array of every row, no slice per statement). A new bucket of events only
    // (the common row: count, sum, min, max and the running count and sum all 0) is a plain INSERT of its 7 other
    // columns; any other row (into the last stored bucket, or an SLI whose running count or sum is not 0) an upsert of
    // all 13.
    const rows = new RowSink(13, ROWS, (k, args) => this.upsertOf(k).run(args));
    const events = new RowSink(EVENT_WIDTH, EVENT_ROWS, (k, args) => this.insertOf(k).run(args));
    for (const [sliKey, list] of parts) {
      let samples = 0;
      for (const p of list) samples += p.times.length;
      const b = this.scratch(samples);
      const n = sliBucketsInto(list, b);
      if (n === 0) continue;
      let id = s.findRollup.get(sliKey) as number | undefined;
      if (id === undefined) id = Number(s.addRollup.run(sliKey).lastInsertRowid);
      else if (s.hasSpec.get(id) !== undefined) throw new NotFresh(); // a timeslice ledger counts it: live path
      const last = s.lastRow.get(id) as number[] | undefined;
      if (last && b.buckets[0]! < last[0]!) throw new NotFresh();
      appendRows(id, b, n, last, rows, events);
    }
    rows.end();
    events.end();
    // 4. The SLIs' activity, in the same transaction as the samples (as live ingest's write records it): a failure
    // here rolls the samples back instead of leaving them stored behind an error answer and no audit entry.
    this.activity.recordSync(activityOf(series, nowMs));
    return { stored, chunks };
  }

  /** The bucket scratch, holding at least `size` elements (reused: each SLI's buckets are written before the next's). */
  private scratch(size: number): BucketScratch {
    if (this.buckets.buckets.length < size) {
      const n = Math.max(size, 2 * this.buckets.buckets.length);
      this.buckets = { buckets: new Float64Array(n), good: new Float64Array(n), total: new Float64Array(n) };
    }
    return this.buckets;
  }
}

/** The chunk's activity per SLI: samples, first and last sample time, received at `nowMs`. */
function activityOf(series: readonly ColumnWrite[], nowMs: number): SliActivityRecord[] {
  const bySli = new Map<string, SliActivityRecord>();
  for (const w of series) {
    if (w.times.length === 0) continue;
    const first = w.times[0]!;
    const last = w.times[w.times.length - 1]!;
    const r = bySli.get(w.sliKey);
    if (r) {
      r.samples += w.times.length;
      r.firstSampleMs = Math.min(r.firstSampleMs, first);
      r.lastSampleMs = Math.max(r.lastSampleMs, last);
    } else
      bySli.set(w.sliKey, {
        sliKey: w.sliKey,
        vendorId: w.vendorId,
        samples: w.times.length,
        firstSampleMs: first,
        lastSampleMs: last,
        lastReceivedMs: nowMs,
      });
  }
  return [...bySli.values()];
}

/**
 * The rows (in `rollup_bucket`'s column order) of an SLI's new buckets (the first `n` of `b`), running totals carried from its last stored row
 * (`last`: bucket, c_good, c_total, c_count, c_sum, c_filled, good, total, count, sum, min, max); a delta in that last
 * bucket rewrites it with the sums, as the rollup store's live append does (an upsert of the 13 columns, to `whole`).
 * A new bucket goes to `events` as its 7 non-zero columns (series_id, bucket, good, total, c_good, c_total, c_filled)
 * when the SLI's running count and sum are 0 (as they are for an SLI of events only), else to `whole` with all 13.
 */
function appendRows(
  id: number,
  b: BucketScratch,
  n: number,
  last: number[] | undefined,
  whole: RowSink,
  events: RowSink,
): void {
  let cg = last ? last[1]! : 0;
  let ct = last ? last[2]! : 0;
  const cc = last ? last[3]! : 0;
  const cs = last ? last[4]! : 0;
  let cf = last ? last[5]! : 0;
  const eventsOnly = cc === 0 && cs === 0;
  for (let i = 0; i < n; i++) {
    const bucket = b.buckets[i]!;
    const dg = b.good[i]!;
    const dt = b.total[i]!;
    if (last && i === 0 && bucket === last[0]) {
      // Into the last stored bucket: its own values plus the deltas (count, sum, min and max unchanged: events only).
      const [, , , , , , good, total, count, sum, min, max] = last;
      const filled = dt > 0 && !(total! > 0 || count! > 0) ? 1 : 0;
      cg += dg;
      ct += dt;
      cf += filled;
      whole.row13(id, bucket, good! + dg, total! + dt, count!, sum!, min!, max!, cg, ct, cc, cs, cf);
      continue;
    }
    cg += dg;
    ct += dt;
    cf += dt > 0 ? 1 : 0;
    if (eventsOnly) events.row7(id, bucket, dg, dt, cg, ct, cf);
    else whole.row13(id, bucket, dg, dt, 0, 0, 0, 0, cg, ct, cc, cs, cf);
  }
}

/**
 * A multi-row INSERT of `rows` new event rows (7 parameters each: series_id, bucket, good, total, c_good, c_total,
 * c_filled; count, sum, min, max, c_count and c_sum are 0). Plain INSERT, not an upsert: a new bucket is after the
 * SLI's last stored one, so a conflict would be a fault of this writer, and fails the transaction instead of hiding.
 */
function eventRowsInsertSql(rows: number): string {
  return `INSERT INTO rollup_bucket (series_id, bucket, good, total, count, sum, min, max,
           c_good, c_total, c_count, c_sum, c_filled)
         VALUES ${Array.from({ length: rows }, () => '(?,?,?,?,0,0,0,0,?,?,0,0,?)').join(', ')}`;
}

/**
 * Rollup rows (`width` numbers each) sent to multi-row statements as they come: `perStatement` rows a statement through
 * one reused array, the rest at the end in runs of halving powers of two (at most log2(perStatement) + 1 statements
 * are ever prepared per kind).
 */
class RowSink {
  private readonly buf: number[];
  private n = 0;

  constructor(
    private readonly width: number,
    private readonly perStatement: number,
    private readonly flush: (rows: number, args: number[]) => void,
  ) {
    this.buf = new Array<number>(width * perStatement);
  }

  /** One row of all 13 columns, in `rollup_bucket`'s column order (no array per row). */
  row13(
    id: number,
    bucket: number,
    good: number,
    total: number,
    count: number,
    sum: number,
    min: number,
    max: number,
    cGood: number,
    cTotal: number,
    cCount: number,
    cSum: number,
    cFilled: number,
  ): void {
    const b = this.buf;
    const at = this.n * 13;
    b[at] = id;
    b[at + 1] = bucket;
    b[at + 2] = good;
    b[at + 3] = total;
    b[at + 4] = count;
    b[at + 5] = sum;
    b[at + 6] = min;
    b[at + 7] = max;
    b[at + 8] = cGood;
    b[at + 9] = cTotal;
    b[at + 10] = cCount;
    b[at + 11] = cSum;
    b[at + 12] = cFilled;
    this.added();
  }

  /** One new event row: series_id, bucket, good, total, c_good, c_total, c_filled. */
  row7(
    id: number,
    bucket: number,
    good: number,
    total: number,
    cGood: number,
    cTotal: number,
    cFilled: number,
  ): void {
    const b = this.buf;
    const at = this.n * 7;
    b[at] = id;
    b[at + 1] = bucket;
    b[at + 2] = good;
    b[at + 3] = total;
    b[at + 4] = cGood;
    b[at + 5] = cTotal;
    b[at + 6] = cFilled;
    this.added();
  }

  private added(): void {
    if (++this.n === this.perStatement) {
      this.flush(this.perStatement, this.buf);
      this.n = 0;
    }
  }

  end(): void {
    const w = this.width;
    for (let from = 0, k = 0; from < this.n; from += k) {
      k = 2 ** Math.floor(Math.log2(this.n - from));
      this.flush(k, this.buf.slice(from * w, (from + k) * w));
    }
    this.n = 0;
  }
}

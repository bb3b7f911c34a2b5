import type { Database, Statement, Transaction } from 'better-sqlite3';
import { ValidationError } from '../../domain/errors.js';
import { meetsRatio } from '../../domain/objectives/exact.js';
import { SliceGrid, sliceSpan } from '../../domain/objectives/slices.js';
import {
  BUCKET_MS,
  type Cumulative,
  type CumulativeRequest,
  isFilled,
  type LastDataRequest,
  type RollupBucket,
  type RollupDelta,
  type RollupStore,
  type SliceRequest,
  type SliceStats,
} from '../../ports/rollups.js';
import { preparedOnceBy } from './statements.js';

type Row = [number, number, number, number, number, number];
type CumRow = [number, number, number, number, number];

/** A series' last stored bucket: its index, running totals (good, total, count, sum, filled) and own aggregates. */
interface LastRow {
  bucket: number;
  c: CumRow;
  v: Row;
}

/**
 * Per database, shared by every SqliteRollupStore on it: series id → its last stored bucket row, or null when it has
 * none. Write-through: live appends (`tryAppend`) read it instead of SQLite and keep it equal to the row they wrote;
 * any other write of a series' rows (a late merge) drops its entry, and a failed write drops them all (its savepoint or
 * transaction rolled back). Only this module writes `rollup_bucket`, and the embedded default has one writing process
 * per database file (the data-dir lock), so the entry is what SQLite holds whenever a write begins.
 */
const lastRowsOf = new WeakMap<Database, Map<number, LastRow | null>>();

/**
 * Per database: the series that have (or once had) a slice ledger spec. `invalidate` looks up the specs of these only;
 * a write to any other series costs no query. Specs are never deleted, and an id added by a write that rolled back only
 * costs a needless lookup.
 */
const specSeriesOf = new WeakMap<Database, Set<number>>();

/**
 * Per database: the rollup journal's state in this process (see `journal`). `maybe` is true while the journal may hold
 * rows (set by every journal write, cleared by a fold that ran outside any transaction, so that a fold an outer
 * transaction rolled back is looked for again); `timer` is the fold scheduled after a journal write; `rows` counts
 * the rows journaled since the last fold.
 */
interface JournalState {
  maybe: boolean;
  /**
   * An add or fold ran inside a caller's transaction, which may still roll back what it wrote: the cached last rows
   * (`lastRowsOf`) are dropped before the next add or fold that runs on its own.
   */
  suspect: boolean;
  timer: NodeJS.Timeout | undefined;
  rows: number;
}
const journalOf = new WeakMap<Database, JournalState>();

/** How long journaled rollup deltas may wait before they are folded into the buckets (reads fold them at once). */
const FOLD_AFTER_MS = 500;
/** Journal rows (one per write) after which a write folds the journal itself, inside its own transaction. */
const FOLD_AT_ROWS = 512;
/** Numbers per journaled delta: rollup series id, bucket, good, total, count, sum, min, max. */
const JOURNAL_STRIDE = 8;

/** Rows per multi-row upsert of live appends: 13 parameters each, far below SQLite's 32,766 bound parameters. */
const APPEND_ROWS = 64;

/**
 * SQLite rollups with running totals maintained on write.
 *
 * Each bucket row carries its own aggregates and the cumulative good/total/count/sum/filled of its
 * series up to and including itself. A range sum is then two index seeks. Writes arrive nearly in
 * order, so keeping the running totals costs one seek and an update of zero rows; a late write
 * shifts the running totals of the later rows of that one series (proportional to its lateness).
 */
export class SqliteRollupStore implements RollupStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly selectSeries: Statement<[string], { id: number }>;
  private readonly insertSeries: Statement<[string]>;
  private readonly selectBefore: Statement<[number, number]>;
  private readonly insertBucket: Statement<unknown[]>;
  private readonly shiftLater: Statement<unknown[]>;
  private readonly rewriteBucket: Statement<unknown[]>;
  private readonly selectSpan: Statement<[number, number, number]>;
  private readonly selectRange: Statement<[number, number, number]>;
  private readonly selectLast: Statement<[number]>;
  private readonly slices: SliceLedger;
  private readonly sliceTx: Transaction<(requests: readonly SliceRequest[]) => SliceStats[]>;
  private readonly selectLastFilled: Statement<[number, number]>;
  private readonly addTx: (deltas: readonly RollupDelta[]) => void;
  private readonly lastRows: Map<number, LastRow | null>;
  private readonly keys = new Map<number, string>();
  private readonly journalState: JournalState;
  private readonly appendJournal: Statement<[Buffer]>;
  private readonly readJournal: Statement<[]>;
  private readonly clearJournal: Statement<[number]>;
  private readonly selectKey: Statement<[number]>;
  private readonly foldTx: () => void;
  /** The multi-row upserts of rollup rows, by their number of rows. */
  private readonly upsertOf: (rows: number) => Statement<unknown[]>;
  private readonly cumulativeTx: (requests: readonly CumulativeRequest[]) => Cumulative[][];

  /**
   * @param options.foldsJournal false for a store that only journals (the telemetry worker's: the main thread's
   *   stores fold, so one connection alone writes the buckets and their cached last rows stay true); default true
   */
  constructor(
    private readonly db: Database,
    private readonly options: { foldsJournal?: boolean } = {},
  ) {
    this.upsertOf = preparedOnceBy(db, rollupBucketUpsertSql);
    let rows = lastRowsOf.get(db);
    if (rows === undefined) {
      rows = new Map();
      lastRowsOf.set(db, rows);
    }
    this.lastRows = rows;
    db.exec(`
      CREATE TABLE IF NOT EXISTS rollup_journal (
        id INTEGER PRIMARY KEY,
        data BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rollup_series (
        id INTEGER PRIMARY KEY,
        sli_key TEXT NOT NULL UNIQUE
      );
      CREATE TABLE IF NOT EXISTS rollup_bucket (
        series_id INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        good REAL NOT NULL, total REAL NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL,
        c_good REAL NOT NULL, c_total REAL NOT NULL, c_count REAL NOT NULL, c_sum REAL NOT NULL,
        c_filled INTEGER NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      -- Running slice counts of earlier versions sat on an arithmetic grid; they are a cache, rebuilt on demand.
      DROP TABLE IF EXISTS rollup_slice;
      DROP TABLE IF EXISTS rollup_slice_spec;
      CREATE TABLE IF NOT EXISTS rollup_tslice_spec (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL,
        slice_minutes INTEGER NOT NULL,
        time_zone TEXT NOT NULL,
        target REAL NOT NULL,
        start_ms INTEGER,
        through_ms INTEGER,
        UNIQUE (series_id, slice_minutes, time_zone, target)
      );
      CREATE TABLE IF NOT EXISTS rollup_tslice (
        spec_id INTEGER NOT NULL,
        start_ms INTEGER NOT NULL,
        c_good INTEGER NOT NULL,
        c_bad INTEGER NOT NULL,
        c_ratio REAL NOT NULL,
        PRIMARY KEY (spec_id, start_ms)
      ) WITHOUT ROWID;
    `);
    this.selectSeries = db.prepare('SELECT id FROM rollup_series WHERE sli_key = ?');
    this.insertSeries = db.prepare('INSERT INTO rollup_series (sli_key) VALUES (?)');
    this.selectBefore = db
      .prepare(
        `SELECT c_good, c_total, c_count, c_sum, c_filled FROM rollup_bucket
         WHERE series_id = ? AND bucket < ? ORDER BY bucket DESC LIMIT 1`,
      )
      .raw();
    this.insertBucket = db.prepare(
      `INSERT INTO rollup_bucket (series_id, bucket, good, total, count, sum, min, max,
         c_good, c_total, c_count, c_sum, c_filled) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.shiftLater = db.prepare(
      `UPDATE rollup_bucket SET c_good = c_good + ?, c_total = c_total + ?, c_count = c_count + ?,
         c_sum = c_sum + ?, c_filled = c_filled + ? WHERE series_id = ? AND bucket > ?`,
    );
    this.rewriteBucket = db.prepare(
      `UPDATE rollup_bucket SET good = ?, total = ?, count = ?, sum = ?, min = ?, max = ?,
         c_good = ?, c_total = ?, c_count = ?, c_sum = ?, c_filled = ?
       WHERE series_id = ? AND bucket = ?`,
    );
    this.selectSpan = db
      .prepare(
        `SELECT bucket, good, total, count, sum, min, max FROM rollup_bucket
         WHERE series_id = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket`,
      )
      .raw();
    this.selectRange = db.prepare(
      `SELECT bucket, good, total, count, sum, min, max FROM rollup_bucket
       WHERE series_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
    this.selectLast = db
      .prepare(
        `SELECT bucket, c_good, c_total, c_count, c_sum, c_filled, good, total, count, sum, min, max
         FROM rollup_bucket WHERE series_id = ? ORDER BY bucket DESC LIMIT 1`,
      )
      .raw();
    this.slices = new SliceLedger(db);
    const addTx = db.transaction((deltas: readonly RollupDelta[]) => this.apply(deltas));
    this.addTx = (deltas) => {
      try {
        // IMMEDIATE (as every write of the buckets here): another connection (the telemetry worker's) commits often,
        // and a deferred transaction that read first would fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
        this.guarded(() => addTx.immediate(deltas));
      } catch (e) {
        this.forgetLastRows(); // the savepoint or transaction rolled back: what the entries say may not be stored
        throw e;
      }
    };
    this.appendJournal = db.prepare('INSERT INTO rollup_journal (data) VALUES (?)');
    this.readJournal = db.prepare('SELECT id, data FROM rollup_journal ORDER BY id').raw();
    this.clearJournal = db.prepare('DELETE FROM rollup_journal WHERE id <= ?');
    this.selectKey = db.prepare('SELECT sli_key FROM rollup_series WHERE id = ?').pluck();
    const foldTx = db.transaction(() => {
      const rows = this.readJournal.all() as [number, Buffer][];
      if (rows.length === 0) return;
      const deltas: RollupDelta[] = [];
      for (const [, data] of rows) {
        const a = new Float64Array(data.buffer, data.byteOffset, data.byteLength / 8);
        for (let i = 0; i < a.length; i += JOURNAL_STRIDE)
          deltas.push({
            sliKey: this.keyOf(a[i]!),
            bucketStart: a[i + 1]! * BUCKET_MS,
            good: a[i + 2]!,
            total: a[i + 3]!,
            count: a[i + 4]!,
            sum: a[i + 5]!,
            min: a[i + 6]!,
            max: a[i + 7]!,
          });
      }
      this.apply(deltas);
      this.clearJournal.run(rows[rows.length - 1]![0]);
    });
    this.foldTx = () => {
      try {
        this.guarded(() => foldTx.immediate());
      } catch (e) {
        this.forgetLastRows();
        throw e;
      }
    };
    let journal = journalOf.get(db);
    if (journal === undefined) {
      // A journal left by a stopped or killed process is folded by the first read or write.
      journal = {
        maybe: db.prepare('SELECT 1 FROM rollup_journal LIMIT 1').get() !== undefined,
        timer: undefined,
        rows: 0,
        suspect: false,
      };
      journalOf.set(db, journal);
    }
    this.journalState = journal;
    this.sliceTx = db.transaction((requests: readonly SliceRequest[]) => {
      // Earliest first, so that a batch never makes a ledger start again further back.
      const order = requests.map((_, i) => i).sort((a, b) => requests[a]!.fromMs - requests[b]!.fromMs);
      const out: SliceStats[] = new Array(requests.length);
      for (const i of order) {
        const r = requests[i]!;
        const id = this.seriesId(r.sliKey, false);
        if (id === undefined) {
          const grid = SliceGrid.of(r.timeZone, r.sliceMinutes);
          const [from, to] = sliceSpan(grid, r);
          out[i] = { slices: grid.count(from, to), good: 0, bad: 0, ratioSum: 0 };
        } else out[i] = this.slices.stats(id, r);
      }
      return out;
    });
    this.selectLastFilled = db
      .prepare(
        `SELECT bucket FROM rollup_bucket WHERE series_id = ? AND bucket < ? AND (total > 0 OR count > 0)
         ORDER BY bucket DESC LIMIT 1`,
      )
      .pluck();
    this.cumulativeTx = db.transaction((requests: readonly CumulativeRequest[]) =>
      requests.map((r) => this.cumulativeOf(r)),
    );
  }

  /**
   * Runs a write of the buckets. On its own (no caller's transaction) it first drops cached last rows an earlier
   * nested write may have left behind a rollback; nested, it leaves them suspect for the next one.
   */
  private guarded(write: () => void): void {
    const st = this.journalState;
    if (this.db.inTransaction) {
      st.suspect = true;
    } else if (st.suspect) {
      this.lastRows.clear();
      st.suspect = false;
    }
    write();
  }

  /** Adds deltas into the buckets (the caller holds a transaction): live appends in bulk, late ones merged. */
  private apply(deltas: readonly RollupDelta[]): void {
    const appended: number[] = [];
    for (const group of groupBySeries(deltas)) {
      const id = this.seriesId(group[0]!.sliKey, true)!;
      if (!this.tryAppend(id, group, appended)) {
        this.mergeLate(group);
        this.lastRows.delete(id);
      }
      let min = Number.POSITIVE_INFINITY;
      for (const d of group) min = Math.min(min, d.bucketStart / BUCKET_MS);
      this.slices.invalidate(id, min);
    }
    this.writeAppended(appended);
  }

  /**
   * Records deltas durably in the rollup journal, for a writer already inside a transaction on this database (the
   * sample store: the request's append record and the rollup deltas of exactly its new samples commit together). One
   * row a call (the deltas as 8 doubles each), instead of one bucket row updated per SLI and request: the journal is
   * folded into the buckets (`foldJournal`) before any read or add of any SqliteRollupStore on this database in this
   * process, FOLD_AFTER_MS after a write, and by a write once FOLD_AT_ROWS rows wait. Folding is one transaction
   * (apply, then delete the rows applied), so every delta counts exactly once whatever crashes when; a journal left
   * by a killed process is folded by the next process's first read or write.
   * @throws ValidationError when a delta's bucket is not on the 5-minute grid
   */
  journal(deltas: readonly RollupDelta[]): void {
    if (deltas.length === 0) return;
    const a = new Float64Array(deltas.length * JOURNAL_STRIDE);
    for (let i = 0, j = 0; i < deltas.length; i++, j += JOURNAL_STRIDE) {
      const d = deltas[i]!;
      if (d.bucketStart % BUCKET_MS !== 0)
        throw new ValidationError(`bucket ${d.bucketStart} is not aligned`);
      a[j] = this.seriesId(d.sliKey, true)!;
      a[j + 1] = d.bucketStart / BUCKET_MS;
      a[j + 2] = d.good;
      a[j + 3] = d.total;
      a[j + 4] = d.count;
      a[j + 5] = d.sum;
      a[j + 6] = d.min;
      a[j + 7] = d.max;
    }
    this.appendJournal.run(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    if (this.options.foldsJournal === false) return;
    this.journaledElsewhere();
  }

  /**
   * Says that a journal row was committed by another connection of this process (the telemetry worker's): the next
   * read or add of any SqliteRollupStore on this database folds it first, a timer folds it FOLD_AFTER_MS later, and
   * FOLD_AT_ROWS rows are folded at once. Called before the write it journaled is acknowledged.
   */
  journaledElsewhere(): void {
    const st = this.journalState;
    st.maybe = true;
    if (++st.rows >= FOLD_AT_ROWS) {
      this.foldJournal();
      return;
    }
    if (st.timer === undefined) {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        if (!this.db.open || this.db.inTransaction) {
          if (this.db.open) this.scheduleRetry();
          return;
        }
        try {
          this.foldJournal();
        } catch {
          this.scheduleRetry(); // busy or failing: the journal is intact, reads fold it anyway
        }
      }, FOLD_AFTER_MS);
      st.timer.unref();
    }
  }

  private scheduleRetry(): void {
    const st = this.journalState;
    if (st.timer !== undefined) return;
    st.timer = setTimeout(() => {
      st.timer = undefined;
      if (this.db.open && !this.db.inTransaction && st.maybe) {
        try {
          this.foldJournal();
        } catch {
          this.scheduleRetry();
        }
      }
    }, FOLD_AFTER_MS);
    st.timer.unref();
  }

  /**
   * Folds the rollup journal into the buckets, in one transaction (a savepoint inside the caller's): what a read
   * must see first. Costs nothing when the journal is known empty.
   */
  foldJournal(): void {
    const st = this.journalState;
    if (!st.maybe) return;
    const outer = this.db.inTransaction;
    this.foldTx();
    st.rows = 0;
    // Inside a caller's transaction the fold may still be rolled back with it: look at the table again next time.
    if (!outer) st.maybe = false;
  }

  private keyOf(id: number): string {
    let key = this.keys.get(id);
    if (key === undefined) {
      key = this.selectKey.get(id) as string | undefined;
      if (key === undefined)
        throw new Error(`rollup_journal names rollup series ${id}, which does not exist`);
      this.keys.set(id, key);
    }
    return key;
  }

  async add(deltas: readonly RollupDelta[]): Promise<void> {
    deltas.forEach((d, i) => {
      if (d.bucketStart % BUCKET_MS !== 0) {
        throw new ValidationError('a rollup bucket must start on a 5-minute boundary', [
          { path: `[${i}].bucketStart`, problem: `${d.bucketStart} is not a multiple of ${BUCKET_MS}` },
        ]);
      }
    });
    this.foldJournal();
    this.addTx(deltas);
  }

  /**
   * add, synchronously, for a writer already inside a transaction on the same database: telemetry
   * ingestion commits raw samples and the rollups of exactly the new ones together (nested: a savepoint).
   */
  addSync(deltas: readonly RollupDelta[]): void {
    for (const d of deltas) {
      if (d.bucketStart % BUCKET_MS !== 0)
        throw new ValidationError(`bucket ${d.bucketStart} is not aligned`);
    }
    this.foldJournal();
    this.addTx(deltas);
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]> {
    this.foldJournal();
    return this.readSync(sliKey, fromMs, toMs);
  }

  async sliceStats(requests: readonly SliceRequest[]): Promise<SliceStats[]> {
    this.foldJournal();
    // IMMEDIATE: the slice ledgers are written while read (see addTx).
    return this.sliceTx.immediate(requests);
  }

  async lastData(requests: readonly LastDataRequest[]): Promise<(number | null)[]> {
    this.foldJournal();
    return requests.map((r) => {
      const id = this.seriesId(r.sliKey, false);
      if (id === undefined) return null;
      const b = this.selectLastFilled.get(id, Math.ceil(r.beforeMs / BUCKET_MS)) as number | undefined;
      return b === undefined ? null : b * BUCKET_MS;
    });
  }

  private readSync(sliKey: string, fromMs: number, toMs: number): RollupBucket[] {
    const id = this.seriesId(sliKey, false);
    if (id === undefined) return [];
    const rows = this.selectRange
      .raw()
      .all(id, Math.ceil(fromMs / BUCKET_MS), Math.ceil(toMs / BUCKET_MS)) as [number, ...Row][];
    return rows.map(([bucket, good, total, count, sum, min, max]) => ({
      sliKey,
      bucketStart: bucket * BUCKET_MS,
      good,
      total,
      count,
      sum,
      min,
      max,
    }));
  }

  async cumulative(requests: readonly CumulativeRequest[]): Promise<Cumulative[][]> {
    this.foldJournal();
    return this.cumulativeTx(requests);
  }

  private cumulativeOf(r: CumulativeRequest): Cumulative[] {
    const id = this.seriesId(r.sliKey, false);
    return r.instants.map((t) => {
      if (id === undefined) return { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
      const row = this.selectBefore.get(id, Math.ceil(t / BUCKET_MS)) as CumRow | undefined;
      if (!row) return { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
      return { good: row[0], total: row[1], count: row[2], sum: row[3], filled: row[4] };
    });
  }

  /**
   * Forgets every series' cached last row (see `lastRowsOf`): for a writer whose transaction around `addSync` failed to
   * commit (rolled back), so the next write reads the rows SQLite holds.
   */
  forgetLastRows(): void {
    this.lastRows.clear();
    // Series ids interned inside the rolled-back transaction are gone too; the journal may hold rows again.
    this.seriesIds.clear();
    this.keys.clear();
    this.journalState.maybe = true;
  }

  /** A series' last stored row: from the write-through cache, else read (and cached). */
  private lastRow(id: number): LastRow | null {
    let last = this.lastRows.get(id);
    if (last === undefined) {
      const r = this.selectLast.get(id) as [number, ...CumRow, ...Row] | undefined;
      last = r ? { bucket: r[0], c: r.slice(1, 6) as CumRow, v: r.slice(6) as Row } : null;
      this.lastRows.set(id, last);
    }
    return last;
  }

  /**
   * The common case: every delta of a series lands in its last stored bucket or after it (live ingestion). Then the
   * running totals are computed here from the series' last row (cached, see `lastRowsOf`): the last bucket's new
   * values and each new bucket become rows of `out` (13 columns each, as `rollup_bucket` orders them) for one multi-row
   * upsert per write (`writeAppended`), and the cache holds the new last row. Answers false when it does not apply (a
   * delta before the last bucket).
   */
  private tryAppend(id: number, group: readonly RollupDelta[], out: number[]): boolean {
    const last = this.lastRow(id);
    const merged = mergeSorted(group);
    const first = merged[0]!.bucketStart / BUCKET_MS;
    if (last && first < last.bucket) return false;
    const c: CumRow = last ? [...last.c] : [0, 0, 0, 0, 0];
    let v: Row = last ? last.v : [0, 0, 0, 0, 0, 0];
    let bucket = last ? last.bucket : first;
    for (let i = 0; i < merged.length; i++) {
      const d = merged[i]!;
      const b = d.bucketStart / BUCKET_MS;
      let filled: number;
      if (last && i === 0 && b === last.bucket) {
        const [good, total, count, sum, min, max] = last.v;
        filled = isFilled(d) && !isFilled({ total, count }) ? 1 : 0;
        const [mn, mx] = mergeMinMax(count, min, max, d);
        v = [good + d.good, total + d.total, count + d.count, sum + d.sum, mn, mx];
      } else {
        filled = isFilled(d) ? 1 : 0;
        v = [d.good, d.total, d.count, d.sum, d.min, d.max];
      }
      bucket = b;
      c[0] += d.good;
      c[1] += d.total;
      c[2] += d.count;
      c[3] += d.sum;
      c[4] += filled;
      out.push(id, b, v[0], v[1], v[2], v[3], v[4], v[5], c[0], c[1], c[2], c[3], c[4]);
    }
    this.lastRows.set(id, { bucket, c, v });
    return true;
  }

  /**
   * Writes the rows `tryAppend` computed (13 numbers each): a new bucket is inserted, the last bucket updated in place,
   * both by `INSERT ... ON CONFLICT DO UPDATE` with the values computed, in statements of up to APPEND_ROWS rows (runs
   * of 64, 32, ..., 1 rows: at most seven statements are ever prepared).
   */
  private writeAppended(rows: readonly number[]): void {
    const n = rows.length / 13;
    for (let from = 0, k = 0; from < n; from += k) {
      k = Math.min(APPEND_ROWS, 2 ** Math.floor(Math.log2(n - from)));
      this.upsertOf(k).run(k === n ? rows : rows.slice(from * 13, (from + k) * 13));
    }
  }

  /**
   * Late data for one series (some delta lands at or before its last stored bucket: a backfill, a late sender): one
   * merge pass over the series' buckets between the group's first and last bucket (read once, rewritten with their
   * running totals recomputed from the total before the first) and one UPDATE shifting the running totals of every
   * later bucket by the group's sums. Costs the span's rows plus one statement, whatever the number of deltas (a
   * bucket-by-bucket insert shifting every later row cost deltas × later rows: a backfilled series' second counter
   * took minutes).
   */
  private mergeLate(group: readonly RollupDelta[]): void {
    const id = this.seriesId(group[0]!.sliKey, true)!;
    const merged = mergeSorted(group);
    const lo = merged[0]!.bucketStart / BUCKET_MS;
    const hi = merged[merged.length - 1]!.bucketStart / BUCKET_MS;
    const c = [...((this.selectBefore.get(id, lo) as CumRow | undefined) ?? [0, 0, 0, 0, 0])] as CumRow;
    const rows = this.selectSpan.all(id, lo, hi) as [number, ...Row][];
    // What the group adds to every bucket after `hi`: its sums, and the buckets it newly filled.
    const shift: CumRow = [0, 0, 0, 0, 0];
    let i = 0;
    let j = 0;
    while (i < rows.length || j < merged.length) {
      const r = rows[i];
      const d = merged[j];
      const rb = r ? r[0] : Number.POSITIVE_INFINITY;
      const db = d ? d.bucketStart / BUCKET_MS : Number.POSITIVE_INFINITY;
      let bucket: number;
      let v: Row;
      let filled: boolean;
      let existed = true;
      if (d && db <= rb) {
        bucket = db;
        const dFilled = isFilled(d);
        if (r && rb === db) {
          const [, good, total, count, sum, min, max] = r;
          const [mn, mx] = mergeMinMax(count, min, max, d);
          v = [good + d.good, total + d.total, count + d.count, sum + d.sum, mn, mx];
          const was = isFilled({ total, count });
          filled = was || dFilled;
          if (!was && dFilled) shift[4]++;
          i++;
        } else {
          v = [d.good, d.total, d.count, d.sum, d.min, d.max];
          existed = false;
          filled = dFilled;
          if (dFilled) shift[4]++;
        }
        shift[0] += d.good;
        shift[1] += d.total;
        shift[2] += d.count;
        shift[3] += d.sum;
        j++;
      } else {
        const [b, good, total, count, sum, min, max] = r!;
        bucket = b;
        v = [good, total, count, sum, min, max];
        filled = isFilled({ total, count });
        i++;
      }
      c[0] += v[0];
      c[1] += v[1];
      c[2] += v[2];
      c[3] += v[3];
      c[4] += filled ? 1 : 0;
      if (existed)
        this.rewriteBucket.run(v[0], v[1], v[2], v[3], v[4], v[5], c[0], c[1], c[2], c[3], c[4], id, bucket);
      else
        this.insertBucket.run(id, bucket, v[0], v[1], v[2], v[3], v[4], v[5], c[0], c[1], c[2], c[3], c[4]);
    }
    this.shiftLater.run(...shift, id, hi);
  }

  private seriesId(key: string, create: boolean): number | undefined {
    const cached = this.seriesIds.get(key);
    if (cached !== undefined) return cached;
    let id = this.selectSeries.get(key)?.id;
    if (id === undefined && create) id = Number(this.insertSeries.run(key).lastInsertRowid);
    if (id !== undefined) this.seriesIds.set(key, id);
    return id;
  }
}

type SliceRow = [number, number, number];
interface Spec {
  id: number;
  start_ms: number | null;
  through_ms: number | null;
}

/**
 * Running slice counts per (series, slice length, time zone, target) on the local-calendar grid
 * (`SliceGrid`): for each slice with events, keyed by its start, the number of good and bad slices and the
 * sum of ratios up to and including it. Built on first use from the buckets (grouped in SQL, one query per
 * arithmetic run of the grid: a few per year, split at offset changes), extended as time passes, and cut
 * back when a write lands in a slice already counted, so answers are always those of the buckets; a range
 * costs two index seeks plus the slices completed since the last question.
 */
class SliceLedger {
  private readonly findSpec: Statement<unknown[]>;
  private readonly insertSpec: Statement<unknown[]>;
  private readonly setRange: Statement<unknown[]>;
  private readonly setThrough: Statement<unknown[]>;
  private readonly specsOf: Statement<[number]>;
  private readonly firstBucket: Statement<[number, number]>;
  private readonly group: Statement<unknown[]>;
  private readonly before: Statement<[number, number]>;
  private readonly insert: Statement<unknown[]>;
  private readonly cut: Statement<[number, number]>;
  private readonly specSeries: Set<number>;

  constructor(db: Database) {
    this.findSpec = db.prepare(
      `SELECT id, start_ms, through_ms FROM rollup_tslice_spec
       WHERE series_id = ? AND slice_minutes = ? AND time_zone = ? AND target = ?`,
    );
    this.insertSpec = db.prepare(
      'INSERT INTO rollup_tslice_spec (series_id, slice_minutes, time_zone, target) VALUES (?,?,?,?)',
    );
    this.setRange = db.prepare('UPDATE rollup_tslice_spec SET start_ms = ?, through_ms = ? WHERE id = ?');
    this.setThrough = db.prepare('UPDATE rollup_tslice_spec SET through_ms = ? WHERE id = ?');
    this.specsOf = db
      .prepare(
        `SELECT id, slice_minutes, time_zone, start_ms, through_ms FROM rollup_tslice_spec
         WHERE series_id = ? AND through_ms IS NOT NULL`,
      )
      .raw();
    this.firstBucket = db
      .prepare('SELECT bucket FROM rollup_bucket WHERE series_id = ? AND bucket >= ? ORDER BY bucket LIMIT 1')
      .pluck();
    this.group = db
      .prepare(
        `SELECT CAST((bucket - @anchor) / @slice AS INTEGER) AS idx, SUM(good), SUM(total) FROM rollup_bucket
         WHERE series_id = @series AND bucket >= @from AND bucket < @to GROUP BY idx ORDER BY idx`,
      )
      .raw();
    this.before = db
      .prepare(
        'SELECT c_good, c_bad, c_ratio FROM rollup_tslice WHERE spec_id = ? AND start_ms < ? ORDER BY start_ms DESC LIMIT 1',
      )
      .raw();
    this.insert = db.prepare(
      'INSERT OR REPLACE INTO rollup_tslice (spec_id, start_ms, c_good, c_bad, c_ratio) VALUES (?,?,?,?,?)',
    );
    this.cut = db.prepare('DELETE FROM rollup_tslice WHERE spec_id = ? AND start_ms >= ?');
    let specSeries = specSeriesOf.get(db);
    if (specSeries === undefined) {
      specSeries = new Set(
        db.prepare('SELECT DISTINCT series_id FROM rollup_tslice_spec').pluck().all() as number[],
      );
      specSeriesOf.set(db, specSeries);
    }
    this.specSeries = specSeries;
  }

  stats(seriesId: number, r: SliceRequest): SliceStats {
    const grid = SliceGrid.of(r.timeZone, r.sliceMinutes);
    const [from, to] = sliceSpan(grid, r);
    let spec = this.findSpec.get(seriesId, r.sliceMinutes, r.timeZone, r.target) as Spec | undefined;
    if (!spec) {
      const id = Number(this.insertSpec.run(seriesId, r.sliceMinutes, r.timeZone, r.target).lastInsertRowid);
      this.specSeries.add(seriesId);
      spec = { id, start_ms: null, through_ms: null };
    }
    let { start_ms: start, through_ms: through } = spec;
    if (start === null || through === null || from < start) {
      // First use, or a question reaching further back than the counts: start them at `from`.
      this.cut.run(spec.id, Number.MIN_SAFE_INTEGER);
      const first = this.firstBucket.get(seriesId, Math.ceil(from / BUCKET_MS)) as number | undefined;
      start = from;
      through = first === undefined ? to : Math.max(from, Math.min(to, grid.floor(first * BUCKET_MS)));
      this.setRange.run(start, through, spec.id);
    }
    if (through < to) {
      this.extend(spec.id, seriesId, grid, r.target, through, to);
      this.setThrough.run(to, spec.id);
    }
    const a = this.at(spec.id, from);
    const b = this.at(spec.id, to);
    return { slices: grid.count(from, to), good: b[0] - a[0], bad: b[1] - a[1], ratioSum: b[2] - a[2] };
  }

  /** Cuts back every ledger of a series that already counted the slice holding `bucket`. */
  invalidate(seriesId: number, bucket: number): void {
    if (!this.specSeries.has(seriesId)) return; // no ledger counts this series
    const specs = this.specsOf.all(seriesId) as [number, number, string, number, number][];
    for (const [id, minutes, zone, start, through] of specs) {
      // Slices are independent: a write before the counts start changes none of them.
      const s = SliceGrid.of(zone, minutes).floor(bucket * BUCKET_MS);
      if (s >= start && s < through) {
        this.cut.run(id, s);
        this.setThrough.run(s, id);
      }
    }
  }

  private at(specId: number, ms: number): SliceRow {
    return (this.before.get(specId, ms) as SliceRow | undefined) ?? [0, 0, 0];
  }

  /** Counts the slices in [from, to) after the ones already counted: one grouped query per run of the grid. */
  private extend(
    specId: number,
    seriesId: number,
    grid: SliceGrid,
    target: number,
    from: number,
    to: number,
  ): void {
    const c = this.at(specId, from);
    for (const run of grid.runs(from, to)) {
      const anchor = Math.ceil(run.start / BUCKET_MS);
      const slice = Math.round(run.sliceMs / BUCKET_MS);
      const rows = this.group.all({
        series: seriesId,
        anchor,
        slice,
        from: anchor,
        to: anchor + run.count * slice,
      }) as [number, number, number][];
      for (const [idx, good, total] of rows) {
        if (total <= 0) continue;
        if (meetsRatio(good, total, target)) c[0]++;
        else c[1]++;
        c[2] += good / total;
        this.insert.run(specId, run.start + idx * run.sliceMs, c[0], c[1], c[2]);
      }
    }
  }
}

function groupBySeries(deltas: readonly RollupDelta[]): RollupDelta[][] {
  const m = new Map<string, RollupDelta[]>();
  for (const d of deltas) {
    const g = m.get(d.sliKey);
    if (g) g.push(d);
    else m.set(d.sliKey, [d]);
  }
  return [...m.values()];
}

/**
 * One series' deltas sorted by bucket, deltas for the same bucket merged (into a copy: the caller's deltas are left
 * as they are). Deltas already in order and one per bucket (what ingestion's rollupDeltas gives) are taken as they are.
 */
function mergeSorted(group: readonly RollupDelta[]): readonly RollupDelta[] {
  let ordered = true;
  for (let i = 1; i < group.length && ordered; i++)
    if (group[i]!.bucketStart <= group[i - 1]!.bucketStart) ordered = false;
  if (ordered) return group;
  const sorted = [...group].sort((a, b) => a.bucketStart - b.bucketStart);
  const out: RollupDelta[] = [];
  for (const d of sorted) {
    const last = out[out.length - 1];
    if (last && last.bucketStart === d.bucketStart) {
      const [mn, mx] = mergeMinMax(last.count, last.min, last.max, d);
      last.good += d.good;
      last.total += d.total;
      last.count += d.count;
      last.sum += d.sum;
      last.min = mn;
      last.max = mx;
    } else out.push({ ...d });
  }
  return out;
}

/** Min and max only mean something where values were counted. */
export function mergeMinMax(
  count: number,
  min: number,
  max: number,
  d: { count: number; min: number; max: number },
): [number, number] {
  if (d.count <= 0) return [min, max];
  if (count <= 0) return [d.min, d.max];
  return [Math.min(min, d.min), Math.max(max, d.max)];
}

/**
 * What the rollups of an SLI (or of every SLI) hold, read in one snapshot through any connection, read-only ones
 * included: the sums of good, total, count and sum over its buckets plus the deltas its rollup journal holds and no
 * process has folded yet (what the next read through a SqliteRollupStore would find). For tests and the bench.
 */
export function storedRollupTotals(
  db: Database,
  sliKey?: string,
): { good: number; total: number; count: number; sum: number } {
  const read = db.transaction(() => {
    const out = { good: 0, total: 0, count: 0, sum: 0 };
    const ids = new Map<number, string>(
      db.prepare('SELECT id, sli_key FROM rollup_series').raw().all() as [number, string][],
    );
    const wanted = (id: number) => sliKey === undefined || ids.get(id) === sliKey;
    for (const [id, good, total, count, sum] of db
      .prepare('SELECT series_id, good, total, count, sum FROM rollup_bucket')
      .raw()
      .iterate() as IterableIterator<[number, number, number, number, number]>) {
      if (!wanted(id)) continue;
      out.good += good;
      out.total += total;
      out.count += count;
      out.sum += sum;
    }
    const journal = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rollup_journal'")
      .get();
    if (journal)
      for (const data of db
        .prepare('SELECT data FROM rollup_journal')
        .pluck()
        .iterate() as IterableIterator<Buffer>) {
        const a = new Float64Array(data.buffer, data.byteOffset, data.byteLength / 8);
        for (let i = 0; i < a.length; i += JOURNAL_STRIDE) {
          if (!wanted(a[i]!)) continue;
          out.good += a[i + 2]!;
          out.total += a[i + 3]!;
          out.count += a[i + 4]!;
          out.sum += a[i + 5]!;
        }
      }
    return out;
  });
  return read();
}

/**
 * The statement writing `rows` whole `rollup_bucket` rows at once (13 parameters a row, in the table's column order:
 * series id, bucket, good, total, count, sum, min, max, then the running totals c_good, c_total, c_count, c_sum and
 * c_filled), replacing a row already at (series_id, bucket). Shared by the live appends and the columnar backfill.
 */
export function rollupBucketUpsertSql(rows: number): string {
  return `INSERT INTO rollup_bucket (series_id, bucket, good, total, count, sum, min, max,
           c_good, c_total, c_count, c_sum, c_filled)
         VALUES ${Array.from({ length: rows }, () => '(?,?,?,?,?,?,?,?,?,?,?,?,?)').join(', ')}
         ON CONFLICT (series_id, bucket) DO UPDATE SET good = excluded.good, total = excluded.total,
           count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max,
           c_good = excluded.c_good, c_total = excluded.c_total, c_count = excluded.c_count, c_sum = excluded.c_sum,
           c_filled = excluded.c_filled`;
}

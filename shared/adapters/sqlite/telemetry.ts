import type { Statement } from 'better-sqlite3';
import type { Sample, UnmappedSighting } from '../../domain/telemetry/model.js';
import { rollupDeltas, type SourceDelta } from '../../domain/telemetry/rollup.js';
import type { CounterState } from '../../domain/telemetry/semantics.js';
import { BUCKET_MS } from '../../ports/rollups.js';
import type {
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
import type { Db } from './db.js';
import type { SqliteRollupStore } from './rollups.js';

/**
 * Raw samples in SQLite: one row per (series, timestamp), the series interned in its own table. A write is
 * one transaction: INSERT OR IGNORE the rows (a held row with another value is a conflict), the counter states of
 * the new cumulative samples (whose out-of-order and repeated samples are taken back out), then the rollups of
 * exactly what was new. Committed to the WAL before write() resolves, so an acknowledged sample survives a crash.
 */
export class SqliteSampleStore implements SampleStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly s: {
    findSeries: Statement<[string]>;
    addSeries: Statement<[string, string, string, string]>;
    insert: Statement<[number, number, number]>;
    held: Statement<[number, number]>;
    remove: Statement<[number, number]>;
    read: Statement<[string, number, number]>;
    count: Statement<[]>;
    countVendor: Statement<[string]>;
  };
  private readonly writeTx: (samples: readonly Sample[]) => WriteOutcome;

  constructor(
    db: Db,
    private readonly rollups: SqliteRollupStore,
    readonly states: SqliteSeriesStateStore = new SqliteSeriesStateStore(db),
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS telemetry_series (
        id INTEGER PRIMARY KEY,
        series TEXT NOT NULL UNIQUE,
        vendor_id TEXT NOT NULL,
        sli_key TEXT NOT NULL,
        measure TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS telemetry_series_sli ON telemetry_series (sli_key);
      CREATE TABLE IF NOT EXISTS telemetry_sample (
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) WITHOUT ROWID;
    `);
    this.s = {
      findSeries: db.prepare('SELECT id FROM telemetry_series WHERE series = ?').pluck(),
      addSeries: db.prepare(
        'INSERT INTO telemetry_series (series, vendor_id, sli_key, measure) VALUES (?, ?, ?, ?)',
      ),
      insert: db.prepare('INSERT OR IGNORE INTO telemetry_sample (series_id, ts, value) VALUES (?, ?, ?)'),
      held: db.prepare('SELECT value FROM telemetry_sample WHERE series_id = ? AND ts = ?').pluck(),
      remove: db.prepare('DELETE FROM telemetry_sample WHERE series_id = ? AND ts = ?'),
      read: db.prepare(
        `SELECT s.series, s.vendor_id AS vendorId, s.sli_key AS sliKey, s.measure, x.ts AS timestampMs, x.value
         FROM telemetry_series s JOIN telemetry_sample x ON x.series_id = s.id
         WHERE s.sli_key = ? AND x.ts >= ? AND x.ts < ? ORDER BY x.ts, s.series`,
      ),
      count: db.prepare('SELECT COUNT(*) FROM telemetry_sample').pluck(),
      countVendor: db
        .prepare(
          `SELECT COUNT(*) FROM telemetry_sample x JOIN telemetry_series s ON s.id = x.series_id
           WHERE s.vendor_id = ?`,
        )
        .pluck(),
    };
    this.writeTx = db.transaction((samples: readonly Sample[]) => {
      let fresh: Sample[] = [];
      const rejected: StoreRejection[] = [];
      let duplicates = 0;
      for (const x of samples) {
        const id = this.seriesId(x);
        if (this.s.insert.run(id, x.timestampMs, x.value).changes === 1) fresh.push(x);
        else {
          const held = this.s.held.get(id, x.timestampMs) as number;
          if (held === x.value) duplicates++;
          else rejected.push(conflict(x, held));
        }
      }
      const step = countCumulativeSync(
        (series) => this.states.loadSync(series),
        (changes) => this.states.commitSync(changes),
        fresh,
      );
      if (step.rejected.length || step.repeats.length) {
        for (const r of step.rejected) this.s.remove.run(this.seriesId(r.sample), r.sample.timestampMs);
        for (const r of step.repeats) this.s.remove.run(this.seriesId(r), r.timestampMs);
        rejected.push(...step.rejected);
        duplicates += step.repeats.length;
        fresh = withoutDecided(fresh, step);
      }
      const deltas = rollupDeltas(fresh);
      if (deltas.length) this.rollups.addSync(deltas);
      return { stored: fresh.length, duplicates, fresh, rejected };
    });
  }

  async write(samples: readonly Sample[]): Promise<WriteOutcome> {
    if (samples.length === 0) return { stored: 0, duplicates: 0, fresh: [], rejected: [] };
    try {
      return this.writeTx(samples);
    } catch (e) {
      // A failed transaction may have interned series ids that rolled back with it.
      this.seriesIds.clear();
      throw e;
    }
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<StoredSample[]> {
    return this.s.read.all(sliKey, fromMs, toMs) as StoredSample[];
  }

  async count(vendorId?: string): Promise<number> {
    return (vendorId === undefined ? this.s.count.get() : this.s.countVendor.get(vendorId)) as number;
  }

  private seriesId(x: Sample): number {
    let id = this.seriesIds.get(x.series);
    if (id === undefined) {
      id = this.s.findSeries.get(x.series) as number | undefined;
      id ??= Number(this.s.addSeries.run(x.series, x.vendorId, x.sliKey, x.measure).lastInsertRowid);
      this.seriesIds.set(x.series, id);
    }
    return id;
  }
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

/** SLI activity in SQLite: one row per (SLI, vendor). */
export class SqliteSliActivityStore implements SliActivityStore {
  private readonly s;
  private readonly recordTx: (entries: readonly SliActivityRecord[]) => void;
  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry_sli_activity (
      sli_key TEXT NOT NULL, vendor_id TEXT NOT NULL, samples INTEGER NOT NULL, first_sample INTEGER NOT NULL,
      last_sample INTEGER NOT NULL, last_received INTEGER NOT NULL, PRIMARY KEY (sli_key, vendor_id)) WITHOUT ROWID`);
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
    };
    this.recordTx = db.transaction((entries: readonly SliActivityRecord[]) => {
      for (const e of entries)
        this.s.upsert.run(e.sliKey, e.vendorId, e.samples, e.firstSampleMs, e.lastSampleMs, e.lastReceivedMs);
    });
  }

  async record(entries: readonly SliActivityRecord[]): Promise<void> {
    if (entries.length) this.recordTx(entries);
  }

  async listByService(serviceId: string): Promise<SliActivityRecord[]> {
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

import type { Sample, UnmappedSighting } from '../../domain/telemetry/model.js';
import { rollupDeltas, type SourceDelta } from '../../domain/telemetry/rollup.js';
import type { RollupStore } from '../../ports/rollups.js';
import type {
  DiscrepancyStore,
  IdempotencyStore,
  IdempotentRecord,
  SampleSpool,
  SampleStore,
  SeriesStateStore,
  SourceBucketTotals,
  SpooledBatch,
  StoredSample,
  StoreRejection,
  UnmappedSeriesStore,
  WriteOutcome,
} from '../../ports/telemetry.js';
import type { Discrepancy, UnmappedSeries } from '../../schemas/telemetry.js';
import { conflict, countCumulative, withoutDecided } from '../series-state.js';
import { MemorySeriesStateStore } from './series-state.js';

/** In-memory raw samples (tests and fakes), same identity and counter rules as the SQLite store. */
export class MemorySampleStore implements SampleStore {
  private readonly rows = new Map<string, StoredSample>();
  /** Set to make the next writes fail, as a raw store that is down. */
  failing = false;

  constructor(
    private readonly rollups: RollupStore,
    readonly states: SeriesStateStore = new MemorySeriesStateStore(),
  ) {}

  async write(samples: readonly Sample[]): Promise<WriteOutcome> {
    if (this.failing) throw new Error('raw store unavailable');
    let fresh: Sample[] = [];
    const rejected: StoreRejection[] = [];
    let duplicates = 0;
    for (const x of samples) {
      const held = this.rows.get(`${x.series}@${x.timestampMs}`);
      if (!held) fresh.push(x);
      else if (held.value === x.value) duplicates++;
      else rejected.push(conflict(x, held.value));
    }
    const step = await countCumulative(this.states, fresh);
    rejected.push(...step.rejected);
    duplicates += step.repeats.length;
    fresh = withoutDecided(fresh, step);
    for (const x of fresh) {
      this.rows.set(`${x.series}@${x.timestampMs}`, {
        series: x.series,
        vendorId: x.vendorId,
        sliKey: x.sliKey,
        measure: x.measure,
        timestampMs: x.timestampMs,
        value: x.value,
      });
    }
    const deltas = rollupDeltas(fresh);
    if (deltas.length) await this.rollups.add(deltas);
    return { stored: fresh.length, duplicates, fresh, rejected };
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<StoredSample[]> {
    return [...this.rows.values()]
      .filter((r) => r.sliKey === sliKey && r.timestampMs >= fromMs && r.timestampMs < toMs)
      .sort(
        (a, b) => a.timestampMs - b.timestampMs || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0),
      );
  }

  async count(vendorId?: string): Promise<number> {
    if (vendorId === undefined) return this.rows.size;
    let n = 0;
    for (const r of this.rows.values()) if (r.vendorId === vendorId) n++;
    return n;
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotentRecord>();
  async get(vendorId: string, key: string): Promise<IdempotentRecord | undefined> {
    return this.records.get(`${vendorId}\u0000${key}`);
  }
  async put(vendorId: string, key: string, r: IdempotentRecord): Promise<void> {
    const k = `${vendorId}\u0000${key}`;
    if (!this.records.has(k)) this.records.set(k, { ...r });
  }
  async purge(beforeMs: number): Promise<number> {
    let n = 0;
    for (const [k, r] of this.records) {
      if (r.createdAtMs < beforeMs) {
        this.records.delete(k);
        n++;
      }
    }
    return n;
  }
}

export class MemoryUnmappedSeriesStore implements UnmappedSeriesStore {
  private readonly rows = new Map<string, UnmappedSeries & { first: number; last: number }>();
  async record(sightings: readonly UnmappedSighting[], atMs: number): Promise<void> {
    for (const u of sightings) {
      const labels = Object.fromEntries(
        Object.keys(u.labels)
          .sort()
          .map((k) => [k, u.labels[k]!]),
      );
      const k = `${u.vendorId}\u0000${u.metric}\u0000${JSON.stringify(labels)}`;
      const r = this.rows.get(k);
      if (r) {
        r.samples += u.samples;
        r.last = Math.max(r.last, atMs);
        r.lastSeen = new Date(r.last).toISOString();
      } else {
        const iso = new Date(atMs).toISOString();
        this.rows.set(k, {
          vendorId: u.vendorId,
          metric: u.metric,
          labels,
          samples: u.samples,
          firstSeen: iso,
          lastSeen: iso,
          first: atMs,
          last: atMs,
        });
      }
    }
  }
  async list(q: { vendorId?: string; limit: number }): Promise<UnmappedSeries[]> {
    return [...this.rows.values()]
      .filter((r) => q.vendorId === undefined || r.vendorId === q.vendorId)
      .sort((a, b) => b.samples - a.samples)
      .slice(0, q.limit)
      .map(({ first: _f, last: _l, ...r }) => r);
  }
}

export class MemoryDiscrepancyStore implements DiscrepancyStore {
  private readonly buckets = new Map<string, SourceBucketTotals>();
  private readonly records = new Map<string, Discrepancy>();

  async addSourceDeltas(deltas: readonly SourceDelta[]): Promise<SourceBucketTotals[]> {
    const touched = new Map<string, SourceBucketTotals>();
    for (const d of deltas) {
      const k = `${d.sliKey}@${d.bucketStart}`;
      let b = this.buckets.get(k);
      if (!b) {
        b = { sliKey: d.sliKey, bucketStart: d.bucketStart, byVendor: {} };
        this.buckets.set(k, b);
      }
      b.byVendor[d.vendorId] ??= { good: 0, total: 0, count: 0, sum: 0 };
      const v = b.byVendor[d.vendorId]!;
      v.good += d.good;
      v.total += d.total;
      v.count += d.count;
      v.sum += d.sum;
      touched.set(k, b);
    }
    return [...touched.values()].map((b) => structuredClone(b));
  }
  async upsert(d: Discrepancy): Promise<void> {
    this.records.set(`${d.sliKey}@${Date.parse(d.bucketStart)}`, { ...d });
  }
  async clear(sliKey: string, bucketStartMs: number): Promise<void> {
    this.records.delete(`${sliKey}@${bucketStartMs}`);
  }
  async list(q: { sliKey?: string; limit: number }): Promise<Discrepancy[]> {
    return [...this.records.values()]
      .filter((d) => q.sliKey === undefined || d.sliKey === q.sliKey)
      .sort(
        (a, b) => Date.parse(b.bucketStart) - Date.parse(a.bucketStart) || a.sliKey.localeCompare(b.sliKey),
      )
      .slice(0, q.limit);
  }
}

export class MemorySampleSpool implements SampleSpool {
  private readonly batches: SpooledBatch[] = [];
  async append(batch: SpooledBatch): Promise<void> {
    this.batches.push(structuredClone(batch));
    // Oldest first by receipt, as the file spool orders its names; ties keep their order.
    this.batches.sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  }
  async replay(write: (batch: SpooledBatch) => Promise<void>): Promise<number> {
    let n = 0;
    while (this.batches.length) {
      try {
        await write(this.batches[0]!);
      } catch {
        return n;
      }
      this.batches.shift();
      n++;
    }
    return n;
  }
  async pending(): Promise<number> {
    return this.batches.length;
  }
}

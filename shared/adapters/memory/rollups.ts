import { ValidationError } from '../../domain/errors.js';
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
  sliceStatsOf,
} from '../../ports/rollups.js';

interface Series {
  /** Bucket indexes (bucketStart / BUCKET_MS), ascending. */
  buckets: number[];
  rows: RollupBucket[];
  /** Running totals including the bucket at the same position. */
  cum: Cumulative[];
}

/** In-memory rollups with the same running-total semantics as the SQLite adapter (for tests and fakes). */
export class MemoryRollupStore implements RollupStore {
  private readonly series = new Map<string, Series>();

  async add(deltas: readonly RollupDelta[]): Promise<void> {
    deltas.forEach((d, i) => {
      if (d.bucketStart % BUCKET_MS !== 0) {
        throw new ValidationError('a rollup bucket must start on a 5-minute boundary', [
          { path: `[${i}].bucketStart`, problem: `${d.bucketStart} is not a multiple of ${BUCKET_MS}` },
        ]);
      }
    });
    for (const d of deltas) this.addOne(d);
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]> {
    const s = this.series.get(sliKey);
    if (!s) return [];
    const lo = lowerBound(s.buckets, Math.ceil(fromMs / BUCKET_MS));
    const hi = lowerBound(s.buckets, Math.ceil(toMs / BUCKET_MS));
    return s.rows.slice(lo, hi).map((r) => ({ ...r }));
  }

  async cumulative(requests: readonly CumulativeRequest[]): Promise<Cumulative[][]> {
    return requests.map((r) => {
      const s = this.series.get(r.sliKey);
      return r.instants.map((t) => {
        if (!s) return { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
        const i = lowerBound(s.buckets, Math.ceil(t / BUCKET_MS)) - 1;
        const c = i >= 0 ? s.cum[i] : undefined;
        return c ? { ...c } : { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
      });
    });
  }

  async sliceStats(requests: readonly SliceRequest[]): Promise<SliceStats[]> {
    const out: SliceStats[] = [];
    for (const r of requests) out.push(sliceStatsOf(await this.read(r.sliKey, r.fromMs, r.toMs), r));
    return out;
  }

  async lastData(requests: readonly LastDataRequest[]): Promise<(number | null)[]> {
    return requests.map((r) => {
      const s = this.series.get(r.sliKey);
      if (!s) return null;
      for (let i = lowerBound(s.buckets, Math.ceil(r.beforeMs / BUCKET_MS)) - 1; i >= 0; i--) {
        if (isFilled(s.rows[i]!)) return s.rows[i]!.bucketStart;
      }
      return null;
    });
  }

  private addOne(d: RollupDelta): void {
    let s = this.series.get(d.sliKey);
    if (!s) {
      s = { buckets: [], rows: [], cum: [] };
      this.series.set(d.sliKey, s);
    }
    const bucket = d.bucketStart / BUCKET_MS;
    let i = lowerBound(s.buckets, bucket);
    let newlyFilled = isFilled(d) ? 1 : 0;
    if (s.buckets[i] === bucket) {
      const row = s.rows[i]!;
      if (isFilled(row)) newlyFilled = 0;
      if (d.count > 0) {
        row.min = row.count > 0 ? Math.min(row.min, d.min) : d.min;
        row.max = row.count > 0 ? Math.max(row.max, d.max) : d.max;
      }
      row.good += d.good;
      row.total += d.total;
      row.count += d.count;
      row.sum += d.sum;
    } else {
      const prev = i > 0 ? s.cum[i - 1]! : { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
      s.buckets.splice(i, 0, bucket);
      s.rows.splice(i, 0, { ...d });
      s.cum.splice(i, 0, { ...prev });
    }
    for (; i < s.cum.length; i++) {
      const c = s.cum[i]!;
      c.good += d.good;
      c.total += d.total;
      c.count += d.count;
      c.sum += d.sum;
      c.filled += newlyFilled;
    }
  }
}

function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

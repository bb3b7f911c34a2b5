/**
 * The rollup port shared by telemetry ingestion (writer) and the objectives engine (reader).
 *
 * An SLI is identified by its key `<serviceId>/<sliName>` (see `sliKey`). Rollups are kept per SLI per
 * 5-minute bucket aligned to the Unix epoch (bucketStart is a multiple of 300 000 ms, UTC).
 * A bucket carries both event counts (good/total, for availability and threshold SLIs) and value
 * aggregates (count/sum/min/max, for value SLIs such as latency); a writer fills what it has.
 */
export const BUCKET_MS = 300_000;

export interface RollupBucket {
  sliKey: string;
  /** Start of the 5-minute bucket, epoch milliseconds (UTC), a multiple of BUCKET_MS. */
  bucketStart: number;
  good: number;
  total: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Increments to add into a bucket; merging is commutative so replays and out-of-order writes converge. */
export type RollupDelta = RollupBucket;

export interface RollupStore {
  /** Adds the deltas into their buckets (creating them), atomically for the whole call. */
  add(deltas: readonly RollupDelta[]): Promise<void>;
  /** Buckets of one SLI with fromMs <= bucketStart < toMs, in ascending bucketStart order. */
  read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]>;
}

export function sliKey(serviceId: string, sliName: string): string {
  return `${serviceId}/${sliName}`;
}

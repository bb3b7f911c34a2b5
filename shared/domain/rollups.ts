/**
 * Rollups: what telemetry ingestion writes and the objectives engine reads, per SLI per 5-minute bucket.
 *
 * An SLI is identified by its key `<serviceId>/<sliName>` (see `sliKey`). Buckets are aligned to the Unix
 * epoch (bucketStart is a multiple of 300 000 ms, UTC). A bucket carries both event counts (good/total, for
 * availability and threshold SLIs) and value aggregates (count/sum/min/max, for value SLIs such as latency);
 * a writer fills what it has. These are domain concepts: the rollup port (`shared/ports/rollups.ts`)
 * re-exports them.
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

/**
 * Running totals of one SLI over every bucket that starts strictly before an instant.
 * `filled` counts the buckets that hold any data (total > 0 or count > 0): it measures coverage.
 */
export interface Cumulative {
  good: number;
  total: number;
  count: number;
  sum: number;
  filled: number;
}

export const ZERO_CUMULATIVE: Readonly<Cumulative> = Object.freeze({
  good: 0,
  total: 0,
  count: 0,
  sum: 0,
  filled: 0,
});

export function sliKey(serviceId: string, sliName: string): string {
  return `${serviceId}/${sliName}`;
}

/** Whether a bucket holds any data at all (events or values). */
export function isFilled(b: { total: number; count: number }): boolean {
  return b.total > 0 || b.count > 0;
}

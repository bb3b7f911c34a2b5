/**
 * The rollup port shared by telemetry ingestion (writer) and the objectives engine (reader).
 *
 * The bucket types are domain concepts (`shared/domain/rollups.ts`, slices in
 * `shared/domain/objectives/slices.ts`), re-exported here for the port's users.
 *
 * Reading a window: adapters keep running (prefix) totals per SLI, maintained on write, so the sum over
 * any range is the difference of two cumulative reads (`cumulative`), whatever the range's length. That
 * is what makes evaluating a 90-day objective cost the same as a 28-day one.
 */

import type { SliceRequest, SliceStats } from '../domain/objectives/slices.js';
import type { Cumulative, RollupBucket, RollupDelta } from '../domain/rollups.js';

export { type SliceRequest, type SliceStats, sliceStatsOf } from '../domain/objectives/slices.js';
export {
  BUCKET_MS,
  type Cumulative,
  isFilled,
  type RollupBucket,
  type RollupDelta,
  sliKey,
  ZERO_CUMULATIVE,
} from '../domain/rollups.js';

export interface CumulativeRequest {
  sliKey: string;
  /** Instants (epoch ms); each answer covers the buckets with bucketStart < instant. */
  instants: readonly number[];
}

/** Which SLI, and before when, to find the last bucket holding data. */
export interface LastDataRequest {
  sliKey: string;
  /** Only buckets with bucketStart < beforeMs count. */
  beforeMs: number;
}

export interface RollupStore {
  /** Adds the deltas into their buckets (creating them), atomically for the whole call. */
  add(deltas: readonly RollupDelta[]): Promise<void>;
  /** Buckets of one SLI with fromMs <= bucketStart < toMs, in ascending bucketStart order. */
  read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]>;
  /**
   * Running totals at each requested instant, one array per request in the same order (O(log n) each).
   * An SLI without data answers zeros. Batched so that one evaluation run is one round trip.
   */
  cumulative(requests: readonly CumulativeRequest[]): Promise<Cumulative[][]>;
  /**
   * Slice counts for the timeslice budgeting methods, one answer per request: the complete slices of the
   * request's local-calendar grid (time zone, slice length; see `SliceGrid`) inside [fromMs, toMs). Adapters
   * may keep running slice counts per (SLI, slice length, time zone, target), maintained as data arrives, so
   * that the cost does not grow with the range.
   */
  sliceStats(requests: readonly SliceRequest[]): Promise<SliceStats[]>;
  /**
   * For each request, the start (epoch ms) of the SLI's last bucket holding data (events or values) that
   * starts before `beforeMs`, or null when there is none: how long an SLI has been silent. One seek each.
   */
  lastData(requests: readonly LastDataRequest[]): Promise<(number | null)[]>;
}

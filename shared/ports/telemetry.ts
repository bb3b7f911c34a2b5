import type { Sample, UnmappedSighting } from '../domain/telemetry/model.js';
import type { SourceDelta } from '../domain/telemetry/rollup.js';
import type { CounterState } from '../domain/telemetry/semantics.js';
import type { Discrepancy, UnmappedSeries } from '../schemas/telemetry.js';

/** A sample the store refused, with why: another value at a stored time, or a counter sample out of order. */
export interface StoreRejection {
  sample: Sample;
  reason: 'conflicting_value' | 'out_of_order';
  message: string;
}

/**
 * What a write did: samples new to the store, samples it already held (same series, time and value: a retry), and
 * samples it refused (`conflicting_value`: the same series and time with another value; `out_of_order`: a counter
 * sample older than its series' last).
 */
export interface WriteOutcome {
  stored: number;
  duplicates: number;
  /** The samples that were new, in input order (their rollups were added with them; counters' events set). */
  fresh: Sample[];
  rejected: StoreRejection[];
  /** The store recorded the SLI activity of `fresh` in the write's own transaction (asked by `write`'s second argument). */
  activityRecorded?: boolean;
}

/** Who sent a write and when it was received: a store that can records the SLI activity of its new samples with it. */
export interface ActivityOfWrite {
  vendorId: string;
  receivedAtMs: number;
}

/** A stored raw sample, as read back. */
export interface StoredSample {
  series: string;
  vendorId: string;
  sliKey: string;
  measure: string;
  timestampMs: number;
  value: number;
}

/**
 * The raw sample store. A sample is identified by (series, timestamp): writing it again with the same value stores
 * nothing and adds nothing to the rollups (a retry); with another value it is refused as a conflict. Cumulative
 * counters become increases through the series' stored state (`SeriesStateStore`, `applyCounters`). Where the
 * backend allows (SQLite), the raw rows, the counter states and the rollups of the new rows commit together, so a
 * crash leaves all or none.
 */
export interface SampleStore {
  /**
   * Stores the samples once. With `activity`, a store that can (the embedded default's worker) records the SLI
   * activity of the new samples in the same transaction and says so (`activityRecorded`); others ignore it.
   */
  write(samples: readonly Sample[], activity?: ActivityOfWrite): Promise<WriteOutcome>;
  /** Samples of one SLI with fromMs <= timestamp < toMs, by time then series. */
  read(sliKey: string, fromMs: number, toMs: number): Promise<StoredSample[]>;
  /** How many samples are stored (of one vendor, when given). */
  count(vendorId?: string): Promise<number>;
}

/** The first answer to a request sent with an Idempotency-Key. */
export interface IdempotentRecord {
  /** SHA-256 of the body: the same key with another body is a client error. */
  requestHash: string;
  status: number;
  body: string;
  createdAtMs: number;
}

export interface IdempotencyStore {
  get(vendorId: string, key: string): Promise<IdempotentRecord | undefined>;
  /** Keeps the first record for a key: a second put for the same key changes nothing. */
  put(vendorId: string, key: string, record: IdempotentRecord): Promise<void>;
  /** Forgets records created before an instant (keys are kept for a retention period, then expire). */
  purge(beforeMs: number): Promise<number>;
}

/** A batch of accepted samples the raw store could not take, kept durably until replayed. */
export interface SpooledBatch {
  id: string;
  vendorId: string;
  receivedAtMs: number;
  samples: Sample[];
}

/** The durable fallback: a spool on disk locally, an SQS queue on AWS. */
export interface SampleSpool {
  /** Durable when it resolves: the batch survives a crash from then on. */
  append(batch: SpooledBatch): Promise<void>;
  /**
   * Hands each spooled batch, oldest first, to `write`; a batch is removed only after `write` resolves.
   * Stops at the first failure (the store is still down). Answers how many batches were replayed.
   */
  replay(write: (batch: SpooledBatch) => Promise<void>): Promise<number>;
  /** How many batches wait. */
  pending(): Promise<number>;
}

/** Series nothing maps: counted per vendor series, listed for people to write rules. */
export interface UnmappedSeriesStore {
  record(sightings: readonly UnmappedSighting[], atMs: number): Promise<void>;
  list(query: { vendorId?: string; limit: number }): Promise<UnmappedSeries[]>;
}

/** Per-source bucket aggregates of SLIs reported by two vendors, and the discrepancies found between them. */
export interface DiscrepancyStore {
  /** Adds per-source deltas and answers each touched bucket's per-vendor totals after the add. */
  addSourceDeltas(deltas: readonly SourceDelta[]): Promise<SourceBucketTotals[]>;
  /** Records (or updates) a discrepancy of one SLI over one bucket; clears it when the sources agree again. */
  upsert(d: Discrepancy): Promise<void>;
  clear(sliKey: string, bucketStartMs: number): Promise<void>;
  list(query: { sliKey?: string; limit: number }): Promise<Discrepancy[]>;
}

export interface SourceBucketTotals {
  sliKey: string;
  bucketStart: number;
  byVendor: Record<string, { good: number; total: number; count: number; sum: number }>;
}

/**
 * Which samples (series, timestamp) the rollups have already counted, where the raw store cannot say (Timestream
 * accepts an identical record silently): a sample re-sent without an Idempotency-Key is then counted once, and one
 * re-sent with another value is told apart as a conflict.
 */
export interface SeenSampleStore {
  /**
   * Claims the samples not seen before and answers them; for the others, the value first claimed (the same value:
   * a retry; another: a conflict).
   */
  claim(
    samples: readonly Sample[],
  ): Promise<{ claimed: Sample[]; held: { sample: Sample; value: number }[] }>;
  /** Gives claims back when their rollups could not be written, so that a replay counts them. */
  release(samples: readonly Sample[]): Promise<void>;
}

/**
 * One counter state change: written only when the stored version is still `expected` (0: no state yet). A null
 * `next` removes the state (taking back a first sample whose rollups could not be written).
 */
export interface SeriesStateChange {
  series: string;
  expected: number;
  next: CounterState | null;
}

/**
 * The durable state of each cumulative counter series (its last accepted sample), which turns running totals into
 * increases across requests. Writes are compare-and-set on a version, so concurrent writers of one series (Lambdas
 * receiving one series out of order) never both advance it from the same state: the loser reloads and recomputes.
 */
export interface SeriesStateStore {
  /** The stored states of these series; a series never seen is absent. Strongly consistent. */
  load(series: readonly string[]): Promise<Map<string, CounterState>>;
  /**
   * Writes each change if its series is still at the expected version. Answers the series whose write lost (their
   * state changed meanwhile); nothing was written for those.
   */
  commit(changes: readonly SeriesStateChange[]): Promise<string[]>;
}

/** Per-SLI activity (what a service's owner reads to see which SLIs get data), recorded per vendor. */
export interface SliActivityRecord {
  sliKey: string;
  vendorId: string;
  samples: number;
  firstSampleMs: number;
  lastSampleMs: number;
  lastReceivedMs: number;
}

export interface SliActivityStore {
  /** Adds accepted (new) samples per SLI and vendor: counts add up, first/last times widen. */
  record(entries: readonly SliActivityRecord[]): Promise<void>;
  /** Every SLI of a service with data, per vendor. */
  listByService(serviceId: string): Promise<SliActivityRecord[]>;
}

/** An objective that reads an SLI of a service. */
export interface SliReader {
  /** The SLI's name within the service (`<serviceId>/<sli>` is its key). */
  sli: string;
  agreementId: string;
  objectiveId: string;
  /** The agreement's status (draft, submitted, approved, active...). */
  status: string;
}

/** Which objectives read a service's SLIs: an SLI nobody reads gets data that judges nothing (often a typo). */
export interface SliReaders {
  /** The objectives of the service's agreements that are not retired, expired or sunset. */
  of(serviceId: string): Promise<SliReader[]>;
}

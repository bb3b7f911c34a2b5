import type { Sample, UnmappedSighting } from '../domain/telemetry/model.js';
import type { SourceDelta } from '../domain/telemetry/rollup.js';
import type { Discrepancy, UnmappedSeries } from '../schemas/telemetry.js';

/** What a write did: samples new to the store, and samples it already held (same series and time). */
export interface WriteOutcome {
  stored: number;
  duplicates: number;
  /** The samples that were new, in input order (their rollups were added with them). */
  fresh: Sample[];
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
 * The raw sample store. A sample is identified by (series, timestamp): writing it again stores nothing
 * and adds nothing to the rollups. Where the backend allows (SQLite), the raw rows and the rollups of the
 * new ones commit together, so a crash leaves both or neither.
 */
export interface SampleStore {
  write(samples: readonly Sample[]): Promise<WriteOutcome>;
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
 * accepts an identical record silently): a sample re-sent without an Idempotency-Key is then counted once.
 */
export interface SeenSampleStore {
  /** Claims the samples not seen before and answers them; the others were seen already. */
  claim(samples: readonly Sample[]): Promise<Sample[]>;
  /** Gives claims back when their rollups could not be written, so that a replay counts them. */
  release(samples: readonly Sample[]): Promise<void>;
}

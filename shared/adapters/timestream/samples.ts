import {
  type _Record,
  InternalServerException,
  RejectedRecordsException,
  ThrottlingException,
  type TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import type { Sample } from '../../domain/telemetry/model.js';

/** WriteRecords takes at most 100 records per call. */
export const MAX_RECORDS_PER_WRITE = 100;
/** A dimension value is at most 2 KB; longer series keys are shortened (their prefix is kept). */
const MAX_DIMENSION_BYTES = 2048;

export interface TimestreamWriteOutcome {
  written: number;
  /** Records Timestream already held (same dimensions, time and measure, another value): the first write wins. */
  existing: Sample[];
  /** Records Timestream refused for good (for example older than the memory store with magnetic writes off). */
  rejected: { sample: Sample; reason: string }[];
}

export interface TimestreamOptions {
  database: string;
  table: string;
  /** Attempts per call when throttled or on a server error (default 6). */
  maxAttempts?: number;
  /** Base of the exponential backoff in ms (default 50); each wait is drawn in [0, base * 2^attempt). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * The raw sample store on AWS: Timestream for LiveAnalytics. Samples are written in calls of at most 100
 * records; a RejectedRecordsException is read record by record (the others in the call were written);
 * throttling and server errors are retried with full-jitter exponential backoff, then thrown so the caller
 * can fall back to the queue. Each sample is one record: dimensions vendor, SLI and series, measure name
 * the sample's measure, time in milliseconds, version 1 (so a replay of the same sample is a no-op).
 */
export class TimestreamSampleWriter {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly client: TimestreamWriteClient,
    private readonly options: TimestreamOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  async write(samples: readonly Sample[]): Promise<TimestreamWriteOutcome> {
    const out: TimestreamWriteOutcome = { written: 0, existing: [], rejected: [] };
    for (let i = 0; i < samples.length; i += MAX_RECORDS_PER_WRITE) {
      const chunk = samples.slice(i, i + MAX_RECORDS_PER_WRITE);
      await this.writeChunk(chunk, out);
    }
    return out;
  }

  private async writeChunk(chunk: readonly Sample[], out: TimestreamWriteOutcome): Promise<void> {
    const records = chunk.map(toRecord);
    const attempts = this.options.maxAttempts ?? 6;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new WriteRecordsCommand({
            DatabaseName: this.options.database,
            TableName: this.options.table,
            Records: records,
          }),
        );
        out.written += chunk.length;
        return;
      } catch (err) {
        if (err instanceof RejectedRecordsException) {
          const rejected = err.RejectedRecords ?? [];
          for (const r of rejected) {
            const sample = chunk[r.RecordIndex ?? -1];
            if (!sample) continue;
            if (r.ExistingVersion !== undefined) out.existing.push(sample);
            else out.rejected.push({ sample, reason: r.Reason ?? 'rejected by Timestream' });
          }
          out.written += chunk.length - rejected.length;
          return;
        }
        const retryable = err instanceof ThrottlingException || err instanceof InternalServerException;
        if (!retryable || attempt + 1 >= attempts) throw err;
        const base = this.options.baseDelayMs ?? 50;
        await this.sleep(Math.floor(this.random() * base * 2 ** attempt));
      }
    }
  }
}

function toRecord(s: Sample): _Record {
  let series = s.series;
  if (Buffer.byteLength(series) > MAX_DIMENSION_BYTES) series = series.slice(0, MAX_DIMENSION_BYTES / 4);
  return {
    Dimensions: [
      { Name: 'vendor', Value: s.vendorId },
      { Name: 'sli', Value: s.sliKey },
      { Name: 'series', Value: series },
    ],
    MeasureName: s.measure,
    MeasureValue: String(s.value),
    MeasureValueType: 'DOUBLE',
    Time: String(s.timestampMs),
    TimeUnit: 'MILLISECONDS',
    Version: 1,
  };
}

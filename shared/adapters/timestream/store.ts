import type { Sample } from '../../domain/telemetry/model.js';
import { rollupDeltas } from '../../domain/telemetry/rollup.js';
import type { RollupStore } from '../../ports/rollups.js';
import type {
  SampleSpool,
  SampleStore,
  SeenSampleStore,
  StoredSample,
  WriteOutcome,
} from '../../ports/telemetry.js';
import type { TimestreamSampleWriter } from './samples.js';

/**
 * The SampleStore on AWS: raw samples in Timestream (absent when the stack is deployed without it, since new
 * accounts cannot create it), rollups in the rollup store. Records Timestream refuses for good go to the
 * fallback's dead-letter queue with their reason rather than vanish. Timestream acknowledges an identical
 * record silently, so which samples the rollups have counted is kept by the seen-sample store: a sample
 * re-sent without an Idempotency-Key is counted once. Unlike SQLite the writes are not one transaction: when
 * the rollup write fails the claims are given back, so a replay counts them (see docs/telemetry.md).
 */
export class AwsSampleStore implements SampleStore {
  constructor(
    private readonly raw: TimestreamSampleWriter | undefined,
    private readonly rollups: RollupStore,
    private readonly refused: SampleSpool,
    private readonly seen?: SeenSampleStore,
  ) {}

  async write(samples: readonly Sample[]): Promise<WriteOutcome> {
    let fresh: Sample[] = [...samples];
    let duplicates = 0;
    if (this.raw) {
      const out = await this.raw.write(samples);
      duplicates = out.existing.length;
      const notNew = new Set([...out.existing, ...out.rejected.map((r) => r.sample)]);
      if (notNew.size) fresh = fresh.filter((s) => !notNew.has(s));
      if (out.rejected.length) {
        await this.refused.append({
          id: `refused-${samples[0]!.timestampMs}-${samples.length}`,
          vendorId: samples[0]!.vendorId,
          receivedAtMs: samples[0]!.timestampMs,
          samples: out.rejected.map((r) => r.sample),
        });
      }
    }
    if (this.seen) {
      const claimed = await this.seen.claim(fresh);
      duplicates += fresh.length - claimed.length;
      fresh = claimed;
    }
    const deltas = rollupDeltas(fresh);
    try {
      if (deltas.length) await this.rollups.add(deltas);
    } catch (err) {
      await this.seen?.release(fresh);
      throw err;
    }
    return { stored: fresh.length, duplicates, fresh };
  }

  async read(_sliKey: string, _fromMs: number, _toMs: number): Promise<StoredSample[]> {
    throw new Error('raw samples on AWS are read with Timestream queries, not through this port');
  }

  async count(_vendorId?: string): Promise<number> {
    throw new Error('raw samples on AWS are counted with Timestream queries, not through this port');
  }
}

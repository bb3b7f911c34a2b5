import type { Sample } from '../../domain/telemetry/model.js';
import { rollupDeltas } from '../../domain/telemetry/rollup.js';
import type { RollupStore } from '../../ports/rollups.js';
import type { SampleSpool, SampleStore, StoredSample, WriteOutcome } from '../../ports/telemetry.js';
import type { TimestreamSampleWriter } from './samples.js';

/**
 * The SampleStore on AWS: raw samples in Timestream (absent when the stack is deployed without it, since new
 * accounts cannot create it), rollups in the rollup store. Records Timestream refuses for good go to the
 * fallback queue with their reason rather than vanish. Unlike SQLite the two writes are not one
 * transaction, and Timestream acknowledges an identical record silently, so exactly-once rollups on AWS
 * rest on the Idempotency-Key of the request (see docs/telemetry.md).
 */
export class AwsSampleStore implements SampleStore {
  constructor(
    private readonly raw: TimestreamSampleWriter | undefined,
    private readonly rollups: RollupStore,
    private readonly refused: SampleSpool,
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
    const deltas = rollupDeltas(fresh);
    if (deltas.length) await this.rollups.add(deltas);
    return { stored: fresh.length, duplicates, fresh };
  }

  async read(_sliKey: string, _fromMs: number, _toMs: number): Promise<StoredSample[]> {
    throw new Error('raw samples on AWS are read with Timestream queries, not through this port');
  }

  async count(_vendorId?: string): Promise<number> {
    throw new Error('raw samples on AWS are counted with Timestream queries, not through this port');
  }
}

import type { Sample } from '../../domain/telemetry/model.js';
import { rollupDeltas } from '../../domain/telemetry/rollup.js';
import type { RollupStore } from '../../ports/rollups.js';
import type {
  SampleSpool,
  SampleStore,
  SeenSampleStore,
  SeriesStateStore,
  StoredSample,
  StoreRejection,
  WriteOutcome,
} from '../../ports/telemetry.js';
import {
  type CounterStep,
  conflict,
  countCumulative,
  revertCounters,
  withoutDecided,
} from '../series-state.js';
import type { TimestreamSampleWriter } from './samples.js';

/**
 * The SampleStore on AWS: raw samples in Timestream (absent when the stack is deployed without it, since new
 * accounts cannot create it), counter states and rollups in DynamoDB. Records Timestream refuses for good go to the
 * fallback's dead-letter queue with their reason rather than vanish. Timestream acknowledges an identical record
 * silently, so which samples the rollups have counted (and with which value) is kept by the seen-sample store: a
 * sample re-sent without an Idempotency-Key is counted once, one re-sent with another value is a conflict. Unlike
 * SQLite the writes are not one transaction: when the rollup write fails the claims and the counter states are
 * given back, so a replay counts them (see docs/telemetry.md).
 */
export class AwsSampleStore implements SampleStore {
  constructor(
    private readonly raw: TimestreamSampleWriter | undefined,
    private readonly rollups: RollupStore,
    private readonly refused: SampleSpool,
    private readonly states: SeriesStateStore,
    private readonly seen?: SeenSampleStore,
  ) {}

  async write(samples: readonly Sample[]): Promise<WriteOutcome> {
    let fresh: Sample[] = [...samples];
    let duplicates = 0;
    const rejected: StoreRejection[] = [];
    if (this.seen) {
      const { claimed, held } = await this.seen.claim(fresh);
      for (const h of held) {
        if (h.value === h.sample.value) duplicates++;
        else rejected.push(conflict(h.sample, h.value));
      }
      fresh = claimed;
    }
    let step: CounterStep;
    try {
      step = await countCumulative(this.states, fresh);
    } catch (err) {
      await this.seen?.release(fresh);
      throw err;
    }
    if (step.rejected.length || step.repeats.length) {
      await this.seen?.release([...step.repeats, ...step.rejected.map((r) => r.sample)]);
      rejected.push(...step.rejected);
      duplicates += step.repeats.length;
      fresh = withoutDecided(fresh, step);
    }
    try {
      if (this.raw && fresh.length) {
        const out = await this.raw.write(fresh);
        if (out.rejected.length) {
          await this.refused.append({
            id: `refused-${fresh[0]!.timestampMs}-${fresh.length}`,
            vendorId: fresh[0]!.vendorId,
            receivedAtMs: fresh[0]!.timestampMs,
            samples: out.rejected.map((r) => r.sample),
          });
        }
        // Records Timestream holds already were counted when first written (their seen markers had expired).
        // Records it refused for good wait in the dead-letter queue and are not counted, except a counter's: its
        // state has moved past them, so leaving their increase out would lose it for good.
        const existing = new Set(out.existing);
        duplicates += existing.size;
        const refused = new Set(out.rejected.filter((r) => !r.sample.cumulative).map((r) => r.sample));
        if (existing.size || refused.size) fresh = fresh.filter((s) => !existing.has(s) && !refused.has(s));
      }
      const deltas = rollupDeltas(fresh);
      if (deltas.length) await this.rollups.add(deltas);
    } catch (err) {
      await revertCounters(this.states, step).catch(() => undefined);
      await this.seen?.release(fresh);
      throw err;
    }
    return { stored: fresh.length, duplicates, fresh, rejected };
  }

  async read(_sliKey: string, _fromMs: number, _toMs: number): Promise<StoredSample[]> {
    throw new Error('raw samples on AWS are read with Timestream queries, not through this port');
  }

  async count(_vendorId?: string): Promise<number> {
    throw new Error('raw samples on AWS are counted with Timestream queries, not through this port');
  }
}

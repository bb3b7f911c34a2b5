import type { Feed, Sample } from '../../domain/telemetry/model.js';
import type { Measure, SemanticType } from '../../schemas/telemetry.js';

/**
 * The messages between the main thread and the telemetry store's worker thread (`telemetry-worker.ts` on the main
 * side, `telemetry-worker-thread.ts` in the worker). A write carries the accepted samples as one Float64Array
 * (SAMPLE_STRIDE numbers a sample, transferred, not copied) plus a dictionary entry for each series shape the worker
 * has not been sent yet; the worker rebuilds the `Sample` objects, writes them in one transaction and answers by
 * position in the request: which were new (with the events a counter's state gave them), which it refused and why.
 */

/** Numbers per packed sample: shape id, index, time, value, events, threshold, start, flags. */
export const SAMPLE_STRIDE = 8;
/** Flag bits of a packed sample. */
export const FLAG_ROLLUP = 1;
export const FLAG_HAS_RESET = 2;
export const FLAG_RESET = 4;

/** What every sample of one series shares: sent once per worker, then named by its id. */
export interface Shape {
  id: number;
  series: string;
  vendorId: string;
  sliKey: string;
  measure: Measure;
  type: SemanticType;
  feed: Feed;
  cumulative: boolean;
}

export type ToWorker =
  | {
      t: 'write';
      id: number;
      shapes: Shape[];
      /** SAMPLE_STRIDE numbers a sample. */
      packed: Float64Array;
      /** Record the SLI activity of the new samples in the same transaction (the owner's list). */
      activity?: { vendorId: string; receivedAtMs: number } | undefined;
    }
  | { t: 'read'; id: number; sliKey: string; fromMs: number; toMs: number }
  | { t: 'count'; id: number; vendorId?: string | undefined }
  | { t: 'checkpoint'; id: number }
  | { t: 'close'; id: number };

export interface WriteReply {
  stored: number;
  duplicates: number;
  /** Positions (in the request's samples) of the new samples, in input order. */
  fresh: Int32Array;
  /** The events of each new sample as the store left them (a cumulative counter's increase). */
  events: Float64Array;
  rejected: { at: number; reason: 'conflicting_value' | 'out_of_order'; message: string }[];
  /** A rollup journal row was committed with the samples: the readers' rollup stores must fold it first. */
  journaled: boolean;
  activityRecorded: boolean;
}

export type FromWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } }
  | { t: 'ready' }
  | { t: 'failed'; error: { name: string; message: string } };

/** Rebuilds the samples of a packed write (the worker's side). */
export function unpackSamples(shapes: ReadonlyMap<number, Shape>, packed: Float64Array): Sample[] {
  const n = packed.length / SAMPLE_STRIDE;
  const out: Sample[] = new Array(n);
  for (let i = 0, j = 0; i < n; i++, j += SAMPLE_STRIDE) {
    const shape = shapes.get(packed[j]!);
    if (shape === undefined) throw new Error(`packed sample ${i} names shape ${packed[j]}, never sent`);
    const flags = packed[j + 7]!;
    const s: Sample = {
      index: packed[j + 1]!,
      vendorId: shape.vendorId,
      series: shape.series,
      sliKey: shape.sliKey,
      measure: shape.measure,
      type: shape.type,
      feed: shape.feed,
      timestampMs: packed[j + 2]!,
      value: packed[j + 3]!,
      events: packed[j + 4]!,
      cumulative: shape.cumulative,
      rollup: (flags & FLAG_ROLLUP) !== 0,
    };
    const threshold = packed[j + 5]!;
    if (!Number.isNaN(threshold)) s.thresholdMs = threshold;
    const start = packed[j + 6]!;
    if (!Number.isNaN(start)) s.startMs = start;
    if (flags & FLAG_HAS_RESET) s.reset = (flags & FLAG_RESET) !== 0;
    out[i] = s;
  }
  return out;
}

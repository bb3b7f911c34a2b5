import { beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import type { RollupStore } from '../../shared/ports/rollups.js';
import type { SampleStore } from '../../shared/ports/telemetry.js';
import { ratioSample } from '../helpers/samples.js';

const T0 = Date.UTC(2026, 0, 1);
const sample = (ts: number, value = 1, extra: Partial<Sample> = {}): Sample => ratioSample(ts, value, extra);
/** A running total of good events (a Prometheus counter). */
const counter = (ts: number, value: number, series = 'v1|good_total|job=a'): Sample =>
  sample(ts, value, {
    series,
    sliKey: 'svc_a/requests',
    measure: 'good',
    type: 'counter',
    feed: 'good',
    cumulative: true,
  });

/** The one contract every SampleStore adapter passes. */
export function sampleStoreContract(
  name: string,
  make: () =>
    | { store: SampleStore; rollups: RollupStore }
    | Promise<{ store: SampleStore; rollups: RollupStore }>,
): void {
  describe(`SampleStore contract: ${name}`, () => {
    let store: SampleStore;
    let rollups: RollupStore;
    beforeEach(async () => {
      ({ store, rollups } = await make());
    });

    it('stores a sample once per series and timestamp, however often it is written', async () => {
      const first = await store.write([sample(T0), sample(T0 + 1000, 0)]);
      expect(first).toMatchObject({ stored: 2, duplicates: 0 });
      const again = await store.write([sample(T0), sample(T0 + 2000)]);
      expect(again).toMatchObject({ stored: 1, duplicates: 1 });
      expect(again.fresh.map((s) => s.timestampMs)).toEqual([T0 + 2000]);
      expect(await store.count()).toBe(3);
    });

    it('keeps two series apart even at the same timestamp', async () => {
      await store.write([sample(T0), sample(T0, 1, { series: 'v1|probe_success|job=b' })]);
      expect(await store.count()).toBe(2);
    });

    it('adds the rollups of new samples only, so a replay does not count twice', async () => {
      await store.write([sample(T0, 1), sample(T0 + 1000, 0)]);
      await store.write([sample(T0, 1), sample(T0 + 1000, 0)]);
      const b = await rollups.read('svc_a/availability', T0, T0 + 300_000);
      expect(b).toEqual([expect.objectContaining({ good: 1, total: 2 })]);
    });

    it('does not roll up a sample marked as not authoritative, but stores it', async () => {
      await store.write([sample(T0, 1, { rollup: false })]);
      expect(await rollups.read('svc_a/availability', T0, T0 + 300_000)).toEqual([]);
      expect(await store.count('v1')).toBe(1);
    });

    it('reads an SLI’s samples back in time order within the half-open range', async () => {
      await store.write([sample(T0 + 2000, 0.5), sample(T0, 1), sample(T0 + 5000, 0)]);
      const rows = await store.read('svc_a/availability', T0, T0 + 5000);
      expect(rows.map((r) => [r.timestampMs, r.value])).toEqual([
        [T0, 1],
        [T0 + 2000, 0.5],
      ]);
      expect(rows[0]).toMatchObject({ vendorId: 'v1', measure: 'ratio', series: 'v1|probe_success|job=a' });
    });

    it('refuses the same series and time with another value as a conflict, apart from a retry', async () => {
      await store.write([sample(T0, 1)]);
      const out = await store.write([sample(T0, 0), sample(T0 + 1000, 1)]);
      expect(out).toMatchObject({ stored: 1, duplicates: 0 });
      expect(out.rejected.map((r) => [r.sample.timestampMs, r.reason])).toEqual([[T0, 'conflicting_value']]);
      expect((await store.read('svc_a/availability', T0, T0 + 1)).map((r) => r.value)).toEqual([1]);
    });

    it('turns a counter into increases, the first sample a baseline, a drop a reset (the issue: 1000, 1060, 1120, 30)', async () => {
      await store.write([counter(T0, 1000), counter(T0 + 60_000, 1060)]);
      // A later request continues from the stored state.
      const out = await store.write([counter(T0 + 120_000, 1120), counter(T0 + 180_000, 30)]);
      expect(out.fresh.map((s) => s.events)).toEqual([60, 30]);
      const b = await rollups.read('svc_a/requests', T0, T0 + 300_000);
      expect(b).toEqual([expect.objectContaining({ good: 150, total: 150 })]);
    });

    it('rejects a counter sample older than its series’ last as out of order, and counts nothing twice', async () => {
      await store.write([counter(T0, 10), counter(T0 + 60_000, 20)]);
      const out = await store.write([counter(T0 + 30_000, 15), counter(T0 + 60_000, 20)]);
      expect(out.rejected.map((r) => r.reason)).toEqual(['out_of_order']);
      expect(out.duplicates).toBe(1);
      expect(await store.count()).toBe(2);
      expect(await rollups.read('svc_a/requests', T0, T0 + 300_000)).toEqual([
        expect.objectContaining({ good: 10, total: 10 }),
      ]);
    });

    it('counts per vendor', async () => {
      await store.write([sample(T0), sample(T0, 1, { vendorId: 'v2', series: 'v2|x' })]);
      expect(await store.count('v2')).toBe(1);
      expect(await store.count('nobody')).toBe(0);
    });
  });
}

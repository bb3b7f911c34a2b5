import { beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import type { RollupStore } from '../../shared/ports/rollups.js';
import type { SampleStore } from '../../shared/ports/telemetry.js';

const T0 = Date.UTC(2026, 0, 1);
const sample = (ts: number, value = 1, extra: Partial<Sample> = {}): Sample => ({
  vendorId: 'v1',
  series: 'v1|probe_success|job=a',
  sliKey: 'svc_a/availability',
  measure: 'ratio',
  timestampMs: ts,
  value,
  rollup: true,
  ...extra,
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

    it('counts per vendor', async () => {
      await store.write([sample(T0), sample(T0, 1, { vendorId: 'v2', series: 'v2|x' })]);
      expect(await store.count('v2')).toBe(1);
      expect(await store.count('nobody')).toBe(0);
    });
  });
}

import { describe, expect, it } from 'vitest';
import type { SliActivityStore } from '../../shared/ports/telemetry.js';

const T0 = Date.UTC(2026, 10, 25, 12);

/** The SliActivityStore contract, passed by every adapter. */
export function sliActivityStoreContract(
  name: string,
  make: () => Promise<SliActivityStore> | SliActivityStore,
): void {
  describe(`SliActivityStore contract: ${name}`, () => {
    it('adds counts per SLI and vendor and widens the first and last sample times', async () => {
      const store = await make();
      const rec = (sli: string, vendor: string, n: number, first: number, last: number) => ({
        sliKey: `svc_a/${sli}`,
        vendorId: vendor,
        samples: n,
        firstSampleMs: first,
        lastSampleMs: last,
        lastReceivedMs: last + 5,
      });
      await store.record([rec('availability', 'v1', 3, T0, T0 + 10), rec('latency', 'v1', 1, T0, T0)]);
      await store.record([rec('availability', 'v1', 2, T0 + 20, T0 + 30)]);
      // A late batch adds its count without moving the last sample time back.
      await store.record([rec('availability', 'v1', 1, T0 - 100, T0 - 50)]);
      await store.record([rec('availability', 'v2', 7, T0, T0)]);
      await store.record([{ ...rec('x', 'v1', 1, T0, T0), sliKey: 'svc_ab/x' }]);
      const rows = await store.listByService('svc_a');
      expect(rows.map((r) => [r.sliKey, r.vendorId, r.samples])).toEqual([
        ['svc_a/availability', 'v1', 6],
        ['svc_a/availability', 'v2', 7],
        ['svc_a/latency', 'v1', 1],
      ]);
      expect(rows[0]).toMatchObject({ lastSampleMs: T0 + 30, lastReceivedMs: T0 + 35 });
      expect(await store.listByService('svc_none')).toEqual([]);
    });
  });
}

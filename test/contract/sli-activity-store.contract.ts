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

    it('moves the first sample time earlier and the last received time later when late data arrives', async () => {
      const store = await make();
      const rec = (n: number, first: number, last: number, received: number) => ({
        sliKey: 'svc_l/availability',
        vendorId: 'v1',
        samples: n,
        firstSampleMs: first,
        lastSampleMs: last,
        lastReceivedMs: received,
      });
      await store.record([rec(2, T0, T0 + 10, T0 + 100)]);
      // Late data (a backfill), received after the first batch: it starts earlier and ends earlier.
      await store.record([rec(3, T0 - 100, T0 - 50, T0 + 200)]);
      expect((await store.listByService('svc_l'))[0]).toMatchObject({
        samples: 5,
        firstSampleMs: T0 - 100,
        lastSampleMs: T0 + 10,
        lastReceivedMs: T0 + 200,
      });
      // A newer sample that a slower writer delivers with an older receive time: last sample moves on, receive time stays.
      await store.record([rec(1, T0 + 20, T0 + 20, T0 + 150)]);
      expect(await store.listByService('svc_l')).toEqual([
        {
          sliKey: 'svc_l/availability',
          vendorId: 'v1',
          samples: 6,
          firstSampleMs: T0 - 100,
          lastSampleMs: T0 + 20,
          lastReceivedMs: T0 + 200,
        },
      ]);
    });

    it('records a request that fed hundreds of SLIs at once, one of them twice, none lost', async () => {
      const store = await make();
      // 301 entries: 300 SLIs of 3 services once each, and svc_c2's s-0 again at the end.
      const entries = Array.from({ length: 300 }, (_, i) => ({
        sliKey: `svc_c${i % 3}/s-${Math.floor(i / 3)}`,
        vendorId: 'v1',
        samples: i + 1,
        firstSampleMs: T0 + i,
        lastSampleMs: T0 + i,
        lastReceivedMs: T0 + 1000,
      }));
      entries.push({ ...entries[2]!, samples: 1000, firstSampleMs: T0 + 50, lastSampleMs: T0 + 5000 });
      await store.record(entries);
      const rows = await store.listByService('svc_c2');
      expect(rows).toHaveLength(100);
      const again = rows.find((r) => r.sliKey === 'svc_c2/s-0')!;
      expect(again).toMatchObject({ samples: 1003, firstSampleMs: T0 + 2, lastSampleMs: T0 + 5000 });
      const total = (await Promise.all(['svc_c0', 'svc_c1', 'svc_c2'].map((s) => store.listByService(s))))
        .flat()
        .reduce((a, r) => a + r.samples, 0);
      expect(total).toBe((300 * 301) / 2 + 1000);
    });
  });
}

import { describe, expect, it } from 'vitest';
import type { SeriesStateStore } from '../../shared/ports/telemetry.js';

const T0 = Date.UTC(2026, 10, 25, 12);

/** The SeriesStateStore contract (counter state per series, compare-and-set), passed by every adapter. */
export function seriesStateStoreContract(
  name: string,
  make: () => Promise<SeriesStateStore> | SeriesStateStore,
): void {
  describe(`SeriesStateStore contract: ${name}`, () => {
    it('answers nothing for a series never seen, then the state written for it', async () => {
      const store = await make();
      expect((await store.load(['a'])).size).toBe(0);
      expect(
        await store.commit([{ series: 'a', expected: 0, next: { lastTs: T0, lastValue: 1000, version: 1 } }]),
      ).toEqual([]);
      expect(await store.load(['a', 'b'])).toEqual(
        new Map([['a', { lastTs: T0, lastValue: 1000, version: 1 }]]),
      );
    });

    it('lets only one of two writers that read the same version advance a series', async () => {
      const store = await make();
      await store.commit([{ series: 's', expected: 0, next: { lastTs: T0, lastValue: 5, version: 1 } }]);
      const first = await store.commit([
        { series: 's', expected: 1, next: { lastTs: T0 + 60_000, lastValue: 6, version: 2 } },
      ]);
      const second = await store.commit([
        { series: 's', expected: 1, next: { lastTs: T0 + 30_000, lastValue: 5.5, version: 2 } },
      ]);
      expect(first).toEqual([]);
      expect(second).toEqual(['s']);
      expect((await store.load(['s'])).get('s')).toEqual({ lastTs: T0 + 60_000, lastValue: 6, version: 2 });
    });

    it('refuses a first state when another writer created one meanwhile', async () => {
      const store = await make();
      await store.commit([{ series: 'n', expected: 0, next: { lastTs: T0, lastValue: 1, version: 1 } }]);
      expect(
        await store.commit([{ series: 'n', expected: 0, next: { lastTs: T0, lastValue: 2, version: 1 } }]),
      ).toEqual(['n']);
    });

    it('removes a state at the expected version only (a first sample taken back)', async () => {
      const store = await make();
      await store.commit([{ series: 'r', expected: 0, next: { lastTs: T0, lastValue: 1, version: 1 } }]);
      expect(await store.commit([{ series: 'r', expected: 2, next: null }])).toEqual(['r']);
      expect(await store.commit([{ series: 'r', expected: 1, next: null }])).toEqual([]);
      expect((await store.load(['r'])).size).toBe(0);
    });

    it('keeps series apart however long their keys are, many at once', async () => {
      const store = await make();
      const long = `v|http_requests_total|${'path=/x,'.repeat(400)}`;
      const keys = Array.from({ length: 130 }, (_, i) => `${long}${i}`);
      expect(
        await store.commit(
          keys.map((series, i) => ({ series, expected: 0, next: { lastTs: T0, lastValue: i, version: 1 } })),
        ),
      ).toEqual([]);
      const loaded = await store.load(keys);
      expect(loaded.size).toBe(130);
      expect(loaded.get(keys[129]!)!.lastValue).toBe(129);
    });
  });
}

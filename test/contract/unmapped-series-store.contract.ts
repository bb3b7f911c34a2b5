import { beforeEach, describe, expect, it } from 'vitest';
import type { UnmappedSeriesStore } from '../../shared/ports/telemetry.js';

/** The one contract every UnmappedSeriesStore adapter passes. */
export function unmappedSeriesStoreContract(
  name: string,
  make: () => UnmappedSeriesStore | Promise<UnmappedSeriesStore>,
): void {
  describe(`UnmappedSeriesStore contract: ${name}`, () => {
    let store: UnmappedSeriesStore;
    beforeEach(async () => {
      store = await make();
    });

    it('counts samples per vendor series whatever the label order, with first and last sighting', async () => {
      await store.record([{ vendorId: 'v1', metric: 'm', labels: { a: '1', b: '2' }, samples: 3 }], 1000);
      await store.record([{ vendorId: 'v1', metric: 'm', labels: { b: '2', a: '1' }, samples: 2 }], 5000);
      expect(await store.list({ limit: 10 })).toEqual([
        {
          vendorId: 'v1',
          metric: 'm',
          labels: { a: '1', b: '2' },
          samples: 5,
          firstSeen: new Date(1000).toISOString(),
          lastSeen: new Date(5000).toISOString(),
        },
      ]);
    });

    it('lists the busiest first and filters by vendor', async () => {
      await store.record(
        [
          { vendorId: 'v1', metric: 'quiet', labels: {}, samples: 1 },
          { vendorId: 'v1', metric: 'busy', labels: {}, samples: 9 },
          { vendorId: 'v2', metric: 'other', labels: {}, samples: 4 },
        ],
        1000,
      );
      expect((await store.list({ limit: 10 })).map((u) => u.metric)).toEqual(['busy', 'other', 'quiet']);
      expect((await store.list({ vendorId: 'v2', limit: 10 })).map((u) => u.metric)).toEqual(['other']);
      expect(await store.list({ limit: 1 })).toHaveLength(1);
    });
  });
}

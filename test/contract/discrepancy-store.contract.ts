import { beforeEach, describe, expect, it } from 'vitest';
import type { DiscrepancyStore } from '../../shared/ports/telemetry.js';
import type { Discrepancy } from '../../shared/schemas/telemetry.js';

const B = Date.UTC(2026, 0, 1);
const delta = (vendorId: string, good: number, total: number, bucketStart = B) => ({
  sliKey: 'svc_a/availability',
  bucketStart,
  vendorId,
  good,
  total,
  count: 0,
  sum: 0,
  min: 0,
  max: 0,
});
const record = (bucketStart: number, difference: number): Discrepancy => ({
  sliKey: 'svc_a/availability',
  bucketStart: new Date(bucketStart).toISOString(),
  primary: 'p',
  secondary: 's',
  primaryValue: 1,
  secondaryValue: 1 - difference,
  difference,
  tolerance: 0.01,
  authoritative: 'p',
  detectedAt: new Date(bucketStart).toISOString(),
});

/** The one contract every DiscrepancyStore adapter passes. */
export function discrepancyStoreContract(
  name: string,
  make: () => DiscrepancyStore | Promise<DiscrepancyStore>,
): void {
  describe(`DiscrepancyStore contract: ${name}`, () => {
    let store: DiscrepancyStore;
    beforeEach(async () => {
      store = await make();
    });

    it('sums per-source deltas and answers each touched bucket with every vendor’s totals', async () => {
      await store.addSourceDeltas([delta('p', 9, 10)]);
      const t = await store.addSourceDeltas([delta('s', 5, 10), delta('p', 1, 1)]);
      expect(t).toEqual([
        {
          sliKey: 'svc_a/availability',
          bucketStart: B,
          byVendor: {
            p: { good: 10, total: 11, count: 0, sum: 0 },
            s: { good: 5, total: 10, count: 0, sum: 0 },
          },
        },
      ]);
    });

    it('keeps one record per SLI and bucket, latest first, and clears it', async () => {
      await store.upsert(record(B, 0.1));
      await store.upsert(record(B, 0.2));
      await store.upsert(record(B + 300_000, 0.3));
      expect((await store.list({ limit: 10 })).map((d) => d.difference)).toEqual([0.3, 0.2]);
      await store.clear('svc_a/availability', B + 300_000);
      expect(
        (await store.list({ sliKey: 'svc_a/availability', limit: 10 })).map((d) => d.difference),
      ).toEqual([0.2]);
      expect(await store.list({ sliKey: 'svc_b/x', limit: 10 })).toEqual([]);
    });
  });
}

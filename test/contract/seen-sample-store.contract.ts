import { describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import type { SeenSampleStore } from '../../shared/ports/telemetry.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const sample = (series: string, ts: number): Sample => ({
  vendorId: 'prometheus-main',
  series,
  sliKey: 'svc_payments-gateway/availability',
  measure: 'ratio',
  timestampMs: ts,
  value: 1,
  rollup: true,
});

/** The SeenSampleStore contract, passed by every adapter. */
export function seenSampleStoreContract(
  name: string,
  make: () => Promise<SeenSampleStore> | SeenSampleStore,
): void {
  describe(`SeenSampleStore contract: ${name}`, () => {
    it('claims a sample once: the same series and timestamp sent again is not claimed again', async () => {
      const store = await make();
      const a = sample('prometheus-main|probe_success|job=a', T0);
      const b = sample('prometheus-main|probe_success|job=a', T0 + 15_000);
      expect(await store.claim([a, b])).toEqual([a, b]);
      expect(await store.claim([a, b, sample('prometheus-main|probe_success|job=b', T0)])).toEqual([
        sample('prometheus-main|probe_success|job=b', T0),
      ]);
    });

    it('tells series apart however long their labels are', async () => {
      const store = await make();
      const long = `prometheus-main|http_requests_total|${'path=/x,'.repeat(300)}`;
      expect(await store.claim([sample(long, T0), sample(`${long}y`, T0)])).toHaveLength(2);
    });

    it('claims again what was released (rollups not written, so a replay must count it)', async () => {
      const store = await make();
      const a = sample('prometheus-main|probe_success|job=c', T0);
      await store.claim([a]);
      await store.release([a]);
      expect(await store.claim([a])).toEqual([a]);
    });
  });
}

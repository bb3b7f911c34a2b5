import { describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import type { SeenSampleStore } from '../../shared/ports/telemetry.js';
import { ratioSample } from '../helpers/samples.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const sample = (series: string, ts: number, value = 1): Sample =>
  ratioSample(ts, value, {
    series,
    vendorId: 'prometheus-main',
    sliKey: 'svc_payments-gateway/availability',
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
      expect((await store.claim([a, b])).claimed).toEqual([a, b]);
      const again = await store.claim([a, b, sample('prometheus-main|probe_success|job=b', T0)]);
      expect(again.claimed).toEqual([sample('prometheus-main|probe_success|job=b', T0)]);
      expect(again.held.map((h) => h.value)).toEqual([1, 1]);
    });

    it('answers the value first claimed, so another value is told apart as a conflict', async () => {
      const store = await make();
      await store.claim([sample('prometheus-main|probe_success|job=d', T0, 1)]);
      const again = await store.claim([sample('prometheus-main|probe_success|job=d', T0, 0)]);
      expect(again.claimed).toEqual([]);
      expect(again.held).toEqual([
        { sample: sample('prometheus-main|probe_success|job=d', T0, 0), value: 1 },
      ]);
    });

    it('tells series apart however long their labels are', async () => {
      const store = await make();
      const long = `prometheus-main|http_requests_total|${'path=/x,'.repeat(300)}`;
      expect((await store.claim([sample(long, T0), sample(`${long}y`, T0)])).claimed).toHaveLength(2);
    });

    it('claims again what was released (rollups not written, so a replay must count it)', async () => {
      const store = await make();
      const a = sample('prometheus-main|probe_success|job=c', T0);
      await store.claim([a]);
      await store.release([a]);
      expect((await store.claim([a])).claimed).toEqual([a]);
    });
  });
}

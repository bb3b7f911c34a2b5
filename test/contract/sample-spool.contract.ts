import { beforeEach, describe, expect, it } from 'vitest';
import type { SampleSpool, SpooledBatch } from '../../shared/ports/telemetry.js';
import { storedSample } from '../helpers/telemetry.js';

const batch = (id: string, receivedAtMs: number): SpooledBatch => ({
  id,
  vendorId: 'v1',
  receivedAtMs,
  samples: [
    storedSample({ vendorId: 'v1', series: 's', sliKey: 'svc_a/availability', timestampMs: receivedAtMs }),
  ],
});

/** The one contract every SampleSpool adapter passes. */
export function sampleSpoolContract(name: string, make: () => SampleSpool): void {
  describe(`SampleSpool contract: ${name}`, () => {
    let spool: SampleSpool;
    beforeEach(() => {
      spool = make();
    });

    it('replays batches oldest first, whole, and removes each once written', async () => {
      await spool.append(batch('b', 2000));
      await spool.append(batch('a', 1000));
      const seen: SpooledBatch[] = [];
      expect(await spool.replay(async (b) => void seen.push(b))).toBe(2);
      expect(seen.map((b) => b.id)).toEqual(['a', 'b']);
      expect(seen[0]).toEqual(batch('a', 1000));
      expect(await spool.pending()).toBe(0);
    });

    it('keeps a batch whose write fails, and stops there', async () => {
      await spool.append(batch('a', 1000));
      await spool.append(batch('b', 2000));
      expect(
        await spool.replay(async () => {
          throw new Error('still down');
        }),
      ).toBe(0);
      expect(await spool.pending()).toBe(2);
    });
  });
}

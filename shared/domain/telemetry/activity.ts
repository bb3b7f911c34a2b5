import type { SliActivityRecord } from '../../ports/telemetry.js';
import { countsAsSample, type Sample } from './model.js';

/**
 * The SLI activity of a write's new samples (what a service's owner reads: which SLIs get data, when, from whom): one
 * record per SLI with the samples counted (`countsAsSample`), the first and last sample times, and when they were
 * received (epoch ms). `vendorId` is the sender's, whatever the samples say.
 */
export function sliActivityOf(
  fresh: readonly Sample[],
  vendorId: string,
  receivedAtMs: number,
): SliActivityRecord[] {
  const bySli = new Map<string, SliActivityRecord>();
  for (const s of fresh) {
    let r = bySli.get(s.sliKey);
    if (!r) {
      r = {
        sliKey: s.sliKey,
        vendorId,
        samples: 0,
        firstSampleMs: s.timestampMs,
        lastSampleMs: s.timestampMs,
        lastReceivedMs: receivedAtMs,
      };
      bySli.set(s.sliKey, r);
    }
    if (countsAsSample(s)) r.samples++;
    r.firstSampleMs = Math.min(r.firstSampleMs, s.timestampMs);
    r.lastSampleMs = Math.max(r.lastSampleMs, s.timestampMs);
  }
  return [...bySli.values()];
}

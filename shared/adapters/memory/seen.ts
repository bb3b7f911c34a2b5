import type { Sample } from '../../domain/telemetry/model.js';
import type { SeenSampleStore } from '../../ports/telemetry.js';

const key = (s: Sample) => `${s.series}@${s.timestampMs}`;

export class MemorySeenSampleStore implements SeenSampleStore {
  private readonly seen = new Map<string, number>();

  async claim(
    samples: readonly Sample[],
  ): Promise<{ claimed: Sample[]; held: { sample: Sample; value: number }[] }> {
    const claimed: Sample[] = [];
    const held: { sample: Sample; value: number }[] = [];
    for (const s of samples) {
      const v = this.seen.get(key(s));
      if (v !== undefined) held.push({ sample: s, value: v });
      else {
        this.seen.set(key(s), s.value);
        claimed.push(s);
      }
    }
    return { claimed, held };
  }

  async release(samples: readonly Sample[]): Promise<void> {
    for (const s of samples) this.seen.delete(key(s));
  }
}

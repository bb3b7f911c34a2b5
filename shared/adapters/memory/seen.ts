import type { Sample } from '../../domain/telemetry/model.js';
import type { SeenSampleStore } from '../../ports/telemetry.js';

const key = (s: Sample) => `${s.series}@${s.timestampMs}`;

export class MemorySeenSampleStore implements SeenSampleStore {
  private readonly seen = new Set<string>();

  async claim(samples: readonly Sample[]): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const s of samples) {
      if (this.seen.has(key(s))) continue;
      this.seen.add(key(s));
      out.push(s);
    }
    return out;
  }

  async release(samples: readonly Sample[]): Promise<void> {
    for (const s of samples) this.seen.delete(key(s));
  }
}

import type { CounterState } from '../../domain/telemetry/semantics.js';
import type {
  SeriesStateChange,
  SeriesStateStore,
  SliActivityRecord,
  SliActivityStore,
} from '../../ports/telemetry.js';

/** Counter states in memory (tests, fakes): compare-and-set on the version like the durable adapters. */
export class MemorySeriesStateStore implements SeriesStateStore {
  private readonly states = new Map<string, CounterState>();

  async load(series: readonly string[]): Promise<Map<string, CounterState>> {
    const out = new Map<string, CounterState>();
    for (const s of series) {
      const v = this.states.get(s);
      if (v) out.set(s, { ...v });
    }
    return out;
  }

  async commit(changes: readonly SeriesStateChange[]): Promise<string[]> {
    const lost: string[] = [];
    for (const c of changes) {
      if ((this.states.get(c.series)?.version ?? 0) !== c.expected) lost.push(c.series);
      else if (c.next === null) this.states.delete(c.series);
      else this.states.set(c.series, { ...c.next });
    }
    return lost;
  }
}

/** SLI activity in memory. */
export class MemorySliActivityStore implements SliActivityStore {
  private readonly rows = new Map<string, SliActivityRecord>();

  async record(entries: readonly SliActivityRecord[]): Promise<void> {
    for (const e of entries) {
      const k = `${e.sliKey}\u0000${e.vendorId}`;
      const r = this.rows.get(k);
      if (!r) this.rows.set(k, { ...e });
      else {
        r.samples += e.samples;
        r.firstSampleMs = Math.min(r.firstSampleMs, e.firstSampleMs);
        r.lastSampleMs = Math.max(r.lastSampleMs, e.lastSampleMs);
        r.lastReceivedMs = Math.max(r.lastReceivedMs, e.lastReceivedMs);
      }
    }
  }

  async listByService(serviceId: string): Promise<SliActivityRecord[]> {
    return [...this.rows.values()]
      .filter((r) => r.sliKey.startsWith(`${serviceId}/`))
      .sort((a, b) => (a.sliKey < b.sliKey ? -1 : a.sliKey > b.sliKey ? 1 : a.vendorId < b.vendorId ? -1 : 1))
      .map((r) => ({ ...r }));
  }
}

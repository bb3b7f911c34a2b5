import type { Sample } from '../domain/telemetry/model.js';
import { applyCounters, type CounterState } from '../domain/telemetry/semantics.js';
import type { SeriesStateChange, SeriesStateStore, StoreRejection } from '../ports/telemetry.js';

/** What applying counter states to a write's new samples decided. */
export interface CounterStep {
  /** Samples refused: out of order, or another value at the series' last time. */
  rejected: StoreRejection[];
  /** Samples equal to their series' last (a retry): not new. */
  repeats: Sample[];
  /** The state changes written, to take back (`revertCounters`) when the rest of the write fails. */
  applied: { series: string; before: CounterState | null; after: CounterState }[];
}

/** How often a write re-reads and recomputes series another writer moved meanwhile, before giving up. */
const MAX_ATTEMPTS = 8;

/**
 * Sets `events` on the cumulative-counter samples among `fresh` from their series' stored states, writing the new
 * states with compare-and-set; series another writer moved meanwhile are re-read and recomputed (so two Lambdas
 * receiving one series never both count the same increase). Used by every SampleStore adapter.
 * @throws Error when a series keeps changing under it (the caller's write fails and is spooled, then replayed)
 */
export async function countCumulative(
  store: SeriesStateStore,
  fresh: readonly Sample[],
): Promise<CounterStep> {
  const step: CounterStep = { rejected: [], repeats: [], applied: [] };
  let pending = fresh.filter((s) => s.cumulative);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === MAX_ATTEMPTS) {
      throw new Error(`counter state of ${pending[0]!.series} kept changing under ${MAX_ATTEMPTS} attempts`);
    }
    const states = await store.load([...new Set(pending.map((s) => s.series))]);
    const out = applyCounters(pending, states);
    const lost = new Set(await store.commit(changesOf(out.next, states)));
    for (const [series, after] of out.next) {
      if (!lost.has(series)) step.applied.push({ series, before: states.get(series) ?? null, after });
    }
    for (const r of out.rejected) if (!lost.has(r.sample.series)) step.rejected.push(r);
    for (const r of out.repeats) if (!lost.has(r.series)) step.repeats.push(r);
    pending = lost.size ? pending.filter((s) => lost.has(s.series)) : [];
  }
  return step;
}

/** The same, synchronously, for a store inside a transaction (SQLite): nobody else can move the states meanwhile. */
export function countCumulativeSync(
  load: (series: readonly string[]) => Map<string, CounterState>,
  commit: (changes: readonly SeriesStateChange[]) => string[],
  fresh: readonly Sample[],
): CounterStep {
  const pending = fresh.filter((s) => s.cumulative);
  if (pending.length === 0) return { rejected: [], repeats: [], applied: [] };
  const states = load([...new Set(pending.map((s) => s.series))]);
  const out = applyCounters(pending, states);
  const lost = commit(changesOf(out.next, states));
  if (lost.length) throw new Error(`counter state of ${lost[0]} changed inside a transaction`);
  return { rejected: out.rejected, repeats: out.repeats, applied: [] };
}

/**
 * Takes back the counter states a failed write advanced (its rollups were not written), each only if nobody moved
 * the series since: a replay of the write then counts the same increases. A series another writer moved meanwhile
 * keeps its state (that writer counted from ours; the increase of this write's samples is then lost: at most one
 * batch, see docs/telemetry.md).
 */
export async function revertCounters(store: SeriesStateStore, step: CounterStep): Promise<void> {
  if (step.applied.length === 0) return;
  await store.commit(
    step.applied.map((a) => ({
      series: a.series,
      expected: a.after.version,
      next: a.before ? { ...a.before, version: a.after.version + 1 } : null,
    })),
  );
}

function changesOf(
  next: ReadonlyMap<string, CounterState>,
  states: ReadonlyMap<string, CounterState>,
): SeriesStateChange[] {
  const changes: SeriesStateChange[] = [];
  for (const [series, state] of next)
    changes.push({ series, expected: states.get(series)?.version ?? 0, next: state });
  return changes;
}

/** The samples of a write that are new, once the counter step has refused some and found others repeated. */
export function withoutDecided(fresh: readonly Sample[], step: CounterStep): Sample[] {
  if (step.rejected.length === 0 && step.repeats.length === 0) return fresh as Sample[];
  const out = new Set<Sample>([...step.repeats, ...step.rejected.map((r) => r.sample)]);
  return fresh.filter((s) => !out.has(s));
}

/** The refusal of a sample whose (series, time) the store holds with another value. */
export function conflict(x: Sample, held: number): StoreRejection {
  return {
    sample: x,
    reason: 'conflicting_value',
    message: `this series already holds ${held} at this time; a different value (${x.value}) is a conflict, not a retry`,
  };
}

import type { ColumnWrite } from '../domain/telemetry/backfill-columns.js';
import { readOpenMetricsColumns } from '../domain/telemetry/backfill-files.js';
import type { CompiledPolicy } from '../domain/telemetry/mapping.js';
import type { DecodedBatch, DecodedSeries } from '../domain/telemetry/model.js';
import { MAX_VALUE, prepareBatch } from '../domain/telemetry/prepare.js';
import { inScope, type VendorScope } from '../domain/telemetry/scope.js';
import type { ServiceStore } from '../ports/services.js';

/** Writes a chunk's counter series as columns, or nothing (undefined) when the stored state rules it out. */
export interface ColumnarBackfillWriter {
  write(series: readonly ColumnWrite[], nowMs: number): Promise<{ stored: number } | undefined>;
}

export interface ColumnarBackfillDeps {
  /** The mapping policy live ingest maps with (the same rules, limits and sources). */
  policy: CompiledPolicy;
  services: Pick<ServiceStore, 'get'>;
  writer: ColumnarBackfillWriter;
  /** SLI key → the data source pulling it (`TelemetryDeps.pulledSlis`). */
  pulledSlis?: () => Promise<ReadonlyMap<string, string>>;
  /**
   * Whether live ingest's cap on SLIs per service admits every SLI of the chunk (`TelemetryIngest.admitsSlis`): when it
   * does not, the chunk takes live ingest's path, which rejects the SLIs over the cap one by one (`too_many_slis`).
   */
  admitsSlis?: (sliKeys: readonly string[]) => Promise<boolean>;
}

/** What the fast path stored: every sample of the chunk (it takes a chunk whole or not at all). */
export interface ColumnarOutcome {
  submitted: number;
  accepted: number;
}

/**
 * The backfill's columnar fast path (docs/backfill.md, "Backfill-4 round"): an OpenMetrics chunk whose every sample
 * live ingest would accept as a new counter sample is stored without the per-sample objects of the live path
 * (`DecodedPoint`, `Sample`): read into columns, mapped once per series through the same `prepareBatch` (a probe of
 * each series' first sample: the same rules, label limits, type and feed decisions), every sample checked against the
 * same bounds, then written by the columnar writer. Anything else answers undefined and the caller takes live ingest's
 * path, which decides and names every sample: a chunk it cannot read in columns, a series that is not a counter feeding
 * good or bad events of its SLI, a value or time live ingest would refuse, an unknown service, a second source or a
 * pulled SLI, an SLI over the cap on SLIs per service, two series mapped onto one, a series outside the vendor's scope (its samples are the live path's to
 * reject one by one, `not_your_service`), or stored data at or after the chunk's first sample (a re-sent chunk, late
 * data: duplicates and conflicts are the live path's to find).
 */
export class ColumnarBackfill {
  constructor(private readonly deps: ColumnarBackfillDeps) {}

  /**
   * Imports the chunk if it qualifies (see the class), answering its counts; undefined when it does not (nothing was
   * written). `scope`: what the vendor may write (its bindings); a chunk with any series outside it does not qualify.
   * @throws the writer's storage errors (nothing was written)
   */
  async tryImport(
    body: Uint8Array,
    vendorId: string,
    nowMs: number,
    oldestMs: number,
    maxSamples: number,
    scope: VendorScope,
  ): Promise<ColumnarOutcome | undefined> {
    const { policy } = this.deps;
    const batch = readOpenMetricsColumns(body);
    if (!batch || batch.sampleCount === 0 || batch.sampleCount > maxSamples) return undefined;
    // One probe sample per series: prepareBatch maps it and decides its type and feed as it would every sample.
    const probe: DecodedBatch = {
      format: 'openmetrics',
      series: batch.series.map(
        (s, i): DecodedSeries => ({
          series: { metric: s.metric, labels: s.labels },
          // Stryker disable next-line StringLiteral: the probe's path only names prepareBatch's rejections, and any rejection sends the chunk to the live path, which names its own
          path: `series ${i}`,
          // Stryker disable next-line StringLiteral: as the path: only a rejection's path is built from it
          pointField: 'samples',
          firstIndex: i,
          type: s.type,
          // Stryker disable next-line StringLiteral: nothing reads a series' typeSource (it documents where the type came from)
          typeSource: s.type ? '# TYPE' : undefined,
          epochUnit: 'ms',
          // Its first non-zero value, if any: a unit's factor shows on it (0 converts to 0 in any unit).
          points: [{ index: i, value: s.values[probeAt(s.values)]!, time: s.times[probeAt(s.values)]! }],
        }),
      ),
      malformed: [],
      sampleCount: batch.series.length,
      seriesCount: batch.series.length,
      malformedSeries: 0,
    };
    const prepared = prepareBatch(probe, { vendorId, nowMs, policy, oldestMs });
    if (prepared.accepted.length !== batch.series.length) return undefined;
    const newest = nowMs + policy.limits.maxFutureSkewSeconds * 1000;
    const writes: ColumnWrite[] = [];
    const seen = new Set<string>();
    const services = new Set<string>();
    for (const p of prepared.accepted) {
      const s = batch.series[p.index]!;
      if (
        // A counter is cumulative (decideFeed): its values are running totals, as the columnar writer takes them.
        p.type !== 'counter' ||
        (p.feed !== 'good' && p.feed !== 'bad') ||
        !p.rollup ||
        // Stryker disable next-line ConditionalExpression: a guard: every unit a good or bad measure takes is a count of factor 1 (units.ts, MEASURE_KINDS), so no probe is converted today
        p.value !== s.values[probeAt(s.values)] || // a unit other than counts: the live path converts
        // Stryker disable next-line ConditionalExpression: a guard: the probe's point carries no start time (the columnar reader refuses `_created` series), so prepareBatch sets none
        p.startMs !== undefined ||
        policy.sources.has(p.sliKey) ||
        seen.has(p.series) ||
        // One look-up per series (not per sample): a series maps to one SLI.
        !inScope(scope, p.sliKey)
      )
        return undefined;
      seen.add(p.series);
      const { times, values } = s;
      for (let i = 0; i < times.length; i++) {
        const v = values[i]!;
        const t = times[i]!;
        // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: a guard: the columnar reader takes only unsigned decimals of at most 15 digits, all within [0, MAX_VALUE] (2^53 - 1, 16 digits)
        if (!(v >= 0 && v <= MAX_VALUE)) return undefined;
        if (t < oldestMs || t > newest) return undefined;
      }
      services.add(p.sliKey.slice(0, p.sliKey.indexOf('/')));
      writes.push({
        series: p.series,
        vendorId,
        sliKey: p.sliKey,
        measure: p.measure,
        feed: p.feed,
        times,
        values,
      });
    }
    for (const id of services) if ((await this.deps.services.get(id)) === undefined) return undefined;
    const pulled = await this.deps.pulledSlis?.();
    if (pulled?.size)
      for (const w of writes) if (pulled.has(w.sliKey) && pulled.get(w.sliKey) !== vendorId) return undefined;
    if (this.deps.admitsSlis && !(await this.deps.admitsSlis(writes.map((w) => w.sliKey)))) return undefined;
    const done = await this.deps.writer.write(writes, nowMs);
    if (!done) return undefined;
    return { submitted: batch.sampleCount, accepted: done.stored };
  }
}

/** The index of a series' first non-zero value (0 when all are zero). */
function probeAt(values: Float64Array): number {
  // Stryker disable next-line ArrowFunction,ConditionalExpression,EqualityOperator: which sample is the probe decides nothing while no unit of a good or bad measure converts (see the unit guard), every sample's value and time being checked in tryImport
  const first = values.findIndex((v) => v !== 0);
  return Math.max(0, first);
}

/**
 * Prometheus as a pull data source (docs/backfill.md): which series to read for an objective's SLI, and how the
 * points read become a decoded batch that goes through the same ingest as pushed telemetry (counter state,
 * increases, resets, duplicates, rollups). Pure: no I/O, the time is a parameter.
 *
 * The pull reads the RAW counter series under the SLI's queries (`http_requests_total{job="a", code!~"5.."}`,
 * not `sum(rate(…))`): Accord turns running totals into increases itself, per series, exactly as it does for remote
 * write, so a reset or a re-read point means the same thing whichever way the data came. Accord counts good and bad
 * events; a good/total SLI is read as good and bad, the bad selector being the good one with its one extra matcher
 * negated (`code!~"5.."` → `code=~"5.."`), as the OpenSLO import proposes mapping rules.
 */
import type { Objective } from '../../schemas/agreement.js';
import type { Measure } from '../../schemas/telemetry.js';
import { badFromGoodTotal, counterSelector, gaugeSelector, queryOf } from '../openslo/promql.js';
import type { DecodedBatch, DecodedSeries } from './model.js';

type ObjectiveSpec = import('zod').z.output<typeof Objective>;

/** One query of a pull: a series selector and the measure its series feed. */
export interface PullQuery {
  measure: Extract<Measure, 'good' | 'bad' | 'ratio'>;
  selector: string;
}

/** What to pull for an SLI: the data source it names and its queries; or why it cannot be pulled. */
export type PullPlan =
  | { ok: true; dataSource: string; sliKey: string; serviceId: string; sli: string; queries: PullQuery[] }
  | { ok: false; sliKey: string; reason: string };

/**
 * The pull plan of an objective whose SLI names a data source (`sli.source.dataSource`, the OpenSLO
 * `metricSourceRef`), or why it has none.
 */
export function pullPlan(serviceId: string, o: ObjectiveSpec): PullPlan {
  const sli = o.sli.name ?? o.sli.type;
  const sliKey = `${serviceId}/${sli}`;
  const src = o.sli.source;
  const no = (reason: string): PullPlan => ({ ok: false, sliKey, reason });
  if (!src?.dataSource) return no('the SLI names no data source');
  if (src.type.toLowerCase() !== 'prometheus') return no(`the SLI comes from ${src.type}, not Prometheus`);
  const ok = (queries: PullQuery[]): PullPlan => ({
    ok: true,
    dataSource: src.dataSource!,
    sliKey,
    serviceId,
    sli,
    queries,
  });
  if (src.raw) {
    if (src.rawType === 'failure')
      return no('a raw failure ratio is not pulled (Accord reads success ratios)');
    // Stryker disable next-line StringLiteral: a raw spec without a string query reads as '', and any other text that is not a selector gives the same null
    const sel = gaugeSelector(queryOf(src.raw) ?? '');
    return sel ? ok([{ measure: 'ratio', selector: sel }]) : no('the raw query is not a series selector');
  }
  if (src.threshold) return no('a thresholdMetric SLI needs histogram buckets; not pulled');
  if (!src.counter)
    return no('only counter ratio SLIs (ratioMetric.counter: true) and raw ratios are pulled');
  const sel = (spec: Record<string, unknown> | undefined) =>
    // Stryker disable next-line StringLiteral: a spec without a string query reads as '', and any other text that is not a selector gives the same null
    spec ? counterSelector(queryOf(spec) ?? '') : null;
  const good = sel(src.good);
  const bad = sel(src.bad);
  const total = sel(src.total);
  if (good && bad)
    return ok([
      { measure: 'good', selector: good },
      { measure: 'bad', selector: bad },
    ]);
  if (good && total) {
    const derived = badFromGoodTotal(good, total);
    return derived
      ? ok([
          { measure: 'good', selector: good },
          { measure: 'bad', selector: derived },
        ])
      : no('the good selector is not the total selector with one more matcher: bad events cannot be read');
  }
  if (bad && total) {
    // Symmetric: the good selector is the bad one with its extra matcher negated.
    const derived = badFromGoodTotal(bad, total);
    return derived
      ? ok([
          { measure: 'good', selector: derived },
          { measure: 'bad', selector: bad },
        ])
      : no('the bad selector is not the total selector with one more matcher: good events cannot be read');
  }
  return no('a query is not a counter selector such as sum(rate(x{…}[5m]))');
}

/**
 * The range a scheduled pull reads at `nowMs`: the last `lookbackMinutes`, both ends on multiples of the step, so
 * that overlapping pulls read the same instants and a point read twice is a duplicate, not a new sample.
 */
export function pullRange(
  nowMs: number,
  lookbackMinutes: number,
  stepS: number,
): { startMs: number; endMs: number; stepS: number } {
  const step = stepS * 1000;
  const endMs = Math.floor(nowMs / step) * step;
  return { startMs: endMs - Math.ceil((lookbackMinutes * 60_000) / step) * step, endMs, stepS };
}

/** The points read for one query. */
export interface PulledSeries {
  query: PullQuery;
  labels: Record<string, string>;
  points: readonly (readonly [number, number])[];
}

/**
 * The pulled series as a decoded batch: each Prometheus series is an Accord series of the data source (its metric
 * and labels), aimed at the plan's SLI directly (no mapping rule needed: the objective says which SLI it feeds),
 * good and bad as counters, a ratio as a gauge. Sample indexes count across the batch from 0.
 */
export function pulledBatch(
  plan: Extract<PullPlan, { ok: true }>,
  pulled: readonly PulledSeries[],
): DecodedBatch {
  const series: DecodedSeries[] = [];
  let index = 0;
  pulled.forEach((p, i) => {
    const { __name__: metric = p.query.selector.split('{')[0]!, ...labels } = p.labels;
    const counter = p.query.measure !== 'ratio';
    series.push({
      series: { metric, labels },
      path: `pulls[${i}]`,
      pointField: 'values',
      firstIndex: index,
      type: counter ? 'counter' : 'gauge',
      typeSource: `data source ${plan.dataSource}`,
      target: {
        serviceId: plan.serviceId,
        sli: plan.sli,
        sliKey: plan.sliKey,
        measure: p.query.measure,
        unit: counter ? 'count' : 'ratio',
        thresholdMs: undefined,
      },
      epochUnit: 'ms',
      points: p.points.map(([t, v]) => ({ index: index++, time: t, value: v })),
    });
  });
  return {
    format: 'prometheus-pull',
    series,
    malformed: [],
    sampleCount: index,
    seriesCount: series.length,
    malformedSeries: 0,
  };
}

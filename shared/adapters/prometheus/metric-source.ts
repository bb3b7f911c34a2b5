/**
 * The Prometheus HTTP API as a `MetricSource`: `POST /api/v1/query_range` (form-encoded `query`, `start`, `end`,
 * `step`), answered as `{"status": "success", "data": {"resultType": "matrix", "result": [{metric, values}]}}` with
 * values `[unix seconds, "value as text"]` (https://prometheus.io/docs/prometheus/latest/querying/api/).
 * Prometheus refuses a query of more than 11,000 points per series, so a long range is read in slices of
 * at most 10,000 steps.
 */
import { UnavailableError, ValidationError } from '../../domain/errors.js';
import type {
  DataSourceConfig,
  MetricSource,
  MetricSources,
  QueryRange,
  RangeSeries,
} from '../../ports/metric-source.js';

const MAX_STEPS = 10_000;

/** The largest answer read for one slice (bytes): past it the read stops, so a hostile source cannot exhaust memory. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * The most points one range query may hold across its slices (every series): each slice is bounded by
 * MAX_ANSWER_BYTES, but a long range is many slices, all held until the pull sends them (400 days at a 60 s step is
 * 58 slices). 5,000,000 points is about 200 MB of arrays.
 */
export const MAX_RANGE_POINTS = 5_000_000;

/** A sample value as Prometheus writes it (`"1.5"`, `"+Inf"`, `"-Inf"`, `"NaN"`). */
function promFloat(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/** Why a request failed, without the URL (it may carry credentials) or anything the server sent. */
function reachProblem(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  const cause = err.cause?.code ?? err.cause?.message;
  if (cause === 'UND_ERR_REDIRECT' || /redirect/i.test(err.cause?.message ?? ''))
    return 'answered with a redirect, which is not followed (point the data source at the Prometheus API itself)';
  return cause ? String(cause) : 'the request failed';
}

/** The body as text, refused past `max` bytes (the reading stops and the connection is dropped). */
async function boundedText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel();
      throw new RangeError(`the answer exceeds ${max} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

interface Matrix {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

export class PrometheusMetricSource implements MetricSource {
  constructor(
    private readonly config: Pick<DataSourceConfig, 'name' | 'url' | 'bearerToken'>,
    private readonly timeoutMs = 30_000,
    private readonly maxAnswerBytes = MAX_ANSWER_BYTES,
    private readonly maxRangePoints = MAX_RANGE_POINTS,
  ) {}

  async queryRange(query: string, range: QueryRange): Promise<RangeSeries[]> {
    const bySeries = new Map<string, RangeSeries>();
    let points = 0;
    const stepMs = range.stepS * 1000;
    for (let start = range.startMs; start <= range.endMs; start += MAX_STEPS * stepMs) {
      const end = Math.min(range.endMs, start + (MAX_STEPS - 1) * stepMs);
      for (const r of await this.slice(query, start, end, range.stepS)) {
        const key = JSON.stringify(Object.entries(r.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
        let s = bySeries.get(key);
        if (!s) {
          s = { labels: r.metric, points: [] };
          bySeries.set(key, s);
        }
        points += r.values.length;
        if (points > this.maxRangePoints)
          throw new ValidationError(`data source ${this.config.name}: the range holds too many points`, [
            {
              path: 'query',
              problem: `${query}: more than ${this.maxRangePoints} points from ${new Date(range.startMs).toISOString()} to ${new Date(range.endMs).toISOString()} every ${range.stepS} s; pull a shorter range, or narrow the selector`,
            },
          ]);
        for (const [t, v] of r.values) s.points.push([Math.round(t * 1000), promFloat(v)]);
      }
    }
    return [...bySeries.values()];
  }

  private async slice(query: string, startMs: number, endMs: number, stepS: number) {
    const url = `${this.config.url.replace(/\/+$/, '')}/api/v1/query_range`;
    const body = new URLSearchParams({
      query,
      start: String(startMs / 1000),
      end: String(endMs / 1000),
      step: String(stepS),
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.config.bearerToken) headers.authorization = `Bearer ${this.config.bearerToken}`;
    let res: Response;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      // No redirect is followed: a source (or anything between) must not point Accord's requests elsewhere.
      res = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'error' });
    } catch (e) {
      throw new UnavailableError(`data source ${this.config.name} cannot be reached`, [
        { path: `dataSources.${this.config.name}.url`, problem: reachProblem(e) },
      ]);
    }
    let answer: Matrix | undefined;
    try {
      answer = JSON.parse(await boundedText(res, this.maxAnswerBytes)) as Matrix;
    } catch (e) {
      if (e instanceof RangeError)
        throw new UnavailableError(`data source ${this.config.name} answered too much`, [
          {
            path: 'query',
            problem: `${query}: ${e.message} for one slice of ${MAX_STEPS} steps; narrow the selector or raise stepSeconds`,
          },
        ]);
      if (signal.aborted)
        throw new UnavailableError(`data source ${this.config.name} failed to answer`, [
          { path: 'query', problem: `${query}: timed out after ${this.timeoutMs} ms reading the answer` },
        ]);
      answer = undefined;
    }
    if (res.status === 400 || res.status === 422 || answer?.errorType === 'bad_data')
      throw new ValidationError(`data source ${this.config.name} refused the query`, [
        { path: 'query', problem: `${query}: ${answer?.error ?? `HTTP ${res.status}`}` },
      ]);
    if (!res.ok || answer?.status !== 'success' || answer.data?.resultType !== 'matrix')
      throw new UnavailableError(`data source ${this.config.name} failed to answer`, [
        { path: 'query', problem: `HTTP ${res.status}: ${answer?.error ?? 'not a matrix answer'}` },
      ]);
    return answer.data.result;
  }
}

/** The configured Prometheus data sources. */
export class ConfiguredMetricSources implements MetricSources {
  private readonly byName = new Map<string, { config: DataSourceConfig; source: MetricSource }>();
  constructor(configs: readonly DataSourceConfig[]) {
    for (const c of configs) this.byName.set(c.name, { config: c, source: new PrometheusMetricSource(c) });
  }
  list(): readonly DataSourceConfig[] {
    return [...this.byName.values()].map((x) => x.config);
  }
  get(name: string) {
    return this.byName.get(name);
  }
}

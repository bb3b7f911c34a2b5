import type { EpochUnit, Measure, Rejection, SemanticType } from '../../schemas/telemetry.js';
import type { SeriesRef, Target } from './mapping.js';

/**
 * The decoded model every format produces (Accord JSON, Datadog v2 JSON and protobuf, Prometheus remote write, OTLP):
 * series, each with the semantic type its format declares (when it declares one) and its points in request order.
 * The OTLP decoder (otlp.ts) maps a cumulative monotonic Sum to `counter` (with its start time), a delta monotonic
 * Sum to `delta`, a cumulative non-monotonic Sum and a Gauge to `gauge`, Histograms and ExponentialHistograms to
 * histogram points (`NativeHistogramPoint`, `delta` for DELTA temporality), and resource attributes to labels.
 */
export interface DecodedSeries {
  series: SeriesRef;
  /** Where the series is in the body: `timeseries[3]`, `series[1]`, `samples[4]`. */
  path: string;
  /** The field of `path` holding its points: `samples`, `points`; empty for Accord JSON (a point per sample). */
  pointField: string;
  /** Index (across the request) of the series' first point: point `i` of the series is at `firstIndex + i`. */
  firstIndex: number;
  /** The semantic type the format's own metadata gives; undefined when it says nothing (then the rule decides). */
  type?: SemanticType | undefined;
  /** Where the type came from, for messages: `metadata`, `series.type`, `sample.type`. */
  typeSource?: string | undefined;
  /** Seconds a delta count or rate covers (Datadog `interval`). */
  intervalS?: number | undefined;
  unit?: string | undefined;
  /** Accord's own format names its SLI directly; other formats go through the mapping rules. */
  target?: Target | undefined;
  /** Why the series' labels break the rules every format shares (an empty or repeated name), when they do. */
  labelProblem?: { path: string; problem: string } | undefined;
  epochUnit: EpochUnit;
  timeZone?: string | undefined;
  points: DecodedPoint[];
  /**
   * Remote write's flat decode: the float points are the request's columns, point k of the series at
   * `values[firstIndex + k]`, `times[firstIndex + k]` (epoch ms), for k below `columnCount`. `prepareBatch` reads them
   * there, with no `DecodedPoint` per sample; `points` holds the same points (built when asked for).
   */
  columns?: { readonly values: ArrayLike<number>; readonly times: ArrayLike<number> } | undefined;
  columnCount?: number | undefined;
  /** Native histogram points (remote write `histograms`; OTLP exponential histograms), indexed after the points. */
  histograms?: NativeHistogramPoint[] | undefined;
  /**
   * The points are counts per reporting interval, not running totals (OTLP DELTA temporality): a histogram's counts
   * are added as they are instead of becoming increases through the series' counter state.
   */
  delta?: boolean | undefined;
  /** The body path of each sample of the series, in index order, when the format names them itself (OTLP). */
  paths?: string[] | undefined;
  /** The file line of each point, in index order (backfill files): its path is `line N`. */
  lines?: number[] | undefined;
}

/** One float point of a series. */
export interface DecodedPoint {
  /** Position in the request, counted across the whole batch from 0. */
  index: number;
  value: number | string | null;
  time: number | string;
  /** A path of its own (Accord JSON: `samples[17]`); else `<series path>.<pointField>[<position>]`. */
  path?: string | undefined;
  /** A sample-level time zone and unit (Accord JSON). */
  timeZone?: string | undefined;
  unit?: string | undefined;
  /** When a cumulative series started counting from 0 (epoch ms; OTLP `start_time_unix_nano`). */
  startMs?: number | undefined;
}

/**
 * A native (exponential) histogram point reduced to what an SLI can read: cumulative counts per bucket upper
 * bound. `bounds` ascend; `counts[i]` is the number of observations in bucket i (not cumulative).
 */
export interface NativeHistogramPoint {
  index: number;
  time: number;
  /** Total observations (the histogram's count). */
  count: number;
  /** Observations in the zero bucket [-zeroThreshold, zeroThreshold]. */
  zeroCount: number;
  zeroThreshold: number;
  /** Upper bounds of the populated positive buckets, ascending, and their counts. */
  bounds: number[];
  counts: number[];
  /** Observations in negative buckets (a duration is never negative: they are counted as bad). */
  negativeCount: number;
  /** The sender says this is the first point after a counter reset. */
  reset: boolean;
  /** The sender says this is a gauge histogram (no counter semantics). */
  gauge: boolean;
  /** When the cumulative counts started from 0 (epoch ms; OTLP `start_time_unix_nano`). */
  startMs?: number | undefined;
  /**
   * The bounds are the sender's explicit bucket bounds (an OTLP Histogram), not exponential ones: the SLI's threshold
   * must be one of them, since a bucket straddling it could be wrong by its whole width.
   */
  explicit?: boolean | undefined;
  /** Why the point could not be read, when it could not. */
  problem?: string | undefined;
}

/** A decoded request: its series and the samples too malformed to be read at all. */
export interface DecodedBatch {
  format:
    | 'accord-json'
    | 'prometheus-remote-write'
    | 'datadog-v2'
    | 'otlp'
    | 'openmetrics'
    | 'csv'
    | 'prometheus-pull';
  series: DecodedSeries[];
  malformed: Rejection[];
  /** Samples in the request (points, histogram points and malformed ones). */
  sampleCount: number;
  /** Series in the request, readable or not. */
  seriesCount: number;
  /** Series whose whole body was malformed (every sample rejected as malformed). */
  malformedSeries: number;
  /** Remote write: the types its metadata entries declare, by metric family. */
  types?: Map<string, SemanticType> | undefined;
}

/**
 * The path of the sample at an index of a series: Accord JSON `samples[i]`, else `<series>.<pointField>[offset]`,
 * native histograms after the float samples as `<series>.histograms[k]`.
 */
export function pointPath(s: DecodedSeries, index: number): string {
  if (s.paths) return s.paths[index - s.firstIndex] ?? s.path;
  if (s.lines) {
    const line = s.lines[index - s.firstIndex];
    return line === undefined ? s.path : `line ${line}`;
  }
  if (s.pointField === '') return `samples[${index}]`;
  const offset = index - s.firstIndex;
  const floats = s.histograms ? s.points.length : Number.POSITIVE_INFINITY;
  return offset < floats
    ? `${s.path}.${s.pointField}[${offset}]`
    : `${s.path}.histograms[${offset - s.points.length}]`;
}

/**
 * How an accepted sample feeds its SLI's rollups:
 * - `good` / `bad`: events (good and total += n; total += n),
 * - `good-only` / `total-only`: a histogram's threshold bucket (good += n) and its count (total += n),
 * - `ratio` / `duration` / `value`: an observation (a reading per sample),
 * - `none`: stored raw, feeds nothing (a histogram's other buckets and `_sum`).
 */
export type Feed = 'good' | 'bad' | 'good-only' | 'total-only' | 'ratio' | 'duration' | 'value' | 'none';

/** A sample ready to store: mapped to an SLI, validated, in canonical units (ms, ratio, count) and UTC. */
export interface Sample {
  /** Position of the sample in its request (store-level rejections name it). */
  index: number;
  vendorId: string;
  /** The vendor series (vendor|metric|labels): with timestampMs, the sample's identity. */
  series: string;
  sliKey: string;
  measure: Measure;
  /** The series' semantic type (as resolved from the format or the rule). */
  type: SemanticType;
  feed: Feed;
  timestampMs: number;
  /** The value as sent, in canonical units (a counter's running total, a delta count, a reading). */
  value: number;
  /**
   * The events this sample adds (`good`, `bad`, `good-only`, `total-only` feeds): a delta's value, a rate times its
   * interval, or (cumulative counters) the increase since the series' previous sample, set when the counter state is
   * applied in the store's write.
   */
  events: number;
  /** A cumulative counter: `events` comes from the series' stored state. */
  cumulative: boolean;
  /** The sender marked this sample as the first after a counter reset (native histograms). */
  reset?: boolean;
  /**
   * When the cumulative series started counting from 0 (epoch ms; OTLP `start_time_unix_nano`), set only when within
   * the accepted lateness: a start after the series' last stored sample is a reset, and the first sample ever seen
   * counts its whole value (the counter is known to have been 0 at its start).
   */
  startMs?: number;
  thresholdMs?: number;
  /** Whether this sample feeds the SLI's rollups (false for a non-authoritative second source). */
  rollup: boolean;
}

/** A series nothing maps, with how many of its samples this batch carried. */
export interface UnmappedSighting {
  vendorId: string;
  metric: string;
  labels: Record<string, string>;
  samples: number;
}

/** Per series outcome counts of one request: every series ends accepted, rejected or unmapped. */
export interface SeriesOutcome {
  submitted: number;
  /** At least one of its samples was accepted (its rejected samples are listed one by one). */
  accepted: number;
  /** Every one of its samples was rejected, each with a reason. */
  rejected: number;
  /** No mapping rule maps it (its samples are rejected as `unmapped_series`). */
  unmapped: number;
}

export interface PreparedBatch {
  submitted: number;
  accepted: Sample[];
  rejected: Rejection[];
  unmapped: UnmappedSighting[];
  /**
   * Series keys of the request with their samples and how many were accepted so far (the store may still reject
   * some: the caller takes them off, see `outerSeries`).
   */
  seriesOf: Map<string, { samples: number; accepted: number; unmapped: boolean }>;
  malformedSeries: number;
  /** The body path of the sample at an index (for rejections found after preparation). */
  pathOf(index: number): string;
}

/** The request's series key a stored sample belongs to (a native histogram feeds two counters of its series). */
export function outerSeries(s: Pick<Sample, 'series' | 'type'>): string {
  return s.type === 'native-histogram' ? s.series.slice(0, s.series.lastIndexOf('#')) : s.series;
}

/** Whether a stored sample is the one that stands for its request sample (a native histogram's second counter is not). */
export function countsAsSample(s: Pick<Sample, 'type' | 'feed'>): boolean {
  return s.type !== 'native-histogram' || s.feed === 'total-only';
}

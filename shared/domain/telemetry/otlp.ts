import protobuf from 'protobufjs/light.js';
import type { Rejection, SemanticType, TelemetryPolicy } from '../../schemas/telemetry.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { parseJsonStrict } from '../strict-json.js';
import type { DecodedBatch, DecodedSeries, NativeHistogramPoint } from './model.js';
import descriptor from './proto/otlp.json' with { type: 'json' };
// Imported for its protobufjs configuration too (int64 as numbers, not long.js objects).
import { checkWireTypesOf } from './remote-write.js';

/**
 * OTLP/HTTP metrics (`ExportMetricsServiceRequest`), protobuf (`application/x-protobuf`) or OTLP/JSON
 * (`application/json`), decoded by protobufjs (reflection) from our copy of the official opentelemetry-proto
 * messages (./proto/otlp/*.proto → ./proto/otlp.json by `npm run proto`), and turned into the decoded model every
 * format shares. The mapping to Prometheus-style series follows Prometheus's own OTLP translation (names and label
 * names with `_` for other characters, `_total` on monotonic sums, a unit suffix, `service.name` → `job`); the
 * semantics table is in docs/telemetry.md ("OTLP").
 */

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const RequestType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const ResponseType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');

type Limits = TelemetryPolicy['limits'];

/*
 * The shapes of protobufjs's messages, for protobuf and OTLP/JSON alike (fromObject builds the same messages as
 * decode): a repeated field is always an array (each message's constructor sets its own `[]`, whatever the body
 * says, `null` included), a scalar not sent reads as its default ('' for a string, from the prototype), and a
 * message field not sent is null. Only message fields can be missing; a oneof member is present (`Object.hasOwn`)
 * when it was sent. The fields read without a fallback are typed as always there.
 */
interface KeyValue {
  key: string;
  value?: AnyValue | null;
}
interface AnyValue {
  /** '' (the prototype's) when not sent: `Object.hasOwn` tells whether it was. */
  stringValue: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] } | null;
  kvlistValue?: { values: KeyValue[] } | null;
  bytesValue?: Uint8Array;
}
interface NumberPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: number;
  timeUnixNano?: number;
  asDouble?: number;
  asInt?: number;
  flags?: number;
}
interface HistogramPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: number;
  timeUnixNano?: number;
  count?: number;
  bucketCounts: number[];
  explicitBounds: number[];
  flags?: number;
}
interface ExpBuckets {
  offset?: number;
  bucketCounts?: number[];
}
interface ExpHistogramPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: number;
  timeUnixNano?: number;
  count?: number;
  scale?: number;
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: ExpBuckets | null;
  negative?: ExpBuckets | null;
  flags?: number;
}
interface Metric {
  name?: string;
  unit: string;
  gauge?: { dataPoints: NumberPoint[] } | null;
  sum?: { dataPoints: NumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean } | null;
  histogram?: { dataPoints: HistogramPoint[]; aggregationTemporality?: number } | null;
  exponentialHistogram?: { dataPoints: ExpHistogramPoint[]; aggregationTemporality?: number } | null;
  summary?: { dataPoints: unknown[] } | null;
}
interface ExportRequest {
  resourceMetrics: {
    resource?: { attributes: KeyValue[] } | null;
    scopeMetrics: { metrics: Metric[] }[];
  }[];
}

const DELTA = 1;
const CUMULATIVE = 2;
/** DataPointFlags.NO_RECORDED_VALUE: the point marks the series as gone (OTLP's staleness marker). */
const NO_RECORDED_VALUE = 1;

/** Which OTLP encoding a Content-Type names; a 415 otherwise. */
export function otlpEncoding(contentType: string): 'protobuf' | 'json' {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new UnsupportedMediaTypeError('OTLP/HTTP takes application/x-protobuf or application/json', [
    {
      path: 'Content-Type',
      problem: `"${type || '(none)'}" is not application/x-protobuf or application/json`,
    },
  ]);
}

/**
 * Decodes an (inflated) OTLP/HTTP metrics export request.
 * @throws ValidationError naming the field (`resourceMetrics[0].scopeMetrics[0]...`) when the body is not an
 *   ExportMetricsServiceRequest (wrong wire types, truncation, malformed or duplicate-key JSON, wrong JSON shapes)
 * @throws PayloadTooLargeError past `limits.maxSamplesPerRequest` data points
 */
export function decodeOtlp(body: Uint8Array, encoding: 'protobuf' | 'json', limits: Limits): DecodedBatch {
  let req: ExportRequest;
  if (encoding === 'protobuf') {
    const problem = checkWireTypesOf(body, RequestType);
    if (problem)
      throw new ValidationError('the body is not a valid OTLP ExportMetricsServiceRequest', [problem]);
    try {
      req = RequestType.decode(body) as unknown as ExportRequest;
    } catch (e) {
      throw new ValidationError('the body is not a valid OTLP ExportMetricsServiceRequest', [
        { path: '(body)', problem: (e as Error).message },
      ]);
    }
  } else {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new ValidationError('malformed JSON', [{ path: '(body)', problem: 'is not valid UTF-8' }]);
    }
    const json = parseJsonStrict(text);
    if (!json || typeof json !== 'object' || Array.isArray(json)) {
      throw new ValidationError('the body is not an OTLP/JSON ExportMetricsServiceRequest', [
        { path: '(body)', problem: 'must be a JSON object' },
      ]);
    }
    try {
      req = RequestType.fromObject(json) as unknown as ExportRequest;
    } catch (e) {
      // protobufjs names the message and field: ".opentelemetry.proto.metrics.v1.ResourceMetrics.scopeMetrics: array expected".
      // Stryker disable next-line Regex: without `$` the greedy `.*` still runs to the end: protobufjs's messages are one line
      const m = /\.([A-Za-z]+)\.([A-Za-z]+): (.*)$/.exec((e as Error).message);
      throw new ValidationError('the body is not an OTLP/JSON ExportMetricsServiceRequest', [
        m
          ? {
              // The request's own fields by name; a nested one by its message (`ResourceMetrics.scopeMetrics`).
              path: m[1] === 'ExportMetricsServiceRequest' ? m[2]! : `${m[1]}.${m[2]}`,
              problem: m[3]!,
            }
          : { path: '(body)', problem: (e as Error).message },
      ]);
    }
  }
  return toBatch(req, limits);
}

/**
 * The OTLP answer: an ExportMetricsServiceResponse whose partial_success is set when a data point was rejected (or
 * a warning is due), encoded as the request was.
 */
export function encodeOtlpResponse(
  encoding: 'protobuf' | 'json',
  partial: { rejectedDataPoints: number; errorMessage: string } | undefined,
): { body: Uint8Array | string; contentType: string } {
  if (encoding === 'json') {
    const body = partial
      ? {
          partialSuccess: {
            rejectedDataPoints: String(partial.rejectedDataPoints),
            errorMessage: partial.errorMessage,
          },
        }
      : {};
    return { body: JSON.stringify(body), contentType: 'application/json' };
  }
  const msg = ResponseType.fromObject(partial ? { partialSuccess: partial } : {});
  return { body: ResponseType.encode(msg).finish(), contentType: 'application/x-protobuf' };
}

/** Decodes an ExportMetricsServiceResponse (tests read Accord's answer as an OTLP client does). */
export function decodeOtlpResponse(bytes: Uint8Array): {
  partialSuccess?: { rejectedDataPoints?: number; errorMessage?: string };
} {
  // Stryker disable next-line ObjectLiteral: {} reads the same: int64s decode as numbers here (remote-write.ts switches Long off) and defaults are off unless asked
  return ResponseType.toObject(ResponseType.decode(bytes), { longs: Number, defaults: false }) as never;
}

/** Encodes an ExportMetricsServiceRequest from its OTLP/JSON shape (tests build bodies with the same library). */
export function encodeOtlpRequest(json: unknown): Uint8Array {
  return RequestType.encode(RequestType.fromObject(json as Record<string, unknown>)).finish();
}

// ---------------------------------------------------------------- names

/** Prometheus's unit suffixes for the units a latency or count SLI reads (OTLP translation, UCUM unit names). */
const UNIT_SUFFIX: Record<string, string> = {
  ns: 'nanoseconds',
  us: 'microseconds',
  ms: 'milliseconds',
  s: 'seconds',
  min: 'minutes',
  h: 'hours',
  By: 'bytes',
};

/** A metric or label name Prometheus-style: other characters than [a-zA-Z0-9_:] become `_`, runs of `_` one. */
function sanitize(name: string, label: boolean): string {
  let out = name.replace(label ? /[^a-zA-Z0-9_]/g : /[^a-zA-Z0-9_:]/g, '_');
  if (!label) out = out.replace(/__+/g, '_');
  if (/^[0-9]/.test(out)) out = `${label ? 'key' : ''}_${out}`;
  return out;
}

/**
 * The series name an OTLP metric gets: the name sanitised, the unit's suffix (`_seconds`, ...) unless the name ends
 * with it, and `_total` for a monotonic sum unless it ends with it (Prometheus's translation).
 */
export function otlpMetricName(name: string, unit: string, monotonic: boolean): string {
  let out = sanitize(name, false);
  const suffix = UNIT_SUFFIX[unit];
  if (suffix && !out.endsWith(`_${suffix}`) && !(monotonic && out.endsWith(`_${suffix}_total`)))
    out = out.endsWith('_total') ? `${out.slice(0, -6)}_${suffix}_total` : `${out}_${suffix}`;
  if (monotonic && !out.endsWith('_total')) out += '_total';
  return out;
}

/** The unit Accord reads: UCUM annotations (`{request}`) are counts; none says nothing (the rule's, else the measure's). */
function accordUnit(unit: string): string | undefined {
  if (unit === '') return undefined;
  if (/^\{[^}]*\}$/.test(unit)) return 'count';
  return unit;
}

function anyValueText(v: AnyValue | null | undefined): string {
  if (!v) return '';
  if (Object.hasOwn(v, 'stringValue')) return v.stringValue;
  if (Object.hasOwn(v, 'boolValue')) return String(v.boolValue);
  if (Object.hasOwn(v, 'intValue')) return String(v.intValue);
  if (Object.hasOwn(v, 'doubleValue')) return String(v.doubleValue);
  if (v.arrayValue) return JSON.stringify(v.arrayValue.values.map(anyValueText));
  if (v.kvlistValue)
    return JSON.stringify(
      Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, anyValueText(kv.value)])),
    );
  // Stryker disable next-line ConditionalExpression: without bytes, bytesValue is protobufjs's default (empty bytes), whose base64 is '' as below
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  // Stryker disable next-line StringLiteral: never reached with protobufjs's messages, whose bytesValue is always truthy (empty bytes by default)
  return '';
}

function attributePairs(attrs: readonly KeyValue[] | undefined): [string, string][] {
  return (attrs ?? []).map((kv) => [sanitize(kv.key, true), anyValueText(kv.value)]);
}

/**
 * Labels of a resource: its attributes (names sanitised), and `job` (`service.namespace/service.name`) and
 * `instance` (`service.instance.id`) as Prometheus's OTLP receiver derives them, unless an attribute is named so.
 */
function resourcePairs(attrs: readonly KeyValue[] | undefined): [string, string][] {
  const pairs = attributePairs(attrs);
  const raw = new Map((attrs ?? []).map((kv) => [kv.key, anyValueText(kv.value)]));
  const names = new Set(pairs.map(([n]) => n));
  const service = raw.get('service.name');
  if (service !== undefined && !names.has('job')) {
    const ns = raw.get('service.namespace');
    pairs.push(['job', ns ? `${ns}/${service}` : service]);
  }
  const instance = raw.get('service.instance.id');
  if (instance !== undefined && !names.has('instance')) pairs.push(['instance', instance]);
  return pairs;
}

function labelsOf(
  pairs: readonly [string, string][],
  path: string,
): { labels: Record<string, string>; problem?: { path: string; problem: string } } {
  // Label names are the sender's: no prototype, so `__proto__` is a label like any other (it was dropped).
  const labels: Record<string, string> = Object.create(null);
  let problem: { path: string; problem: string } | undefined;
  for (const [name, value] of pairs) {
    if (name === '') problem ??= { path, problem: 'has an attribute with an empty key' };
    else if (Object.hasOwn(labels, name))
      problem ??= {
        path,
        problem: `has the label "${name}" twice (an attribute of the point and of its resource, or two keys that differ only in characters a label name cannot hold)`,
      };
    labels[name] = value;
  }
  // Stryker disable next-line ConditionalExpression: `problem: undefined` reads as no problem (addPoint copies it as labelProblem either way)
  return problem ? { labels, problem } : { labels };
}

const nsToMs = (ns: number | undefined): number => Math.round(Number(ns ?? 0) / 1e6);
const startOf = (ns: number | undefined): number | undefined =>
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a start of 0 is falsy before it is compared, and Number(undefined) > 0 is false too
  ns && Number(ns) > 0 ? Math.round(Number(ns) / 1e6) : undefined;

// ---------------------------------------------------------------- the model

function toBatch(req: ExportRequest, limits: Limits): DecodedBatch {
  let count = 0;
  for (const rm of req.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        const d = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
        count += Math.max(d?.dataPoints.length ?? 0, 1);
      }
  if (count > limits.maxSamplesPerRequest) {
    throw new PayloadTooLargeError(
      `the request carries ${count} data points; the limit is ${limits.maxSamplesPerRequest} data points or ${limits.maxBodyBytes} bytes per request`,
      [
        { path: '(body)', problem: `carries ${count} data points, more than ${limits.maxSamplesPerRequest}` },
        { path: 'limits.maxSamplesPerRequest', problem: String(limits.maxSamplesPerRequest) },
        { path: 'limits.maxBodyBytes', problem: String(limits.maxBodyBytes) },
      ],
    );
  }
  const b: Builder = { series: [], malformed: [], keys: new Set(), malformedSeries: 0, index: 0 };
  for (const [ri, rm] of req.resourceMetrics.entries()) {
    const resource = resourcePairs(rm.resource?.attributes);
    for (const [si, sm] of rm.scopeMetrics.entries())
      for (const [mi, m] of sm.metrics.entries())
        decodeMetric(b, m, `resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}]`, resource);
  }
  return {
    format: 'otlp',
    series: b.series,
    malformed: b.malformed,
    sampleCount: b.index,
    seriesCount: b.keys.size + b.malformedSeries,
    malformedSeries: b.malformedSeries,
  };
}

/** What decoding has built so far: series, samples refused before mapping, and the next sample index. */
interface Builder {
  series: DecodedSeries[];
  malformed: Rejection[];
  keys: Set<string>;
  malformedSeries: number;
  index: number;
}

function refuse(b: Builder, path: string, reason: string, message: string): void {
  b.malformed.push({ index: b.index++, path, reason, message });
  b.malformedSeries++;
}

/** One data point as a series of its own (resource and point attributes as labels); its path names the point. */
function addPoint(
  b: Builder,
  at: { path: string; unit: string; resource: readonly [string, string][] },
  attrs: KeyValue[],
  name: string,
  type: { type: SemanticType | undefined; source: string; delta?: boolean },
  fill: (s: DecodedSeries, index: number) => void,
): void {
  const { labels, problem } = labelsOf([...at.resource, ...attributePairs(attrs)], `${at.path}.attributes`);
  const s: DecodedSeries = {
    series: { metric: name, labels },
    path: at.path,
    pointField: 'dataPoints',
    firstIndex: b.index,
    type: type.type,
    typeSource: type.source,
    unit: accordUnit(at.unit),
    labelProblem: problem,
    epochUnit: 'ms',
    points: [],
    paths: [at.path],
    ...(type.delta ? { delta: true } : {}),
  };
  fill(s, b.index++);
  b.series.push(s);
  b.keys.add(`${name}${JSON.stringify(labels)}`);
}

/**
 * One metric's data points. Types (docs/telemetry.md): a Gauge is a reading; a monotonic Sum is a counter when
 * cumulative, a delta count when delta; a non-monotonic cumulative Sum is a reading, a non-monotonic delta Sum is
 * refused (a change of a value); a Histogram or ExponentialHistogram becomes histogram points (cumulative, or delta);
 * a Summary is refused for events.
 */
function decodeMetric(b: Builder, m: Metric, mpath: string, resource: readonly [string, string][]): void {
  const data = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
  const { unit } = m;
  if (!m.name) {
    const n = Math.max(data?.dataPoints.length ?? 0, 1);
    for (let i = 0; i < n; i++) refuse(b, `${mpath}.name`, 'malformed', 'the metric has no name');
    return;
  }
  if (!data) {
    refuse(
      b,
      mpath,
      'malformed',
      'the metric carries no data (gauge, sum, histogram, exponentialHistogram or summary)',
    );
    return;
  }
  const kind = m.gauge
    ? 'gauge'
    : m.sum
      ? 'sum'
      : m.histogram
        ? 'histogram'
        : m.exponentialHistogram
          ? 'exponentialHistogram'
          : 'summary';
  const points = data.dataPoints;
  if (points.length === 0) {
    refuse(b, `${mpath}.${kind}.dataPoints`, 'malformed', 'the metric has no data points');
    return;
  }
  if (m.summary) {
    for (let i = 0; i < points.length; i++)
      refuse(
        b,
        `${mpath}.summary.dataPoints[${i}]`,
        'summary_not_events',
        "a summary's quantiles are the client's estimates over its own window: they cannot be added into events (export a histogram)",
      );
    return;
  }
  const temporality = (m.sum ?? m.histogram ?? m.exponentialHistogram)?.aggregationTemporality ?? 0;
  const temporalityName =
    temporality === DELTA ? 'delta' : temporality === CUMULATIVE ? 'cumulative' : 'unspecified temporality';
  if (m.gauge || m.sum) {
    const monotonic = m.sum?.isMonotonic === true;
    let type: SemanticType | undefined = 'gauge';
    let source = 'Gauge';
    if (m.sum) {
      source = `Sum (${temporalityName}, ${monotonic ? 'monotonic' : 'not monotonic'})`;
      // A non-monotonic Sum keeps 'gauge' (a reading); a delta one has its every point refused below.
      if (monotonic)
        type = temporality === CUMULATIVE ? 'counter' : temporality === DELTA ? 'delta' : undefined;
    }
    const name = otlpMetricName(m.name, unit, monotonic);
    for (const [i, p] of (points as NumberPoint[]).entries()) {
      const path = `${mpath}.${kind}.dataPoints[${i}]`;
      if (m.sum && !monotonic && temporality === DELTA) {
        refuse(
          b,
          path,
          'type_mismatch',
          'a delta non-monotonic Sum is a change of a value: neither events nor a reading (export it cumulative)',
        );
        continue;
      }
      if ((p.flags ?? 0) & NO_RECORDED_VALUE) {
        refuse(b, path, 'stale_marker', 'the point is flagged NO_RECORDED_VALUE: it carries no measurement');
        continue;
      }
      // `value` is a oneof: two members are two measurements, and which one was meant cannot be told (red team,
      // wave 35: asDouble won silently); proto3's JSON mapping refuses it too.
      if (Object.hasOwn(p, 'asDouble') && Object.hasOwn(p, 'asInt')) {
        refuse(
          b,
          `${path}.value`,
          'malformed',
          'a number point holds one value: asDouble or asInt, not both',
        );
        continue;
      }
      addPoint(b, { path, unit, resource }, p.attributes, name, { type, source }, (s, index) => {
        const value = Object.hasOwn(p, 'asDouble')
          ? Number(p.asDouble)
          : Object.hasOwn(p, 'asInt')
            ? Number(p.asInt)
            : null;
        s.points.push({
          index,
          value,
          time: nsToMs(p.timeUnixNano),
          startMs: type === 'counter' ? startOf(p.startTimeUnixNano) : undefined,
        });
      });
    }
    return;
  }
  const name = otlpMetricName(m.name, unit, false);
  const source = `${m.histogram ? 'Histogram' : 'ExponentialHistogram'} (${temporalityName})`;
  for (const [i, p] of (points as (HistogramPoint & ExpHistogramPoint)[]).entries()) {
    const path = `${mpath}.${kind}.dataPoints[${i}]`;
    if (temporality !== DELTA && temporality !== CUMULATIVE) {
      refuse(
        b,
        path,
        'unknown_type',
        'a histogram must say its aggregation temporality (delta or cumulative)',
      );
      continue;
    }
    if ((p.flags ?? 0) & NO_RECORDED_VALUE) {
      refuse(b, path, 'stale_marker', 'the point is flagged NO_RECORDED_VALUE: it carries no measurement');
      continue;
    }
    const delta = temporality === DELTA;
    addPoint(
      b,
      { path, unit, resource },
      p.attributes,
      name,
      { type: 'native-histogram', source, delta },
      (s, index) => {
        const point = m.histogram ? explicitPoint(p, index) : exponentialPoint(p, index);
        if (!delta) point.startMs = startOf(p.startTimeUnixNano);
        s.histograms = [point];
      },
    );
  }
}

/** An explicit-bucket histogram point: bucket i counts (bounds[i-1], bounds[i]], the last one up to +Inf. */
function explicitPoint(p: HistogramPoint, index: number): NativeHistogramPoint {
  const bounds = p.explicitBounds.map(Number);
  const counts = p.bucketCounts.map(Number);
  const point: NativeHistogramPoint = {
    index,
    time: nsToMs(p.timeUnixNano),
    count: Number(p.count ?? 0),
    zeroCount: 0,
    zeroThreshold: 0,
    bounds: counts.length ? [...bounds, Number.POSITIVE_INFINITY] : [],
    counts,
    negativeCount: 0,
    reset: false,
    gauge: false,
    explicit: true,
  };
  if (counts.length && counts.length !== bounds.length + 1)
    point.problem = `has ${counts.length} bucket counts for ${bounds.length} explicit bounds (there must be one more count than bounds)`;
  // The first bound has none before it: any finite one is above −∞.
  else if (bounds.some((b, i) => !Number.isFinite(b) || b <= (bounds[i - 1] ?? Number.NEGATIVE_INFINITY)))
    point.problem = 'has explicit bounds that are not finite and strictly increasing';
  else if (counts.length && counts.reduce((a, b) => a + b, 0) !== point.count)
    point.problem = `has bucket counts adding up to ${counts.reduce((a, b) => a + b, 0)}, not its count ${point.count}`;
  return point;
}

/**
 * An exponential histogram point: positive bucket at index i (offset + k) counts (base^i, base^(i+1)] with
 * base = 2^(2^−scale), so its upper bound is 2^((i+1)·2^−scale).
 */
function exponentialPoint(p: ExpHistogramPoint, index: number): NativeHistogramPoint {
  const scale = Number(p.scale ?? 0);
  const point: NativeHistogramPoint = {
    index,
    time: nsToMs(p.timeUnixNano),
    count: Number(p.count ?? 0),
    zeroCount: Number(p.zeroCount ?? 0),
    zeroThreshold: Number(p.zeroThreshold ?? 0),
    bounds: [],
    counts: [],
    negativeCount: 0,
    reset: false,
    gauge: false,
  };
  // Stryker disable next-line ConditionalExpression: scale is a sint32, an integer from protobuf and from OTLP/JSON alike (protobufjs truncates)
  if (!Number.isInteger(scale) || scale < -10 || scale > 20) {
    point.problem = `scale ${scale} is outside OTLP's −10 to 20`;
    return point;
  }
  const offset = Number(p.positive?.offset ?? 0);
  (p.positive?.bucketCounts ?? []).forEach((c, k) => {
    point.bounds.push(2 ** ((offset + k + 1) * 2 ** -scale));
    point.counts.push(Number(c));
  });
  point.negativeCount = (p.negative?.bucketCounts ?? []).reduce((a: number, c) => a + Number(c), 0);
  const total = point.counts.reduce((a, b) => a + b, 0) + point.zeroCount + point.negativeCount;
  if (total !== point.count)
    point.problem = `has buckets adding up to ${total} (zero bucket included), not its count ${point.count}`;
  return point;
}

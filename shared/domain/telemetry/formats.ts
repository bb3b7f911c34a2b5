import { uncompress } from 'snappyjs';
import type { z } from 'zod';
import type { SemanticType } from '../../schemas/telemetry.js';
import {
  AccordBatchEnvelope,
  AccordSample,
  DatadogPayload,
  DatadogPoint,
  DatadogSeries,
  type Rejection,
  type TelemetryPolicy,
} from '../../schemas/telemetry.js';
import {
  type FieldProblem,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { parseJsonStrict } from '../strict-json.js';
import { decodeDatadogPayload } from './datadog-proto.js';
import { labelsKey, type SeriesRef } from './mapping.js';
import type { DecodedBatch, DecodedPoint, DecodedSeries, NativeHistogramPoint } from './model.js';
import {
  decodeLabels,
  decodeWriteRequest,
  METRIC_TYPES,
  type RwHistogram,
  type RwLabel,
  type ScannedWriteRequest,
  scanWriteRequest,
  type WriteRequest,
} from './remote-write.js';

/** The request as the edge sees it; header names in lower case. */
export interface TelemetryRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

type Limits = TelemetryPolicy['limits'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  // A top-level field is named as every other body path is (`version`, `samples[1].value`), without a leading dot.
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function firstProblem(prefix: string, error: z.ZodError): { path: string; message: string } {
  const i = error.issues[0]!;
  // Stryker disable next-line StringLiteral: zod's unrecognized_keys issue always names a key, so the `''` after `??` is never used (the other literals of the line fail formats-json.test.ts)
  const path = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path;
  const message = i.code === 'unrecognized_keys' ? 'is not a known field' : i.message;
  return { path: issuePath(prefix, path), message };
}

function tooMany(count: number, limits: Limits): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `the request carries ${count} samples; the limit is ${limits.maxSamplesPerRequest} samples or ${limits.maxBodyBytes} bytes per request`,
    [
      { path: '(body)', problem: `carries ${count} samples, more than ${limits.maxSamplesPerRequest}` },
      { path: 'limits.maxSamplesPerRequest', problem: String(limits.maxSamplesPerRequest) },
      { path: 'limits.maxBodyBytes', problem: String(limits.maxBodyBytes) },
    ],
  );
}

function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ValidationError('malformed JSON', [{ path: '(body)', problem: 'is not valid UTF-8' }]);
  }
  return parseJsonStrict(text);
}

/**
 * Walks a snappy block's elements (tags, lengths and offsets only, nothing copied) and names the first one that
 * cannot be decoded, or undefined when every element fits. Guards snappyjs 0.7, which reads a 4-byte literal length
 * as a signed 32-bit number (a length with its top bit set moves its read position backwards and the decoder loops
 * for ever on a 6-byte body, found by the telemetry property test), and which accepts without a word a copy whose
 * offset byte is missing, whose 4-byte offset has its top bit set, or a block that produces fewer or more bytes than
 * its header declares (zeros filled in, or bytes dropped). Format: Snappy's format_description.txt (literal tag 00,
 * lengths over 60 in 1 to 4 little-endian bytes; copies 01, 10, 11 with 1, 2 or 4 offset bytes; an offset is 1 to
 * the number of bytes produced so far; the decoded length is the header's).
 *
 * Without the length check a corrupt block decoded as an empty or truncated WriteRequest and its samples were lost
 * behind a 2xx.
 *
 * @param body the whole snappy block
 * @param start the offset after the block's varint length header
 * @param declared the uncompressed length the header declares; when given, the elements must produce exactly that
 */
export function snappyElementFault(body: Uint8Array, start: number, declared?: number): string | undefined {
  let pos = start;
  let produced = 0;
  const n = body.length;
  while (pos < n) {
    const at = pos;
    const c = body[pos++]!;
    const tag = c & 0x3;
    let len: number;
    // Little-endian fields of up to 4 bytes, read with shifts (Math.pow in this loop was half its cost); the fourth
    // byte is multiplied rather than shifted so that a length or offset at or above 2^31 stays positive.
    if (tag === 0) {
      len = (c >>> 2) + 1;
      if (len > 60) {
        const width = len - 60;
        if (pos + width > n) return `the literal at byte ${at} has a truncated length`;
        len = body[pos]!;
        if (width > 1) len |= body[pos + 1]! << 8;
        if (width > 2) len |= body[pos + 2]! << 16;
        if (width > 3) len += body[pos + 3]! * 0x1000000;
        len += 1;
        pos += width;
      }
      if (pos + len > n) return `the literal at byte ${at} claims ${len} bytes, past the end of the body`;
      pos += len;
    } else {
      let offset: number;
      if (tag === 1) {
        if (pos + 1 > n) return `the copy at byte ${at} is truncated`;
        offset = ((c >>> 5) << 8) | body[pos++]!;
        len = ((c >>> 2) & 0x7) + 4;
      } else if (tag === 2) {
        if (pos + 2 > n) return `the copy at byte ${at} is truncated`;
        offset = body[pos]! | (body[pos + 1]! << 8);
        pos += 2;
        len = (c >>> 2) + 1;
      } else {
        if (pos + 4 > n) return `the copy at byte ${at} is truncated`;
        offset = (body[pos]! | (body[pos + 1]! << 8) | (body[pos + 2]! << 16)) + body[pos + 3]! * 0x1000000;
        pos += 4;
        len = (c >>> 2) + 1;
      }
      if (offset === 0 || offset > produced) {
        return `the copy at byte ${at} reaches ${offset} bytes back, where ${produced} have been produced`;
      }
    }
    produced += len;
    if (declared !== undefined && produced > declared) {
      return `the element at byte ${at} produces bytes past the ${declared} the header declares`;
    }
  }
  if (declared !== undefined && produced < declared) {
    return `the block produces ${produced} bytes where the header declares ${declared}`;
  }
  return undefined;
}

/**
 * Inflates a snappy block (the snappyjs library) after checking the length it declares against the limit, so that
 * a small body cannot make the server allocate gigabytes.
 */
function inflateSnappy(body: Uint8Array, maxBytes: number): Uint8Array {
  let declared = 0;
  let shift = 0;
  let headerEnd = 0;
  for (let i = 0; i < Math.min(body.length, 5); i++) {
    const b = body[i]!;
    declared += (b & 0x7f) * 2 ** shift;
    shift += 7;
    headerEnd = i + 1;
    if (b < 0x80) break;
  }
  if (declared > maxBytes) {
    throw new PayloadTooLargeError(`the inflated body exceeds ${maxBytes} bytes`, [
      { path: '(body)', problem: `declares ${declared} uncompressed bytes; the limit is ${maxBytes}` },
    ]);
  }
  const bad = snappyElementFault(body, headerEnd, declared);
  if (bad) {
    throw new ValidationError('the body is not a valid snappy block', [
      { path: 'Content-Encoding', problem: `snappy: ${bad}` },
    ]);
  }
  try {
    return uncompress(body, maxBytes);
  } catch (e) {
    throw new ValidationError('the body is not a valid snappy block', [
      { path: 'Content-Encoding', problem: `snappy: ${(e as Error).message}` },
    ]);
  }
}

/**
 * Which format a request is in, from its headers (and for JSON, its shape), and the samples it carries. On the Datadog
 * Agent's path (`options.datadog`) a protobuf body is the Agent's MetricPayload (inflated by the caller), not remote
 * write.
 */
export function decodeTelemetry(
  req: TelemetryRequest,
  limits: Limits,
  options: { datadog?: boolean | undefined; labelSets?: LabelSetCache | undefined } = {},
): DecodedBatch {
  const h = req.headers;
  const type = (h['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = (h['content-encoding'] ?? '').trim().toLowerCase();
  if (options.datadog && type === 'application/x-protobuf') {
    if (encoding && encoding !== 'identity') {
      throw new UnsupportedMediaTypeError(
        'the Agent’s payload is accepted deflate, gzip or zstd compressed',
        [{ path: 'Content-Encoding', problem: `"${encoding}" is not deflate, gzip or zstd` }],
      );
    }
    return decodeDatadog(decodeDatadogPayload(req.body), limits);
  }
  if (type === 'application/x-protobuf') {
    // Stryker disable next-line StringLiteral: the content type is present on this branch (it was read as protobuf), so the `''` after `??` is never used
    const proto = /proto=([^;\s]+)/.exec(h['content-type'] ?? '')?.[1];
    if (proto && proto !== 'prometheus.WriteRequest') {
      throw new UnsupportedMediaTypeError('only Prometheus remote write 1.0 is accepted', [
        { path: 'Content-Type', problem: `proto=${proto} is not prometheus.WriteRequest (remote write 1.0)` },
      ]);
    }
    if (encoding !== 'snappy') {
      throw new UnsupportedMediaTypeError('remote write bodies are snappy-compressed', [
        { path: 'Content-Encoding', problem: `"${encoding || '(none)'}" is not snappy` },
      ]);
    }
    const version = h['x-prometheus-remote-write-version'];
    if (version !== undefined && !version.startsWith('0.1')) {
      throw new UnsupportedMediaTypeError('only remote write 1.0 (version 0.1.0) is accepted', [
        { path: 'X-Prometheus-Remote-Write-Version', problem: `"${version}" is not 0.1.x` },
      ]);
    }
    if (req.body.length > limits.maxCompressedBodyBytes) {
      throw new PayloadTooLargeError(
        `the compressed body is ${req.body.length} bytes; the limit is ${limits.maxCompressedBodyBytes}`,
        [{ path: '(body)', problem: `exceeds ${limits.maxCompressedBodyBytes} compressed bytes` }],
      );
    }
    const inflated = inflateSnappy(req.body, limits.maxBodyBytes);
    // Stryker disable next-line ConditionalExpression: a scan made without a cache (`true`) is dropped by the next line, which takes the flat path only with a cache; `false` fails formats-remote-write.test.ts
    const scanned = options.labelSets ? scanWriteRequest(inflated) : undefined;
    if (scanned && options.labelSets) {
      const fast = decodeScanned(inflated, scanned, limits, options.labelSets);
      if (fast) return fast;
    }
    return decodePrometheus(decodeWriteRequest(inflated), limits);
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    if (encoding && encoding !== 'identity') {
      throw new UnsupportedMediaTypeError('JSON bodies are accepted uncompressed', [
        { path: 'Content-Encoding', problem: `"${encoding}" is not supported for JSON` },
      ]);
    }
    const json = parseJson(req.body);
    // A JSON array has no `series`: `in` alone tells a Datadog payload from an Accord batch or an array.
    if (json && typeof json === 'object' && 'series' in json) return decodeDatadog(json, limits);
    return decodeAccord(json, limits);
  }
  throw new UnsupportedMediaTypeError(
    'POST /v1/telemetry takes Accord JSON, Datadog v2 series or Prometheus remote write',
    [
      {
        path: 'Content-Type',
        problem: `"${type || '(none)'}" is not application/json or application/x-protobuf (with Content-Encoding: snappy)`,
      },
    ],
  );
}

function envelopeError(prefix: string, error: z.ZodError): ValidationError {
  const details: FieldProblem[] = error.issues.map((i) => ({
    // Stryker disable next-line StringLiteral: zod's unrecognized_keys issue always names a key, so the `''` after `??` is never used (the other literals of the line fail formats-json.test.ts)
    path: issuePath(prefix, i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path),
    problem: i.code === 'unrecognized_keys' ? 'is not a known field' : i.message,
  }));
  return new ValidationError('the batch envelope does not match the schema', details);
}

/** Label names every format shares the rules of (Prometheus's): no empty name, no name twice in one series. */
function labelRecord(
  pairs: readonly (readonly [string, string])[],
  path: string,
): { labels: Record<string, string>; problem?: { path: string; problem: string } } {
  // Label names are the sender's: no prototype, so `__proto__` is a label like any other (it was dropped).
  const labels: Record<string, string> = Object.create(null);
  let problem: { path: string; problem: string } | undefined;
  for (const [name, value] of pairs) {
    if (name === '') problem ??= { path, problem: 'has a label with an empty name' };
    else if (Object.hasOwn(labels, name)) problem ??= { path, problem: `has the label "${name}" twice` };
    labels[name] = value;
  }
  // Stryker disable next-line ConditionalExpression: `true` returns `problem: undefined`, which every caller reads as no problem; `false` drops the problem and fails formats-json.test.ts
  return problem ? { labels, problem } : { labels };
}

/** Accord's own JSON batch, version 1: each sample names its service, SLI and measure. */
export function decodeAccord(json: unknown, limits: Limits): DecodedBatch {
  const env = AccordBatchEnvelope.safeParse(json);
  if (!env.success) throw envelopeError('', env.error);
  const batch = env.data;
  if (batch.samples.length > limits.maxSamplesPerRequest) throw tooMany(batch.samples.length, limits);
  const malformed: Rejection[] = [];
  // Samples of one series (service, SLI, measure, type, labels) are one series, as a counter needs.
  const byKey = new Map<string, DecodedSeries>();
  batch.samples.forEach((raw, index) => {
    const path = `samples[${index}]`;
    const r = AccordSample.safeParse(raw);
    if (!r.success) {
      const p = firstProblem(path, r.error);
      malformed.push({ index, path: p.path, reason: 'malformed', message: p.message });
      return;
    }
    const s = r.data;
    // The labels as sent (zod checked each value is a string): zod's record output drops a `__proto__` key.
    const sent = (raw as { labels?: Record<string, string> }).labels;
    // Stryker disable next-line StringLiteral: only the labels are kept here (the empty-name problem is found below, at this same path), so the path given is never read
    const labels = sent ? labelRecord(Object.entries(sent), `${path}.labels`).labels : {};
    const type: SemanticType = s.type ?? (s.measure === 'good' || s.measure === 'bad' ? 'delta' : 'gauge');
    // An absent threshold reads `undefined`, which no number's text equals; no labels add nothing to the key.
    const key = `${s.service}/${s.sli}|${s.measure}|${type}|${s.thresholdMs}${labelsKey(labels)}`;
    let series = byKey.get(key);
    if (!series) {
      const ref: SeriesRef = { metric: `accord:${s.measure}`, labels };
      const problem = Object.keys(labels).includes('')
        ? { path: `${path}.labels`, problem: 'has a label with an empty name' }
        : undefined;
      series = {
        series: ref,
        path,
        pointField: '',
        firstIndex: index,
        type,
        typeSource: s.type ? 'sample.type' : 'the measure (Accord JSON)',
        unit: s.unit,
        target: {
          serviceId: s.service,
          sli: s.sli,
          sliKey: `${s.service}/${s.sli}`,
          measure: s.measure,
          unit: undefined,
          thresholdMs: s.thresholdMs,
        },
        labelProblem: problem,
        epochUnit: batch.epochUnit,
        timeZone: batch.timeZone,
        points: [],
      };
      byKey.set(key, series);
    }
    // A unit belongs to the sample: samples of one series may differ (ms and s) and are each converted.
    series.points.push({
      index,
      path,
      value: s.value,
      time: s.time,
      timeZone: s.timeZone ?? batch.timeZone,
      unit: s.unit,
    });
  });
  return {
    format: 'accord-json',
    series: [...byKey.values()],
    malformed,
    sampleCount: batch.samples.length,
    seriesCount: byKey.size + malformed.length,
    malformedSeries: malformed.length,
  };
}

const DATADOG_TYPES: Record<number, SemanticType | undefined> = {
  0: undefined,
  1: 'delta',
  2: 'rate',
  3: 'gauge',
};

/** Datadog v2 series: tags "k:v" and resources become labels; points are epoch seconds; type 1 count, 2 rate, 3 gauge. */
export function decodeDatadog(json: unknown, limits: Limits): DecodedBatch {
  const env = DatadogPayload.safeParse(json);
  if (!env.success) throw envelopeError('', env.error);
  let count = 0;
  for (const s of env.data.series) {
    const pts = (s as { points?: unknown } | null)?.points;
    count += Array.isArray(pts) ? Math.max(pts.length, 1) : 1;
  }
  if (count > limits.maxSamplesPerRequest) throw tooMany(count, limits);
  const series: DecodedSeries[] = [];
  const malformed: Rejection[] = [];
  let malformedSeries = 0;
  let index = 0;
  env.data.series.forEach((raw, si) => {
    const path = `series[${si}]`;
    const r = DatadogSeries.safeParse(raw);
    if (!r.success) {
      // A series that cannot be read rejects each of its points (or itself, when it has none).
      const pts = (raw as { points?: unknown } | null)?.points;
      const n = Array.isArray(pts) && pts.length > 0 ? pts.length : 1;
      const p = firstProblem(path, r.error);
      for (let i = 0; i < n; i++)
        malformed.push({ index: index++, path: p.path, reason: 'malformed', message: p.message });
      malformedSeries++;
      return;
    }
    const s = r.data;
    const pairs: [string, string][] = [];
    for (const res of s.resources ?? []) pairs.push([res.type, res.name]);
    for (const tag of s.tags ?? []) {
      const c = tag.indexOf(':');
      pairs.push(c >= 0 ? [tag.slice(0, c), tag.slice(c + 1)] : [tag, '']);
    }
    const { labels, problem } = labelRecord(pairs, `${path}.tags`);
    const type = DATADOG_TYPES[s.type ?? 0];
    const decoded: DecodedSeries = {
      series: { metric: s.metric, labels },
      path,
      pointField: 'points',
      firstIndex: index,
      type,
      typeSource: type ? `series.type ${s.type}` : undefined,
      intervalS: s.interval,
      unit: s.unit,
      labelProblem: problem,
      epochUnit: 's',
      points: [],
    };
    if (s.points.length === 0) {
      malformed.push({
        index: index++,
        path: `${path}.points`,
        reason: 'malformed',
        message: 'has no points',
      });
      malformedSeries++;
      return;
    }
    s.points.forEach((rawPoint, pi) => {
      const p = DatadogPoint.safeParse(rawPoint);
      if (!p.success) {
        const f = firstProblem(`${path}.points[${pi}]`, p.error);
        malformed.push({ index: index++, path: f.path, reason: 'malformed', message: f.message });
        return;
      }
      decoded.points.push({ index: index++, value: p.data.value, time: p.data.timestamp });
    });
    if (decoded.points.length) series.push(decoded);
    else malformedSeries++;
  });
  return {
    format: 'datadog-v2',
    series,
    malformed,
    sampleCount: index,
    seriesCount: env.data.series.length,
    malformedSeries,
  };
}

const RW_TYPES: Record<string, SemanticType | undefined> = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  HISTOGRAM: 'histogram',
  GAUGEHISTOGRAM: 'gauge',
  SUMMARY: 'summary',
  INFO: 'gauge',
  STATESET: 'gauge',
};

/** The semantic types a WriteRequest's metadata declares, by metric family name. */
export function metadataTypes(req: WriteRequest): Map<string, SemanticType> {
  const out = new Map<string, SemanticType>();
  for (const m of req.metadata) {
    const name = typeof m.type === 'number' ? METRIC_TYPES[m.type] : (m.type as string);
    // Stryker disable next-line ConditionalExpression: `true` looks up RW_TYPES[undefined], which is undefined too; `false` fails formats-remote-write.test.ts
    const type = name ? RW_TYPES[name] : undefined;
    if (type && m.metric_family_name) out.set(m.metric_family_name, type);
  }
  return out;
}

function familyType(types: ReadonlyMap<string, SemanticType>, metric: string): SemanticType | undefined {
  // Stryker disable next-line ConditionalExpression,BlockStatement: a fast path: without it (`false`, `{}`) an empty map answers undefined for the metric and its family alike; `true` fails formats-remote-write.test.ts
  if (types.size === 0) return undefined;
  const direct = types.get(metric);
  if (direct) return direct;
  const m = /_(total|bucket|count|sum)$/.exec(metric);
  return m ? types.get(metric.slice(0, m.index)) : undefined;
}

/** A remote-write series' metric name (its `__name__` label, the last one sent) and its other labels. */
function labelSet(
  sent: readonly RwLabel[],
  path: string,
): { metric: string; labels: Record<string, string>; problem?: { path: string; problem: string } } {
  const pairs: [string, string][] = [];
  let metric = '';
  for (const l of sent) {
    if (l.name === '__name__') metric = l.value;
    else pairs.push([l.name, l.value]);
  }
  return { metric, ...labelRecord(pairs, path) };
}

/**
 * Bytes as a string of one character per byte, the label-set cache's key. Node's Buffer#latin1Slice, which
 * Buffer#toString('latin1') ends in, called directly: the string is built per series of every request.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;
function latin1Key(buf: Buffer, start: number, end: number): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: Buffer#toString('latin1') gives the same string as the latin1Slice it ends in, and Node 20 has latin1Slice, so the fallback is never taken
  return latin1Slice ? latin1Slice.call(buf, start, end) : buf.toString('latin1', start, end);
}

/** A label set decoded once: its series reference (shared by every request that sends the same label bytes). */
interface CachedLabelSet {
  ref: SeriesRef;
  /** Why the labels break the rules every format shares; the path is the series' own in each request. */
  problem: string | undefined;
}

/**
 * Remote-write label sets already decoded, by their bytes as sent: a series sent again costs one Map lookup instead of
 * a string and an object per label, and its `SeriesRef` (with the mapping memo on it) is the same object. Bounded in
 * entries and in bytes: emptied when it holds `maxEntries` label sets or its keys reach `maxBytes` bytes (the decoded
 * labels take about as much again); a label set longer than `maxEntryBytes` is decoded every time, never kept, so
 * label sets at the policy's limits (64 labels of 1 KB values: ~70 KB each) cannot make 50,000 entries gigabytes.
 * The refs and their labels are shared between requests: read-only.
 */
export class LabelSetCache {
  private readonly sets = new Map<string, CachedLabelSet>();
  private keyBytes = 0;
  constructor(
    readonly maxEntries = 50_000,
    readonly maxBytes = 32 * 1024 * 1024,
    readonly maxEntryBytes = 16 * 1024,
  ) {}

  get size(): number {
    return this.sets.size;
  }

  /** The bytes of the label sets held (their keys: one byte of key per byte sent). */
  get bytes(): number {
    return this.keyBytes;
  }

  /** The label set at `[start, end)` of `bytes` (`latin1` is the body as a Buffer), decoded on first sight. */
  lookup(bytes: Uint8Array, latin1: Buffer, start: number, end: number): CachedLabelSet | undefined {
    const length = end - start;
    const keep = length <= this.maxEntryBytes;
    // Stryker disable next-line ConditionalExpression,StringLiteral: the key of a label set too long to keep is never read (`true`, another literal); `false` gives every set one key and fails formats-remote-write.test.ts
    const key = keep ? latin1Key(latin1, start, end) : '';
    // Stryker disable next-line ConditionalExpression: `true` looks a set too long to keep up under the key '', where nothing is ever kept (an empty label set has no __name__); `false` fails formats-remote-write.test.ts
    const hit = keep ? this.sets.get(key) : undefined;
    if (hit) return hit;
    const sent = decodeLabels(bytes, start, end);
    if (!sent) return undefined;
    // Stryker disable next-line StringLiteral: only the problem's text is kept (each request names its own path), so the path given is never read
    const { metric, labels, problem } = labelSet(sent, '');
    if (!metric) return undefined;
    const entry: CachedLabelSet = { ref: { metric, labels }, problem: problem?.problem };
    if (!keep) return entry;
    if (this.sets.size >= this.maxEntries || this.keyBytes + length > this.maxBytes) {
      this.sets.clear();
      this.keyBytes = 0;
    }
    this.sets.set(key, entry);
    this.keyBytes += length;
    return entry;
  }
}

/**
 * A series of the usual remote-write request, over `scanWriteRequest`'s flat arrays: its float points are read from
 * the request's columns by `prepareBatch` (`columns`), without a `DecodedPoint` per sample; `points` and `path` are
 * built only when something asks for them (a rejection's path, a test), from the same columns, as `decodePrometheus`
 * builds them.
 */
class ScannedSeries implements DecodedSeries {
  readonly pointField = 'samples';
  readonly epochUnit = 'ms' as const;
  readonly type = undefined;
  readonly typeSource = undefined;
  readonly labelProblem: { path: string; problem: string } | undefined;
  /** The series' position among the request's series (`timeseries[si]`). */
  readonly #si: number;
  #built: DecodedPoint[] | undefined;
  constructor(
    readonly series: SeriesRef,
    si: number,
    readonly firstIndex: number,
    readonly columnCount: number,
    readonly columns: { readonly values: ArrayLike<number>; readonly times: ArrayLike<number> },
    problem: string | undefined,
  ) {
    this.#si = si;
    this.labelProblem = problem === undefined ? undefined : { path: `${this.path}.labels`, problem };
  }

  get path(): string {
    return `timeseries[${this.#si}]`;
  }

  get points(): DecodedPoint[] {
    if (this.#built) return this.#built;
    const { values, times } = this.columns;
    // Stryker disable next-line ArrayDeclaration: the length only preallocates; the loop writes every index before it is read
    const out: DecodedPoint[] = new Array(this.columnCount);
    for (let k = 0; k < this.columnCount; k++) {
      const i = this.firstIndex + k;
      out[k] = { index: i, value: values[i]!, time: times[i]! };
    }
    this.#built = out;
    return out;
  }
}

/**
 * The usual remote-write request (labels and float samples) from `scanWriteRequest`'s flat arrays: the same
 * DecodedBatch `decodePrometheus` gives (its series read their points from the flat arrays), with label sets from the
 * cache. Undefined when a series is not the usual kind (no __name__, no samples, labels it cannot read alike): the
 * caller decodes the request the reflective way.
 */
function decodeScanned(
  bytes: Uint8Array,
  scan: ScannedWriteRequest,
  limits: Limits,
  cache: LabelSetCache,
): DecodedBatch | undefined {
  const count = scan.values.length;
  if (count > limits.maxSamplesPerRequest) throw tooMany(count, limits);
  // Stryker disable next-line ConditionalExpression: a Buffer view of the same bytes or the bytes themselves: latin1Slice reads any Uint8Array alike
  const latin1 = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = scan.labelStart.length;
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; the loop writes every index or gives up
  const series: DecodedSeries[] = new Array(n);
  const { firstSample } = scan;
  const columns = { values: scan.values, times: scan.times };
  for (let si = 0; si < n; si++) {
    const from = firstSample[si]!;
    const to = firstSample[si + 1]!;
    if (from === to) return undefined;
    const set = cache.lookup(bytes, latin1, scan.labelStart[si]!, scan.labelEnd[si]!);
    if (!set) return undefined;
    series[si] = new ScannedSeries(set.ref, si, from, to - from, columns, set.problem);
  }
  return {
    format: 'prometheus-remote-write',
    series,
    malformed: [],
    sampleCount: count,
    seriesCount: n,
    malformedSeries: 0,
    types: new Map(),
  };
}

/**
 * Prometheus remote write 1.0: the metric name is the __name__ label; timestamps are epoch ms; the type comes from
 * the request's metadata entries (by metric family); native histograms become NativeHistogramPoints.
 */
export function decodePrometheus(
  req: WriteRequest,
  limits: Limits,
): DecodedBatch & { types: Map<string, SemanticType> } {
  let count = 0;
  for (const s of req.timeseries) count += s.samples.length + s.histograms.length;
  if (count > limits.maxSamplesPerRequest) throw tooMany(count, limits);
  const types = metadataTypes(req);
  const series: DecodedSeries[] = [];
  const malformed: Rejection[] = [];
  let malformedSeries = 0;
  let index = 0;
  req.timeseries.forEach((ts, si) => {
    const path = `timeseries[${si}]`;
    const n = ts.samples.length + ts.histograms.length;
    const { metric, labels, problem } = labelSet(ts.labels, `${path}.labels`);
    if (!metric || n === 0) {
      const message = !metric ? 'the series has no __name__ label' : 'the series has no samples';
      if (n === 0) malformed.push({ index: index++, path, reason: 'malformed', message });
      for (let i = 0; i < n; i++)
        malformed.push({ index: index++, path: `${path}.labels`, reason: 'malformed', message });
      malformedSeries++;
      return;
    }
    const type = familyType(types, metric);
    // Stryker disable next-line ArrayDeclaration: the length only preallocates; the loop writes every index before it is read
    const points: DecodedPoint[] = new Array(ts.samples.length);
    const firstIndex = index;
    for (let i = 0; i < ts.samples.length; i++) {
      const p = ts.samples[i]!;
      points[i] = { index: index++, value: p.value, time: p.timestamp };
    }
    const decoded: DecodedSeries = {
      series: { metric, labels },
      path,
      pointField: 'samples',
      firstIndex,
      type,
      typeSource: type ? 'metadata' : undefined,
      labelProblem: problem,
      epochUnit: 'ms',
      points,
    };
    if (ts.histograms.length) {
      decoded.histograms = ts.histograms.map((h) => nativePoint(h, index++));
    }
    series.push(decoded);
  });
  return {
    format: 'prometheus-remote-write',
    series,
    malformed,
    sampleCount: index,
    seriesCount: req.timeseries.length,
    malformedSeries,
    types,
  };
}

/** A remote-write native histogram as bucket upper bounds and counts (base 2^(2^-schema), index i → base^i). */
export function nativePoint(h: RwHistogram, index: number): NativeHistogramPoint {
  // A oneof member is present when the decoder set it on the message itself (defaults live on the prototype).
  const float = Object.hasOwn(h, 'count_float');
  const point: NativeHistogramPoint = {
    index,
    time: Number(h.timestamp),
    count: Number(float ? h.count_float : (h.count_int ?? 0)),
    zeroCount: Number(Object.hasOwn(h, 'zero_count_float') ? h.zero_count_float : (h.zero_count_int ?? 0)),
    zeroThreshold: h.zero_threshold ?? 0,
    bounds: [],
    counts: [],
    negativeCount: 0,
    reset: h.reset_hint === 1,
    gauge: h.reset_hint === 3,
  };
  if (h.schema < -4 || h.schema > 8) {
    point.problem = `schema ${h.schema} is not an exponential schema (-4 to 8)`;
    return point;
  }
  // The spans must describe exactly as many buckets as the deltas (or float counts) hold, as Prometheus's own
  // histogram validation requires: a 105-byte body whose one span claimed 30 million buckets and carried one delta
  // made the walk below push 30 million bounds (12 s, 660 MB; a length of 2^32 - 1 ran the process out of memory).
  for (const [side, spans, values] of [
    ['positive', h.positive_spans, float ? h.positive_counts : h.positive_deltas],
    ['negative', h.negative_spans, float ? h.negative_counts : h.negative_deltas],
  ] as const) {
    let described = 0;
    for (const span of spans ?? []) described += span.length ?? 0;
    const held = values?.length ?? 0;
    if (described !== held) {
      point.problem = `has ${side} spans describing ${described} buckets and ${held} ${float ? 'counts' : 'deltas'}`;
      return point;
    }
  }
  const base = 2 ** (2 ** -h.schema);
  const walk = (
    spans: RwHistogram['positive_spans'],
    deltas: number[],
    counts: number[],
    into?: NativeHistogramPoint,
  ) => {
    let idx = 0;
    let k = 0;
    let c = 0;
    let total = 0;
    for (const span of spans) {
      idx += span.offset ?? 0;
      for (let j = 0; j < (span.length ?? 0); j++, idx++, k++) {
        c = float ? Number(counts[k] ?? 0) : c + Number(deltas[k] ?? 0);
        total += c;
        if (into) {
          into.bounds.push(base ** idx);
          into.counts.push(c);
        }
      }
    }
    return total;
  };
  // Stryker disable ArrayDeclaration: a side's deltas or counts absent passed the span check above only with spans
  // that describe no bucket, so the walk never reads the fallback's content; with no negative spans at all the
  // negative walk reads no values either and its total stays 0. (The positive spans' fallback is not marked: a
  // non-empty one pushes bounds, and formats-remote-write.test.ts sees them.)
  walk(
    // Stryker restore ArrayDeclaration
    h.positive_spans ?? [],
    // Stryker disable ArrayDeclaration
    h.positive_deltas ?? [],
    h.positive_counts ?? [],
    point,
  );
  point.negativeCount = walk(h.negative_spans ?? [], h.negative_deltas ?? [], h.negative_counts ?? []);
  // Stryker restore ArrayDeclaration
  if (point.counts.some((c) => c < 0) || point.negativeCount < 0)
    point.problem = 'has a negative bucket count';
  return point;
}

import protobuf from 'protobufjs/light.js';
import { ValidationError } from '../errors.js';
import descriptor from './proto/remote-write.json' with { type: 'json' };

/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`), decoded by protobufjs (reflection) from the official
 * message definitions in ./proto (types.proto, remote.proto; the JSON descriptor is generated from them by
 * `npm run proto`). protobufjs does not check that a known field arrives with the wire type its declaration
 * implies (a double sent as a varint decodes as garbage, silently), so `checkWireTypes` walks the body against the
 * same reflected types first and refuses a mismatch with a 400 naming the field.
 */

// int64 fields (millisecond timestamps, far below 2^53) decode as numbers, not long.js objects: one allocation
// less per sample. This is protobufjs's process-wide switch; Accord has no other int64 reader that needs Long.
(protobuf.util as { Long?: unknown }).Long = undefined;
protobuf.configure();

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const WriteRequestType = root.lookupType('prometheus.WriteRequest');

/** A label of a series (`__name__` is the metric name). */
export interface RwLabel {
  name: string;
  value: string;
}

/** A float sample: the value and its time in epoch milliseconds. */
export interface RwSample {
  value: number;
  timestamp: number;
}

export interface RwBucketSpan {
  offset: number;
  length: number;
}

/**
 * A native histogram sample (remote write 1.0 field TimeSeries.histograms). Integer histograms carry
 * `count_int`, `zero_count_int` and `positive_deltas`/`negative_deltas` (each bucket as the difference to the
 * previous one); float histograms carry the `_float` counts and `positive_counts`/`negative_counts`.
 */
export interface RwHistogram {
  count_int?: number;
  count_float?: number;
  sum: number;
  schema: number;
  zero_threshold: number;
  zero_count_int?: number;
  zero_count_float?: number;
  negative_spans: RwBucketSpan[];
  negative_deltas: number[];
  negative_counts: number[];
  positive_spans: RwBucketSpan[];
  positive_deltas: number[];
  positive_counts: number[];
  /** 0 unknown, 1 yes (first after a reset), 2 no, 3 gauge histogram. */
  reset_hint: number;
  timestamp: number;
}

export interface RwTimeSeries {
  labels: RwLabel[];
  samples: RwSample[];
  histograms: RwHistogram[];
}

/** Metric metadata: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gauge histogram, 5 summary, 6 info, 7 stateset. */
export interface RwMetadata {
  type: number;
  metric_family_name: string;
  help: string;
  unit: string;
}

export interface WriteRequest {
  timeseries: RwTimeSeries[];
  metadata: RwMetadata[];
}

export const METRIC_TYPES = [
  'UNKNOWN',
  'COUNTER',
  'GAUGE',
  'HISTOGRAM',
  'GAUGEHISTOGRAM',
  'SUMMARY',
  'INFO',
  'STATESET',
] as const;

/**
 * Decodes an (inflated) WriteRequest.
 * @throws ValidationError naming the field path (`timeseries[2].samples[0].value`) when the body is not a
 *   WriteRequest: a truncated field, a wire type its field cannot have, an invalid wire type.
 */
export function decodeWriteRequest(bytes: Uint8Array): WriteRequest {
  const problem = checkWireTypes(bytes);
  if (problem) {
    throw new ValidationError('the body is not a valid remote write WriteRequest', [problem]);
  }
  try {
    return WriteRequestType.decode(bytes) as unknown as WriteRequest;
  } catch (e) {
    throw new ValidationError('the body is not a valid remote write WriteRequest', [
      { path: '(body)', problem: (e as Error).message },
    ]);
  }
}

/** Encodes a WriteRequest (tests and benchmarks build what Prometheus sends with the same library). */
export function encodeWriteRequest(req: {
  timeseries: Partial<RwTimeSeries>[];
  metadata?: Partial<RwMetadata>[];
}): Uint8Array {
  return WriteRequestType.encode(WriteRequestType.fromObject(req)).finish();
}

// ---------------------------------------------------------------- wire-type check

/** What each field number of a message may carry: its wire type(s) and, for a message field, its check. */
interface FieldShape {
  name: string;
  wire: number;
  /** Packed repeated scalars arrive length-delimited too. */
  packed: boolean;
  message: MessageShape | undefined;
}
type MessageShape = Map<number, FieldShape>;

const shapes = new Map<protobuf.Type, MessageShape>();
function shapeOf(type: protobuf.Type): MessageShape {
  let shape = shapes.get(type);
  if (shape) return shape;
  shape = new Map();
  shapes.set(type, shape);
  for (const f of type.fieldsArray) {
    f.resolve();
    const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    const isEnum = f.resolvedType instanceof protobuf.Enum;
    const basic = (protobuf.types.basic as Record<string, number | undefined>)[f.type];
    const wire = sub ? 2 : isEnum ? 0 : (basic ?? 2);
    const packable =
      f.repeated &&
      (isEnum || (protobuf.types.packed as Record<string, number | undefined>)[f.type] !== undefined);
    shape.set(f.id, { name: f.name, wire, packed: packable, message: undefined });
    if (sub) shape.get(f.id)!.message = shapeOf(sub);
  }
  return shape;
}
const WRITE_REQUEST_SHAPE = shapeOf(WriteRequestType);

/**
 * Walks the body with protobufjs's Reader and answers the first field whose wire type contradicts its declaration
 * (unknown fields are skipped by their own wire type, as protobuf requires). Runs once fast without paths; on a
 * problem, once more keeping the path to name it.
 */
export function checkWireTypes(bytes: Uint8Array): { path: string; problem: string } | undefined {
  return checkWireTypesOf(bytes, WriteRequestType);
}

/**
 * The same check against any reflected message type (the OTLP decoder uses it for ExportMetricsServiceRequest).
 * @returns the first problem with the path of its field, or undefined when the body matches the declarations
 */
export function checkWireTypesOf(
  bytes: Uint8Array,
  type: protobuf.Type,
): { path: string; problem: string } | undefined {
  // Stryker disable next-line ConditionalExpression: shapeOf(WriteRequestType) answers the same shape from its cache
  const shape = type === WriteRequestType ? WRITE_REQUEST_SHAPE : shapeOf(type);
  try {
    walk(protobuf.Reader.create(bytes), bytes.length, shape, undefined);
    return undefined;
  } catch {
    const path: string[] = [];
    try {
      walk(protobuf.Reader.create(bytes), bytes.length, shape, path);
    } catch (e) {
      return { path: path.join('') || '(body)', problem: (e as Error).message };
    }
    // Stryker disable next-line ObjectLiteral,StringLiteral: never reached, the second walk reads the same bytes as the first and throws where it did
    return { path: '(body)', problem: `is not a valid ${type.name}` };
  }
}

function walk(r: protobuf.Reader, end: number, shape: MessageShape, path: string[] | undefined): void {
  // Stryker disable next-line ConditionalExpression: the counts are read only when a path is kept; a map without a path is unused
  const counts = path ? new Map<number, number>() : undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    if (id === 0) throw new Error('has a field number 0');
    const field = shape.get(id);
    if (!field) {
      r.skipType(wire);
      if (r.pos > end) throw new Error(`field ${id} runs past the end of its message`);
      continue;
    }
    if (path) {
      const n = counts!.get(id) ?? 0;
      counts!.set(id, n + 1);
      path.push(`${path.length ? '.' : ''}${field.name}${field.message || field.packed ? `[${n}]` : ''}`);
    }
    if (wire !== field.wire && !(field.packed && wire === 2)) {
      throw new Error(`is sent with wire type ${wire}; its declaration implies wire type ${field.wire}`);
    }
    if (field.message) {
      const len = r.uint32();
      const stop = r.pos + len;
      if (stop > end) throw new Error('runs past the end of its message');
      walk(r, stop, field.message, path);
      r.pos = stop;
    } else {
      r.skipType(wire);
      if (r.pos > end) throw new Error('runs past the end of its message');
    }
    path?.pop();
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: never reached, every field that ends past `end` has thrown already
  if (r.pos !== end) throw new Error('is truncated');
}

// ---------------------------------------------------------------- the common case, without an object per label

/**
 * A WriteRequest's float samples as flat arrays: series `i` has its labels at bytes `[labelStart[i], labelEnd[i])`
 * of the body (the Label fields as sent, tags included: the same bytes are the same label set) and its samples at
 * `[firstSample[i], firstSample[i + 1])` of `values` / `times` (epoch ms). `firstSample` has one entry more than
 * there are series. `values` is a Float64Array, which keeps a NaN's payload as sent (a plain array of numbers stores
 * every NaN as one canonical NaN, and Prometheus's staleness marker is a NaN told apart by its payload).
 */
export interface ScannedWriteRequest {
  labelStart: number[];
  labelEnd: number[];
  firstSample: number[];
  values: Float64Array;
  times: number[];
}

/**
 * Reads the usual WriteRequest (series of labels and float samples, nothing else) with protobufjs's Reader into flat
 * arrays, checking every wire type on the way; label strings are not decoded (`decodeLabels` does that once per label
 * set). Answers undefined for anything else (metadata, exemplars, native histograms, unknown fields, labels after
 * samples, a wire type its field cannot have, a truncated field), which the caller then decodes with
 * `decodeWriteRequest`: the reflective decoder and its errors stay the reference.
 */
export function scanWriteRequest(bytes: Uint8Array): ScannedWriteRequest | undefined {
  const len = bytes.length;
  // A first guess of the sample count (remote write spends about 100 bytes a sample on labels and framing), doubled
  // when it falls short.
  let values = new Float64Array(Math.max(64, len >> 6));
  let count = 0;
  const out = {
    labelStart: [] as number[],
    labelEnd: [] as number[],
    firstSample: [] as number[],
    times: [] as number[],
  };
  const r = protobuf.Reader.create(bytes);
  try {
    while (r.pos < len) {
      // WriteRequest.timeseries (1, length-delimited): anything else goes the reflective way.
      if (r.uint32() !== 0x0a) return undefined;
      const end = r.uint32() + r.pos;
      if (end > len) return undefined;
      // No label yet: an empty range at the series' end (a label starts before `end`, never at it).
      let labelStart = end;
      let labelEnd = end;
      let sampled = false;
      out.firstSample.push(count);
      while (r.pos < end) {
        const at = r.pos;
        const tag = r.uint32();
        const stop = r.uint32() + r.pos;
        // Stryker disable next-line ConditionalExpression: a field past its series also ends the loop off `end`, refused just below
        if (stop > end) return undefined;
        if (tag === 0x0a) {
          // TimeSeries.labels (1): before the samples, or the reflective way. They are contiguous then: the field
          // before a later label is a label (a sample has set `sampled`, any other field has returned).
          if (sampled) return undefined;
          if (labelStart === end) labelStart = at;
          labelEnd = stop;
          r.pos = stop;
        } else if (tag === 0x12) {
          // TimeSeries.samples (2): Sample { double value = 1; int64 timestamp = 2; }, defaults 0.
          let value = 0;
          let time = 0;
          while (r.pos < stop) {
            const t = r.uint32();
            if (t === 0x09) value = r.double();
            else if (t === 0x10) time = r.int64() as unknown as number;
            else return undefined;
          }
          if (r.pos !== stop) return undefined;
          if (count === values.length) {
            const grown = new Float64Array(values.length * 2);
            grown.set(values);
            values = grown;
          }
          values[count++] = value;
          out.times.push(time);
          sampled = true;
        } else return undefined;
      }
      // Stryker disable next-line ConditionalExpression: never reached while each field is checked against `end` above
      if (r.pos !== end) return undefined;
      out.labelStart.push(labelStart);
      out.labelEnd.push(labelEnd);
    }
  } catch {
    return undefined;
  }
  out.firstSample.push(count);
  return { ...out, values: values.subarray(0, count) };
}

/**
 * The labels of a label-set byte range found by `scanWriteRequest`, decoded as the reflective decoder decodes them
 * (UTF-8 checked, a field sent twice: the last wins); undefined for anything it would not read the same way.
 */
export function decodeLabels(bytes: Uint8Array, start: number, end: number): RwLabel[] | undefined {
  const r = protobuf.Reader.create(bytes.subarray(start, end));
  const out: RwLabel[] = [];
  try {
    while (r.pos < r.len) {
      if (r.uint32() !== 0x0a) return undefined;
      const stop = r.uint32() + r.pos;
      // Stryker disable next-line ConditionalExpression: a label past the range makes the reader throw before the loop can end
      if (stop > r.len) return undefined;
      let name = '';
      let value = '';
      while (r.pos < stop) {
        const t = r.uint32();
        if (t === 0x0a) name = r.stringVerify();
        else if (t === 0x12) value = r.stringVerify();
        else return undefined;
      }
      if (r.pos !== stop) return undefined;
      out.push({ name, value });
    }
  } catch {
    return undefined;
  }
  return out;
}

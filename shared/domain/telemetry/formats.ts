import type { z } from 'zod';
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
import type { SeriesRef } from './mapping.js';
import type { DecodedBatch, VendorSample } from './model.js';
import { decodeWriteRequest } from './protobuf.js';
import { snappyDecode } from './snappy.js';

/** The request as the edge sees it; header names in lower case. */
export interface TelemetryRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

type Limits = TelemetryPolicy['limits'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

function firstProblem(prefix: string, error: z.ZodError): { path: string; message: string } {
  const i = error.issues[0]!;
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
  try {
    return JSON.parse(utf8.decode(body));
  } catch (e) {
    throw new ValidationError('malformed JSON', [
      { path: '(body)', problem: `is not valid JSON: ${(e as Error).message}` },
    ]);
  }
}

/** Which format a request is in, from its headers (and for JSON, its shape), and the samples it carries. */
export function decodeTelemetry(req: TelemetryRequest, limits: Limits): DecodedBatch {
  const h = req.headers;
  const type = (h['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = (h['content-encoding'] ?? '').trim().toLowerCase();
  if (type === 'application/x-protobuf') {
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
    let inflated: Uint8Array;
    try {
      inflated = snappyDecode(req.body, limits.maxBodyBytes);
    } catch (e) {
      if (e instanceof ValidationError && /limit/.test(e.details[0]?.problem ?? '')) {
        throw new PayloadTooLargeError(`the inflated body exceeds ${limits.maxBodyBytes} bytes`, e.details);
      }
      throw e;
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
    if (json && typeof json === 'object' && !Array.isArray(json) && 'series' in json)
      return decodeDatadog(json, limits);
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
    path: issuePath(prefix, i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path),
    problem: i.code === 'unrecognized_keys' ? 'is not a known field' : i.message,
  }));
  return new ValidationError('the batch envelope does not match the schema', details);
}

/** Accord's own JSON batch, version 1: each sample names its service, SLI and measure. */
export function decodeAccord(json: unknown, limits: Limits): DecodedBatch {
  const env = AccordBatchEnvelope.safeParse(json);
  if (!env.success) throw envelopeError('', env.error);
  const batch = env.data;
  if (batch.samples.length > limits.maxSamplesPerRequest) throw tooMany(batch.samples.length, limits);
  const samples: VendorSample[] = [];
  const malformed: Rejection[] = [];
  batch.samples.forEach((raw, index) => {
    const path = `samples[${index}]`;
    const r = AccordSample.safeParse(raw);
    if (!r.success) {
      const p = firstProblem(path, r.error);
      malformed.push({ index, path: p.path, reason: 'malformed', message: p.message });
      return;
    }
    const s = r.data;
    const labels = s.labels ?? {};
    const series: SeriesRef = { metric: `accord:${s.measure}`, labels };
    samples.push({
      index,
      path,
      series,
      target: {
        serviceId: s.service,
        sli: s.sli,
        sliKey: `${s.service}/${s.sli}`,
        measure: s.measure,
        unit: undefined,
        thresholdMs: s.thresholdMs,
      },
      value: s.value,
      unit: s.unit,
      time: s.time,
      epochUnit: batch.epochUnit,
      timeZone: s.timeZone ?? batch.timeZone,
    });
  });
  return { format: 'accord-json', samples, malformed };
}

/** Datadog v2 series: tags "k:v" and resources become labels; points are epoch seconds. */
export function decodeDatadog(json: unknown, limits: Limits): DecodedBatch {
  const env = DatadogPayload.safeParse(json);
  if (!env.success) throw envelopeError('', env.error);
  let count = 0;
  for (const s of env.data.series) {
    const pts = (s as { points?: unknown } | null)?.points;
    count += Array.isArray(pts) ? pts.length : 1;
  }
  if (count > limits.maxSamplesPerRequest) throw tooMany(count, limits);
  const samples: VendorSample[] = [];
  const malformed: Rejection[] = [];
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
      return;
    }
    const s = r.data;
    const labels: Record<string, string> = {};
    for (const res of s.resources ?? []) labels[res.type] = res.name;
    for (const tag of s.tags ?? []) {
      const c = tag.indexOf(':');
      if (c > 0) labels[tag.slice(0, c)] = tag.slice(c + 1);
      else labels[tag] = '';
    }
    const series: SeriesRef = { metric: s.metric, labels };
    s.points.forEach((rawPoint, pi) => {
      const ppath = `${path}.points[${pi}]`;
      const p = DatadogPoint.safeParse(rawPoint);
      if (!p.success) {
        const f = firstProblem(ppath, p.error);
        malformed.push({ index: index++, path: f.path, reason: 'malformed', message: f.message });
        return;
      }
      samples.push({
        index: index++,
        path: ppath,
        series,
        value: p.data.value,
        unit: s.unit,
        time: p.data.timestamp,
        epochUnit: 's',
        timeZone: undefined,
      });
    });
  });
  return { format: 'datadog-v2', samples, malformed };
}

/** Prometheus remote write 1.0: the metric name is the __name__ label; timestamps are epoch ms. */
export function decodePrometheus(
  series: readonly {
    labels: Record<string, string>;
    samples: readonly { value: number; timestampMs: number }[];
  }[],
  limits: Limits,
): DecodedBatch {
  let count = 0;
  for (const s of series) count += s.samples.length;
  if (count > limits.maxSamplesPerRequest) throw tooMany(count, limits);
  const samples: VendorSample[] = [];
  const malformed: Rejection[] = [];
  let index = 0;
  series.forEach((ts, si) => {
    const { __name__: metric, ...labels } = ts.labels;
    const ref: SeriesRef = { metric: metric ?? '', labels };
    ts.samples.forEach((p, pi) => {
      const path = `timeseries[${si}].samples[${pi}]`;
      if (!metric) {
        malformed.push({
          index: index++,
          path: `timeseries[${si}].labels`,
          reason: 'malformed',
          message: 'the series has no __name__ label',
        });
        return;
      }
      samples.push({
        index: index++,
        path,
        series: ref,
        value: p.value,
        unit: undefined,
        time: p.timestampMs,
        epochUnit: 'ms',
        timeZone: undefined,
      });
    });
  });
  return { format: 'prometheus-remote-write', samples, malformed };
}

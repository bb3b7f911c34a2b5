import { compress } from 'snappyjs';
import type { Sample } from '../../shared/domain/telemetry/model.js';
import {
  encodeWriteRequest,
  type RwHistogram,
  type RwMetadata,
} from '../../shared/domain/telemetry/remote-write.js';

/** A Prometheus series for tests: labels as a record (`__name__` is the metric), float samples, native histograms. */
export interface PromSeries {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
  histograms?: Partial<RwHistogram>[];
}

/** The WriteRequest bytes of these series (and metadata), encoded by protobufjs from the official messages. */
export function writeRequestBytes(series: PromSeries[], metadata: Partial<RwMetadata>[] = []): Uint8Array {
  return encodeWriteRequest({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples.map((p) => ({ value: p.value, timestamp: p.timestampMs })),
      histograms: (s.histograms ?? []) as RwHistogram[],
    })),
    metadata,
  });
}

/** A remote write request exactly as Prometheus sends it: headers and a snappy-compressed WriteRequest. */
export function promRequest(
  series: PromSeries[],
  metadata: Partial<RwMetadata>[] = [],
): { headers: Record<string, string>; body: Buffer } {
  return {
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: Buffer.from(compress(writeRequestBytes(series, metadata))),
  };
}

/**
 * A Datadog Agent MetricPayload of two series, as encodeDatadogPayload takes it: `checkout.requests`, a count (type 1)
 * of two points at 1764000000 and 1764000010 (5, then `secondValue`) with every field the Agent sets (a host
 * resource, tags, unit, interval, source), and `queue.depth`, a gauge (type 3) of one point (2.5) and nothing else.
 */
export function agentPayload(secondValue: number) {
  return {
    series: [
      {
        metric: 'checkout.requests',
        type: 1,
        points: [
          { timestamp: 1764000000, value: 5 },
          { timestamp: 1764000010, value: secondValue },
        ],
        resources: [{ type: 'host', name: 'web-1' }],
        tags: ['env:prod', 'canary'],
        unit: 'request',
        interval: 10,
        source_type_name: 'System',
      },
      { metric: 'queue.depth', type: 3, points: [{ timestamp: 1764000000, value: 2.5 }] },
    ],
  };
}

export function jsonRequest(body: unknown): { headers: Record<string, string>; body: Buffer } {
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

/** One Accord JSON sample of the payments gateway's availability. */
export function accordSample(
  time: string | number,
  value: number | string = 1,
  extra: Record<string, unknown> = {},
) {
  return { service: 'svc_payments-gateway', sli: 'availability', measure: 'ratio', value, time, ...extra };
}

/** An accepted sample as the stores receive it (a probe reading by default). */
export function storedSample(over: Partial<Sample> & Pick<Sample, 'series' | 'timestampMs'>): Sample {
  return {
    index: 0,
    vendorId: 'prometheus-main',
    sliKey: 'svc_payments-gateway/availability',
    measure: 'ratio',
    type: 'gauge',
    feed: 'ratio',
    value: 1,
    events: 0,
    cumulative: false,
    rollup: true,
    ...over,
  };
}

/** Services the telemetry tests send samples for (samples for a service that does not exist are rejected). */
export const TEST_SERVICES = [
  'svc_payments-gateway',
  'svc_core-ledger',
  'svc_card-authorisation',
  'svc_checkout',
  'svc_api',
];

/** The shipped telemetry policy with extra rules for a vendor (`test-vendor` by default), as raw JSON to load. */
export async function policyJsonWith(
  rules: Record<string, unknown>[],
  vendor = 'test-vendor',
): Promise<Record<string, unknown>> {
  const shipped = (await import('../../shared/policy/telemetry-mapping.json', { with: { type: 'json' } }))
    .default as unknown as { vendors: Record<string, unknown> };
  const copy = structuredClone(shipped) as unknown as { vendors: Record<string, unknown> };
  copy.vendors[vendor] = { rules };
  return copy as unknown as Record<string, unknown>;
}

/**
 * A histogram point as decodeOtlp reads it: `o` laid on a point with no buckets, nothing in the zero bucket or below
 * it, no reset, not a gauge histogram.
 */
export const histogramPoint = (o: {
  index: number;
  time: number;
  count: number;
  [field: string]: unknown;
}) => ({
  zeroCount: 0,
  zeroThreshold: 0,
  bounds: [],
  counts: [],
  negativeCount: 0,
  reset: false,
  gauge: false,
  ...o,
});

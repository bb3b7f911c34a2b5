import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteCounters } from '../helpers/prometheus.js';
import {
  type RemoteWritePipeline,
  scrapedAndSent,
  startRemoteWritePipeline,
} from '../helpers/remote-write.js';

/**
 * A real Prometheus 2.42 with native histograms on (`--enable-feature=native-histograms`, `send_native_histograms`)
 * scrapes an exporter serving a native histogram in the protobuf exposition format (client_model's MetricFamily,
 * encoded with protobufjs) and remote-writes it to npm start's server. The vendor rule reads
 * `http_request_duration_seconds` at 300 ms: good = observations in buckets whose upper bound is at most 0.3 s.
 */

const SERVICE = 'svc_payments-gateway';

/**
 * Schema 0 (bucket i is (2^(i-1), 2^i]): the zero bucket, (0.0625, 0.125], (0.125, 0.25] are within 0.3 s;
 * (0.25, 0.5] straddles it and counts as above. Per step: zero, the three buckets, count, within:
 *  0: 1, 2, 3, 4 → 10, 6;  1: 1, 4, 6, 9 → 20, 11;  2 (a reset): 0, 1, 1, 2 → 4, 2.
 * The first point is the baseline; then good +5 of +10, then after the reset +2 of +4: good 7 of 14.
 */
const STEPS = [
  { zero: 1, buckets: [2, 3, 4] },
  { zero: 1, buckets: [4, 6, 9] },
  { zero: 0, buckets: [1, 1, 2] },
];

// keepCase: the field names stay as in the .proto (sample_count), as the objects below spell them.
const root = new protobuf.Root().loadSync(
  new URL('../helpers/proto/exposition.proto', import.meta.url).pathname,
  {
    keepCase: true,
  },
);
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

function exposition(step: (typeof STEPS)[number]): Uint8Array {
  const count = step.zero + step.buckets.reduce((a, b) => a + b, 0);
  const deltas = step.buckets.map((c, i) => c - (i === 0 ? 0 : step.buckets[i - 1]!));
  const family = MetricFamily.fromObject({
    name: 'http_request_duration_seconds',
    help: 'Request latency.',
    type: 'HISTOGRAM',
    metric: [
      {
        histogram: {
          sample_count: count,
          sample_sum: count * 0.2,
          schema: 0,
          zero_threshold: 0.001,
          zero_count: step.zero,
          positive_span: [{ offset: -3, length: 3 }],
          positive_delta: deltas,
        },
      },
    ],
  });
  return MetricFamily.encodeDelimited(family).finish();
}

let pipeline: RemoteWritePipeline;

beforeAll(async () => {
  pipeline = await startRemoteWritePipeline({
    name: 'accord-prom-nh-',
    reason: 'key for the native histogram test',
    steps: STEPS.length,
    exposition: (i) => exposition(STEPS[i]!),
    contentType:
      'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    remoteWriteExtra: '    send_native_histograms: true\n',
    flags: ['--enable-feature=native-histograms'],
  });
}, 60_000);

afterAll(async () => pipeline?.stop());

async function latency(): Promise<{ good: number; total: number } | undefined> {
  const r = await pipeline.api('GET', `/v1/services/${SERVICE}/slis`, pipeline.adminToken);
  const s = (r.body.items as { sli: string; good: number; total: number }[]).find(
    (x) => x.sli === 'response-time',
  );
  return s ? { good: s.good, total: s.total } : undefined;
}

describe('a real Prometheus 2.42 scraping a native histogram and remote-writing it', () => {
  it('sends the histograms, loses none, and Accord counts 7 of 14 within 300 ms across a reset', async () => {
    const deadline = Date.now() + 45_000;
    let got: { good: number; total: number } | undefined;
    while (Date.now() < deadline) {
      got = await latency();
      if (pipeline.scrapes() > STEPS.length + 2 && got?.good === 7 && got.total === 14) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Two more scrapes of the last step, sent: a histogram that stays put adds nothing.
    const seen = await scrapedAndSent(pipeline, 2);
    got = await latency();
    const counters = await remoteCounters(pipeline.prometheus.url, 'accord');
    expect(got).toEqual({ good: 7, total: 14 });
    expect(counters.histograms_total, JSON.stringify(counters)).toBeGreaterThanOrEqual(seen - 1);
    for (const name of [
      'samples_failed_total',
      'samples_retried_total',
      'samples_dropped_total',
      'histograms_failed_total',
      'histograms_retried_total',
      'histograms_dropped_total',
    ])
      expect(counters[name], `${name}: ${JSON.stringify(counters)}`).toBe(0);
  }, 70_000);
});

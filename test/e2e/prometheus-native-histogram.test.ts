import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, exited, startChildServer } from '../helpers/child-server.js';
import { serviceBody } from '../helpers/fixtures.js';
import {
  type RunningPrometheus,
  remoteCounters,
  requirePrometheus,
  startPrometheus,
} from '../helpers/prometheus.js';

/**
 * A real Prometheus 2.42 with native histograms on (`--enable-feature=native-histograms`, `send_native_histograms`)
 * scrapes an exporter serving a native histogram in the protobuf exposition format (client_model's MetricFamily,
 * encoded with protobufjs) and remote-writes it to npm start's server. The vendor rule reads
 * `http_request_duration_seconds` at 300 ms: good = observations in buckets whose upper bound is at most 0.3 s.
 */

const SERVICE = 'svc_payments-gateway';
const VENDOR = 'prometheus-main';

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

let server: ChildServer | undefined;
let prometheus: RunningPrometheus | undefined;
let exporter: Server | undefined;
let scrapes = 0;
let adminToken = '';
const dir = mkdtempSync(join(tmpdir(), 'accord-prom-nh-'));

async function api(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  requirePrometheus();
  server = await startChildServer(join(dir, 'accord'));
  const creds = JSON.parse(readFileSync(join(dir, 'accord', 'dev-credentials.json'), 'utf8')) as {
    tokens: Record<string, { token: string }>;
  };
  adminToken = creds.tokens.admin!.token;
  const svc = await api('POST', '/v1/services', creds.tokens['sla-manager']!.token, serviceBody());
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);
  const vendor = await api('GET', `/v1/vendors/${VENDOR}`, adminToken);
  const issued = await api(
    'POST',
    `/v1/vendors/${VENDOR}/keys`,
    adminToken,
    { previousKeysValidUntil: new Date().toISOString(), reason: 'key for the native histogram test' },
    { 'if-match': `"${vendor.body.version}"` },
  );
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);

  exporter = createHttpServer((_req, res) => {
    const step = STEPS[Math.min(scrapes, STEPS.length - 1)]!;
    scrapes++;
    res.writeHead(200, {
      'content-type':
        'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    });
    res.end(exposition(step));
  });
  await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', () => r()));
  prometheus = await startPrometheus(
    dir,
    `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: payments-gateway
    static_configs: [{ targets: ['127.0.0.1:${(exporter.address() as { port: number }).port}'] }]
remote_write:
  - name: accord
    url: ${server.url}/v1/telemetry
    authorization: { type: Bearer, credentials: '${issued.body.apiKey}' }
    send_native_histograms: true
    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }
`,
    ['--enable-feature=native-histograms'],
  );
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
  if (server && server.proc.exitCode === null) {
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }
  rmSync(dir, { recursive: true, force: true });
});

async function latency(): Promise<{ good: number; total: number } | undefined> {
  const r = await api('GET', `/v1/services/${SERVICE}/slis`, adminToken);
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
      if (scrapes > STEPS.length + 2 && got?.good === 7 && got.total === 14) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const seen = scrapes;
    while (Date.now() < deadline + 10_000 && scrapes < seen + 2) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2_000));
    got = await latency();
    const counters = await remoteCounters(prometheus!.url, 'accord');
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

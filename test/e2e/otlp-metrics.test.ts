import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as HttpJsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * The OpenTelemetry JS SDK (sdk-metrics with the OTLP/HTTP exporters, protobuf and JSON, as published) exporting to a
 * running Accord at POST /v1/metrics with a vendor key as a Bearer token. Cumulative and delta temporality, counters,
 * explicit and exponential histograms; Accord's SLI totals (GET /v1/services/{id}/slis) must equal what was recorded.
 */

let app: TestApp;
let key = '';
const warnings: string[] = [];
/** Every export's result, as the SDK's reader got it from the exporter (code 0: success). */
const results: { code: number; error?: Error | undefined }[] = [];

const recorder: DiagLogger = {
  error: (...a: unknown[]) => warnings.push(a.map(String).join(' ')),
  warn: (...a: unknown[]) => warnings.push(a.map(String).join(' ')),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

/** Records the results the real exporter hands back; the exporter itself does the HTTP. */
function recording(inner: PushMetricExporter): PushMetricExporter {
  return {
    export: (metrics, done) =>
      inner.export(metrics, (r) => {
        results.push({ code: r.code, error: r.error });
        done(r);
      }),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
    ...(inner.selectAggregationTemporality
      ? { selectAggregationTemporality: inner.selectAggregationTemporality.bind(inner) }
      : {}),
    ...(inner.selectAggregation ? { selectAggregation: inner.selectAggregation.bind(inner) } : {}),
  };
}

function provider(
  serviceName: string,
  exporter: PushMetricExporter,
  views: ConstructorParameters<typeof MeterProvider>[0] extends infer O
    ? O extends { views?: infer V }
      ? V
      : never
    : never = [],
): MeterProvider {
  return new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment': 'test' }),
    readers: [
      new PeriodicExportingMetricReader({ exporter: recording(exporter), exportIntervalMillis: 3_600_000 }),
    ],
    ...(views ? { views } : {}),
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Totals = Record<string, { good: number; total: number }>;
async function totals(serviceId: string): Promise<Totals> {
  const r = await app.call('GET', `/v1/services/${serviceId}/slis`, { as: 'admin' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const out: Totals = {};
  for (const s of r.body.items as { sli: string; good: number; total: number }[])
    out[s.sli] = { good: s.good, total: s.total };
  return out;
}

beforeAll(async () => {
  diag.setLogger(recorder, DiagLogLevel.WARN);
  app = await startTestApp();
  for (const [id, name] of [
    ['svc_payments-gateway', 'Payments gateway'],
    ['svc_card-authorisation', 'Card authorisation'],
  ] as const) {
    const r = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id, name }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  // The development vendor prometheus-main: its rules read http_requests_total and the latency histogram by job.
  key = app.credentials.vendor.apiKey;
});

afterAll(async () => {
  diag.disable();
  await app?.close();
});

describe('the OpenTelemetry JS SDK exporting OTLP/HTTP metrics to POST /v1/metrics', () => {
  it('cumulative over protobuf: counters counted from their start time, a restart as a reset, an explicit histogram at its 0.3 s bound', async () => {
    const url = `${app.url}/v1/metrics`;
    const headers = { Authorization: `Bearer ${key}` };
    const first = provider('payments-gateway', new ProtoExporter({ url, headers }));
    const meter = first.getMeter('checkout');
    const attrs = { service: 'svc_payments-gateway', sli: 'otel-cumulative' };
    const good = meter.createCounter('accord.sli.good');
    const bad = meter.createCounter('accord.sli.bad');
    const requests = meter.createCounter('http.requests');
    const latency = meter.createHistogram('http.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 0.3, 1] },
    });
    good.add(100, attrs);
    bad.add(1, attrs);
    for (let i = 0; i < 10; i++) requests.add(1, { code: '200' });
    requests.add(2, { code: '500' });
    for (const v of [0.05, 0.2, 0.5]) latency.record(v);
    await first.forceFlush();
    await pause(20);
    good.add(50, attrs);
    for (const v of [0.25, 2]) latency.record(v);
    await first.forceFlush();
    await first.shutdown();

    // The process restarts: a new provider, the same series from 0 with a later start time (OTLP's reset signal).
    await pause(20);
    const second = provider('payments-gateway', new ProtoExporter({ url, headers }));
    second.getMeter('checkout').createCounter('accord.sli.good').add(30, attrs);
    await second.forceFlush();
    await second.shutdown();

    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    const t = await totals('svc_payments-gateway');
    // good: 100 (counted from the series' start) + 50 + 30 after the reset = 180; total = 180 + 1 bad.
    expect(t['otel-cumulative']).toEqual({ good: 180, total: 181 });
    // http.requests → http_requests_total{code, job="payments-gateway"} (job from service.name): 10 good, 2 bad.
    expect(t.requests).toEqual({ good: 10, total: 12 });
    // http.request.duration (s) → http_request_duration_seconds: 0.05, 0.2 within 0.3 s of 3; then 0.25 of 2 more.
    expect(t['response-time']).toEqual({ good: 3, total: 5 });
  });

  it('delta over JSON with gzip: counts per interval added as they are, an exponential histogram read at 300 ms', async () => {
    results.length = 0;
    const exporter = new HttpJsonExporter({
      url: `${app.url}/v1/metrics`,
      headers: { Authorization: `Bearer ${key}` },
      temporalityPreference: AggregationTemporalityPreference.DELTA,
      compression: 'gzip' as never,
    });
    const p = provider('card-authorisation', exporter, [
      {
        instrumentName: 'http.request.duration',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ]);
    const meter = p.getMeter('auth');
    const attrs = { service: 'svc_card-authorisation', sli: 'otel-delta' };
    const good = meter.createCounter('accord.sli.good');
    const bad = meter.createCounter('accord.sli.bad');
    const latency = meter.createHistogram('http.request.duration', { unit: 's' });
    good.add(10, attrs);
    bad.add(2, attrs);
    for (const v of [0.1, 0.2, 0.5, 1]) latency.record(v);
    await p.forceFlush();
    await pause(20);
    good.add(20, attrs);
    latency.record(0.29);
    await p.forceFlush();
    await p.shutdown();

    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    const t = await totals('svc_card-authorisation');
    // good: 10 + 20 = 30; total = 30 + 2.
    expect(t['otel-delta']).toEqual({ good: 30, total: 32 });
    // 0.1, 0.2 of 4 within 300 ms, then 0.29 of 1.
    expect(t['response-time']).toEqual({ good: 3, total: 5 });
  });

  it('answers a partial success the SDK reports: the unmapped and the refused data points, by reason', async () => {
    warnings.length = 0;
    results.length = 0;
    const p = provider(
      'payments-gateway',
      new ProtoExporter({ url: `${app.url}/v1/metrics`, headers: { Authorization: `Bearer ${key}` } }),
    );
    const meter = p.getMeter('misc');
    meter.createCounter('nobody.maps.this').add(1);
    meter.createCounter('accord.sli.good').add(5, { service: 'svc_payments-gateway', sli: 'otel-partial' });
    await p.forceFlush();
    await p.shutdown();
    // Accepted in part is a success to OTLP: the exporter reports the rest as a warning (shutdown exports again).
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    const partial = warnings.find((w) => w.includes('Partial Success'));
    expect(partial, warnings.join('\n')).toBeDefined();
    expect(partial).toContain('"rejectedDataPoints":1');
    expect(partial).toContain('unmapped_series');
    expect(partial).toContain('nobody_maps_this_total');
    expect((await totals('svc_payments-gateway'))['otel-partial']).toEqual({ good: 5, total: 5 });
  });
});

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OTLP_DESCRIPTOR, otlpDescriptorJson } from '../../../infra/tools/proto-json.js';
import {
  decodeOtlpResponse,
  encodeOtlpRequest,
  otlpMetricName,
} from '../../../shared/domain/telemetry/otlp.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { policyJsonWith } from '../../helpers/telemetry.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

/**
 * OTLP metrics semantics, one hand-computed case per cell of docs/telemetry.md's OTLP table: how a Sum (cumulative
 * or delta, monotonic or not), a Gauge, a Histogram and an ExponentialHistogram become events or readings, how the
 * start time counts a cumulative series from its start and signals a reset, and how bad bodies are refused.
 */

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const MIN = 60_000;
const T0 = NOW - 60 * MIN;
const HOUR = 3_600_000;
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

const RULES = [
  {
    selector: 'http_request_duration_seconds{job=~"(?<svc>[a-z0-9-]+)"}',
    service: 'svc_{svc}',
    sli: 'latency',
    measure: 'duration',
    type: 'histogram',
    unit: 's',
    thresholdMs: 300,
    buckets: [0.1, 0.3, 0.5, 1],
  },
  {
    selector: 'http_requests_total{job=~"(?<svc>[a-z0-9-]+)", code!~"5.."}',
    service: 'svc_{svc}',
    sli: 'requests',
    measure: 'good',
    type: 'counter',
  },
  {
    selector: 'http_requests_total{job=~"(?<svc>[a-z0-9-]+)", code=~"5.."}',
    service: 'svc_{svc}',
    sli: 'requests',
    measure: 'bad',
    type: 'counter',
  },
];

async function fixture() {
  return telemetryFixture('sqlite', NOW, { policy: loadTelemetryPolicy(await policyJsonWith(RULES)) });
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

type Attrs = Record<string, string>;
const kv = (attrs: Attrs) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));

/** An OTLP/JSON ExportMetricsServiceRequest with one resource and one scope. */
function request(metrics: unknown[], resource: Attrs = { 'service.name': 'checkout' }) {
  return {
    resourceMetrics: [
      { resource: { attributes: kv(resource) }, scopeMetrics: [{ scope: { name: 't' }, metrics }] },
    ],
  };
}

interface Point {
  value?: number;
  time: number;
  start?: number;
  attrs?: Attrs;
  flags?: number;
}
const numberPoints = (points: Point[]) =>
  points.map((p) => ({
    attributes: kv(p.attrs ?? {}),
    timeUnixNano: ns(p.time),
    ...(p.start === undefined ? {} : { startTimeUnixNano: ns(p.start) }),
    ...(p.value === undefined ? {} : { asDouble: p.value }),
    ...(p.flags ? { flags: p.flags } : {}),
  }));
const CUMULATIVE = 'AGGREGATION_TEMPORALITY_CUMULATIVE';
const DELTA = 'AGGREGATION_TEMPORALITY_DELTA';
const sum = (name: string, temporality: string, isMonotonic: boolean, points: Point[]) => ({
  name,
  sum: { aggregationTemporality: temporality, isMonotonic, dataPoints: numberPoints(points) },
});
const gauge = (name: string, points: Point[]) => ({ name, gauge: { dataPoints: numberPoints(points) } });
const SLI = { service: 'svc_core-ledger', sli: 'postings' };

async function send(
  t: Fixture,
  body: unknown,
  encoding: 'protobuf' | 'json' = 'protobuf',
  extra: Record<string, string> = {},
) {
  const bytes = encoding === 'protobuf' ? encodeOtlpRequest(body) : Buffer.from(JSON.stringify(body));
  return (
    await t.ingest.ingest({
      vendorId: 'test-vendor',
      headers: { 'content-type': `application/${encoding === 'protobuf' ? 'x-protobuf' : 'json'}`, ...extra },
      body: bytes,
      otlp: true,
    })
  ).body;
}
async function totals(t: Fixture, sliKey: string) {
  const buckets = await t.rollups.read(sliKey, T0 - HOUR, NOW + HOUR);
  const add = (k: 'good' | 'total' | 'count') => buckets.reduce((n, b) => n + b[k], 0);
  return { good: add('good'), total: add('total'), count: add('count') };
}

describe('the OTLP decoder’s descriptor', () => {
  it('is the one generated from our copy of opentelemetry-proto (run `npm run proto` after changing it)', () => {
    expect(JSON.parse(readFileSync(OTLP_DESCRIPTOR, 'utf8'))).toEqual(JSON.parse(otlpDescriptorJson()));
  });
});

describe('OTLP names become Prometheus-style series names', () => {
  it.each([
    ['accord.sli.good', '', true, 'accord_sli_good_total'],
    ['accord_sli_good_total', '', true, 'accord_sli_good_total'],
    ['http.server.request.duration', 's', false, 'http_server_request_duration_seconds'],
    ['http.request.duration.seconds', 's', false, 'http_request_duration_seconds'],
    ['rpc.bytes', 'By', true, 'rpc_bytes_total'],
    ['rpc.sent', 'By', true, 'rpc_sent_bytes_total'],
    ['probe.up', '1', false, 'probe_up'],
  ])('%s (unit "%s", monotonic %s) → %s', (name, unit, monotonic, want) => {
    expect(otlpMetricName(name, unit, monotonic)).toBe(want);
  });
});

describe('OTLP Sums and Gauges: the issue’s counters and each temporality', () => {
  const good = [1000, 1060, 1120, 30];
  const bad = [5, 5, 6, 0];

  it.each(['protobuf', 'json'] as const)(
    'a cumulative monotonic Sum without a start time: the issue’s 1000, 1060, 1120, 30 and 5, 5, 6, 0 give 150 of 151 (%s)',
    async (encoding) => {
      const t = await fixture();
      const pts = (vs: number[]) => vs.map((value, i) => ({ value, time: T0 + i * MIN, attrs: SLI }));
      const r = await send(
        t,
        request([
          sum('accord.sli.good', CUMULATIVE, true, pts(good)),
          sum('accord.sli.bad', CUMULATIVE, true, pts(bad)),
        ]),
        encoding,
      );
      expect(r).toMatchObject({ submitted: 8, accepted: 8, rejected: [] });
      expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 150, total: 151 });
    },
  );

  it('a cumulative Sum with a start time counts from it: 1000 at start, then +60 +60; a restart (later start) at 30 adds 30', async () => {
    const t = await fixture();
    const start = T0 - MIN;
    const restart = T0 + 2 * MIN + 30_000;
    const points = [
      { value: 1000, time: T0, start, attrs: SLI },
      { value: 1060, time: T0 + MIN, start, attrs: SLI },
      { value: 1120, time: T0 + 2 * MIN, start, attrs: SLI },
      { value: 30, time: T0 + 3 * MIN, start: restart, attrs: SLI },
    ];
    await send(t, request([sum('accord.sli.good', CUMULATIVE, true, points)]));
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 1150, total: 1150 });
  });

  it('a later start time is a reset even when the value did not drop: 100, 150, then 200 from a new start adds 200', async () => {
    const t = await fixture();
    const start = T0 - MIN;
    await send(
      t,
      request([
        sum('accord.sli.good', CUMULATIVE, true, [
          { value: 100, time: T0, start, attrs: SLI },
          { value: 150, time: T0 + MIN, start, attrs: SLI },
        ]),
      ]),
    );
    // A second request: the series' state is durable between them.
    await send(
      t,
      request([
        sum('accord.sli.good', CUMULATIVE, true, [
          { value: 200, time: T0 + 3 * MIN, start: T0 + 2 * MIN, attrs: SLI },
        ]),
      ]),
    );
    // 100 (from its start) + 50 + 200 (the counter restarted at T0+2min); by value alone it would be 100 + 50 + 50.
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 350, total: 350 });
  });

  it('a start time older than the accepted lateness is no signal: the first sample is the baseline', async () => {
    const t = await fixture();
    const ancient = NOW - 80 * HOUR;
    await send(
      t,
      request([
        sum('accord.sli.good', CUMULATIVE, true, [
          { value: 5000, time: T0, start: ancient, attrs: SLI },
          { value: 5040, time: T0 + MIN, start: ancient, attrs: SLI },
        ]),
      ]),
    );
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 40, total: 40 });
  });

  it('a delta monotonic Sum adds each value: 10 then 20 give 30; a bad delta of 2 gives a total of 32', async () => {
    const t = await fixture();
    const r = await send(
      t,
      request([
        sum('accord.sli.good', DELTA, true, [
          { value: 10, time: T0, attrs: SLI },
          { value: 20, time: T0 + MIN, attrs: SLI },
        ]),
        sum('accord.sli.bad', DELTA, true, [{ value: 2, time: T0 + MIN, attrs: SLI }]),
      ]),
      'json',
    );
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 30, total: 32 });
  });

  it('a Gauge is a reading: probe readings 1, 0, 1 of a ratio SLI give 2 of 3', async () => {
    const t = await fixture();
    const probe = { service: 'svc_checkout', sli: 'probe' };
    await send(
      t,
      request([
        gauge('accord.sli.ratio', [
          { value: 1, time: T0, attrs: probe },
          { value: 0, time: T0 + MIN, attrs: probe },
          { value: 1, time: T0 + 2 * MIN, attrs: probe },
        ]),
      ]),
    );
    expect(await totals(t, 'svc_checkout/probe')).toMatchObject({ good: 2, total: 3 });
  });

  it('a cumulative non-monotonic Sum is a reading too (an up-down counter’s current value)', async () => {
    const t = await fixture();
    const probe = { service: 'svc_checkout', sli: 'probe' };
    await send(
      t,
      request([sum('accord.sli.ratio', CUMULATIVE, false, [{ value: 1, time: T0, attrs: probe }])]),
    );
    expect(await totals(t, 'svc_checkout/probe')).toMatchObject({ good: 1, total: 1 });
  });

  it('refuses what cannot become events, per data point, with the reason', async () => {
    const t = await fixture();
    const r = await send(
      t,
      request([
        // A reading is not a count of events.
        gauge('accord_sli_good_total', [{ value: 3, time: T0, attrs: SLI }]),
        // A delta non-monotonic Sum is a change of a value.
        sum('accord.sli.ratio', DELTA, false, [{ value: 1, time: T0, attrs: SLI }]),
        // NO_RECORDED_VALUE: the point says the series is gone.
        sum('accord.sli.good', CUMULATIVE, true, [{ time: T0, attrs: SLI, flags: 1 }]),
        // A point without a value.
        sum('accord.sli.good', DELTA, true, [{ time: T0 + MIN, attrs: SLI }]),
        { name: 'rpc.latency', summary: { dataPoints: [{ timeUnixNano: ns(T0), count: 3, sum: 1 }] } },
      ]),
    );
    expect(r.submitted).toBe(5);
    expect(r.accepted).toBe(0);
    expect(r.rejected.map((x) => [x.path, x.reason])).toEqual([
      ['resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]', 'type_mismatch'],
      ['resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0]', 'type_mismatch'],
      ['resourceMetrics[0].scopeMetrics[0].metrics[2].sum.dataPoints[0]', 'stale_marker'],
      ['resourceMetrics[0].scopeMetrics[0].metrics[3].sum.dataPoints[0].value', 'missing_value'],
      ['resourceMetrics[0].scopeMetrics[0].metrics[4].summary.dataPoints[0]', 'summary_not_events'],
    ]);
  });
});

// In protobuf the wire decides: of two members of a oneof, the last one read is the value (protobuf's own rule, which
// protobufjs's decoder applies), so only OTLP/JSON can carry two.
describe('red team, wave 35: an OTLP/JSON number point carries one value', () => {
  it('refuses a point with both asDouble and asInt, naming its value, and keeps the others', async () => {
    const t = await fixture();
    const [one, two] = numberPoints([
      { value: 1, time: T0, attrs: SLI },
      { value: 2, time: T0 + MIN, attrs: SLI },
    ]);
    const r = await send(
      t,
      request([{ name: 'accord.sli.value', gauge: { dataPoints: [{ ...one, asInt: '5' }, two] } }]),
      'json',
    );
    expect(r.submitted).toBe(2);
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual([
      {
        index: 0,
        path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].value',
        reason: 'malformed',
        message: 'a number point holds one value: asDouble or asInt, not both',
      },
    ]);
  });
});

describe('OTLP resource attributes are labels the mapping rules read', () => {
  it('service.name becomes job, dots become underscores: http.requests by code give good 90 of 95 for svc_checkout', async () => {
    const t = await fixture();
    const start = T0 - MIN;
    const code = (c: string, vs: number[]) =>
      vs.map((value, i) => ({
        value,
        time: T0 + i * MIN,
        start,
        attrs: { 'http.response.status_code': c, code: c },
      }));
    const r = await send(
      t,
      request([
        sum('http.requests', CUMULATIVE, true, [
          ...code('200', [100, 150, 190]),
          ...code('500', [7, 9, 10]),
          ...code('503', [1, 1, 3]),
        ]),
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(r.series).toEqual({ submitted: 3, accepted: 3, rejected: 0, unmapped: 0 });
    // Counted from their start: good 190, bad 10 + 3.
    expect(await totals(t, 'svc_checkout/requests')).toMatchObject({ good: 190, total: 203 });
  });

  it('records an unmapped series under its translated name and labels', async () => {
    const t = await fixture();
    const r = await send(
      t,
      request([gauge('queue.depth', [{ value: 3, time: T0, attrs: { 'queue.name': 'q1' } }])]),
    );
    expect(r.rejected.map((x) => x.reason)).toEqual(['unmapped_series']);
    const admin = {
      subject: 'admin',
      roles: ['admin' as const],
      businessUnits: [],
      services: [],
      signOffCapacities: [],
    };
    const unmapped = await t.queries.unmapped(admin, { limit: 10 });
    expect(unmapped[0]).toMatchObject({
      metric: 'queue_depth',
      labels: { job: 'checkout', service_name: 'checkout', queue_name: 'q1' },
    });
  });

  it('refuses a point whose attribute repeats a resource label (invalid_labels)', async () => {
    const t = await fixture();
    const r = await send(
      t,
      request([gauge('accord.sli.ratio', [{ value: 1, time: T0, attrs: { 'service.name': 'x' } }])]),
    );
    expect(r.rejected[0]).toMatchObject({
      reason: 'invalid_labels',
      path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].attributes',
    });
  });
});

describe('OTLP histograms feed latency SLIs', () => {
  const histogram = (
    temporality: string,
    points: { time: number; start?: number; counts: number[]; bounds?: number[] }[],
  ) => ({
    name: 'http.request.duration',
    unit: 's',
    histogram: {
      aggregationTemporality: temporality,
      dataPoints: points.map((p) => ({
        timeUnixNano: ns(p.time),
        ...(p.start ? { startTimeUnixNano: ns(p.start) } : {}),
        count: String(p.counts.reduce((a, b) => a + b, 0)),
        bucketCounts: p.counts.map(String),
        explicitBounds: p.bounds ?? [0.1, 0.3, 0.5, 1],
      })),
    },
  });

  it('a cumulative explicit histogram: within 0.3 s 5 of 6, then 10 of 13, gives good 10 of 13 counted from its start', async () => {
    const t = await fixture();
    const start = T0 - MIN;
    const r = await send(
      t,
      request([
        histogram(CUMULATIVE, [
          { time: T0, start, counts: [2, 3, 1, 0, 0] },
          { time: T0 + MIN, start, counts: [4, 6, 2, 1, 0] },
        ]),
      ]),
    );
    expect(r).toMatchObject({ submitted: 2, accepted: 2, rejected: [] });
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 10, total: 13 });
  });

  it('without a start time the first point is the baseline: good 5 of 7', async () => {
    const t = await fixture();
    await send(
      t,
      request([
        histogram(CUMULATIVE, [
          { time: T0, counts: [2, 3, 1, 0, 0] },
          { time: T0 + MIN, counts: [4, 6, 2, 1, 0] },
        ]),
      ]),
    );
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 5, total: 7 });
  });

  it('a delta explicit histogram adds each interval: 5 of 6 then 2 of 3 give 7 of 9', async () => {
    const t = await fixture();
    await send(
      t,
      request([
        histogram(DELTA, [
          { time: T0, counts: [2, 3, 1, 0, 0] },
          { time: T0 + MIN, counts: [1, 1, 0, 1, 0] },
        ]),
      ]),
      'json',
    );
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 7, total: 9 });
  });

  it('refuses a histogram whose bounds miss the threshold, naming the nearest bounds, and one whose buckets do not add up', async () => {
    const t = await fixture();
    const h = histogram(DELTA, [{ time: T0, counts: [1, 1, 1], bounds: [0.25, 0.5] }]);
    const broken = histogram(DELTA, [{ time: T0 + MIN, counts: [1, 1, 1, 1, 1] }]);
    broken.histogram.dataPoints[0]!.count = '9';
    const r = await send(t, request([h, broken]));
    expect(r.rejected[0]).toMatchObject({ reason: 'threshold_not_a_bound' });
    expect(r.rejected[0]!.message).toContain('nearest are 0.25 and 0.5');
    expect(r.rejected[1]).toMatchObject({ reason: 'malformed' });
    expect(r.rejected[1]!.message).toContain('not its count 9');
  });

  it('a delta exponential histogram at scale 0: the zero bucket and (0.125, 0.25] within 300 ms, (0.25, 0.5] not: 4 of 6', async () => {
    const t = await fixture();
    const r = await send(
      t,
      request([
        {
          name: 'http.request.duration',
          unit: 's',
          exponentialHistogram: {
            aggregationTemporality: DELTA,
            dataPoints: [
              {
                timeUnixNano: ns(T0),
                count: '6',
                scale: 0,
                zeroCount: '1',
                // Index -3 is (2^-3, 2^-2] = (0.125, 0.25]; index -2 is (0.25, 0.5].
                positive: { offset: -3, bucketCounts: ['3', '2'] },
              },
            ],
          },
        },
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 4, total: 6 });
  });
});

describe('OTLP requests that cannot be read', () => {
  it('answers 400 naming the field sent with the wrong wire type', async () => {
    const t = await fixture();
    // resource_metrics (field 1) sent as a varint instead of a message.
    const body = Uint8Array.from([0x08, 0x01]);
    await expect(
      t.ingest.ingest({
        vendorId: 'test-vendor',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
        otlp: true,
      }),
    ).rejects.toMatchObject({
      details: [{ path: 'resourceMetrics[0]', problem: expect.stringContaining('wire type 0') }],
    });
  });

  it('answers 400 for a JSON key given twice and for a JSON shape that is not a request', async () => {
    const t = await fixture();
    const dup = Buffer.from('{"resourceMetrics": [], "resourceMetrics": []}');
    await expect(
      t.ingest.ingest({
        vendorId: 'test-vendor',
        headers: { 'content-type': 'application/json' },
        body: dup,
        otlp: true,
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', details: [{ path: 'resourceMetrics' }] });
    const shape = Buffer.from('{"resourceMetrics": 5}');
    await expect(
      t.ingest.ingest({
        vendorId: 'test-vendor',
        headers: { 'content-type': 'application/json' },
        body: shape,
        otlp: true,
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'resourceMetrics' }],
    });
  });

  it('answers 415 for another Content-Type or encoding', async () => {
    const t = await fixture();
    await expect(
      t.ingest.ingestOtlp({
        vendorId: 'test-vendor',
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('x'),
      }),
    ).rejects.toMatchObject({ code: 'unsupported_media_type' });
    await expect(
      t.ingest.ingestOtlp({
        vendorId: 'test-vendor',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'zstd' },
        body: Buffer.from('x'),
      }),
    ).rejects.toMatchObject({ code: 'unsupported_media_type' });
  });
});

describe('the OTLP answer', () => {
  it('is an empty ExportMetricsServiceResponse when everything was accepted and read', async () => {
    const t = await fixture();
    const r = await t.ingest.ingestOtlp({
      vendorId: 'test-vendor',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(request([]))),
    });
    expect(r).toMatchObject({ status: 200, contentType: 'application/json', body: '{}' });
  });

  it('counts rejected data points in partial_success, protobuf for protobuf, naming path and reason; gzip is inflated', async () => {
    const t = await fixture();
    const body = gzipSync(
      encodeOtlpRequest(
        request([
          gauge('queue.depth', [{ value: 3, time: T0 }]),
          sum('accord.sli.good', DELTA, true, [{ value: 4, time: T0, attrs: SLI }]),
        ]),
      ),
    );
    const r = await t.ingest.ingestOtlp({
      vendorId: 'test-vendor',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    expect(r.contentType).toBe('application/x-protobuf');
    const decoded = decodeOtlpResponse(r.body as Uint8Array);
    expect(decoded.partialSuccess?.rejectedDataPoints).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toContain(
      '1 of 2 data points rejected: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]: unmapped_series',
    );
    // The SLI fed has no objective yet: said too, so a misspelled SLI is noticed.
    expect(decoded.partialSuccess?.errorMessage).toContain('No objective reads svc_core-ledger/postings yet');
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 4, total: 4 });
  });

  it('in JSON writes rejectedDataPoints as OTLP/JSON writes an int64: a decimal string', async () => {
    const t = await fixture();
    const r = await t.ingest.ingestOtlp({
      vendorId: 'test-vendor',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(request([gauge('queue.depth', [{ value: 3, time: T0 }])]))),
    });
    expect(JSON.parse(r.body as string).partialSuccess.rejectedDataPoints).toBe('1');
  });
});

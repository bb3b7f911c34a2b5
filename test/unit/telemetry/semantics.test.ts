import { describe, expect, it } from 'vitest';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import type { IngestResponse } from '../../../shared/schemas/telemetry.js';
import { jsonRequest, type PromSeries, policyJsonWith, promRequest } from '../../helpers/telemetry.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

/**
 * The sample semantics table of docs/telemetry.md, one hand-computed case per cell: how a series' semantic type
 * (from the format or the rule) becomes events or readings for the SLI's measure, or why it is rejected.
 */

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 11, 0, 0); // an hour ago: one bucket per sample at most 5 minutes apart
const HOUR = 3_600_000;

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
    selector: 'checkout_requests_total{code!~"5.."}',
    service: 'svc_checkout',
    sli: 'requests',
    measure: 'good',
    type: 'counter',
  },
  {
    selector: 'checkout_requests_total{code=~"5.."}',
    service: 'svc_checkout',
    sli: 'requests',
    measure: 'bad',
    type: 'counter',
  },
  { metric: 'checkout_untyped_total', service: 'svc_checkout', sli: 'untyped', measure: 'good' },
  {
    metric: 'checkout_p99_seconds',
    service: 'svc_checkout',
    sli: 'p99',
    measure: 'value',
    type: 'summary',
    unit: 's',
  },
  {
    metric: 'checkout_rpc_seconds',
    service: 'svc_checkout',
    sli: 'rpc',
    measure: 'duration',
    unit: 's',
    thresholdMs: 300,
  },
  { metric: 'checkout.probe', service: 'svc_checkout', sli: 'probe', measure: 'ratio' },
];

async function fixture(kind: 'memory' | 'sqlite' = 'sqlite') {
  return telemetryFixture(kind, NOW, { policy: loadTelemetryPolicy(await policyJsonWith(RULES)) });
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

async function send(
  t: Fixture,
  req: { headers: Record<string, string>; body: Buffer },
  vendorId = 'test-vendor',
) {
  return (await t.ingest.ingest({ vendorId, ...req })).body;
}
async function totals(t: Fixture, sliKey: string) {
  const buckets = await t.rollups.read(sliKey, T0 - HOUR, NOW + HOUR);
  const sum = (k: 'good' | 'total' | 'count' | 'sum') => buckets.reduce((n, b) => n + b[k], 0);
  return { good: sum('good'), total: sum('total'), count: sum('count'), sum: sum('sum') };
}
const reasons = (r: IngestResponse) => r.rejected.map((x) => x.reason);
const series = (labels: Record<string, string>, values: number[], step = MIN): PromSeries => ({
  labels,
  samples: values.map((value, i) => ({ value, timestampMs: T0 + i * step })),
});
const COUNTER = 1;
const GAUGE = 2;
const SUMMARY = 5;
const meta = (type: number, metric_family_name: string) => ({ type, metric_family_name });

describe('the issue’s example: counters scraped one minute apart become their increase', () => {
  // good 1000, 1060, 1120, 30 and bad 5, 5, 6, 0: increases 60 + 60 + 30 (reset) = 150 and 0 + 1 + 0 (reset) = 1.
  const good = [1000, 1060, 1120, 30];
  const bad = [5, 5, 6, 0];
  // Not the payments gateway's availability: that SLI has two declared sources and only one feeds its rollups.
  const labels = { service: 'svc_core-ledger', sli: 'postings' };

  it.each(['memory', 'sqlite'] as const)(
    'as Prometheus remote write, no metadata (the convention says counter) (%s)',
    async (kind) => {
      const t = await fixture(kind);
      const r = await send(
        t,
        promRequest([
          series({ __name__: 'accord_sli_good_total', ...labels }, good),
          series({ __name__: 'accord_sli_bad_total', ...labels }, bad),
        ]),
        'prometheus-main',
      );
      expect(r).toMatchObject({ submitted: 8, accepted: 8, rejected: [] });
      expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 150, total: 151 });
    },
  );

  it('as remote write with COUNTER metadata, split over two requests (the state is durable between them)', async () => {
    const t = await fixture();
    const part = (from: number, to: number) =>
      promRequest(
        [
          {
            labels: { __name__: 'accord_sli_good_total', ...labels },
            samples: good.slice(from, to).map((value, i) => ({ value, timestampMs: T0 + (from + i) * MIN })),
          },
          {
            labels: { __name__: 'accord_sli_bad_total', ...labels },
            samples: bad.slice(from, to).map((value, i) => ({ value, timestampMs: T0 + (from + i) * MIN })),
          },
        ],
        [meta(COUNTER, 'accord_sli_good'), meta(COUNTER, 'accord_sli_bad')],
      );
    await send(t, part(0, 2), 'prometheus-main');
    await send(t, part(2, 4), 'prometheus-main');
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 150, total: 151 });
  });

  it('as Accord JSON with type "counter"', async () => {
    const t = await fixture();
    const samples = [
      ...good.map((value, i) => ({
        ...labels,
        service: labels.service,
        measure: 'good',
        type: 'counter',
        value,
        time: T0 + i * MIN,
      })),
      ...bad.map((value, i) => ({
        ...labels,
        service: labels.service,
        measure: 'bad',
        type: 'counter',
        value,
        time: T0 + i * MIN,
      })),
    ];
    const r = await send(t, jsonRequest({ version: 1, samples }));
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 150, total: 151 });
  });

  it('as Datadog series of type 0 (unspecified: the convention rule says counter)', async () => {
    const t = await fixture();
    const dd = (metric: string, values: number[]) => ({
      metric,
      type: 0,
      tags: ['service:svc_core-ledger', 'sli:postings'],
      points: values.map((value, i) => ({ timestamp: (T0 + i * MIN) / 1000, value })),
    });
    const r = await send(
      t,
      jsonRequest({ series: [dd('accord_sli_good_total', good), dd('accord_sli_bad_total', bad)] }),
    );
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_core-ledger/postings')).toMatchObject({ good: 150, total: 151 });
  });
});

describe('each semantic type against each measure', () => {
  it('counter × good/bad: several series matched by one rule are summed into one SLI (code=~"5..")', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest([
        series({ __name__: 'checkout_requests_total', code: '200' }, [100, 150, 190]), // +90
        series({ __name__: 'checkout_requests_total', code: '500' }, [7, 9, 10]), // +3
        series({ __name__: 'checkout_requests_total', code: '503' }, [1, 1, 3]), // +2
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(r.series).toEqual({ submitted: 3, accepted: 3, rejected: 0, unmapped: 0 });
    expect(await totals(t, 'svc_checkout/requests')).toMatchObject({ good: 90, total: 95 });
  });

  it('delta × good: a Datadog count (type 1) adds its value', async () => {
    const t = await fixture();
    const r = await send(
      t,
      jsonRequest({
        series: [
          {
            metric: 'checkout_untyped_total',
            type: 1,
            interval: 10,
            points: [
              { timestamp: T0 / 1000, value: 10 },
              { timestamp: T0 / 1000 + 10, value: 20 },
            ],
          },
        ],
      }),
    );
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_checkout/untyped')).toMatchObject({ good: 30, total: 30 });
  });

  it('rate × good: a Datadog rate (type 2) of 0.5/s over a 10 s interval is 5 events; without an interval it is rejected', async () => {
    const t = await fixture();
    const point = [{ timestamp: T0 / 1000, value: 0.5 }];
    await send(
      t,
      jsonRequest({ series: [{ metric: 'checkout_untyped_total', type: 2, interval: 10, points: point }] }),
    );
    expect(await totals(t, 'svc_checkout/untyped')).toMatchObject({ good: 5, total: 5 });
    const r = await send(
      t,
      jsonRequest({
        series: [
          { metric: 'checkout_untyped_total', type: 2, points: [{ timestamp: T0 / 1000 + 60, value: 1 }] },
        ],
      }),
    );
    expect(reasons(r)).toEqual(['missing_interval']);
  });

  it('gauge × good: a reading is not a count of events and is rejected, never guessed', async () => {
    const t = await fixture();
    const r = await send(
      t,
      jsonRequest({
        series: [{ metric: 'checkout_untyped_total', type: 3, points: [{ timestamp: T0 / 1000, value: 7 }] }],
      }),
    );
    expect(reasons(r)).toEqual(['type_mismatch']);
    expect(r.rejected[0]!.message).toMatch(/gauge is a reading/);
  });

  it('unknown type × good: nobody says counter, delta or rate, so the sample is rejected', async () => {
    const t = await fixture();
    const r = await send(t, promRequest([series({ __name__: 'checkout_untyped_total' }, [5])]));
    expect(reasons(r)).toEqual(['unknown_type']);
  });

  it('counter × ratio: COUNTER metadata on a series a ratio rule maps is rejected', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest(
        [series({ __name__: 'probe_success', job: 'payments-gateway' }, [1])],
        [meta(COUNTER, 'probe_success')],
      ),
      'prometheus-main',
    );
    expect(reasons(r)).toEqual(['type_mismatch']);
  });

  it('gauge × ratio: each reading is one event, good by its value (1, 0, 1 → 2 of 3)', async () => {
    const t = await fixture();
    await send(
      t,
      jsonRequest({
        series: [
          {
            metric: 'checkout.probe',
            type: 3,
            points: [0, 1, 2].map((i) => ({ timestamp: T0 / 1000 + i, value: i === 1 ? 0 : 1 })),
          },
        ],
      }),
    );
    expect(await totals(t, 'svc_checkout/probe')).toMatchObject({ good: 2, total: 3 });
  });

  it('gauge × duration: each reading is an observation and one event against the threshold (120 ms, 480 ms / 300 ms)', async () => {
    const t = await fixture();
    await send(
      t,
      promRequest(
        [series({ __name__: 'checkout_rpc_seconds' }, [0.12, 0.48])],
        [meta(GAUGE, 'checkout_rpc_seconds')],
      ),
    );
    expect(await totals(t, 'svc_checkout/rpc')).toEqual({ good: 1, total: 2, count: 2, sum: 600 });
  });

  it('classic histogram × duration: good = increase of the le="0.3" bucket, total = increase of _count', async () => {
    const t = await fixture();
    const h = (suffix: string, extra: Record<string, string>, values: number[]) =>
      series({ __name__: `http_request_duration_seconds${suffix}`, job: 'checkout', ...extra }, values);
    const r = await send(
      t,
      promRequest([
        h('_bucket', { le: '0.1' }, [4, 9]),
        h('_bucket', { le: '0.3' }, [10, 25]), // +15 good
        h('_bucket', { le: '0.5' }, [11, 27]),
        h('_bucket', { le: '1' }, [12, 30]),
        h('_bucket', { le: '+Inf' }, [12, 30]),
        h('_count', {}, [12, 30]), // +18 total
        h('_sum', {}, [2.5, 6.1]),
      ]),
    );
    expect(r).toMatchObject({ submitted: 14, accepted: 14, rejected: [] });
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 15, total: 18 });
  });

  it('classic histogram × duration: a bucket the rule does not declare means the layout changed, and is rejected', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest([
        series({ __name__: 'http_request_duration_seconds_bucket', job: 'checkout', le: '0.2' }, [1]),
      ]),
    );
    expect(reasons(r)).toEqual(['undeclared_bucket']);
    expect(r.rejected[0]!.message).toMatch(/0\.1, 0\.3, 0\.5, 1/);
  });

  it('native histogram × duration: good = increase of the observations in buckets up to the threshold, total = increase of the count', async () => {
    const t = await fixture();
    // Schema 0: bucket i holds (2^(i-1), 2^i]. Buckets -2, -1, 0 are (0.125, 0.25], (0.25, 0.5], (0.5, 1].
    // Point 1: zero bucket 1, then 4, 3, 2 → count 10, within 0.3 s: 1 + 4 = 5 (the (0.25, 0.5] bucket straddles 0.3: bad).
    // Point 2: zero bucket 2, then 9, 5, 4 → count 20, within: 11. Increases: good 6, total 10.
    const native = (count: number, zero: number, deltas: number[], i: number) => ({
      count_int: count,
      sum: 1,
      schema: 0,
      zero_threshold: 0.001,
      zero_count_int: zero,
      positive_spans: [{ offset: -2, length: 3 }],
      positive_deltas: deltas,
      timestamp: T0 + i * MIN,
    });
    const r = await send(
      t,
      promRequest([
        {
          labels: { __name__: 'http_request_duration_seconds', job: 'checkout' },
          samples: [],
          histograms: [native(10, 1, [4, -1, -1], 0), native(20, 2, [9, -4, -1], 1)],
        },
      ]),
    );
    expect(r).toMatchObject({ submitted: 2, accepted: 2, rejected: [] });
    expect(await totals(t, 'svc_checkout/latency')).toMatchObject({ good: 6, total: 10 });
  });

  it('native histogram × duration: a gauge histogram is rejected (its counts go up and down)', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest([
        {
          labels: { __name__: 'http_request_duration_seconds', job: 'checkout' },
          samples: [],
          histograms: [{ count_int: 3, schema: 0, reset_hint: 3, timestamp: T0 }],
        },
      ]),
    );
    expect(reasons(r)).toEqual(['gauge_histogram']);
  });

  it('summary × duration: refused with a reason that says why (quantiles cannot be added up into events)', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest(
        [series({ __name__: 'checkout_rpc_seconds', quantile: '0.99' }, [0.2])],
        [meta(SUMMARY, 'checkout_rpc_seconds')],
      ),
    );
    expect(reasons(r)).toEqual(['summary_not_events']);
    expect(r.rejected[0]!.message).toMatch(/sliding window.*export a histogram/);
  });

  it('summary × value: a quantile is a reading of the client’s estimate (0.25 s → 250 ms)', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest([series({ __name__: 'checkout_p99_seconds', quantile: '0.99' }, [0.25])]),
    );
    expect(r.rejected).toEqual([]);
    expect(await totals(t, 'svc_checkout/p99')).toMatchObject({ count: 1, sum: 250 });
  });
});

describe('retries, conflicts and order', () => {
  it('tells a retry (same value: a duplicate) from a conflict (another value at the same series and time)', async () => {
    const t = await fixture();
    const first = promRequest([series({ __name__: 'checkout_rpc_seconds' }, [0.12])]);
    await send(t, first);
    const retry = await send(t, first);
    expect(retry).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
    const changed = await send(t, promRequest([series({ __name__: 'checkout_rpc_seconds' }, [0.5])]));
    expect(reasons(changed)).toEqual(['conflicting_value']);
    expect(changed.rejected[0]).toMatchObject({ index: 0, path: 'timeseries[0].samples[0]' });
    expect(await totals(t, 'svc_checkout/rpc')).toMatchObject({ count: 1, sum: 120 });
  });

  it('names a conflict inside one request apart from a repeat', async () => {
    const t = await fixture();
    const r = await send(
      t,
      promRequest([
        {
          labels: { __name__: 'checkout_rpc_seconds' },
          samples: [
            { value: 0.1, timestampMs: T0 },
            { value: 0.1, timestampMs: T0 },
            { value: 0.2, timestampMs: T0 },
          ],
        },
      ]),
    );
    expect(reasons(r)).toEqual(['duplicate_sample', 'conflicting_value']);
  });

  it('rejects a counter sample older than the series’ last one, and its increase is still counted by the later one', async () => {
    const t = await fixture();
    await send(
      t,
      promRequest([
        {
          labels: { __name__: 'checkout_requests_total', code: '200' },
          samples: [
            { value: 10, timestampMs: T0 },
            { value: 30, timestampMs: T0 + 2 * MIN },
          ],
        },
      ]),
    );
    const late = await send(
      t,
      promRequest([
        {
          labels: { __name__: 'checkout_requests_total', code: '200' },
          samples: [{ value: 20, timestampMs: T0 + MIN }],
        },
      ]),
    );
    expect(reasons(late)).toEqual(['out_of_order']);
    expect(await totals(t, 'svc_checkout/requests')).toMatchObject({ good: 20, total: 20 });
  });
});

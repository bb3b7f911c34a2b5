import { describe, expect, it } from 'vitest';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { DecodedBatch } from '../../../shared/domain/telemetry/model.js';
import {
  decodeOtlp,
  decodeOtlpResponse,
  encodeOtlpRequest,
  encodeOtlpResponse,
  otlpEncoding,
  otlpMetricName,
} from '../../../shared/domain/telemetry/otlp.js';
import { refusal, thrown } from '../../helpers/refusal.js';
import { histogramPoint } from '../../helpers/telemetry.js';
import { testLimits, tooManySamples } from '../../helpers/telemetry-limits.js';

/**
 * The OTLP decoder on its own (otlp.ts): each rule of docs/telemetry.md's OTLP table read off the decoded batch as a
 * whole (series, labels, types and their sources, points, histogram points, refusals with their paths and
 * messages), the Content-Type and the answer, and every way a body is refused. Bodies are built as the other OTLP
 * tests build them: the OTLP/JSON shape, encoded by protobufjs from the official opentelemetry-proto messages.
 */

const LIMITS = testLimits({ acceptedLatenessMinutes: 4320 });

type Attrs = Record<string, string>;
const kv = (attrs: Attrs) => Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));

/** An OTLP/JSON ExportMetricsServiceRequest with one resource and one scope. */
const request = (metrics: unknown[], resource: Attrs = { 'service.name': 'checkout' }) => ({
  resourceMetrics: [{ resource: { attributes: kv(resource) }, scopeMetrics: [{ metrics }] }],
});

const M0 = 'resourceMetrics[0].scopeMetrics[0].metrics[0]';
const M1 = 'resourceMetrics[0].scopeMetrics[0].metrics[1]';
const CHECKOUT = { service_name: 'checkout', job: 'checkout' };

/** The body as protobuf (as the SDK's proto exporter sends it), decoded. */
const fromProtobuf = (body: unknown, limits = LIMITS): DecodedBatch =>
  decodeOtlp(encodeOtlpRequest(body), 'protobuf', limits);
/** The body as OTLP/JSON text, decoded. */
const fromJson = (body: unknown): DecodedBatch =>
  decodeOtlp(new TextEncoder().encode(JSON.stringify(body)), 'json', LIMITS);

/** A series of one number point, as decodeOtlp builds it. */
function numberSeries(o: {
  metric: string;
  labels?: Record<string, string>;
  path: string;
  index: number;
  type: string | undefined;
  source: string;
  unit?: string;
  value: number | null;
  time: number;
  startMs?: number;
}) {
  return {
    series: { metric: o.metric, labels: o.labels ?? CHECKOUT },
    path: o.path,
    pointField: 'dataPoints',
    firstIndex: o.index,
    type: o.type,
    typeSource: o.source,
    unit: o.unit,
    epochUnit: 'ms',
    points: [{ index: o.index, value: o.value, time: o.time, startMs: o.startMs }],
    paths: [o.path],
  };
}

/** A batch as decodeOtlp answers it: its series, its refusals, and its sample, series and malformed-series counts. */
const batch = (
  series: unknown[],
  malformed: unknown[],
  [sampleCount, seriesCount, malformedSeries]: number[],
) => ({
  format: 'otlp',
  series,
  malformed,
  sampleCount,
  seriesCount,
  malformedSeries,
});

/** The refusals of one reason and message, one per point: `(index, path)` gives each. */
const refused = (reason: string, message: string) => (index: number, path: string) => ({
  index,
  path,
  reason,
  message,
});

/** A Gauge metric of these points. */
const gaugeMetric = (name: string, dataPoints: unknown[]) => ({ name, gauge: { dataPoints } });
/** The Gauge `g` with one point, at time 0 and with no value. */
const onePoint = () => gaugeMetric('g', [{ timeUnixNano: '0' }]);

/** The refusal of a point flagged NO_RECORDED_VALUE. */
const stale = refused('stale_marker', 'the point is flagged NO_RECORDED_VALUE: it carries no measurement');

const CUM = 'AGGREGATION_TEMPORALITY_CUMULATIVE';
const DELTA = 'AGGREGATION_TEMPORALITY_DELTA';

/** A Sum metric of these points; with no `temporality`, one that does not say its aggregation temporality. */
const sumMetric = (
  name: string,
  temporality: string | undefined,
  isMonotonic: boolean,
  dataPoints: unknown[],
) => ({
  name,
  sum: { ...(temporality ? { aggregationTemporality: temporality } : {}), isMonotonic, dataPoints },
});

/** An ExponentialHistogram metric of these points. */
const expHistogram = (temporality: string, dataPoints: unknown[], name = 'e') => ({
  name,
  exponentialHistogram: { aggregationTemporality: temporality, dataPoints },
});

describe('which OTLP encoding a Content-Type names', () => {
  it.each([
    ['application/x-protobuf', 'protobuf'],
    ['Application/X-Protobuf', 'protobuf'],
    ['  application/x-protobuf ; charset=binary', 'protobuf'],
    ['application/json', 'json'],
    ['APPLICATION/JSON; charset=utf-8', 'json'],
  ])('reads "%s" as %s', (contentType, want) => {
    expect(otlpEncoding(contentType)).toBe(want);
  });

  for (const [name, contentType, named] of [
    ['refuses another type with 415, naming it', 'Text/Plain; charset=utf-8', 'text/plain'],
    ['refuses a missing type with 415, saying there was none', ' ; charset=utf-8', '(none)'],
  ] as const) {
    it(name, () => {
      expect(thrown(() => otlpEncoding(contentType))).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(refusal(() => otlpEncoding(contentType))).toEqual({
        name: 'UnsupportedMediaTypeError',
        message: 'OTLP/HTTP takes application/x-protobuf or application/json',
        details: [
          { path: 'Content-Type', problem: `"${named}" is not application/x-protobuf or application/json` },
        ],
      });
    });
  }
});

describe('the OTLP answer (ExportMetricsServiceResponse)', () => {
  it('in JSON is an empty object when nothing was rejected', () => {
    expect(encodeOtlpResponse('json', undefined)).toEqual({ body: '{}', contentType: 'application/json' });
  });

  it('in JSON carries partialSuccess with the count as a decimal string, as OTLP/JSON writes an int64', () => {
    expect(encodeOtlpResponse('json', { rejectedDataPoints: 3, errorMessage: 'three bad' })).toEqual({
      body: '{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"three bad"}}',
      contentType: 'application/json',
    });
  });

  it('in protobuf is an empty message when nothing was rejected, which a client reads as no partial success', () => {
    const r = encodeOtlpResponse('protobuf', undefined);
    expect(r.contentType).toBe('application/x-protobuf');
    expect(Array.from(r.body as Uint8Array)).toEqual([]);
    expect(decodeOtlpResponse(r.body as Uint8Array)).toEqual({});
    expect(decodeOtlpResponse(r.body as Uint8Array)).not.toHaveProperty('partialSuccess');
  });

  it('in protobuf carries partial_success, read back as a client reads it (the count as a number)', () => {
    const r = encodeOtlpResponse('protobuf', { rejectedDataPoints: 2, errorMessage: 'two bad' });
    expect(r.contentType).toBe('application/x-protobuf');
    expect(decodeOtlpResponse(r.body as Uint8Array)).toEqual({
      partialSuccess: { rejectedDataPoints: 2, errorMessage: 'two bad' },
    });
  });
});

describe('OTLP names as Prometheus names', () => {
  it.each([
    // Each unit's suffix.
    ['t', 'ns', false, 't_nanoseconds'],
    ['t', 'us', false, 't_microseconds'],
    ['t', 'ms', false, 't_milliseconds'],
    ['t', 's', false, 't_seconds'],
    ['t', 'min', false, 't_minutes'],
    ['t', 'h', false, 't_hours'],
    ['t', 'By', false, 't_bytes'],
    // A unit without a suffix, an annotation, none.
    ['t', '1', false, 't'],
    ['t', '{request}', true, 't_total'],
    ['t', '', false, 't'],
    // The suffix is not repeated; it goes before _total.
    ['t_seconds', 's', false, 't_seconds'],
    ['t_seconds', 's', true, 't_seconds_total'],
    ['t_seconds_total', 's', true, 't_seconds_total'],
    ['t_total', 's', true, 't_seconds_total'],
    ['t_total', 's', false, 't_seconds_total'],
    ['t_seconds_total', 's', false, 't_seconds_seconds_total'],
    ['t_total', '', true, 't_total'],
    ['t_total', '', false, 't_total'],
    // Other characters become `_`, a run of them one `_`; `:` stays; a leading digit gets a `_`.
    ['Http.Server..Duration-9', '', false, 'Http_Server_Duration_9'],
    ['a:b/c', '', false, 'a:b_c'],
    ['a__b', '', false, 'a_b'],
    ['a...b', '', false, 'a_b'],
    ['9lives', '', false, '_9lives'],
    ['x9', '', false, 'x9'],
  ])('%s (unit "%s", monotonic %s) is %s', (name, unit, monotonic, want) => {
    expect(otlpMetricName(name, unit, monotonic)).toBe(want);
  });
});

describe('OTLP Gauges and Sums as series', () => {
  it('reads a Gauge as a reading of its own series per point: labels, unit, value, millisecond time', () => {
    const b = fromProtobuf(
      request([
        {
          unit: 'ms',
          ...gaugeMetric('probe.up', [
            { attributes: kv({ 'http.route': '/a' }), timeUnixNano: '1499999', asDouble: 0.5 },
            { attributes: kv({ 'http.route': '/b' }), timeUnixNano: '2500000', asInt: '7' },
            { attributes: kv({ 'http.route': '/c' }), timeUnixNano: '3000000' },
          ]),
        },
      ]),
    );
    const point = (i: number, route: string, value: number | null, time: number) =>
      numberSeries({
        metric: 'probe_up_milliseconds',
        labels: { ...CHECKOUT, http_route: route },
        path: `${M0}.gauge.dataPoints[${i}]`,
        index: i,
        type: 'gauge',
        source: 'Gauge',
        unit: 'ms',
        value,
        time,
      });
    expect(b).toEqual(
      batch([point(0, '/a', 0.5, 1), point(1, '/b', 7, 3), point(2, '/c', null, 3)], [], [3, 3, 0]),
    );
  });

  it('reads a cumulative monotonic Sum as a counter with its start time, an absent or zero start as none', () => {
    const b = fromProtobuf(
      request([
        {
          unit: '{request}',
          ...sumMetric('http.requests', CUM, true, [
            {
              attributes: kv({ code: '200' }),
              startTimeUnixNano: '1000000000',
              timeUnixNano: '61000000000',
              asInt: '10',
            },
            {
              attributes: kv({ code: '500' }),
              startTimeUnixNano: '0',
              timeUnixNano: '61000000000',
              asDouble: 2,
            },
            { attributes: kv({ code: '503' }), timeUnixNano: '61000000000', asDouble: 1 },
          ]),
        },
      ]),
    );
    const counter = (i: number, code: string, value: number, startMs: number | undefined) =>
      numberSeries({
        metric: 'http_requests_total',
        labels: { ...CHECKOUT, code },
        path: `${M0}.sum.dataPoints[${i}]`,
        index: i,
        type: 'counter',
        source: 'Sum (cumulative, monotonic)',
        unit: 'count',
        value,
        time: 61_000,
        startMs,
      });
    expect(b.series).toEqual([
      counter(0, '200', 10, 1000),
      counter(1, '500', 2, undefined),
      counter(2, '503', 1, undefined),
    ]);
    expect(b.series[0]!.points[0]).toHaveProperty('startMs', 1000);
    expect(b.malformed).toEqual([]);
  });

  it('reads a negative start time sent in OTLP/JSON as none', () => {
    const b = fromJson(
      request([
        sumMetric('c', CUM, true, [{ startTimeUnixNano: '-5000000', timeUnixNano: '7000000', asDouble: 1 }]),
      ]),
    );
    expect(b.series[0]!.points).toEqual([{ index: 0, value: 1, time: 7, startMs: undefined }]);
  });

  it('gives each Sum its type and a source naming temporality and monotonicity; a start time only to a counter', () => {
    const sum = (name: string, temporality: string | undefined, isMonotonic: boolean) =>
      sumMetric(name, temporality, isMonotonic, [
        { startTimeUnixNano: '1000000', timeUnixNano: '2000000', asDouble: 4 },
      ]);
    const b = fromProtobuf(
      request([
        sum('a', DELTA, true),
        sum('b', CUM, false),
        sum('c', undefined, true),
        sum('d', undefined, false),
      ]),
    );
    const s = (i: number, metric: string, type: string | undefined, source: string) =>
      numberSeries({
        metric,
        path: `resourceMetrics[0].scopeMetrics[0].metrics[${i}].sum.dataPoints[0]`,
        index: i,
        type,
        source,
        value: 4,
        time: 2,
      });
    expect(b).toEqual(
      batch(
        [
          s(0, 'a_total', 'delta', 'Sum (delta, monotonic)'),
          s(1, 'b', 'gauge', 'Sum (cumulative, not monotonic)'),
          s(2, 'c_total', undefined, 'Sum (unspecified temporality, monotonic)'),
          s(3, 'd', 'gauge', 'Sum (unspecified temporality, not monotonic)'),
        ],
        [],
        [4, 4, 0],
      ),
    );
    for (const x of b.series) expect(x).not.toHaveProperty('delta');
    expect(b.series[0]!.points[0]!.startMs).toBeUndefined();
    expect(b.series[1]!.points[0]!.startMs).toBeUndefined();
  });

  it('refuses each point of a delta non-monotonic Sum and each point flagged NO_RECORDED_VALUE, indexing on', () => {
    const b = fromProtobuf(
      request([
        sumMetric('queue.change', DELTA, false, [
          { timeUnixNano: '1000000', asDouble: 1 },
          { timeUnixNano: '2000000', asDouble: 2 },
        ]),
        gaugeMetric('g', [
          { timeUnixNano: '1000000', flags: 1 },
          // Other flags say nothing about the value.
          { timeUnixNano: '3000000', asDouble: 3, flags: 2 },
          { timeUnixNano: '4000000', flags: 3 },
        ]),
      ]),
    );
    const mismatch = refused(
      'type_mismatch',
      'a delta non-monotonic Sum is a change of a value: neither events nor a reading (export it cumulative)',
    );
    expect(b).toEqual(
      batch(
        [
          numberSeries({
            metric: 'g',
            path: `${M1}.gauge.dataPoints[1]`,
            index: 3,
            type: 'gauge',
            source: 'Gauge',
            value: 3,
            time: 3,
          }),
        ],
        [
          mismatch(0, `${M0}.sum.dataPoints[0]`),
          mismatch(1, `${M0}.sum.dataPoints[1]`),
          stale(2, `${M1}.gauge.dataPoints[0]`),
          stale(4, `${M1}.gauge.dataPoints[2]`),
        ],
        [5, 5, 4],
      ),
    );
  });

  it('reads a metric that carries a Gauge and a delta Histogram too (protobufjs keeps both) by its Gauge', () => {
    const b = fromJson(
      request([
        {
          name: 'g',
          gauge: { dataPoints: [{ timeUnixNano: '1000000', asDouble: 1 }] },
          histogram: { aggregationTemporality: DELTA, dataPoints: [] },
        },
      ]),
    );
    expect(b.malformed).toEqual([]);
    expect(b.series).toEqual([
      numberSeries({
        metric: 'g',
        path: `${M0}.gauge.dataPoints[0]`,
        index: 0,
        type: 'gauge',
        source: 'Gauge',
        value: 1,
        time: 1,
      }),
    ]);
  });

  it('counts points of the same name and labels as one series, and each other label set as another', () => {
    const b = fromProtobuf(
      request([
        gaugeMetric('g', [
          { attributes: kv({ a: '1' }), timeUnixNano: '1000000', asDouble: 1 },
          { attributes: kv({ a: '1' }), timeUnixNano: '2000000', asDouble: 2 },
          { attributes: kv({ a: '2' }), timeUnixNano: '2000000', asDouble: 2 },
        ]),
        gaugeMetric('h', [{ attributes: kv({ a: '1' }), timeUnixNano: '1000000' }]),
      ]),
    );
    expect(b.series.map((s) => s.firstIndex)).toEqual([0, 1, 2, 3]);
    expect([b.sampleCount, b.seriesCount, b.malformedSeries]).toEqual([4, 3, 0]);
  });
});

describe('the unit Accord reads off an OTLP metric', () => {
  it.each([
    ['s', 's'],
    ['{request}', 'count'],
    ['{}', 'count'],
    ['ms{x}', 'ms{x}'],
    ['{x}ms', '{x}ms'],
    ['{a}}', '{a}}'],
    ['', undefined],
  ])('reads the unit "%s" as %s', (unit, want) => {
    const b = fromProtobuf(request([{ name: 'g', unit, gauge: { dataPoints: [{ timeUnixNano: '0' }] } }]));
    expect(b.series[0]!.unit).toBe(want);
  });
});

describe('OTLP attributes as labels', () => {
  const withValue = (value: unknown) =>
    request(
      [{ name: 'g', gauge: { dataPoints: [{ attributes: [{ key: 'v', value }], timeUnixNano: '0' }] } }],
      {},
    );

  it.each([
    ['a string', { stringValue: 'x y' }, 'x y'],
    ['an empty string', { stringValue: '' }, ''],
    ['a bool', { boolValue: false }, 'false'],
    ['an int', { intValue: '-42' }, '-42'],
    ['a double', { doubleValue: 2.5 }, '2.5'],
    [
      'an array (as JSON of its values as text)',
      { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'b' }, {}] } },
      '["1","b",""]',
    ],
    ['an empty array', { arrayValue: {} }, '[]'],
    [
      'a key-value list (as a JSON object)',
      {
        kvlistValue: {
          values: [
            { key: 'k', value: { boolValue: true } },
            { key: 'n', value: { arrayValue: { values: [{ doubleValue: 1.5 }] } } },
            { key: 'e' },
          ],
        },
      },
      '{"k":"true","n":"[\\"1.5\\"]","e":""}',
    ],
    ['an empty key-value list', { kvlistValue: {} }, '{}'],
    ['bytes (as base64)', { bytesValue: 'AQID/w==' }, 'AQID/w=='],
    ['no value', {}, ''],
  ])('reads %s', (_what, value, want) => {
    expect(fromProtobuf(withValue(value)).series[0]!.series.labels).toEqual({ v: want });
    expect(fromJson(withValue(value)).series[0]!.series.labels).toEqual({ v: want });
  });

  it('reads an attribute without a value as empty', () => {
    const body = request(
      [{ name: 'g', gauge: { dataPoints: [{ attributes: [{ key: 'v' }], timeUnixNano: '0' }] } }],
      {},
    );
    expect(fromProtobuf(body).series[0]!.series.labels).toEqual({ v: '' });
  });

  it('sanitises label names: other characters than [a-zA-Z0-9_] become `_` one by one, a leading digit gets `key_`', () => {
    const labels = fromProtobuf(
      request(
        [
          gaugeMetric('g', [
            { attributes: kv({ 'a..b': '1', 'c:D-9': '2', '0x': '3', Zz_9: '4' }), timeUnixNano: '0' },
          ]),
        ],
        {},
      ),
    ).series[0]!.series.labels;
    expect(labels).toEqual({ a__b: '1', c_D_9: '2', key_0x: '3', Zz_9: '4' });
  });

  for (const [name, resource, labels] of [
    [
      'derives job from service.namespace/service.name and instance from service.instance.id',
      { 'service.namespace': 'shop', 'service.name': 'cart', 'service.instance.id': 'pod-1' },
      {
        service_namespace: 'shop',
        service_name: 'cart',
        service_instance_id: 'pod-1',
        job: 'shop/cart',
        instance: 'pod-1',
      },
    ],
    [
      'keeps a resource’s own job and instance attributes instead of deriving them',
      { 'service.name': 'cart', 'service.instance.id': 'pod-1', job: 'batch', instance: 'host:9' },
      { service_name: 'cart', service_instance_id: 'pod-1', job: 'batch', instance: 'host:9' },
    ],
  ] as const) {
    it(name, () => {
      const b = fromProtobuf(request([onePoint()], resource));
      expect(b.series[0]!.series.labels).toEqual(labels);
      expect(b.series[0]!.labelProblem).toBeUndefined();
    });
  }

  it('takes job from service.name alone when the namespace is empty, and derives neither without their attributes', () => {
    const one = fromProtobuf(
      request([onePoint()], {
        'service.namespace': '',
        'service.name': '',
      }),
    );
    expect(one.series[0]!.series.labels).toEqual({ service_namespace: '', service_name: '', job: '' });
    const none = fromProtobuf(request([onePoint()], { host: 'h' }));
    expect(Object.entries(none.series[0]!.series.labels)).toEqual([['host', 'h']]);
  });

  it('names an empty attribute key, and a label given twice, as the series’ label problem (the first one found)', () => {
    const b = fromProtobuf(
      request(
        [
          gaugeMetric('g', [
            { attributes: [...kv({ '': 'e' }), ...kv({ 'a.b': '1', a_b: '2' })], timeUnixNano: '0' },
            { attributes: kv({ 'a.b': '1', a_b: '2' }), timeUnixNano: '0' },
            { attributes: kv({ 'service.name': 'other' }), timeUnixNano: '0' },
            { attributes: [...kv({ 'a.b': '1', a_b: '2' }), ...kv({ '': 'e' })], timeUnixNano: '0' },
          ]),
        ],
        { 'service.name': 'cart' },
      ),
    );
    const twice = (name: string) =>
      `has the label "${name}" twice (an attribute of the point and of its resource, or two keys that differ only in characters a label name cannot hold)`;
    expect(b.series.map((s) => [s.series.labels, s.labelProblem])).toEqual([
      [
        { service_name: 'cart', job: 'cart', '': 'e', a_b: '2' },
        { path: `${M0}.gauge.dataPoints[0].attributes`, problem: 'has an attribute with an empty key' },
      ],
      [
        { service_name: 'cart', job: 'cart', a_b: '2' },
        { path: `${M0}.gauge.dataPoints[1].attributes`, problem: twice('a_b') },
      ],
      [
        { service_name: 'other', job: 'cart' },
        { path: `${M0}.gauge.dataPoints[2].attributes`, problem: twice('service_name') },
      ],
      [
        { service_name: 'cart', job: 'cart', a_b: '2', '': 'e' },
        { path: `${M0}.gauge.dataPoints[3].attributes`, problem: twice('a_b') },
      ],
    ]);
  });
});

describe('OTLP metrics that carry nothing readable', () => {
  it('refuses a nameless metric once per data point (at least once), at its name', () => {
    const b = fromProtobuf(
      request([
        { gauge: { dataPoints: [{ timeUnixNano: '0' }, { timeUnixNano: '1' }] } },
        { unit: 's', sum: { dataPoints: [] } },
        { name: '' },
      ]),
    );
    const m = (i: number) => `resourceMetrics[0].scopeMetrics[0].metrics[${i}].name`;
    const r = refused('malformed', 'the metric has no name');
    expect(b).toEqual(batch([], [r(0, m(0)), r(1, m(0)), r(2, m(1)), r(3, m(2))], [4, 4, 4]));
  });

  it('refuses a metric with no data, and one whose data has no points, naming the field for each kind', () => {
    const b = fromProtobuf(
      request([
        { name: 'a' },
        { name: 'b', gauge: {} },
        { name: 'c', sum: { isMonotonic: true } },
        { name: 'd', histogram: {} },
        { name: 'e', exponentialHistogram: {} },
        { name: 'f', summary: {} },
      ]),
    );
    const m = (i: number) => `resourceMetrics[0].scopeMetrics[0].metrics[${i}]`;
    const noData = refused(
      'malformed',
      'the metric carries no data (gauge, sum, histogram, exponentialHistogram or summary)',
    );
    const none = refused('malformed', 'the metric has no data points');
    expect(b).toEqual(
      batch(
        [],
        [
          noData(0, m(0)),
          none(1, `${m(1)}.gauge.dataPoints`),
          none(2, `${m(2)}.sum.dataPoints`),
          none(3, `${m(3)}.histogram.dataPoints`),
          none(4, `${m(4)}.exponentialHistogram.dataPoints`),
          none(5, `${m(5)}.summary.dataPoints`),
        ],
        [6, 6, 6],
      ),
    );
  });

  it('refuses each point of a Summary: its quantiles cannot be added into events', () => {
    const b = fromProtobuf(
      request([
        {
          name: 'rpc.latency',
          summary: {
            dataPoints: [
              { timeUnixNano: '0', count: '3', sum: 1 },
              { timeUnixNano: '1', count: '1' },
            ],
          },
        },
      ]),
    );
    const notEvents = refused(
      'summary_not_events',
      "a summary's quantiles are the client's estimates over its own window: they cannot be added into events (export a histogram)",
    );
    expect(b.malformed).toEqual([
      notEvents(0, `${M0}.summary.dataPoints[0]`),
      notEvents(1, `${M0}.summary.dataPoints[1]`),
    ]);
    expect([b.series, b.sampleCount, b.seriesCount, b.malformedSeries]).toEqual([[], 2, 2, 2]);
  });
});

describe('OTLP histograms as histogram points', () => {
  const hist = (temporality: string | undefined, points: unknown[], name = 'http.duration') => ({
    name,
    unit: 's',
    histogram: { ...(temporality ? { aggregationTemporality: temporality } : {}), dataPoints: points },
  });

  it('reads a cumulative explicit histogram: bounds up to +Inf, counts, count, its start time', () => {
    const b = fromProtobuf(
      request([
        hist(CUM, [
          {
            attributes: kv({ route: '/a' }),
            startTimeUnixNano: '1000000',
            timeUnixNano: '61000000',
            count: '6',
            sum: 1.2,
            bucketCounts: ['2', '3', '1'],
            explicitBounds: [0.1, 0.3],
          },
        ]),
      ]),
    );
    const path = `${M0}.histogram.dataPoints[0]`;
    expect(b).toEqual(
      batch(
        [
          {
            series: { metric: 'http_duration_seconds', labels: { ...CHECKOUT, route: '/a' } },
            path,
            pointField: 'dataPoints',
            firstIndex: 0,
            type: 'native-histogram',
            typeSource: 'Histogram (cumulative)',
            unit: 's',
            epochUnit: 'ms',
            points: [],
            paths: [path],
            histograms: [
              histogramPoint({
                index: 0,
                time: 61,
                count: 6,
                bounds: [0.1, 0.3, Number.POSITIVE_INFINITY],
                counts: [2, 3, 1],
                explicit: true,
                startMs: 1,
              }),
            ],
          },
        ],
        [],
        [1, 1, 0],
      ),
    );
    expect(b.series[0]).not.toHaveProperty('delta');
  });

  it('reads a delta histogram as delta, with no start time; one without buckets has no bounds', () => {
    const b = fromProtobuf(
      request([
        hist(DELTA, [
          {
            startTimeUnixNano: '1000000',
            timeUnixNano: '2000000',
            count: '2',
            bucketCounts: ['1', '1'],
            explicitBounds: [5],
          },
          { timeUnixNano: '3000000', count: '4', explicitBounds: [1, 2] },
          { timeUnixNano: '4000000' },
        ]),
      ]),
    );
    const delta = (point: Parameters<typeof histogramPoint>[0]) => [
      'Histogram (delta)',
      true,
      [histogramPoint({ ...point, explicit: true })],
    ];
    expect(b.series.map((s) => [s.typeSource, s.delta, s.histograms])).toEqual([
      delta({ index: 0, time: 2, count: 2, bounds: [5, Number.POSITIVE_INFINITY], counts: [1, 1] }),
      delta({ index: 1, time: 3, count: 4 }),
      delta({ index: 2, time: 4, count: 0 }),
    ]);
    for (const s of b.series) expect(s.histograms![0]).not.toHaveProperty('startMs');
    for (const s of b.series) expect(s.histograms![0]).not.toHaveProperty('problem');
  });

  it.each([
    [
      [1, 2],
      ['1', '1'],
      '2',
      'has 2 bucket counts for 2 explicit bounds (there must be one more count than bounds)',
    ],
    [
      [1],
      ['1', '1', '1'],
      '3',
      'has 3 bucket counts for 1 explicit bounds (there must be one more count than bounds)',
    ],
    [[1, 1], ['1', '1', '1'], '3', 'has explicit bounds that are not finite and strictly increasing'],
    [[2, 1], ['1', '1', '1'], '3', 'has explicit bounds that are not finite and strictly increasing'],
    [
      [1, 'Infinity'],
      ['1', '1', '1'],
      '3',
      'has explicit bounds that are not finite and strictly increasing',
    ],
    [
      ['-Infinity', 1],
      ['1', '1', '1'],
      '3',
      'has explicit bounds that are not finite and strictly increasing',
    ],
    [['NaN'], ['1', '1'], '2', 'has explicit bounds that are not finite and strictly increasing'],
    [[1, 2], ['1', '1', '1'], '4', 'has bucket counts adding up to 3, not its count 4'],
    [[1, 2], ['1', '2', '0'], '1', 'has bucket counts adding up to 3, not its count 1'],
  ])('names the problem of bounds %j with counts %j and count %s', (bounds, counts, count, problem) => {
    const b = fromProtobuf(
      request([hist(DELTA, [{ timeUnixNano: '0', count, bucketCounts: counts, explicitBounds: bounds }])]),
    );
    expect(b.series[0]!.histograms![0]!.problem).toBe(problem);
    expect(b.malformed).toEqual([]);
  });

  it('takes bounds that increase, with no problem', () => {
    const b = fromProtobuf(
      request([
        hist(DELTA, [
          { timeUnixNano: '0', count: '3', bucketCounts: ['1', '1', '1'], explicitBounds: [0, 1] },
        ]),
      ]),
    );
    expect(b.series[0]!.histograms![0]).not.toHaveProperty('problem');
    expect(b.series[0]!.histograms![0]!.bounds).toEqual([0, 1, Number.POSITIVE_INFINITY]);
  });

  it('refuses each point of a histogram that does not say its temporality, and each NO_RECORDED_VALUE point', () => {
    const b = fromProtobuf(
      request([
        hist(undefined, [{ timeUnixNano: '0' }, { timeUnixNano: '1' }]),
        expHistogram(CUM, [
          { timeUnixNano: '0', flags: 1 },
          { timeUnixNano: '5000000', flags: 2, count: '0' },
        ]),
      ]),
    );
    const unknown = refused(
      'unknown_type',
      'a histogram must say its aggregation temporality (delta or cumulative)',
    );
    expect(b.malformed).toEqual([
      unknown(0, `${M0}.histogram.dataPoints[0]`),
      unknown(1, `${M0}.histogram.dataPoints[1]`),
      stale(2, `${M1}.exponentialHistogram.dataPoints[0]`),
    ]);
    expect(b.series.map((s) => [s.path, s.firstIndex, s.typeSource, s.histograms![0]!.time])).toEqual([
      [`${M1}.exponentialHistogram.dataPoints[1]`, 3, 'ExponentialHistogram (cumulative)', 5],
    ]);
    expect([b.sampleCount, b.seriesCount, b.malformedSeries]).toEqual([4, 4, 3]);
  });

  it('reads an exponential histogram: bucket upper bounds 2^((i+1)·2^−scale), zero and negative buckets', () => {
    const b = fromProtobuf(
      request([
        {
          unit: 'ms',
          ...expHistogram(
            DELTA,
            [
              {
                startTimeUnixNano: '1000000',
                timeUnixNano: '9000000',
                count: '12',
                scale: 1,
                zeroCount: '2',
                zeroThreshold: 0.001,
                positive: { offset: -1, bucketCounts: ['1', '2', '3'] },
                negative: { offset: 4, bucketCounts: ['3', '1'] },
              },
            ],
            'lat',
          ),
        },
      ]),
    );
    const path = `${M0}.exponentialHistogram.dataPoints[0]`;
    expect(b.series).toEqual([
      {
        series: { metric: 'lat_milliseconds', labels: CHECKOUT },
        path,
        pointField: 'dataPoints',
        firstIndex: 0,
        type: 'native-histogram',
        typeSource: 'ExponentialHistogram (delta)',
        unit: 'ms',
        epochUnit: 'ms',
        points: [],
        paths: [path],
        delta: true,
        histograms: [
          histogramPoint({
            index: 0,
            time: 9,
            count: 12,
            zeroCount: 2,
            zeroThreshold: 0.001,
            bounds: [1, Math.SQRT2, 2],
            counts: [1, 2, 3],
            negativeCount: 4,
          }),
        ],
      },
    ]);
    expect(b.series[0]!.histograms![0]).not.toHaveProperty('explicit');
    expect(b.series[0]!.histograms![0]).not.toHaveProperty('problem');
  });

  it('reads the scales at either end of OTLP’s range, and an empty point', () => {
    const exp = (scale: number, positive: unknown, count: string) =>
      expHistogram(CUM, [{ timeUnixNano: '0', scale, count, positive }]);
    const b = fromProtobuf(
      request([
        exp(-10, { offset: 0, bucketCounts: ['1'] }, '1'),
        exp(20, { offset: 0, bucketCounts: ['1'] }, '1'),
        exp(0, undefined, '0'),
        exp(-2, { offset: 1, bucketCounts: ['1', '1'] }, '2'),
      ]),
    );
    expect(b.series.map((s) => [s.histograms![0]!.bounds, s.histograms![0]!.problem])).toEqual([
      [[2 ** 1024], undefined],
      [[2 ** (2 ** -20)], undefined],
      [[], undefined],
      [[2 ** 8, 2 ** 12], undefined],
    ]);
  });

  it.each([
    [-11, "scale -11 is outside OTLP's −10 to 20"],
    [21, "scale 21 is outside OTLP's −10 to 20"],
  ])('refuses scale %d as the point’s problem, reading no buckets', (scale, problem) => {
    const b = fromProtobuf(
      request([
        expHistogram(CUM, [{ timeUnixNano: '0', scale, count: '1', positive: { bucketCounts: ['1'] } }]),
      ]),
    );
    expect(b.series[0]!.histograms).toEqual([
      histogramPoint({ index: 0, time: 0, count: 1, problem, startMs: undefined }),
    ]);
  });

  it('names an exponential histogram whose buckets do not add up to its count', () => {
    const b = fromProtobuf(
      request([
        expHistogram(DELTA, [
          {
            timeUnixNano: '0',
            count: '10',
            zeroCount: '1',
            positive: { bucketCounts: ['2', '3'] },
            negative: { bucketCounts: ['1'] },
          },
        ]),
      ]),
    );
    expect(b.series[0]!.histograms![0]!.problem).toBe(
      'has buckets adding up to 7 (zero bucket included), not its count 10',
    );
  });
});

describe('the data point limit', () => {
  const body = (points: number) =>
    request([
      { name: 'g', gauge: { dataPoints: Array.from({ length: points }, () => ({ timeUnixNano: '0' })) } },
      { name: 'nodata' },
      { name: 'empty', sum: {} },
    ]);

  it('takes a request of exactly the limit, counting a metric without points as one', () => {
    const b = fromProtobuf(body(3), { ...LIMITS, maxSamplesPerRequest: 5 });
    expect(b.sampleCount).toBe(5);
  });

  it('refuses a request past the limit with 413, naming both limits', () => {
    const limits = { ...LIMITS, maxSamplesPerRequest: 5, maxBodyBytes: 1000 };
    const e = thrown(() => fromProtobuf(body(4), limits));
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    expect(refusal(() => fromProtobuf(body(4), limits))).toEqual(
      tooManySamples({ carried: 6, max: 5, bytes: 1000, unit: 'data points' }),
    );
  });

  it('counts the points of every resource and scope, summaries included', () => {
    const many = {
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 's', summary: { dataPoints: [{}, {}] } }] }, { metrics: [] }] },
        { scopeMetrics: [{ metrics: [{ name: 'h', histogram: { dataPoints: [{}] } }] }] },
        {},
      ],
    };
    expect(() => fromProtobuf(many, { ...LIMITS, maxSamplesPerRequest: 3 })).not.toThrow();
    expect(() => fromProtobuf(many, { ...LIMITS, maxSamplesPerRequest: 2 })).toThrow(PayloadTooLargeError);
  });
});

describe('OTLP bodies over several resources and scopes', () => {
  it('names each point by its resource, scope and metric, with each resource’s own labels', () => {
    const b = fromProtobuf({
      resourceMetrics: [
        {
          resource: { attributes: kv({ 'service.name': 'a' }) },
          scopeMetrics: [{ metrics: [onePoint()] }, { metrics: [onePoint()] }],
        },
        {
          scopeMetrics: [{ metrics: [onePoint()] }],
        },
      ],
    });
    expect(b.series.map((s) => [s.path, s.series.labels])).toEqual([
      ['resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]', { service_name: 'a', job: 'a' }],
      ['resourceMetrics[0].scopeMetrics[1].metrics[0].gauge.dataPoints[0]', { service_name: 'a', job: 'a' }],
      ['resourceMetrics[1].scopeMetrics[0].metrics[0].gauge.dataPoints[0]', {}],
    ]);
    expect([b.sampleCount, b.seriesCount]).toEqual([3, 2]);
  });

  it('decodes an empty request as an empty batch, in either encoding', () => {
    const empty = batch([], [], [0, 0, 0]);
    expect(decodeOtlp(new Uint8Array(0), 'protobuf', LIMITS)).toEqual(empty);
    expect(decodeOtlp(new TextEncoder().encode('{}'), 'json', LIMITS)).toEqual(empty);
  });

  it('decodes OTLP/JSON as it decodes the same request in protobuf', () => {
    const body = request([
      sumMetric('c', CUM, true, [
        { attributes: kv({ k: 'v' }), startTimeUnixNano: '1000000', timeUnixNano: '2000000', asInt: '3' },
      ]),
    ]);
    expect(fromJson(body)).toEqual(fromProtobuf(body));
    expect(fromJson(body).series[0]!.points).toEqual([{ index: 0, value: 3, time: 2, startMs: 1 }]);
  });
});

describe('OTLP bodies that are not a request', () => {
  const invalid = 'the body is not a valid OTLP ExportMetricsServiceRequest';
  const notJson = 'the body is not an OTLP/JSON ExportMetricsServiceRequest';

  it('refuses a protobuf field sent with the wrong wire type, naming it', () => {
    // resourceMetrics[0].resource sent as a varint.
    const bytes = Uint8Array.from([0x0a, 0x02, 0x08, 0x01]);
    expect(refusal(() => decodeOtlp(bytes, 'protobuf', LIMITS))).toEqual({
      name: 'ValidationError',
      message: invalid,
      details: [
        {
          path: 'resourceMetrics[0].resource[0]',
          problem: 'is sent with wire type 0; its declaration implies wire type 2',
        },
      ],
    });
  });

  it('refuses a packed field that protobufjs cannot read, with protobufjs’s words', () => {
    // resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].explicitBounds: 3 bytes of doubles.
    const point = [0x3a, 0x03, 1, 2, 3];
    const histogram = [0x0a, point.length, ...point];
    const metric = [0x4a, histogram.length, ...histogram];
    const scope = [0x12, metric.length, ...metric];
    const resource = [0x12, scope.length, ...scope];
    const bytes = Uint8Array.from([0x0a, resource.length, ...resource]);
    const e = thrown(() => decodeOtlp(bytes, 'protobuf', LIMITS));
    expect(e).toBeInstanceOf(ValidationError);
    expect(refusal(() => decodeOtlp(bytes, 'protobuf', LIMITS))).toEqual({
      name: 'ValidationError',
      message: invalid,
      details: [{ path: '(body)', problem: 'index out of range: 12 + 8 > 15' }],
    });
  });

  it('refuses OTLP/JSON that is not UTF-8', () => {
    expect(refusal(() => decodeOtlp(Uint8Array.from([0x7b, 0xff, 0x7d]), 'json', LIMITS))).toEqual({
      name: 'ValidationError',
      message: 'malformed JSON',
      details: [{ path: '(body)', problem: 'is not valid UTF-8' }],
    });
  });

  it.each(['null', '[]', '5', '"x"', 'true'])('refuses the JSON value %s: a request is an object', (text) => {
    expect(refusal(() => decodeOtlp(new TextEncoder().encode(text), 'json', LIMITS))).toEqual({
      name: 'ValidationError',
      message: notJson,
      details: [{ path: '(body)', problem: 'must be a JSON object' }],
    });
  });

  it('refuses JSON with a key given twice, naming the key, and JSON it cannot parse', () => {
    const dup = refusal(() => decodeOtlp(new TextEncoder().encode('{"a": 1, "a": 2}'), 'json', LIMITS));
    expect([dup.name, (dup.details as { path: string }[]).map((d) => d.path)]).toEqual([
      'ValidationError',
      ['a'],
    ]);
    const bad = refusal(() => decodeOtlp(new TextEncoder().encode('{"a": '), 'json', LIMITS));
    expect([bad.name, bad.message, (bad.details as { path: string }[]).map((d) => d.path)]).toEqual([
      'ValidationError',
      'malformed JSON',
      ['(body)'],
    ]);
  });

  it.each([
    ['a request field by its name', { resourceMetrics: 5 }, 'resourceMetrics', 'array expected'],
    [
      'a nested field by its message and name',
      { resourceMetrics: [{ scopeMetrics: {} }] },
      'ResourceMetrics.scopeMetrics',
      'array expected',
    ],
    [
      'a field deeper down',
      { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: 'x' }] }] }] },
      'Metric.gauge',
      'object expected',
    ],
  ])('names %s when the JSON has the wrong shape', (_what, json, path, problem) => {
    expect(refusal(() => fromJson(json))).toEqual({
      name: 'ValidationError',
      message: notJson,
      details: [{ path, problem }],
    });
  });

  it('gives protobufjs’s own words when they name no field', () => {
    const json = request([
      { name: 'g', gauge: { dataPoints: [{ attributes: [{ key: 'b', value: { bytesValue: '!!!!' } }] }] } },
    ]);
    expect(refusal(() => fromJson(json))).toEqual({
      name: 'ValidationError',
      message: notJson,
      details: [{ path: '(body)', problem: 'invalid encoding' }],
    });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { CompiledPolicy, Target } from '../../../shared/domain/telemetry/mapping.js';
import type {
  DecodedBatch,
  DecodedPoint,
  DecodedSeries,
  NativeHistogramPoint,
  PreparedBatch,
  Sample,
} from '../../../shared/domain/telemetry/model.js';
import { MAX_VALUE, type PrepareContext, prepareBatch } from '../../../shared/domain/telemetry/prepare.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { policyJsonWith } from '../../helpers/telemetry.js';

/**
 * prepareBatch on decoded batches built by hand (the model every decoder produces), so that each rule of
 * preparation is seen on its own: label limits, mapping, the semantic type, values, units, bounds, times,
 * repeats within the batch, native histograms, and the paths rejections name.
 */

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
const VENDOR = 'test-vendor';
/** The policy below: an hour of accepted lateness, five minutes of future skew. */
const OLDEST = NOW - HOUR;
const NEWEST = NOW + 5 * MIN;

const RULES = [{ metric: 'probe', service: 'svc_checkout', sli: 'probe', measure: 'ratio' }];

async function testPolicy(): Promise<CompiledPolicy> {
  const json = (await policyJsonWith(RULES, VENDOR)) as {
    limits: Record<string, number>;
    vendors: Record<string, unknown>;
  };
  json.limits = {
    ...json.limits,
    acceptedLatenessMinutes: 60,
    maxFutureSkewSeconds: 300,
    maxLabelsPerSeries: 3,
    maxLabelNameLength: 8,
    maxLabelValueLength: 10,
  };
  json.vendors['slow-vendor'] = { acceptedLatenessMinutes: 120, rules: [] };
  return loadTelemetryPolicy(json);
}

const target = (over: Partial<Target> & Pick<Target, 'sli' | 'measure'>): Target => ({
  serviceId: 'svc_checkout',
  sliKey: `svc_checkout/${over.sli}`,
  unit: undefined,
  thresholdMs: undefined,
  ...over,
});
const RATIO = () => target({ sli: 'probe', measure: 'ratio' });
const GOOD = (type?: Target['type']) => target({ sli: 'requests', measure: 'good', type });
const DURATION = () => target({ sli: 'rpc', measure: 'duration', unit: 's', thresholdMs: 300 });
const VALUE = () => target({ sli: 'depth', measure: 'value' });
const LATENCY = (over: Partial<Target> = {}) =>
  target({ sli: 'latency', measure: 'duration', unit: 's', thresholdMs: 300, type: 'histogram', ...over });

type PointIn = Omit<DecodedPoint, 'index'> & { index?: number };

/** A series at `timeseries[n]` (points under `samples`), its points indexed from `firstIndex`. */
function series(
  n: number,
  firstIndex: number,
  points: PointIn[],
  over: Partial<DecodedSeries> = {},
): DecodedSeries {
  return {
    series: { metric: 'm', labels: {} },
    path: `timeseries[${n}]`,
    pointField: 'samples',
    firstIndex,
    epochUnit: 'ms',
    points: points.map((p, i) => ({ index: firstIndex + i, ...p })),
    ...over,
  };
}

function batch(list: DecodedSeries[], over: Partial<DecodedBatch> = {}): DecodedBatch {
  const count = list.reduce(
    (n, s) => n + (s.columns ? s.columnCount! : s.points.length) + (s.histograms?.length ?? 0),
    0,
  );
  return {
    format: 'accord-json',
    series: list,
    malformed: [],
    sampleCount: count,
    seriesCount: list.length,
    malformedSeries: 0,
    ...over,
  };
}

/** The accepted sample expected for a target (a gauge reading at NOW by default). */
function sample(t: Target, over: Partial<Sample> = {}): Sample {
  const s: Sample = {
    index: 0,
    vendorId: VENDOR,
    series: `${VENDOR}|${t.sliKey}|${t.measure}`,
    sliKey: t.sliKey,
    measure: t.measure,
    type: 'gauge',
    feed: t.measure as Sample['feed'],
    timestampMs: NOW,
    value: 1,
    events: 0,
    cumulative: false,
    rollup: true,
    ...over,
  };
  if (t.thresholdMs !== undefined && !('thresholdMs' in over)) s.thresholdMs = t.thresholdMs;
  return s;
}

const outcomes = (r: PreparedBatch) =>
  [...r.seriesOf].map(([key, e]) => [
    key,
    { samples: e.samples, accepted: e.accepted, unmapped: e.unmapped },
  ]);
const reasons = (r: PreparedBatch) => r.rejected.map((x) => [x.index, x.path, x.reason, x.message]);

let policy: CompiledPolicy;
let prepare: (b: DecodedBatch, over?: Partial<PrepareContext>) => PreparedBatch;

beforeEach(async () => {
  policy = await testPolicy();
  prepare = (b, over = {}) => prepareBatch(b, { vendorId: VENDOR, nowMs: NOW, policy, ...over });
});

describe('the prepared batch', () => {
  it('accepts a ratio reading with its series key, SLI, feed and counts, and names the submitted samples', () => {
    const s = series(0, 0, [{ value: 0.5, time: NOW }], {
      target: RATIO(),
      series: { metric: 'probe', labels: { job: 'a', az: 'b' } },
    });
    const r = prepare(batch([s], { sampleCount: 7, malformedSeries: 2 }));
    expect(r.accepted).toStrictEqual([
      sample(RATIO(), { value: 0.5, series: `${VENDOR}|svc_checkout/probe|ratio|az=b|job=a` }),
    ]);
    expect(r.submitted).toBe(7);
    expect(r.malformedSeries).toBe(2);
    expect(r.rejected).toEqual([]);
    expect(r.unmapped).toEqual([]);
    expect(outcomes(r)).toEqual([
      [`${VENDOR}|svc_checkout/probe|ratio|az=b|job=a`, { samples: 1, accepted: 1, unmapped: false }],
    ]);
  });

  it('keeps the malformed samples of the decoder and lists every rejection in index order', () => {
    const malformed = [
      { index: 2, path: 'timeseries[1]', reason: 'malformed', message: 'unreadable' },
      { index: 0, path: 'timeseries[0]', reason: 'malformed', message: 'unreadable too' },
    ];
    const a = series(0, 3, [
      { value: 2, time: NOW },
      { value: 0.5, time: NOW },
    ]);
    const b = series(1, 1, [{ value: -1, time: NOW }]);
    a.target = RATIO();
    b.target = RATIO();
    const r = prepare(batch([a, b], { malformed }));
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'malformed'],
      [1, 'ratio_out_of_range'],
      [2, 'malformed'],
      [3, 'ratio_out_of_range'],
    ]);
    expect(r.accepted.map((x) => x.index)).toEqual([4]);
    expect(malformed.map((x) => x.index)).toEqual([2, 0]);
  });

  it('names the body path of any index, through the series in index order', () => {
    const list = [
      series(0, 2, [
        { value: 1, time: NOW },
        { value: 1, time: NOW },
      ]),
      series(1, 4, [{ value: 1, time: NOW }], { pointField: '' }),
      series(2, 5, [
        { value: 1, time: NOW },
        { value: 1, time: NOW },
        { value: 1, time: NOW },
      ]),
      series(3, 8, [{ value: 1, time: NOW }], { pointField: 'points' }),
      series(4, 9, [
        { value: 1, time: NOW },
        { value: 1, time: NOW },
      ]),
    ];
    for (const s of list) s.labelProblem = { path: '', problem: 'skipped' };
    const r = prepare(batch(list));
    expect([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11].map((i) => r.pathOf(i))).toEqual([
      'samples[0]',
      'samples[1]',
      'timeseries[0].samples[0]',
      'timeseries[0].samples[1]',
      'samples[4]',
      'timeseries[2].samples[0]',
      'timeseries[2].samples[2]',
      'timeseries[3].points[0]',
      'timeseries[4].samples[0]',
      'timeseries[4].samples[1]',
      'timeseries[4].samples[2]',
    ]);
  });

  it('names the body path of an index in a batch of one series, and of none', () => {
    const one = prepare(batch([series(0, 0, [{ value: 1, time: NOW }], { target: RATIO() })]));
    expect(one.pathOf(0)).toBe('timeseries[0].samples[0]');
    expect(prepare(batch([])).pathOf(3)).toBe('samples[3]');
  });
});

describe('labels every format shares the limits of', () => {
  const labelCase = (labels: Record<string, string>) =>
    series(0, 0, [{ value: 1, time: NOW }], {
      target: RATIO(),
      series: { metric: 'probe', labels },
      histograms: [hist(1)],
    });

  it('accepts labels at the limits (3 labels, names of 8 characters, values of 10)', () => {
    const s = labelCase({ abcdefgh: '0123456789', b: '', c: '' });
    const r = prepare(batch([s]));
    expect(r.rejected.map((x) => x.reason)).toEqual(['type_mismatch']);
    expect(r.accepted).toHaveLength(1);
    expect(s.series.withinLimits).toBe(policy.limits);
  });

  it.each([
    ['one label too many', { a: '1', b: '2', c: '3', d: '4' }, 'the series has 4 labels; the limit is 3'],
    ['a name too long', { abcdefghi: '1' }, 'the label name "abcdefghi…" is longer than 8 characters'],
    [
      'a very long name (shown cut at 40 characters)',
      { ['n'.repeat(45)]: '1' },
      `the label name "${'n'.repeat(40)}…" is longer than 8 characters`,
    ],
    ['a value too long', { job: '0123456789a' }, 'the value of label "job" is longer than 10 characters'],
  ])('rejects every sample of a series with %s, under the series path', (_name, labels, problem) => {
    const s = labelCase(labels);
    const r = prepare(batch([s]));
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0]', 'invalid_labels', problem],
      [1, 'timeseries[0]', 'invalid_labels', problem],
    ]);
    expect(r.accepted).toEqual([]);
    expect(outcomes(r)).toEqual([['timeseries[0]|invalid', { samples: 2, accepted: 0, unmapped: false }]]);
    expect(s.series.withinLimits).toBeUndefined();
  });

  it('rejects a series the decoder found a label problem in, at the path it names, else the series path', () => {
    const named = series(0, 0, [{ value: 1, time: NOW }], {
      target: RATIO(),
      labelProblem: { path: 'series[0].tags[1]', problem: 'the tag has an empty name' },
    });
    const unnamed = series(1, 1, [{ value: 1, time: NOW }], {
      target: RATIO(),
      labelProblem: { path: '', problem: 'the label name is repeated' },
    });
    const r = prepare(batch([named, unnamed]));
    expect(reasons(r)).toEqual([
      [0, 'series[0].tags[1]', 'invalid_labels', 'the tag has an empty name'],
      [1, 'timeseries[1]', 'invalid_labels', 'the label name is repeated'],
    ]);
    expect(outcomes(r)).toEqual([
      ['timeseries[0]|invalid', { samples: 1, accepted: 0, unmapped: false }],
      ['timeseries[1]|invalid', { samples: 1, accepted: 0, unmapped: false }],
    ]);
  });

  it('does not check again a label set already found within these limits', () => {
    const s = labelCase({ a: '1', b: '2', c: '3', d: '4' });
    s.histograms = undefined;
    s.series.withinLimits = policy.limits;
    expect(prepare(batch([s])).accepted).toHaveLength(1);
  });
});

describe('mapping', () => {
  it('maps a series without a target through the vendor rules, keyed by vendor, metric and labels', () => {
    const s = series(0, 0, [{ value: 1, time: NOW }], { series: { metric: 'probe', labels: { job: 'a' } } });
    const r = prepare(batch([s]));
    expect(r.accepted).toStrictEqual([
      sample({ ...RATIO(), rule: `vendors.${VENDOR}.rules[0]` }, { series: `${VENDOR}|probe|job=a` }),
    ]);
  });

  it('rejects what no rule maps, by name, and reports one sighting per series with all its samples', () => {
    const ref = () => ({ metric: 'node_cpu_seconds_total', labels: { cpu: '0' } });
    const a = series(0, 0, [{ value: 1, time: NOW }], { series: ref(), histograms: [hist(1)] });
    const b = series(1, 2, [
      { value: 2, time: NOW },
      { value: 3, time: NOW - MIN },
    ]);
    b.series = ref();
    const r = prepare(batch([a, b]));
    const message = `no mapping rule maps node_cpu_seconds_total for vendor ${VENDOR}`;
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0].samples[0]', 'unmapped_series', message],
      [1, 'timeseries[0].histograms[0]', 'unmapped_series', message],
      [2, 'timeseries[1].samples[0]', 'unmapped_series', message],
      [3, 'timeseries[1].samples[1]', 'unmapped_series', message],
    ]);
    expect(r.unmapped).toEqual([
      { vendorId: VENDOR, metric: 'node_cpu_seconds_total', labels: { cpu: '0' }, samples: 4 },
    ]);
    expect(outcomes(r)).toEqual([
      [`${VENDOR}|node_cpu_seconds_total|cpu=0`, { samples: 4, accepted: 0, unmapped: true }],
    ]);
    expect(r.accepted).toEqual([]);
  });

  it('feeds the rollups only from the authoritative source of a two-source SLI', () => {
    const two = target({ serviceId: 'svc_payments-gateway', sli: 'availability', measure: 'ratio' });
    two.sliKey = 'svc_payments-gateway/availability';
    const from = (vendorId: string) =>
      prepare(batch([series(0, 0, [{ value: 1, time: NOW }], { target: two })]), { vendorId }).accepted[0]!
        .rollup;
    expect([from('prometheus-main'), from('datadog-eu'), from(VENDOR)]).toEqual([true, false, false]);
  });

  it('counts the samples of one series sent as two parts together', () => {
    const a = series(0, 0, [{ value: 1, time: NOW }], { target: RATIO() });
    const b = series(1, 1, [{ value: 'NaN', time: NOW - MIN }], { target: RATIO() });
    const r = prepare(batch([a, b]));
    expect(outcomes(r)).toEqual([
      [`${VENDOR}|svc_checkout/probe|ratio`, { samples: 2, accepted: 1, unmapped: false }],
    ]);
  });
});

describe('the semantic type', () => {
  it('takes the format’s own type over the rule’s', () => {
    const s = series(0, 0, [{ value: 4, time: NOW }], { target: GOOD('counter'), type: 'delta' });
    expect(prepare(batch([s])).accepted).toStrictEqual([
      sample(GOOD('counter'), { type: 'delta', value: 4, events: 4 }),
    ]);
  });

  it('takes the rule’s type when the format says none, and a reading for a ratio when neither does', () => {
    const counter = series(0, 0, [{ value: 4, time: NOW }], { target: GOOD('counter') });
    const ratio = series(1, 1, [{ value: 1, time: NOW }], { target: RATIO() });
    expect(prepare(batch([counter, ratio])).accepted).toStrictEqual([
      sample(GOOD('counter'), { type: 'counter', value: 4, events: 4, cumulative: true }),
      sample(RATIO(), { index: 1 }),
    ]);
  });

  it('rejects good events when nobody says whether they are a counter, a delta or a rate', () => {
    const s = series(0, 0, [{ value: 4, time: NOW }], { target: { ...GOOD(), rule: 'vendors.x.rules[2]' } });
    expect(reasons(prepare(batch([s])))).toEqual([
      [
        0,
        'timeseries[0].samples[0]',
        'unknown_type',
        "whether good events arrive as a running total (counter), a count per report (delta) or a rate is not said by the format nor by the mapping rule vendors.x.rules[2]: set the rule's type",
      ],
    ]);
  });

  it('uses the types a vendor’s remote-write metadata declared, in a later request too, and only for remote write', () => {
    const s = () =>
      series(0, 0, [{ value: 4, time: NOW }], {
        target: GOOD(),
        series: { metric: 'req_total', labels: {} },
      });
    const first = prepare(
      batch([s()], { format: 'prometheus-remote-write', types: new Map([['req', 'counter']]) }),
    );
    const later = prepare(batch([s()], { format: 'prometheus-remote-write' }));
    const json = prepare(batch([s()], { format: 'accord-json' }));
    const otherVendor = prepare(batch([s()], { format: 'prometheus-remote-write' }), { vendorId: 'v2' });
    const counter = sample(GOOD(), { type: 'counter', value: 4, events: 4, cumulative: true });
    expect(first.accepted).toStrictEqual([counter]);
    expect(later.accepted).toStrictEqual([counter]);
    expect(json.rejected.map((x) => x.reason)).toEqual(['unknown_type']);
    expect(otherVendor.rejected.map((x) => x.reason)).toEqual(['unknown_type']);
  });

  it('rejects every sample of a series whose type cannot feed the measure, with why', () => {
    const s = series(
      0,
      0,
      [
        { value: 4, time: NOW },
        { value: 5, time: NOW - MIN },
      ],
      { target: GOOD('gauge') },
    );
    const why =
      'a gauge is a reading at an instant, not a count of events; a good SLI needs a counter, a delta or a rate';
    expect(reasons(prepare(batch([s])))).toEqual([
      [0, 'timeseries[0].samples[0]', 'type_mismatch', why],
      [1, 'timeseries[0].samples[1]', 'type_mismatch', why],
    ]);
  });

  it('reads the float points of a series typed native-histogram as readings', () => {
    const s = series(0, 0, [{ value: 0.12, time: NOW }], { target: DURATION(), type: 'native-histogram' });
    expect(prepare(batch([s])).accepted).toStrictEqual([sample(DURATION(), { value: 120 })]);
  });
});

describe('events', () => {
  it('counts a rate times its interval, and rejects a rate without an interval', () => {
    const rate = series(0, 0, [{ value: 0.5, time: NOW }], { target: GOOD(), type: 'rate', intervalS: 10 });
    const none = series(1, 1, [{ value: 0.5, time: NOW }], { target: GOOD(), type: 'rate' });
    const zero = series(2, 2, [{ value: 0.5, time: NOW }], { target: GOOD(), type: 'rate', intervalS: 0 });
    const r = prepare(batch([rate, none, zero]));
    expect(r.accepted).toStrictEqual([sample(GOOD(), { type: 'rate', value: 0.5, events: 5 })]);
    const why = 'a rate needs the interval it covers (Datadog `interval`) to become a count of events';
    expect(reasons(r)).toEqual([
      [1, 'timeseries[1].samples[0]', 'missing_interval', why],
      [2, 'timeseries[2].samples[0]', 'missing_interval', why],
    ]);
  });

  it('counts a delta of bad events as its value, and a counter’s value until the store turns it into an increase', () => {
    const bad = target({ sli: 'requests', measure: 'bad' });
    const delta = series(0, 0, [{ value: 3, time: NOW }], { target: bad, type: 'delta' });
    const counter = series(1, 1, [{ value: 30, time: NOW - MIN }], { target: bad, type: 'counter' });
    expect(prepare(batch([delta, counter])).accepted).toStrictEqual([
      sample(bad, { type: 'delta', value: 3, events: 3 }),
      sample(bad, {
        index: 1,
        type: 'counter',
        value: 30,
        events: 30,
        cumulative: true,
        timestampMs: NOW - MIN,
      }),
    ]);
  });

  it('rejects a negative count of events, from a delta, a counter or a histogram’s count, and accepts 0', () => {
    const count = LATENCY({ part: 'count' });
    const r = prepare(
      batch([
        series(
          0,
          0,
          [
            { value: -1, time: NOW },
            { value: 0, time: NOW - MIN },
          ],
          { target: GOOD(), type: 'delta' },
        ),
        series(1, 2, [{ value: -0.5, time: NOW }], { target: GOOD('counter') }),
        series(2, 3, [{ value: -2, time: NOW }], { target: count }),
      ]),
    );
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0].samples[0].value', 'negative_count', 'an event count cannot be negative (-1)'],
      [2, 'timeseries[1].samples[0].value', 'negative_count', 'an event count cannot be negative (-0.5)'],
      [3, 'timeseries[2].samples[0].value', 'negative_count', 'an event count cannot be negative (-2)'],
    ]);
    expect(r.accepted).toStrictEqual([
      sample(GOOD(), { index: 1, type: 'delta', value: 0, timestampMs: NOW - MIN }),
    ]);
  });

  it('takes a count of events up to 2^53 − 1, after the rate’s interval', () => {
    const big = 2 ** 52;
    const r = prepare(
      batch([
        series(0, 0, [{ value: big, time: NOW }], { target: GOOD(), type: 'rate', intervalS: 1 }),
        series(1, 1, [{ value: big, time: NOW }], { target: GOOD(), type: 'rate', intervalS: 2 }),
        series(2, 2, [{ value: MAX_VALUE, time: NOW - MIN }], { target: GOOD(), type: 'delta' }),
      ]),
    );
    expect(r.accepted).toStrictEqual([
      sample(GOOD(), { type: 'rate', value: big, events: big }),
      sample(GOOD(), {
        index: 2,
        type: 'delta',
        value: MAX_VALUE,
        events: MAX_VALUE,
        timestampMs: NOW - MIN,
      }),
    ]);
    expect(reasons(r)).toEqual([
      [
        1,
        'timeseries[1].samples[0].value',
        'value_out_of_range',
        'a value beyond ±9007199254740991 cannot be counted exactly',
      ],
    ]);
  });
});

describe('values', () => {
  it('rejects a missing value, NaN, a staleness marker and infinities, each named', () => {
    const stale = new DataView(new ArrayBuffer(8));
    stale.setUint32(0, 0x7ff00000);
    stale.setUint32(4, 0x00000002);
    const s = series(
      0,
      0,
      [
        null,
        'abc',
        'NaN',
        Number.NaN,
        stale.getFloat64(0),
        'Infinity',
        '-Infinity',
        Number.NEGATIVE_INFINITY,
        0.25,
      ].map((value, i) => ({ value, time: NOW - i * MIN })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]));
    const at = (i: number, field = '.value') => `timeseries[0].samples[${i}]${field}`;
    expect(reasons(r)).toEqual([
      [0, at(0), 'missing_value', 'the sample has no value'],
      [1, at(1), 'missing_value', 'the sample has no value'],
      [2, at(2), 'value_nan', 'the value is NaN'],
      [3, at(3), 'value_nan', 'the value is NaN'],
      [4, at(4, ''), 'stale_marker', 'a Prometheus staleness marker carries no measurement'],
      [5, at(5), 'value_infinite', 'the value is infinite'],
      [6, at(6), 'value_infinite', 'the value is infinite'],
      [7, at(7), 'value_infinite', 'the value is infinite'],
    ]);
    expect(r.accepted).toStrictEqual([
      sample(RATIO(), { index: 8, value: 0.25, timestampMs: NOW - 8 * MIN }),
    ]);
  });

  it('tells a staleness marker from any other NaN by its exact bits', () => {
    const nan = (hi: number, lo: number) => {
      const bits = new DataView(new ArrayBuffer(8));
      bits.setUint32(0, hi);
      bits.setUint32(4, lo);
      return bits.getFloat64(0);
    };
    const points: PointIn[] = [
      { value: nan(0x7ff00000, 2), time: NOW },
      { value: nan(0x7ff00000, 1), time: NOW },
      { value: nan(0x7ff80000, 2), time: NOW },
      { value: nan(0xfff00000, 2), time: NOW },
    ];
    const r = prepare(batch([series(0, 0, points, { target: RATIO() })]));
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'stale_marker'],
      [1, 'value_nan'],
      [2, 'value_nan'],
      [3, 'value_nan'],
    ]);
  });

  it('takes values up to ±(2^53 − 1) and rejects those beyond', () => {
    const values = [MAX_VALUE, -MAX_VALUE, MAX_VALUE + 2, -(MAX_VALUE + 2)];
    const s = series(
      0,
      0,
      values.map((value, i) => ({ value, time: NOW - i * MIN })),
      { target: VALUE() },
    );
    const r = prepare(batch([s]));
    expect(r.accepted.map((x) => x.value)).toEqual([MAX_VALUE, -MAX_VALUE]);
    const why = 'a value beyond ±9007199254740991 cannot be counted exactly';
    expect(reasons(r)).toEqual([
      [2, 'timeseries[0].samples[2].value', 'value_out_of_range', why],
      [3, 'timeseries[0].samples[3].value', 'value_out_of_range', why],
    ]);
  });

  it('takes ratios in [0, 1] and rejects those outside', () => {
    const s = series(
      0,
      0,
      [0, 1, -0.1, 1.1].map((value, i) => ({ value, time: NOW - i * MIN })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]));
    expect(r.accepted.map((x) => x.value)).toEqual([0, 1]);
    expect(reasons(r)).toEqual([
      [2, 'timeseries[0].samples[2].value', 'ratio_out_of_range', 'a ratio must lie in [0, 1], got -0.1'],
      [3, 'timeseries[0].samples[3].value', 'ratio_out_of_range', 'a ratio must lie in [0, 1], got 1.1'],
    ]);
  });

  it('rejects a negative duration reading (in ms) and accepts 0 and negative values of other measures', () => {
    const r = prepare(
      batch([
        series(
          0,
          0,
          [
            { value: -0.25, time: NOW },
            { value: 0, time: NOW - MIN },
          ],
          { target: DURATION() },
        ),
        series(1, 2, [{ value: -5, time: NOW }], { target: VALUE() }),
        series(2, 3, [{ value: -1.5, time: NOW }], { target: LATENCY({ part: 'sum' }) }),
      ]),
    );
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0].samples[0].value', 'negative_duration', 'a duration cannot be negative (-250 ms)'],
    ]);
    expect(r.accepted).toStrictEqual([
      sample(DURATION(), { index: 1, value: 0, timestampMs: NOW - MIN }),
      sample(VALUE(), { index: 2, value: -5 }),
      sample(LATENCY({ part: 'sum' }), { index: 3, value: -1.5, type: 'histogram', feed: 'none' }),
    ]);
  });
});

describe('units', () => {
  it('converts to the canonical unit: the point’s own, else the series’, else the rule’s, else the measure’s', () => {
    const r = prepare(
      batch([
        series(
          0,
          0,
          [
            { value: 5, time: NOW, unit: 'ms' },
            { value: 0.005, time: NOW - MIN },
            { value: 5000, time: NOW - 2 * MIN, unit: 'us' },
          ],
          { target: { ...DURATION(), unit: 'ms' }, unit: 's' },
        ),
        series(1, 3, [{ value: 0.007, time: NOW - 3 * MIN }], { target: DURATION() }),
        series(2, 4, [{ value: 9, time: NOW - 4 * MIN }], { target: { ...DURATION(), unit: undefined } }),
        series(3, 5, [{ value: 1024, time: NOW, unit: 'By' }], { target: VALUE() }),
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(r.accepted.map((x) => x.value)).toEqual([5, 5, 5, 7, 9, 1024]);
  });

  it('rejects an unknown unit and one of another kind than the measure, at the unit', () => {
    const s = series(
      0,
      0,
      [
        { value: 5, time: NOW, unit: 'fortnights' },
        { value: 5, time: NOW - MIN, unit: 'percent' },
      ],
      { target: DURATION() },
    );
    const other = series(1, 2, [{ value: 5, time: NOW }], { target: RATIO(), unit: 'count' });
    expect(reasons(prepare(batch([s, other])))).toEqual([
      [
        0,
        'timeseries[0].samples[0].unit',
        'unknown_unit',
        '"fortnights" is not a unit Accord knows (ns, us, ms, s, ratio, percent, count)',
      ],
      [1, 'timeseries[0].samples[1].unit', 'unit_mismatch', 'a duration cannot be measured in percent'],
      [2, 'timeseries[1].samples[0].unit', 'unit_mismatch', 'a ratio cannot be measured in count'],
    ]);
  });

  it('rejects a value that becomes infinite once converted', () => {
    const s = series(0, 0, [{ value: 1e306, time: NOW }], { target: DURATION() });
    expect(reasons(prepare(batch([s])))).toEqual([
      [
        0,
        'timeseries[0].samples[0].value',
        'value_infinite',
        'the value becomes infinite once converted from s',
      ],
    ]);
  });

  it('takes a classic histogram’s series as counts of observations, whatever their unit', () => {
    const bucket = LATENCY({ part: 'bucket', le: 0.3, buckets: [0.1, 0.3, 0.5] });
    const s = series(0, 0, [{ value: 25, time: NOW }], { target: bucket, unit: 'fortnights' });
    expect(prepare(batch([s])).accepted).toStrictEqual([
      sample(bucket, { type: 'histogram', feed: 'good-only', value: 25, cumulative: true }),
    ]);
  });
});

describe('times', () => {
  it('accepts times from the accepted lateness to the future skew, and rejects those outside, saying by how much', () => {
    const times = [NEWEST, OLDEST, NEWEST + 1, NOW + 450_000, OLDEST - 1];
    const s = series(
      0,
      0,
      times.map((time) => ({ value: 1, time })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]));
    expect(r.accepted.map((x) => x.timestampMs)).toEqual([NEWEST, OLDEST]);
    const at = (i: number) => `timeseries[0].samples[${i}].timestamp`;
    expect(reasons(r)).toEqual([
      [2, at(2), 'timestamp_in_future', "the time is 300 s ahead of the receiver's clock"],
      [3, at(3), 'timestamp_in_future', "the time is 450 s ahead of the receiver's clock"],
      [4, at(4), 'timestamp_too_old', 'the time is older than the accepted lateness of 60 minutes'],
    ]);
  });

  it('applies a vendor’s own accepted lateness', () => {
    const s = series(
      0,
      0,
      [NOW - 2 * HOUR, NOW - 2 * HOUR - 1].map((time) => ({ value: 1, time })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]), { vendorId: 'slow-vendor' });
    expect(r.accepted.map((x) => x.timestampMs)).toEqual([NOW - 2 * HOUR]);
    expect(r.rejected.map((x) => x.message)).toEqual([
      'the time is older than the accepted lateness of 120 minutes',
    ]);
  });

  it('takes an explicit oldest instant (a backfill import) over the accepted lateness', () => {
    const from = NOW - 10 * HOUR;
    const s = series(
      0,
      0,
      [from, from - 1].map((time) => ({ value: 1, time })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]), { oldestMs: from });
    expect(r.accepted.map((x) => x.timestampMs)).toEqual([from]);
    expect(r.rejected.map((x) => x.reason)).toEqual(['timestamp_too_old']);
  });

  it('reads epoch seconds, digits of nanoseconds and local times in the zone of the point or the series, rounded to ms', () => {
    const r = prepare(
      batch([
        series(0, 0, [{ value: 1, time: NOW / 1000 - 60 }], { target: RATIO(), epochUnit: 's' }),
        series(1, 1, [{ value: 1, time: NOW - 1.6 }], { target: RATIO() }),
        series(2, 2, [{ value: 1, time: `${NOW - 3 * MIN}600000` }], { target: RATIO(), epochUnit: 'ns' }),
        series(
          3,
          3,
          [
            { value: 1, time: '2026-11-25T12:56:00' },
            { value: 1, time: '2026-11-25T11:55:00', timeZone: 'UTC' },
          ],
          { target: RATIO(), timeZone: 'Europe/Paris' },
        ),
      ]),
    );
    expect(r.rejected).toEqual([]);
    expect(r.accepted.map((x) => x.timestampMs)).toEqual([
      NOW - MIN,
      NOW - 2,
      NOW - 3 * MIN + 1,
      NOW - 4 * MIN,
      NOW - 5 * MIN,
    ]);
  });

  it('rejects a time that cannot be read, with the reason the time parser gives', () => {
    const r = prepare(
      batch([
        series(0, 0, [{ value: 1, time: Number.NaN }], { target: RATIO() }),
        series(1, 1, [{ value: 1, time: '2026-11-25T12:00:00' }], { target: RATIO() }),
      ]),
    );
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0].samples[0].timestamp', 'bad_timestamp', 'the time is not a finite number'],
      [
        1,
        'timeseries[1].samples[0].timestamp',
        'missing_time_zone',
        'the time "2026-11-25T12:00:00" has no offset: declare the agent\'s IANA timeZone on the batch or the sample',
      ],
    ]);
  });

  it('names a refused time by the field its format gives it: time, timestamp or timeUnixNano (new user wave 39: an OTLP point and a Datadog point were named ….time, a field neither format has)', () => {
    const bad = [{ value: 1, time: Number.NaN }];
    const r = prepare(
      batch([
        series(0, 0, bad, { target: RATIO(), pointField: '' }),
        series(1, 1, bad, { target: RATIO(), path: 'series[1]', pointField: 'points' }),
        series(2, 2, bad, { target: RATIO() }),
        series(3, 3, bad, {
          target: RATIO(),
          path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge',
          pointField: 'dataPoints',
          paths: ['resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]'],
        }),
        series(4, 4, bad, { target: RATIO(), pointField: 'samples', lines: [7] }),
      ]),
    );
    expect(r.rejected.map((x) => x.path)).toEqual([
      'samples[0].time',
      'series[1].points[0].timestamp',
      'timeseries[2].samples[0].timestamp',
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano',
      'line 7.time',
    ]);
  });

  it('names a missing time (0, as protobuf decodes a time left out) as missing, not as too old (new user wave 39)', () => {
    const r = prepare(
      batch([
        series(0, 0, [{ value: 1, time: 0 }], {
          target: RATIO(),
          path: 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge',
          pointField: 'dataPoints',
          paths: ['resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]'],
        }),
        series(1, 1, [{ value: 1, time: -1 }], { target: RATIO() }),
        series(2, 2, [{ value: 1, time: OLDEST - 1 }], { target: RATIO() }),
      ]),
    );
    expect(reasons(r)).toEqual([
      [
        0,
        'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano',
        'bad_timestamp',
        'the time is missing (0) or not after 1970-01-01T00:00:00Z',
      ],
      [
        1,
        'timeseries[1].samples[0].timestamp',
        'bad_timestamp',
        'the time is missing (0) or not after 1970-01-01T00:00:00Z',
      ],
      [2, 'timeseries[2].samples[0].timestamp', 'timestamp_too_old', expect.stringContaining('older than')],
    ]);
  });

  it('keeps a counter’s start time when it is within the accepted lateness, and only for a counter', () => {
    const counter = series(
      0,
      0,
      [
        { value: 1, time: NOW, startMs: OLDEST },
        { value: 2, time: NOW - MIN, startMs: OLDEST - 1 },
      ],
      { target: GOOD('counter') },
    );
    const other = target({ sli: 'other', measure: 'good', type: 'delta' });
    const delta = series(1, 2, [{ value: 1, time: NOW, startMs: OLDEST }], { target: other });
    const base = { type: 'counter' as const, cumulative: true };
    expect(prepare(batch([counter, delta])).accepted).toStrictEqual([
      sample(GOOD('counter'), { ...base, events: 1, startMs: OLDEST }),
      sample(GOOD('counter'), { ...base, index: 1, value: 2, events: 2, timestampMs: NOW - MIN }),
      sample(other, { index: 2, type: 'delta', events: 1 }),
    ]);
  });
});

describe('a series and time sent twice in one batch', () => {
  it('rejects a repeat as a duplicate and another value as a conflict, against any earlier time of the series', () => {
    const times = [NOW, NOW - MIN, NOW - 2 * MIN, NOW - MIN, NOW, NOW - 2 * MIN, NOW, NOW - 2 * MIN];
    const values = [0.1, 0.2, 0.3, 0.2, 0.1, 0.4, 0.9, 0.4];
    const s = series(
      0,
      0,
      times.map((time, i) => ({ value: values[i]!, time })),
      { target: RATIO() },
    );
    const r = prepare(batch([s]));
    expect(r.accepted.map((x) => [x.index, x.value])).toEqual([
      [0, 0.1],
      [1, 0.2],
      [2, 0.3],
    ]);
    const p = (i: number) => `timeseries[0].samples[${i}]`;
    const dup = 'the same series and time appear earlier in this batch';
    expect(reasons(r)).toEqual([
      [3, p(3), 'duplicate_sample', dup],
      [4, p(4), 'duplicate_sample', dup],
      [5, p(5), 'conflicting_value', `${dup} with another value (0.3)`],
      [6, p(6), 'conflicting_value', `${dup} with another value (0.1)`],
      [7, p(7), 'conflicting_value', `${dup} with another value (0.3)`],
    ]);
    expect(outcomes(r)).toEqual([
      [`${VENDOR}|svc_checkout/probe|ratio`, { samples: 8, accepted: 3, unmapped: false }],
    ]);
  });

  it('compares a repeat against the first accepted sample, not a rejected one, across the parts of one series', () => {
    const a = series(0, 0, [{ value: 0.5, time: NOW }], { target: VALUE() });
    const b = series(
      1,
      1,
      [
        { value: 'NaN', time: NOW - MIN },
        { value: 2, time: NOW - MIN },
        { value: 3, time: NOW - 2 * MIN },
        { value: 0.5, time: NOW },
        { value: 3, time: NOW - 2 * MIN },
      ],
      { target: VALUE() },
    );
    const r = prepare(batch([series(2, 9, [{ value: 1, time: NOW }], { target: RATIO() }), a, b]));
    expect(r.accepted.map((x) => [x.index, x.value])).toEqual([
      [9, 1],
      [0, 0.5],
      [2, 2],
      [3, 3],
    ]);
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [1, 'value_nan'],
      [4, 'duplicate_sample'],
      [5, 'duplicate_sample'],
    ]);
  });
});

describe('remote write’s columns', () => {
  it('reads the float points of each series from the request’s columns', () => {
    const columns = {
      values: Float64Array.from([0.5, Number.NaN, 1, 0.25, 7, 9]),
      times: Float64Array.from([NOW, NOW, NOW - MIN, NOW, NOW, Number.NaN]),
    };
    const a = series(0, 0, [], { target: RATIO(), columns, columnCount: 3 });
    const b = series(1, 3, [], { target: VALUE(), columns, columnCount: 1 });
    const c = series(2, 4, [], { target: GOOD('counter'), columns, columnCount: 2 });
    const r = prepare(batch([a, b, c]));
    expect(r.accepted).toStrictEqual([
      sample(RATIO(), { value: 0.5 }),
      sample(RATIO(), { index: 2, value: 1, timestampMs: NOW - MIN }),
      sample(VALUE(), { index: 3, value: 0.25 }),
      sample(GOOD(), { index: 4, type: 'counter', value: 7, events: 7, cumulative: true }),
    ]);
    expect(reasons(r)).toEqual([
      [1, 'timeseries[0].samples[1].value', 'value_nan', 'the value is NaN'],
      [5, 'timeseries[2].samples[1].timestamp', 'bad_timestamp', 'the time is not a finite number'],
    ]);
    expect(outcomes(r)).toEqual([
      [`${VENDOR}|svc_checkout/probe|ratio`, { samples: 3, accepted: 2, unmapped: false }],
      [`${VENDOR}|svc_checkout/depth|value`, { samples: 1, accepted: 1, unmapped: false }],
      [`${VENDOR}|svc_checkout/requests|good`, { samples: 2, accepted: 1, unmapped: false }],
    ]);
  });
});

function hist(index: number, over: Partial<NativeHistogramPoint> = {}): NativeHistogramPoint {
  // Zero bucket 1, then 4 in (0.125, 0.25], 3 in (0.25, 0.5], 2 in (0.5, 1]: 5 at or below 0.3 s.
  return {
    index,
    time: NOW,
    count: 10,
    zeroCount: 1,
    zeroThreshold: 0.001,
    bounds: [0.25, 0.5, 1],
    counts: [4, 3, 2],
    negativeCount: 0,
    reset: false,
    gauge: false,
    ...over,
  };
}

describe('native histograms', () => {
  const key = `${VENDOR}|svc_checkout/latency|duration`;
  const native = (h: NativeHistogramPoint, over: Partial<Sample> = {}): Sample[] => {
    const base = {
      index: h.index,
      vendorId: VENDOR,
      sliKey: 'svc_checkout/latency',
      measure: 'duration' as const,
      type: 'native-histogram' as const,
      timestampMs: h.time,
      cumulative: true,
      reset: h.reset,
      thresholdMs: 300,
      rollup: true,
      ...over,
    };
    return [
      { ...base, series: `${key}#le=0.3`, feed: 'good-only', value: 5, events: 0, ...over },
      { ...base, series: `${key}#count`, feed: 'total-only', value: h.count, events: 0, ...over },
    ];
  };

  it('gives each point two counters: the observations at or below the threshold, and all of them', () => {
    const h = [
      hist(0),
      hist(1, { reset: true, time: NOW - MIN, startMs: OLDEST }),
      hist(2, { time: NOW - 2 * MIN, startMs: OLDEST - 1 }),
    ];
    const s = series(0, 0, [], { target: LATENCY(), histograms: h });
    const r = prepare(batch([s]));
    expect(r.accepted).toStrictEqual([
      ...native(h[0]!),
      ...native(h[1]!, { startMs: OLDEST }),
      ...native(h[2]!),
    ]);
    expect(r.rejected).toEqual([]);
    expect(outcomes(r)).toEqual([[key, { samples: 3, accepted: 3, unmapped: false }]]);
  });

  it('gives a delta point its two counts as events, with no counter state nor start', () => {
    const h = hist(0, { startMs: NOW - MIN });
    const s = series(0, 0, [], { target: LATENCY(), histograms: [h], delta: true });
    const [good, total] = native(h, { cumulative: false });
    expect(prepare(batch([s])).accepted).toStrictEqual([
      { ...good, events: 5 },
      { ...total, events: 10 },
    ]);
  });

  it('reads the threshold in the series’ unit, else the rule’s, else seconds', () => {
    const inMs = series(0, 0, [], {
      target: LATENCY(),
      unit: 'ms',
      histograms: [hist(0, { bounds: [250, 500], counts: [4, 5], zeroThreshold: 1 })],
    });
    const bare = series(1, 1, [], { target: LATENCY({ unit: undefined }), histograms: [hist(1)] });
    const r = prepare(batch([inMs, bare]));
    expect(r.accepted.map((x) => [x.series, x.value])).toEqual([
      [`${key}#le=300`, 5],
      [`${key}#count`, 10],
      [`${key}#le=0.3`, 5],
      [`${key}#count`, 10],
    ]);
  });

  it('rejects each point it cannot count, with why, at the histogram’s path, in the order of the checks', () => {
    const points = [
      hist(0, { problem: 'has more spans than buckets', gauge: true, count: -1 }),
      hist(1, { gauge: true, count: -1 }),
      hist(2, { count: -1 }),
      hist(3, { count: Number.NaN }),
      hist(4, { count: MAX_VALUE + 2 }),
      hist(5, { time: NEWEST + 1 }),
      hist(6, { time: OLDEST - 1 }),
      hist(7, { count: MAX_VALUE, time: NEWEST }),
      hist(8, { count: 0, time: OLDEST }),
      hist(9, { time: 0 }),
    ];
    const s = series(0, 0, [], { target: LATENCY(), histograms: points });
    const r = prepare(batch([s]));
    const at = (k: number) => `timeseries[0].histograms[${k}]`;
    const count = (n: number) => `the histogram's count ${n} is not a countable number`;
    expect(reasons(r)).toEqual([
      [0, at(0), 'malformed', 'the native histogram has more spans than buckets'],
      [1, at(1), 'gauge_histogram', 'a gauge histogram goes up and down: its counts are not events'],
      [2, at(2), 'value_out_of_range', count(-1)],
      [3, at(3), 'value_out_of_range', count(Number.NaN)],
      [4, at(4), 'value_out_of_range', count(MAX_VALUE + 2)],
      [5, at(5), 'timestamp_in_future', "the time is ahead of the receiver's clock"],
      [6, at(6), 'timestamp_too_old', 'the time is older than the accepted lateness'],
      [9, at(9), 'bad_timestamp', 'the time is missing (0) or not after 1970-01-01T00:00:00Z'],
    ]);
    expect(r.accepted.map((x) => [x.index, x.value])).toEqual([
      [7, 5],
      [7, MAX_VALUE],
      [8, 5],
      [8, 0],
    ]);
    expect(outcomes(r)).toEqual([[key, { samples: 10, accepted: 2, unmapped: false }]]);
  });

  it('rejects a histogram without a threshold to read, and one of a unit that is not a time', () => {
    const r = prepare(
      batch([
        series(0, 0, [], { target: LATENCY({ thresholdMs: undefined }), histograms: [hist(0)] }),
        series(1, 1, [], { target: LATENCY(), unit: 'percent', histograms: [hist(1)] }),
        series(2, 2, [], { target: LATENCY(), unit: 'fortnights', histograms: [hist(2)] }),
      ]),
    );
    const unit = 'a latency histogram observes durations (s, ms, ...)';
    expect(reasons(r)).toEqual([
      [
        0,
        'timeseries[0].histograms[0]',
        'missing_threshold',
        'a histogram feeds a latency SLI only with a threshold (thresholdMs) in its rule',
      ],
      [1, 'timeseries[1].histograms[0]', 'unit_mismatch', unit],
      [2, 'timeseries[2].histograms[0]', 'unit_mismatch', unit],
    ]);
  });

  it('takes an explicit histogram only when the threshold is one of its bounds, and names the nearest ones', () => {
    const explicit = (index: number, bounds: number[]) =>
      hist(index, { explicit: true, bounds, counts: bounds.map(() => 1) });
    const s = series(0, 0, [], {
      target: LATENCY(),
      histograms: [
        explicit(0, [0.1, 0.25, 0.5]),
        explicit(1, [0.5, 1]),
        explicit(2, [0.1, 0.2]),
        explicit(3, [0.1, 0.3, 1]),
        hist(4, { bounds: [0.25, 0.5], counts: [1, 1] }),
      ],
    });
    const r = prepare(batch([s]));
    const why = (below: string, above: string) =>
      `the threshold 300 ms (0.3 s) is not a bucket bound of this histogram; the nearest are ${below} and ${above}: add it to the histogram's bounds (an OTel View or the instrument's advice)`;
    expect(reasons(r)).toEqual([
      [0, 'timeseries[0].histograms[0]', 'threshold_not_a_bound', why('0.25', '0.5')],
      [1, 'timeseries[0].histograms[1]', 'threshold_not_a_bound', why('none', '0.5')],
      [2, 'timeseries[0].histograms[2]', 'threshold_not_a_bound', why('0.2', 'none')],
    ]);
    expect(r.accepted.map((x) => [x.index, x.feed, x.value])).toEqual([
      [3, 'good-only', 3],
      [3, 'total-only', 10],
      [4, 'good-only', 2],
      [4, 'total-only', 10],
    ]);
  });

  it('names the series’ unit in the message of a threshold that is not a bound', () => {
    const s = series(0, 0, [], {
      target: LATENCY(),
      unit: 'ms',
      histograms: [hist(0, { explicit: true, bounds: [250, 500], counts: [1, 1] })],
    });
    expect(prepare(batch([s])).rejected[0]!.message).toMatch(/^the threshold 300 ms \(300 ms\) is not/);
  });

  it('counts the float points and the histogram points of one series, each at its own path', () => {
    const s = series(0, 0, [{ value: 7, time: NOW }], {
      target: LATENCY({ part: 'count' }),
      histograms: [hist(1, { gauge: true }), hist(2)],
    });
    const r = prepare(batch([s]));
    expect(reasons(r)).toEqual([
      [
        1,
        'timeseries[0].histograms[0]',
        'gauge_histogram',
        'a gauge histogram goes up and down: its counts are not events',
      ],
    ]);
    expect(r.accepted.map((x) => [x.index, x.feed])).toEqual([
      [2, 'good-only'],
      [2, 'total-only'],
      [0, 'total-only'],
    ]);
    expect(outcomes(r)).toEqual([[key, { samples: 3, accepted: 2, unmapped: false }]]);
    expect(r.pathOf(0)).toBe('timeseries[0].samples[0]');
    expect(r.pathOf(2)).toBe('timeseries[0].histograms[1]');
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { CompiledPolicy, Target } from '../../../shared/domain/telemetry/mapping.js';
import type {
  DecodedBatch,
  DecodedSeries,
  NativeHistogramPoint,
  PreparedBatch,
} from '../../../shared/domain/telemetry/model.js';
import { prepareBatch } from '../../../shared/domain/telemetry/prepare.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { policyJsonWith } from '../../helpers/telemetry.js';

/**
 * The last corners of prepareBatch (prepare-batch.test.ts has the rest): the unit an explicit histogram's refusal
 * names when neither the series nor the rule gives one, a bound equal to the threshold up to float rounding, and
 * the path `pathOf` gives, which is the one the sample's rejection names whatever the series' shape.
 */

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const VENDOR = 'test-vendor';

const LATENCY = (over: Partial<Target> = {}): Target => ({
  serviceId: 'svc_checkout',
  sli: 'latency',
  sliKey: 'svc_checkout/latency',
  measure: 'duration',
  type: 'histogram',
  unit: undefined,
  thresholdMs: 300,
  ...over,
});

/** An explicit (OTLP) histogram point at NOW with the bounds given, one observation in each bucket. */
const explicit = (index: number, bounds: number[]): NativeHistogramPoint => ({
  index,
  time: NOW,
  count: bounds.length,
  zeroCount: 0,
  zeroThreshold: 0,
  bounds,
  counts: bounds.map(() => 1),
  negativeCount: 0,
  reset: false,
  gauge: false,
  explicit: true,
});

function series(n: number, firstIndex: number, over: Partial<DecodedSeries>): DecodedSeries {
  return {
    series: { metric: 'm', labels: {} },
    path: `resourceMetrics[${n}]`,
    pointField: 'dataPoints',
    firstIndex,
    epochUnit: 'ms',
    points: [],
    ...over,
  };
}

function batch(list: DecodedSeries[]): DecodedBatch {
  const count = list.reduce((n, s) => n + s.points.length + (s.histograms?.length ?? 0), 0);
  return {
    format: 'otlp',
    series: list,
    malformed: [],
    sampleCount: count,
    seriesCount: list.length,
    malformedSeries: 0,
  };
}

let policy: CompiledPolicy;
let prepare: (b: DecodedBatch) => PreparedBatch;

beforeEach(async () => {
  policy = loadTelemetryPolicy(await policyJsonWith([], VENDOR));
  prepare = (b) => prepareBatch(b, { vendorId: VENDOR, nowMs: NOW, policy });
});

describe('an explicit histogram’s threshold', () => {
  it('is read in seconds, and named so, when neither the series nor the rule gives a unit', () => {
    const s = series(0, 0, { target: LATENCY(), histograms: [explicit(0, [0.25, 0.5])] });
    const r = prepare(batch([s]));
    expect(r.rejected).toEqual([
      {
        index: 0,
        path: 'resourceMetrics[0].histograms[0]',
        reason: 'threshold_not_a_bound',
        message:
          "the threshold 300 ms (0.3 s) is not a bucket bound of this histogram; the nearest are 0.25 and 0.5: add it to the histogram's bounds (an OTel View or the instrument's advice)",
      },
    ]);
    expect(r.accepted).toEqual([]);
  });

  it('is a bound when a bound differs from it only by float rounding (0.1 + 0.2 for 0.3 s)', () => {
    const s = series(0, 0, { target: LATENCY(), histograms: [explicit(0, [0.1, 0.1 + 0.2, 1])] });
    const r = prepare(batch([s]));
    expect(r.rejected).toEqual([]);
    expect(r.accepted.map((x) => [x.feed, x.value])).toEqual([
      ['good-only', 2],
      ['total-only', 3],
    ]);
  });
});

describe('the path of a sample', () => {
  it('is the one its rejection names, for a series that names its own paths and has no point field', () => {
    const named = series(0, 0, {
      pointField: '',
      paths: ['resourceMetrics[0].dataPoints[0]', 'resourceMetrics[0].dataPoints[1]'],
      target: LATENCY(),
      histograms: [explicit(0, [0.25]), explicit(1, [0.5])],
    });
    const accord = series(1, 2, {
      path: 'samples[2]',
      pointField: '',
      target: LATENCY(),
      histograms: [explicit(2, [0.25])],
    });
    const r = prepare(batch([named, accord]));
    expect(r.rejected.map((x) => [x.index, x.path])).toEqual([
      [0, 'resourceMetrics[0].dataPoints[0]'],
      [1, 'resourceMetrics[0].dataPoints[1]'],
      [2, 'samples[2]'],
    ]);
    expect([0, 1, 2].map((i) => r.pathOf(i))).toEqual(r.rejected.map((x) => x.path));
  });
});

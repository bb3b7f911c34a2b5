import { describe, expect, it } from 'vitest';
import { decodeOtlp, encodeOtlpRequest } from '../../../shared/domain/telemetry/otlp.js';
import { testLimits } from '../../helpers/telemetry-limits.js';

/**
 * What an OTLP sender may leave out or send as null (otlp.ts reads protobufjs's messages, whose repeated fields are
 * always arrays and whose strings are '' when not sent): OTLP/JSON's nulls read as the fields not sent, and a
 * protobuf body without those fields decodes to the same batch. otlp-decode.test.ts has the rest of the decoder.
 */

const LIMITS = testLimits({ acceptedLatenessMinutes: 4320 });
const M = 'resourceMetrics[0].scopeMetrics[0].metrics';

const fromJson = (body: unknown) =>
  decodeOtlp(new TextEncoder().encode(JSON.stringify(body)), 'json', LIMITS);
const fromProtobuf = (body: unknown) => decodeOtlp(encodeOtlpRequest(body), 'protobuf', LIMITS);

/** A request of these metrics; `blank` is the value its optional fields take (null in OTLP/JSON, or not sent). */
function request(blank: null | undefined) {
  const attr = (key: string | null | undefined, value: unknown) => ({ key, value });
  return {
    resourceMetrics: [
      {
        resource: { attributes: blank },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'g',
                unit: blank,
                gauge: {
                  dataPoints: [
                    { attributes: blank, timeUnixNano: '2000000', asInt: '7' },
                    {
                      attributes: [
                        attr(blank, { stringValue: 'nameless' }),
                        attr('s', { stringValue: blank }),
                        attr('a', { arrayValue: { values: blank } }),
                        attr('l', { kvlistValue: { values: blank } }),
                        attr('n', blank),
                      ],
                      timeUnixNano: '2000000',
                    },
                  ],
                },
              },
              {
                name: 'h',
                histogram: {
                  aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                  dataPoints: [
                    {
                      attributes: blank,
                      timeUnixNano: '3000000',
                      count: '0',
                      bucketCounts: blank,
                      explicitBounds: blank,
                    },
                  ],
                },
              },
              { name: 'c', sum: { isMonotonic: true, dataPoints: blank } },
            ],
          },
        ],
      },
    ],
  };
}

describe('OTLP fields a sender leaves out', () => {
  it('reads a point without attributes, an attribute without key or value, a metric without unit and a histogram without buckets, with nulls in OTLP/JSON as fields not sent', () => {
    const b = fromJson(request(null));
    const gauge = (i: number) => `${M}[0].gauge.dataPoints[${i}]`;
    const hist = `${M}[1].histogram.dataPoints[0]`;
    expect(b.series.map((s) => [s.path, s.series, s.unit, s.labelProblem])).toEqual([
      [gauge(0), { metric: 'g', labels: {} }, undefined, undefined],
      [
        gauge(1),
        { metric: 'g', labels: { '': 'nameless', s: '', a: '[]', l: '{}', n: '' } },
        undefined,
        { path: `${gauge(1)}.attributes`, problem: 'has an attribute with an empty key' },
      ],
      [hist, { metric: 'h', labels: {} }, undefined, undefined],
    ]);
    expect(b.series[0]!.points).toEqual([{ index: 0, value: 7, time: 2, startMs: undefined }]);
    expect(b.series[2]!.histograms).toEqual([
      {
        index: 2,
        time: 3,
        count: 0,
        zeroCount: 0,
        zeroThreshold: 0,
        bounds: [],
        counts: [],
        negativeCount: 0,
        reset: false,
        gauge: false,
        explicit: true,
      },
    ]);
    expect(b.malformed).toEqual([
      {
        index: 3,
        path: `${M}[2].sum.dataPoints`,
        reason: 'malformed',
        message: 'the metric has no data points',
      },
    ]);
    expect(fromJson(request(undefined))).toEqual(b);
    expect(fromProtobuf(request(undefined))).toEqual(b);
  });

  it('reads a request whose resource metrics, scope metrics or metrics are null as carrying none', () => {
    const empty = {
      format: 'otlp',
      series: [],
      malformed: [],
      sampleCount: 0,
      seriesCount: 0,
      malformedSeries: 0,
    };
    expect(fromJson({ resourceMetrics: null })).toEqual(empty);
    expect(fromJson({ resourceMetrics: [{ resource: null, scopeMetrics: null }] })).toEqual(empty);
    expect(fromJson({ resourceMetrics: [{ scopeMetrics: [{ metrics: null }] }] })).toEqual(empty);
  });
});

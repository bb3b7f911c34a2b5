import { describe, expect, it } from 'vitest';
import {
  countsAsSample,
  type DecodedSeries,
  outerSeries,
  pointPath,
} from '../../../shared/domain/telemetry/model.js';

/** The decoded model's helpers: the body path of a sample, and which stored samples stand for a request's. */

const point = (index: number) => ({ index, value: 1, time: 0 });

function series(over: Partial<DecodedSeries>): DecodedSeries {
  return {
    series: { metric: 'm', labels: {} },
    path: 'timeseries[2]',
    pointField: 'samples',
    firstIndex: 10,
    epochUnit: 'ms',
    points: [point(10), point(11)],
    ...over,
  };
}

describe('pointPath: where a sample is in the request body', () => {
  it('names a float point by its offset in the series, under the series’ point field', () => {
    const s = series({});
    expect([10, 11, 14].map((i) => pointPath(s, i))).toEqual([
      'timeseries[2].samples[0]',
      'timeseries[2].samples[1]',
      'timeseries[2].samples[4]',
    ]);
  });

  it('names native histogram points after the float points, counted from 0', () => {
    const s = series({ histograms: [] });
    expect([10, 11, 12, 13].map((i) => pointPath(s, i))).toEqual([
      'timeseries[2].samples[0]',
      'timeseries[2].samples[1]',
      'timeseries[2].histograms[0]',
      'timeseries[2].histograms[1]',
    ]);
    const only = series({ points: [], histograms: [], pointField: 'points' });
    expect(pointPath(only, 10)).toBe('timeseries[2].histograms[0]');
  });

  it('names an Accord JSON sample by its own index', () => {
    expect(pointPath(series({ pointField: '' }), 11)).toBe('samples[11]');
  });

  it('takes the paths a format names itself (OTLP), else the series path', () => {
    const s = series({ paths: ['a.dataPoints[0]', 'a.dataPoints[1]'], pointField: '' });
    expect([10, 11, 12].map((i) => pointPath(s, i))).toEqual([
      'a.dataPoints[0]',
      'a.dataPoints[1]',
      'timeseries[2]',
    ]);
  });

  it('names a backfill file’s point by its line, else the series path', () => {
    const s = series({ lines: [4, 9] });
    expect([10, 11, 12].map((i) => pointPath(s, i))).toEqual(['line 4', 'line 9', 'timeseries[2]']);
  });
});

describe('the stored samples of a request sample', () => {
  it('gives a native histogram’s two counters the series they came from, and leaves other series keys whole', () => {
    expect(outerSeries({ series: 'v|lat#x|job=a#le=0.3', type: 'native-histogram' })).toBe('v|lat#x|job=a');
    expect(outerSeries({ series: 'v|lat#x|job=a#count', type: 'native-histogram' })).toBe('v|lat#x|job=a');
    expect(outerSeries({ series: 'v|lat#x|job=a#count', type: 'histogram' })).toBe('v|lat#x|job=a#count');
  });

  it('lets a native histogram’s count stand for its request sample, not its threshold counter', () => {
    expect([
      countsAsSample({ type: 'native-histogram', feed: 'total-only' }),
      countsAsSample({ type: 'native-histogram', feed: 'good-only' }),
      countsAsSample({ type: 'histogram', feed: 'good-only' }),
      countsAsSample({ type: 'counter', feed: 'good' }),
    ]).toEqual([true, false, true, true]);
  });
});

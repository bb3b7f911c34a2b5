import { describe, expect, it } from 'vitest';
import { sliBucketsInto } from '../../../shared/domain/telemetry/backfill-columns.js';
import {
  decodeOpenMetrics,
  readOpenMetricsColumns,
} from '../../../shared/domain/telemetry/backfill-files.js';

/**
 * The columnar reader's typed columns (backfill-5 round): the chunk's samples in two flat arrays, each series a view
 * of them, or a gathered copy when its lines are not consecutive; the arrays grow when lines are short.
 */
const T0 = 1_700_000_000;

/** The full reader's numbers, series by series, for comparison. */
function full(body: string) {
  return decodeOpenMetrics(body).series.map((s) => ({
    metric: s.series.metric,
    labels: s.series.labels,
    times: s.points.map((p) => p.time),
    values: s.points.map((p) => p.value),
  }));
}

function typed(body: string) {
  const b = readOpenMetricsColumns(Buffer.from(body))!;
  return b.series.map((s) => ({
    metric: s.metric,
    labels: s.labels,
    times: Array.from(s.times),
    values: Array.from(s.values),
  }));
}

describe('the typed columnar OpenMetrics reader', () => {
  it('gathers series whose lines interleave (a file written time by time) into each series’ own columns', () => {
    // Three counters, one line each per minute for 4 minutes, minute by minute: a{x="1"} 1,2,3,4; a{x="2"} 10,20,...
    const lines = ['# TYPE a counter'];
    for (let m = 0; m < 4; m++)
      for (const [x, k] of [
        ['1', 1],
        ['2', 10],
        ['3', 100],
      ] as const)
        lines.push(`a_total{x="${x}"} ${k * (m + 1)} ${T0 + 60 * m}`);
    const body = `${lines.join('\n')}\n# EOF\n`;
    const got = typed(body);
    expect(got).toEqual(full(body));
    expect(got.map((s) => s.values)).toEqual([
      [1, 2, 3, 4],
      [10, 20, 30, 40],
      [100, 200, 300, 400],
    ]);
    expect(got[2]!.times).toEqual([0, 1, 2, 3].map((m) => (T0 + 60 * m) * 1000));
  });

  it('reads every sample of a chunk of lines much shorter than 64 bytes (its arrays grow past their first size)', () => {
    // 3,000 lines of about 20 bytes: 60 KB, a first capacity of 1,024 samples, grown twice. Two series, alternating
    // in runs of 500 lines (each series' lines are not consecutive: gathered).
    const lines = ['# TYPE b counter'];
    for (let run = 0; run < 6; run++)
      for (let i = 0; i < 500; i++) {
        const k = Math.floor(run / 2) * 500 + i; // the sample's number within its series
        lines.push(`${run % 2 ? 'c' : 'b'}_total ${k} ${T0 + k}`);
      }
    const body = `${lines.join('\n')}\n# EOF\n`;
    const b = readOpenMetricsColumns(Buffer.from(body))!;
    expect(b.sampleCount).toBe(3_000);
    expect(b.series.map((s) => s.times.length)).toEqual([1_500, 1_500]);
    expect(typed(body)).toEqual(full(body));
    expect(b.series[1]!.values[1_499]).toBe(1_499);
  });

  it('gives a series of consecutive lines the reading order unchanged, first to last', () => {
    const body = '# TYPE d counter\nd_total 5 1700000000\nd_total 7.25 1700000000.5\n# EOF\n';
    const b = readOpenMetricsColumns(Buffer.from(body))!;
    expect(Array.from(b.series[0]!.times)).toEqual([1_700_000_000_000, 1_700_000_000_500]);
    expect(Array.from(b.series[0]!.values)).toEqual([5, 7.25]);
  });
});

describe('rollup buckets into a scratch', () => {
  it('answers the number of buckets and writes them first, leaving what follows untouched', () => {
    // Good increases 3 and 4 at minutes 1 and 11, bad 1 at minute 2: buckets 0 (good 3, total 4) and 2 (4, 4).
    const at = (m: number) => 1_700_000_100_000 + m * 60_000; // 1_700_000_100_000 is a bucket's start
    const out = {
      buckets: new Float64Array(4).fill(-1),
      good: new Float64Array(4).fill(-1),
      total: new Float64Array(4).fill(-1),
    };
    const n = sliBucketsInto(
      [
        { feed: 'good', times: [at(1), at(11)], events: Float64Array.from([3, 4]) },
        { feed: 'bad', times: [at(2)], events: Float64Array.from([1]) },
      ],
      out,
    );
    const b0 = 1_700_000_100_000 / 300_000;
    expect(n).toBe(2);
    expect(Array.from(out.buckets)).toEqual([b0, b0 + 2, -1, -1]);
    expect(Array.from(out.good)).toEqual([3, 4, -1, -1]);
    expect(Array.from(out.total)).toEqual([4, 4, -1, -1]);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeCsv, decodeOpenMetrics } from '../../../shared/domain/telemetry/backfill-files.js';
import { type DecodedBatch, pointPath } from '../../../shared/domain/telemetry/model.js';
import { problems } from '../../helpers/backfill-files.js';

/** Each series as `metric{sorted labels}` with its [time ms, value, path] points. */
function view(b: DecodedBatch) {
  return b.series.map((s) => ({
    series: `${s.series.metric}${JSON.stringify(Object.fromEntries(Object.entries(s.series.labels).sort()))}`,
    type: s.type,
    points: s.points.map((p) => [p.time, p.value, pointPath(s, p.index)]),
  }));
}

describe('OpenMetrics backfill files', () => {
  it('reads labels once per series whatever their order, with escapes, spaces, braces and commas inside values', () => {
    const b = decodeOpenMetrics(
      [
        '# TYPE req counter',
        'req_total{code="200",path="/a b,{c}"} 10 1700000000',
        'req_total{path="/a b,{c}",code="200"} 12 1700000060',
        'req_total{code="200",path="say \\"hi\\"\\\\ \\n"} 1 1700000000',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(view(b)).toEqual([
      {
        series: 'req_total{"code":"200","path":"/a b,{c}"}',
        type: 'counter',
        points: [
          [1_700_000_000_000, 10, 'line 2'],
          [1_700_000_060_000, 12, 'line 3'],
        ],
      },
      {
        series: 'req_total{"code":"200","path":"say \\"hi\\"\\\\ \\n"}',
        type: 'counter',
        points: [[1_700_000_000_000, 1, 'line 4']],
      },
    ]);
    expect(b).toMatchObject({ sampleCount: 3, seriesCount: 2 });
  });

  it('reads a line spelled as the line before as the same series, and only then (a longer name, more labels, a new # TYPE)', () => {
    const b = decodeOpenMetrics(
      [
        'm 1 10',
        'm\t2 20',
        'm_total 3 30',
        'm{a="1"} 4 40',
        'm{a="1"}  5 50',
        'm{a="1",b="2"} 6 60',
        'm{a="1"} 7 70',
        'm_created 1 10',
        'm_created 1 20',
        '# TYPE m counter',
        'm 8 80',
        '# EOF',
      ].join('\n'),
    );
    expect(view(b).map((s) => [s.series, s.type, s.points.map((p) => p[1])])).toEqual([
      // A series keeps the type it had when first read (a # TYPE after it types the series read after it).
      ['m{}', undefined, [1, 2, 8]],
      ['m_total{}', undefined, [3]],
      ['m{"a":"1"}', undefined, [4, 5, 7]],
      ['m{"a":"1","b":"2"}', undefined, [6]],
    ]);
  });

  it('reads numbers as Number() does: decimals, exponents, negative values, NaN, timestamps with milliseconds', () => {
    const b = decodeOpenMetrics(
      [
        'g 0.1 1700000000.123',
        'g -2.5e3 1700000001',
        'g 123456789012345678 1700000002',
        'g NaN 1700000003.9999',
        'g 1e-7 1.7e9',
        '# EOF',
      ].join('\n'),
    );
    expect(view(b)[0]!.points).toEqual([
      [1_700_000_000_000, 1e-7, 'line 5'],
      [1_700_000_000_123, 0.1, 'line 1'],
      [1_700_000_001_000, -2500, 'line 2'],
      [1_700_000_002_000, Number('123456789012345678'), 'line 3'],
      [1_700_000_004_000, Number.NaN, 'line 4'],
    ]);
  });

  it('orders a series by time, keeping each point with its line, and numbers samples series by series', () => {
    const b = decodeOpenMetrics(
      ['a 3 30', 'b 1 10', 'a 1 10', 'a 2 20', 'b 2 20', 'a 4 40 # {trace_id="x"} 1 40', '# EOF'].join('\n'),
    );
    expect(view(b)).toEqual([
      {
        series: 'a{}',
        type: undefined,
        points: [
          [10_000, 1, 'line 3'],
          [20_000, 2, 'line 4'],
          [30_000, 3, 'line 1'],
          [40_000, 4, 'line 6'],
        ],
      },
      {
        series: 'b{}',
        type: undefined,
        points: [
          [10_000, 1, 'line 2'],
          [20_000, 2, 'line 5'],
        ],
      },
    ]);
    expect(b.series.map((s) => s.points.map((p) => p.index))).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
  });

  it('types a family from its # TYPE line (the _total, _count, _bucket, _sum members too) and skips _created', () => {
    const b = decodeOpenMetrics(
      [
        'x_total 1 1',
        '# TYPE x counter',
        'x_total 2 2',
        'x_created 1 1',
        '# TYPE h histogram',
        'h_bucket{le="0.5"} 3 1',
        'h_count 4 1',
        '# EOF',
      ].join('\n'),
    );
    expect(b.series.map((s) => [s.series.metric, s.type, s.points.length])).toEqual([
      ['x_total', undefined, 2],
      ['h_bucket', 'histogram', 1],
      ['h_count', 'histogram', 1],
    ]);
  });

  it('names every unreadable line, read once or read again with a series already seen', () => {
    expect(
      problems(() =>
        decodeOpenMetrics(
          [
            'ok{a="1"} 1 1',
            'ok{a="1"} x 2',
            'ok{a="1"} 1',
            'ok{a="1"} 1 # {t="x"} 1',
            'ok{a="1"} 1 soon',
            'ok{a="1} 1 2',
            '{a="1"} 1 2',
            'ok{a="1",a="2"} 1 2',
            'ok  1 2',
            '# EOF',
            'late 1 1',
          ].join('\n'),
        ),
      ),
    ).toEqual([
      { path: 'line 2', problem: '"x" is not a number' },
      { path: 'line 3', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 4', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 5', problem: '"soon" is not a timestamp in seconds' },
      { path: 'line 6', problem: 'the value of label a is not closed' },
      { path: 'line 7', problem: 'a metric name is expected' },
      { path: 'line 8', problem: 'label a appears twice' },
      { path: 'line 11', problem: 'nothing may follow # EOF' },
    ]);
  });

  it('requires # EOF', () => {
    expect(problems(() => decodeOpenMetrics('a 1 1\n'))).toEqual([
      { path: 'line 2', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
  });
});

describe('CSV backfill files', () => {
  it('reads RFC 3339 and epoch seconds, labels from the other columns, and orders each series by time', () => {
    const b = decodeCsv(
      [
        'timestamp,metric,value,type,service',
        '2023-11-14T22:13:30Z,req_total,5,counter,svc_a',
        '1700000000,req_total,3,counter,svc_a',
        '1700000000.5,lat,0.25,gauge,',
      ].join('\n'),
    );
    expect(view(b)).toEqual([
      {
        series: 'req_total{"service":"svc_a"}',
        type: 'counter',
        points: [
          [1_700_000_000_000, 3, 'line 3'],
          [1_700_000_010_000, 5, 'line 2'],
        ],
      },
      { series: 'lat{}', type: 'gauge', points: [[1_700_000_000_500, 0.25, 'line 4']] },
    ]);
  });

  it('names the missing columns and each bad row', () => {
    expect(problems(() => decodeCsv('time,metric\n1,a\n'))).toEqual([
      { path: 'line 1', problem: 'the header has no timestamp column' },
      { path: 'line 1', problem: 'the header has no value column' },
    ]);
    expect(problems(() => decodeCsv('timestamp,metric,value\nsoon,a,1\n1,a,x\n1,a-b,1\n'))).toEqual([
      { path: 'line 2.timestamp', problem: '"soon" is neither RFC 3339 nor epoch seconds' },
      { path: 'line 3.value', problem: '"x" is not a number' },
      { path: 'line 4.metric', problem: '"a-b" is not a metric name' },
    ]);
  });
});

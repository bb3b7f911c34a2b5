import { describe, expect, it } from 'vitest';
import { decodeCsv } from '../../../shared/domain/telemetry/backfill-files.js';
import { fileBatch, fileSeries, problems } from '../../helpers/backfill-files.js';

/**
 * The CSV backfill reader's rules one by one (docs/backfill.md): the decoded batch, the columns it needs, each cell it
 * reads or names, and the line each problem names.
 */

/** Each series as [metric, labels, type, [time ms, value, line] per point]. */
function view(text: string) {
  return decodeCsv(text).series.map((s) => [
    s.series.metric,
    s.series.labels,
    s.type,
    s.points.map((p, k) => [p.time, p.value, s.lines![k]]),
  ]);
}

describe('a CSV backfill file read into the decoded model', () => {
  it('gives each series its first line as path and the type column’s type, its samples numbered in time order', () => {
    const b = decodeCsv(
      ['timestamp,metric,value,type,svc', '20,a_total,2,counter,x', '5,b,1,,', '10,a_total,1,counter,x'].join(
        '\n',
      ),
    );
    expect(b).toEqual(
      fileBatch(
        'csv',
        [
          fileSeries({
            metric: 'a_total',
            labels: { svc: 'x' },
            path: 'line 2',
            firstIndex: 0,
            type: 'counter',
            typeSource: '# TYPE',
            points: [
              [0, 1, 10_000],
              [1, 2, 20_000],
            ],
            lines: [4, 2],
          }),
          fileSeries({
            metric: 'b',
            labels: {},
            path: 'line 3',
            firstIndex: 2,
            type: undefined,
            typeSource: undefined,
            points: [[2, 1, 5_000]],
            lines: [3],
          }),
        ],
        3,
        2,
      ),
    );
  });

  it('reads the columns in any order, the type column first included, every other column a label', () => {
    expect(
      view(['type,region,value,metric,timestamp,zone', 'gauge,eu,3,m,7,z1', ',eu,4,m,8,'].join('\n')),
    ).toEqual([
      ['m', { region: 'eu', zone: 'z1' }, 'gauge', [[7_000, 3, 2]]],
      ['m', { region: 'eu' }, undefined, [[8_000, 4, 3]]],
    ]);
  });

  it('reads a file without a type column, leaving every series to the mapping rule', () => {
    expect(view('metric,timestamp,value\nm,1,2\n')).toEqual([['m', {}, undefined, [[1_000, 2, 2]]]]);
  });

  it('reads every OpenMetrics type name in the type column', () => {
    const kinds = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];
    const text = ['timestamp,metric,value,type', ...kinds.map((k) => `1,m_${k},1,${k}`)].join('\n');
    expect(decodeCsv(text).series.map((s) => [s.series.metric, s.type])).toEqual([
      ['m_counter', 'counter'],
      ['m_gauge', 'gauge'],
      ['m_histogram', 'histogram'],
      ['m_gaugehistogram', 'gauge'],
      ['m_summary', 'summary'],
      ['m_info', 'gauge'],
      ['m_stateset', 'gauge'],
    ]);
  });

  it('trims cells and skips empty lines, naming each sample by the line it is on', () => {
    expect(
      view(['', 'timestamp , metric , value , svc', '', ' 1 , m , 2 , a ', '', '', '3,m,4,a', ''].join('\n')),
    ).toEqual([
      [
        'm',
        { svc: 'a' },
        undefined,
        [
          [1_000, 2, 4],
          [3_000, 4, 7],
        ],
      ],
    ]);
  });

  it('reads RFC 3339 times with offsets and fractions, and epoch seconds with fractions, to the millisecond', () => {
    const times = [
      '2023-11-14T22:13:20Z',
      '2023-11-14T23:13:20.25+01:00',
      '1700000000',
      '1700000000.75',
      '1700000000.0004',
      '0',
    ];
    const text = ['timestamp,metric,value', ...times.map((t, i) => `${t},m${i},1`)].join('\n');
    expect(decodeCsv(text).series.map((s) => s.points[0]!.time)).toEqual([
      1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_000, 1_700_000_000_750, 1_700_000_000_000, 0,
    ]);
  });

  it('refuses a local date-time (no offset) instead of reading it in the server zone, and a bare date', () => {
    const text = [
      'timestamp,metric,value',
      '2023-11-14T22:13:20,m,1',
      '2023-11-14 22:13:20,m,1',
      '2023-11-14,m,1',
      '2023-11-14T22:13:20Z,m,1',
    ].join('\n');
    expect(problems(() => decodeCsv(text))).toEqual([
      {
        path: 'line 2.timestamp',
        problem:
          '"2023-11-14T22:13:20" has no offset: write it in RFC 3339 with Z or ±hh:mm, or as epoch seconds',
      },
      {
        path: 'line 3.timestamp',
        problem:
          '"2023-11-14 22:13:20" has no offset: write it in RFC 3339 with Z or ±hh:mm, or as epoch seconds',
      },
      { path: 'line 4.timestamp', problem: '"2023-11-14" is neither RFC 3339 nor epoch seconds' },
    ]);
  });

  it('reads values as Number() does: negative, exponents, Infinity', () => {
    const b = decodeCsv('timestamp,metric,value\n1,m,-2.5\n2,m,1e3\n3,m,Infinity\n4,m,0x10\n');
    expect(b.series[0]!.points.map((p) => p.value)).toEqual([-2.5, 1000, Number.POSITIVE_INFINITY, 16]);
  });

  it('reads a header without rows as no series', () => {
    expect(decodeCsv('timestamp,metric,value\n')).toMatchObject({
      series: [],
      sampleCount: 0,
      seriesCount: 0,
    });
  });
});

describe('a CSV backfill file that cannot be read', () => {
  it('names all three columns missing from an empty file', () => {
    expect(problems(() => decodeCsv(''))).toEqual([
      { path: 'line 1', problem: 'the header has no timestamp column' },
      { path: 'line 1', problem: 'the header has no metric column' },
      { path: 'line 1', problem: 'the header has no value column' },
    ]);
  });

  it('names the header’s line when empty lines come first', () => {
    expect(problems(() => decodeCsv('\n\ntimestamp,value\n1,2\n'))).toEqual([
      { path: 'line 3', problem: 'the header has no metric column' },
    ]);
  });

  it('names a row of the wrong length or an unclosed quote as the file’s problem, in csv-parse’s words', () => {
    expect(problems(() => decodeCsv('timestamp,metric,value\n1,m,2,3\n'))).toEqual([
      { path: '(file)', problem: 'Invalid Record Length: expect 3, got 4 on line 2' },
    ]);
    expect(problems(() => decodeCsv('timestamp,metric,value\n1,m\n'))).toEqual([
      { path: '(file)', problem: 'Invalid Record Length: expect 3, got 2 on line 2' },
    ]);
    expect(problems(() => decodeCsv('timestamp,metric,value\n1,"m,2\n'))).toEqual([
      {
        path: '(file)',
        problem: 'Quote Not Closed: the parsing is finished with an opening quote at line 2',
      },
    ]);
  });

  it('names each bad cell with its row’s line and column: times, values, metric names and types', () => {
    expect(
      problems(() =>
        decodeCsv(
          [
            'timestamp,metric,value,type',
            ',m,1,',
            'Nov 14 2023,m,1,',
            '-5,m,1,',
            'soon,m,1,',
            '1,m,,',
            '1,m,x,',
            '1,,1,',
            '1,9m,1,',
            '1,m x,1,',
            '1,m,1,unknown',
            '1,m,1,Counter',
            '1,m,1,counter',
          ].join('\n'),
        ),
      ),
    ).toEqual([
      { path: 'line 2.timestamp', problem: '"" is neither RFC 3339 nor epoch seconds' },
      { path: 'line 3.timestamp', problem: '"Nov 14 2023" is neither RFC 3339 nor epoch seconds' },
      { path: 'line 4.timestamp', problem: '"-5" is neither RFC 3339 nor epoch seconds' },
      { path: 'line 5.timestamp', problem: '"soon" is neither RFC 3339 nor epoch seconds' },
      { path: 'line 6.value', problem: '"" is not a number' },
      { path: 'line 7.value', problem: '"x" is not a number' },
      { path: 'line 8.metric', problem: '"" is not a metric name' },
      { path: 'line 9.metric', problem: '"9m" is not a metric name' },
      { path: 'line 10.metric', problem: '"m x" is not a metric name' },
      { path: 'line 11.type', problem: '"unknown" is not counter, gauge, histogram or summary' },
      { path: 'line 12.type', problem: '"Counter" is not counter, gauge, histogram or summary' },
    ]);
  });

  it('names a bad row by the line it is on, after empty lines and a cell holding a line break', () => {
    expect(
      problems(() => decodeCsv('timestamp,metric,value,note\n\n1,m,x,a\n1,m,1,"b\nc"\n1,m,y,d\n')),
    ).toEqual([
      { path: 'line 3.value', problem: '"x" is not a number' },
      { path: 'line 6.value', problem: '"y" is not a number' },
    ]);
  });

  it('names at most 20 bad rows', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `1,m,x${i}`);
    expect(problems(() => decodeCsv(['timestamp,metric,value', ...rows].join('\n')))).toEqual(
      rows.slice(0, 20).map((_, i) => ({ path: `line ${i + 2}.value`, problem: `"x${i}" is not a number` })),
    );
  });
});

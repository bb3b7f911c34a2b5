import { describe, expect, it } from 'vitest';
import { BackfillFileError, decodeOpenMetrics } from '../../../shared/domain/telemetry/backfill-files.js';
import { fileBatch, fileSeries, problems } from '../../helpers/backfill-files.js';
import { thrown } from '../../helpers/refusal.js';

/**
 * The OpenMetrics backfill reader's rules one by one (docs/backfill.md): the decoded batch it gives, each family type,
 * each number it reads or names, each label set it reads or names, and where each problem is.
 */

/** The values a one-series file gives, in time order. */
function values(lines: string[]) {
  return decodeOpenMetrics([...lines, '# EOF'].join('\n')).series.map((s) => s.points.map((p) => p.value));
}

/** Each series' metric and type. */
function types(lines: string[]) {
  return decodeOpenMetrics([...lines, '# EOF'].join('\n')).series.map((s) => [s.series.metric, s.type]);
}

/** The problems of a file of these lines then # EOF. */
function named(lines: string[]) {
  return problems(() => decodeOpenMetrics([...lines, '# EOF'].join('\n')));
}

describe('an OpenMetrics backfill file read into the decoded model', () => {
  it('gives every series its first line as path, its samples numbered across the file with their lines, in time order', () => {
    const b = decodeOpenMetrics('# TYPE a counter\na_total{x="1"} 2 10\nb 1 5\na_total{x="1"} 1 5\n# EOF\n');
    expect(b).toEqual(
      fileBatch(
        'openmetrics',
        [
          fileSeries({
            metric: 'a_total',
            labels: { x: '1' },
            path: 'line 2',
            firstIndex: 0,
            type: 'counter',
            typeSource: '# TYPE',
            points: [
              [0, 1, 5_000],
              [1, 2, 10_000],
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

  it('keeps apart series whose label names and values would run together (a="b1" and ab="1"), and series of one metric', () => {
    const b = decodeOpenMetrics('m{a="b1"} 1 1\nm{ab="1"} 2 1\nm{a="b1"} 3 2\nm{a="c"} 4 1\n# EOF');
    expect(b.series.map((s) => [s.series.labels, s.points.map((p) => p.value), s.lines])).toEqual([
      [{ a: 'b1' }, [1, 3], [1, 3]],
      [{ ab: '1' }, [2], [2]],
      [{ a: 'c' }, [4], [4]],
    ]);
  });

  it('keeps a series in the order written when its times ascend, and when two samples share a time', () => {
    const b = decodeOpenMetrics('m 1 5\nm 2 5\nm 3 6\n# EOF');
    expect(b.series[0]!.points).toEqual([
      { index: 0, value: 1, time: 5_000 },
      { index: 1, value: 2, time: 5_000 },
      { index: 2, value: 3, time: 6_000 },
    ]);
    expect(b.series[0]!.lines).toEqual([1, 2, 3]);
  });

  it('orders a series written newest first by time, each point with its line', () => {
    const b = decodeOpenMetrics('m 3 30\nm 2 20\nm 1 10\n# EOF');
    expect(b.series[0]!.points.map((p) => [p.time, p.value])).toEqual([
      [10_000, 1],
      [20_000, 2],
      [30_000, 3],
    ]);
    expect(b.series[0]!.lines).toEqual([3, 2, 1]);
  });

  it('reads an empty file ended by # EOF as no series', () => {
    expect(decodeOpenMetrics('# EOF\n')).toEqual(fileBatch('openmetrics', [], 0, 0));
  });
});

describe('OpenMetrics family types', () => {
  it('maps each OpenMetrics type to Accord’s: gauge histograms, infos and statesets are gauges; unknown is left to the rule', () => {
    const kinds = [
      'counter',
      'gauge',
      'histogram',
      'gaugehistogram',
      'summary',
      'info',
      'stateset',
      'unknown',
    ];
    expect(types(kinds.flatMap((k) => [`# TYPE f_${k} ${k}`, `f_${k} 1 1`]))).toEqual([
      ['f_counter', 'counter'],
      ['f_gauge', 'gauge'],
      ['f_histogram', 'histogram'],
      ['f_gaugehistogram', 'gauge'],
      ['f_summary', 'summary'],
      ['f_info', 'gauge'],
      ['f_stateset', 'gauge'],
      ['f_unknown', undefined],
    ]);
  });

  it('types a family’s _total, _bucket, _count and _sum members, and no other name that merely starts alike', () => {
    expect(
      types([
        '# TYPE s summary',
        's_total 1 1',
        's_bucket 1 1',
        's_count 1 1',
        's_sum 1 1',
        's_max 1 1',
        'stotal 1 1',
        's_count_x 1 1',
        's_sum_total 1 1',
      ]),
    ).toEqual([
      ['s_total', 'summary'],
      ['s_bucket', 'summary'],
      ['s_count', 'summary'],
      ['s_sum', 'summary'],
      ['s_max', undefined],
      ['stotal', undefined],
      ['s_count_x', undefined],
      ['s_sum_total', undefined],
    ]);
  });

  it('reads # TYPE lines of a CRLF file, ignores other comments and a # TYPE without a type, and keeps a known type over an unknown one', () => {
    expect(
      types([
        '# TYPE c counter\r',
        '# HELP c gauge readings, the TYPE of c gauge\r',
        '# TYPE c unknown\r',
        '# TYPE c\r',
        'c_total 1 1\r',
      ]),
    ).toEqual([['c_total', 'counter']]);
  });

  it('ends a CRLF file at its # EOF line', () => {
    expect(values(['c 1 1\r', 'c 2 2\r'])).toEqual([[1, 2]]);
    expect(decodeOpenMetrics('c 1 1\r\nc 2 2\r\n# EOF\r\n').sampleCount).toBe(2);
  });

  it('passes over an empty line of a CRLF file as over an empty line', () => {
    expect(decodeOpenMetrics('c 1 1\r\n\r\nc 2 2\r\n\r\n# EOF\r\n').sampleCount).toBe(2);
  });
});

describe('OpenMetrics numbers', () => {
  it('reads plain decimals exactly as Number() does, signs, fractions and 15 digits included', () => {
    const texts = [
      '0',
      '7',
      '-3',
      '0.5',
      '-0.25',
      '12.5',
      '999999999999999',
      '0.123456789012345',
      '-1234567.8901',
    ];
    expect(values(texts.map((v, i) => `g ${v} ${i + 1}`))).toEqual([texts.map(Number)]);
  });

  it('reads longer numbers, exponents and edge spellings as Number() does', () => {
    const texts = [
      '0.12345678901234567',
      '12345678901234567890',
      '1e3',
      '-2.5E-2',
      '1.',
      '.5',
      '+4',
      'Infinity',
      '-Infinity',
      '0x10',
    ];
    expect(values(texts.map((v, i) => `g ${v} ${i + 1}`))).toEqual([texts.map(Number)]);
  });

  it('reads +Inf, -Inf, Inf and NaN in any case as Prometheus does (they are refused later, sample by sample)', () => {
    const texts = ['+Inf', '-Inf', 'Inf', 'inf', '-inf', '+infinity', 'NaN', 'nan', 'NAN'];
    expect(values(texts.map((v, i) => `g ${v} ${i + 1}`))).toEqual([
      [
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.NaN,
        Number.NaN,
        Number.NaN,
      ],
    ]);
  });

  it('names a value that is not a number: empty, a sign, a point, two points, a word, a near-infinity', () => {
    expect(
      named([
        'g{a="1"}',
        'g -',
        'g .',
        'g 1..5 1',
        'g 1.5.5 1',
        'g one 1',
        'g +Infx 1',
        'g nanx 1',
        'g  \t',
        'g ++Inf 1',
      ]),
    ).toEqual([
      { path: 'line 1', problem: '"" is not a number' },
      { path: 'line 2', problem: '"-" is not a number' },
      { path: 'line 3', problem: '"." is not a number' },
      { path: 'line 4', problem: '"1..5" is not a number' },
      { path: 'line 5', problem: '"1.5.5" is not a number' },
      { path: 'line 6', problem: '"one" is not a number' },
      { path: 'line 7', problem: '"+Infx" is not a number' },
      { path: 'line 8', problem: '"nanx" is not a number' },
      { path: 'line 9', problem: '"" is not a number' },
      { path: 'line 10', problem: '"++Inf" is not a number' },
    ]);
  });

  it('reads timestamps in seconds to the millisecond, rounded: decimals, exponents, a single digit, zero, negative', () => {
    const b = decodeOpenMetrics(
      [
        'g 1 1700000000.0004',
        'g 2 1700000001.0005',
        'g 3 1.7000000025e9',
        'g 4 5',
        'g 5 0',
        'g 6 -1.5',
        'g 7 1700000003.12345678901',
        '# EOF',
      ].join('\n'),
    );
    expect(b.series[0]!.points.map((p) => [p.value, p.time])).toEqual([
      [6, -1_500],
      [5, 0],
      [4, 5_000],
      [1, 1_700_000_000_000],
      [2, 1_700_000_001_001],
      [3, 1_700_000_002_500],
      [7, 1_700_000_003_123],
    ]);
  });

  it('names a sample without a time (an exemplar right after the value included) and a time that is not a number of seconds', () => {
    expect(
      named([
        'g 1',
        'g 1 ',
        'g 1 #',
        'g 1 # {a="b"} 1',
        'g 1 #1',
        'g 1 soon',
        'g 1 NaN',
        'g 1 Infinity',
        'g 1 1e400',
        'g 1 .',
        'g 1 #\r',
        'g NaN',
      ]),
    ).toEqual([
      { path: 'line 1', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 2', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 3', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 4', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 5', problem: '"#1" is not a timestamp in seconds' },
      { path: 'line 6', problem: '"soon" is not a timestamp in seconds' },
      { path: 'line 7', problem: '"NaN" is not a timestamp in seconds' },
      { path: 'line 8', problem: '"Infinity" is not a timestamp in seconds' },
      { path: 'line 9', problem: '"1e400" is not a timestamp in seconds' },
      { path: 'line 10', problem: '"." is not a timestamp in seconds' },
      { path: 'line 11', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 12', problem: 'the sample has no timestamp: a backfill sample needs its time' },
    ]);
  });

  it('reads fields separated by tabs and several spaces, with blanks at the end of the line', () => {
    const b = decodeOpenMetrics('g\t1\t10\ng  2   20  \ng{a="x"}\t3 \t30\t\n# EOF');
    expect(b.series.map((s) => [s.series.labels, s.points.map((p) => [p.value, p.time])])).toEqual([
      [
        {},
        [
          [1, 10_000],
          [2, 20_000],
        ],
      ],
      [{ a: 'x' }, [[3, 30_000]]],
    ]);
  });
});

describe('OpenMetrics label sets', () => {
  it('reads label names with capitals, digits and underscores, an empty value, an empty set and a trailing comma', () => {
    const b = decodeOpenMetrics(
      ['m{_A9="1",b_C="",z="}{,"} 1 1', 'n{} 2 1', 'o{a="1",} 3 1', 'p:q{x="y"} 4 1', '# EOF'].join('\n'),
    );
    expect(b.series.map((s) => [s.series.metric, s.series.labels])).toEqual([
      ['m', { _A9: '1', b_C: '', z: '}{,' }],
      ['n', {}],
      ['o', { a: '1' }],
      ['p:q', { x: 'y' }],
    ]);
  });

  it('reads the escapes \\n, \\\\ and \\" in label values, and any other escaped character as itself', () => {
    const b = decodeOpenMetrics('m{a="1\\n2",b="c\\\\d",c="\\"q\\"",d="\\x\\}"} 1 1\n# EOF');
    expect(b.series[0]!.series.labels).toEqual({ a: '1\n2', b: 'c\\d', c: '"q"', d: 'x}' });
  });

  it('names each way a label set can be wrong, with the column where a label name was expected', () => {
    expect(
      named([
        'm{9a="1"} 1 1',
        'm{a="1",,b="2"} 1 1',
        'm{a=1} 1 1',
        'm{a "1"} 1 1',
        'm{a} 1 1',
        'm{a="1"b="2"} 1 1',
        'm{a="1" 1 1',
        'm{a="1",',
        'm{a="1',
        'm{a="1\\',
        'm{a="x",b="y",a="z"} 1 1',
        'm{',
      ]),
    ).toEqual([
      { path: 'line 1', problem: 'a label name is expected at column 3' },
      { path: 'line 2', problem: 'a label name is expected at column 9' },
      { path: 'line 3', problem: 'label a has no ="value"' },
      { path: 'line 4', problem: 'label a has no ="value"' },
      { path: 'line 5', problem: 'label a has no ="value"' },
      { path: 'line 6', problem: 'the label set is not closed' },
      { path: 'line 7', problem: 'the label set is not closed' },
      { path: 'line 8', problem: 'the label set is not closed' },
      { path: 'line 9', problem: 'the value of label a is not closed' },
      { path: 'line 10', problem: 'the value of label a is not closed' },
      { path: 'line 11', problem: 'label a appears twice' },
      { path: 'line 12', problem: 'the label set is not closed' },
    ]);
  });

  it('names a line that does not start with a metric name', () => {
    expect(named(['9m 1 1', ' m 1 1', '-m 1 1', '{a="1"} 1 1'])).toEqual([
      { path: 'line 1', problem: 'a metric name is expected' },
      { path: 'line 2', problem: 'a metric name is expected' },
      { path: 'line 3', problem: 'a metric name is expected' },
      { path: 'line 4', problem: 'a metric name is expected' },
    ]);
  });

  it('reads a series first seen with a problem line and then well', () => {
    expect(named(['m{a="1"} 1 1', 'm{a="1"} x 2', 'm{b="2"} 1 1', 'm{b="2"} y 2', 'm{b="2"} 3 3'])).toEqual([
      { path: 'line 2', problem: '"x" is not a number' },
      { path: 'line 4', problem: '"y" is not a number' },
    ]);
  });

  it('takes a line as the line before’s series only when its spelling ends where that one does', () => {
    const b = decodeOpenMetrics(
      [
        'm{a="1"} 1 1',
        'm{a="1"}\t2 2',
        'm{a="1"} 3 3',
        'm{a="12"} 4 4',
        'mm 5 5',
        'm 6 6',
        'm1 7 7',
        '# EOF',
      ].join('\n'),
    );
    expect(b.series.map((s) => [s.series.metric, s.series.labels, s.points.map((p) => p.value)])).toEqual([
      ['m', { a: '1' }, [1, 2, 3]],
      ['m', { a: '12' }, [4]],
      ['mm', {}, [5]],
      ['m', {}, [6]],
      ['m1', {}, [7]],
    ]);
  });
});

describe('an OpenMetrics series spelled in several ways', () => {
  it('reads a name with an empty label set as the name alone, before or after it, consecutive or not', () => {
    const b = decodeOpenMetrics(
      ['m 1 1', 'm{} 2 2', 'x{} 0 0', 'm{} 3 3', 'x 1 1', 'm 4 4', '# EOF'].join('\n'),
    );
    expect(b.series.map((s) => [s.series.metric, s.series.labels, s.points.map((p) => p.value)])).toEqual([
      ['m', {}, [1, 2, 3, 4]],
      ['x', {}, [0, 1]],
    ]);
  });
});

describe('the lines of an OpenMetrics file', () => {
  it('skips empty lines, counting them, wherever they are', () => {
    const b = decodeOpenMetrics('\n\nm 1 1\n\n\nm 2 2\n\n# EOF\n\n\n');
    expect(b.series[0]!.lines).toEqual([3, 6]);
  });

  it('names the line after the last as the place # EOF is missing, empty lines counted', () => {
    expect(problems(() => decodeOpenMetrics('m 1 1\n\n'))).toEqual([
      { path: 'line 3', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
    expect(problems(() => decodeOpenMetrics('m 1 1'))).toEqual([
      { path: 'line 1', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
    expect(problems(() => decodeOpenMetrics(''))).toEqual([
      { path: 'line 1', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
    expect(problems(() => decodeOpenMetrics('# EOF x\n'))).toEqual([
      { path: 'line 2', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
  });

  it('names the first non-empty line after # EOF only', () => {
    expect(problems(() => decodeOpenMetrics('m 1 1\n# EOF\n\nlate 1 1\nlater 1 1\n'))).toEqual([
      { path: 'line 4', problem: 'nothing may follow # EOF' },
    ]);
  });

  it('names at most 20 unreadable lines, in a message joining each line and its problem', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `m x${i} 1`);
    const e = thrown(() => decodeOpenMetrics(lines.join('\n'))) as BackfillFileError;
    expect(e).toBeInstanceOf(BackfillFileError);
    expect(e.problems).toEqual(
      lines.slice(0, 20).map((_, i) => ({ path: `line ${i + 1}`, problem: `"x${i}" is not a number` })),
    );
    expect(e.message).toBe(
      lines
        .slice(0, 20)
        .map((_, i) => `line ${i + 1}: "x${i}" is not a number`)
        .join('; '),
    );
  });

  it('skips _created samples, whatever their numbers', () => {
    const b = decodeOpenMetrics('# TYPE r counter\nr_created 1 1\nr_total 5 2\nr_created{a="1"} 1 1\n# EOF');
    expect(b.series.map((s) => [s.series.metric, s.points.length])).toEqual([['r_total', 1]]);
    expect(b.sampleCount).toBe(1);
  });

  it('still names a _created line that cannot be read', () => {
    expect(named(['r_created x 1', 'r_created 1'])).toEqual([
      { path: 'line 1', problem: '"x" is not a number' },
      { path: 'line 2', problem: 'the sample has no timestamp: a backfill sample needs its time' },
    ]);
  });
});

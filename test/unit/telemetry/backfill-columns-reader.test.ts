import { describe, expect, it } from 'vitest';
import {
  decodeOpenMetrics,
  decodeOpenMetricsColumns,
  readOpenMetricsColumns,
} from '../../../shared/domain/telemetry/backfill-files.js';

/**
 * The columnar OpenMetrics reader of the backfill's fast path (docs/backfill.md, "Backfill-4 round"), rule by rule:
 * what it reads (the numbers the full reader reads) and each thing it leaves to the full reader (undefined).
 */

/** The chunk of these lines then `# EOF`, as bytes. */
const chunk = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n# EOF\n`);

/** The full reader's series as the columnar reader gives them. */
function full(body: Buffer) {
  return decodeOpenMetrics(body.toString()).series.map((s) => ({
    metric: s.series.metric,
    labels: s.series.labels,
    type: s.type,
    times: s.points.map((p) => p.time),
    values: s.points.map((p) => p.value),
  }));
}

describe('the columnar OpenMetrics reader reads', () => {
  it('each series with its labels, family type, times in ms and values, in order of first appearance', () => {
    const body = chunk([
      '# TYPE a counter',
      '# HELP a summary of the requests',
      'a_total{code="200",path="/x"} 10 1700000000',
      'a_total{code="500",path="/x"} 1 1700000000',
      '# TYPE g gauge',
      'g 0.25 1700000000.5',
      'a_total{path="/x",code="200"} 12.5 1700000060',
      'g 9 1700000090.125',
    ]);
    expect(decodeOpenMetricsColumns(body)).toEqual({
      series: [
        {
          metric: 'a_total',
          labels: { code: '200', path: '/x' },
          type: 'counter',
          times: [1_700_000_000_000, 1_700_000_060_000],
          values: [10, 12.5],
        },
        {
          metric: 'a_total',
          labels: { code: '500', path: '/x' },
          type: 'counter',
          times: [1_700_000_000_000],
          values: [1],
        },
        {
          metric: 'g',
          labels: {},
          type: 'gauge',
          times: [1_700_000_000_500, 1_700_000_090_125],
          values: [0.25, 9],
        },
      ],
      sampleCount: 5,
    });
  });

  it('gives each series of consecutive lines its own columns, the same as the full reader’s', () => {
    const body = chunk([
      'x{a="1"} 1 10',
      'x{a="1"} 2 20',
      'x{a="1"} 3 30',
      'y 4 10',
      'y 5 20',
      'z{b="2"} 6 10',
    ]);
    const got = readOpenMetricsColumns(body)!;
    expect(
      got.series.map((s) => [s.metric, s.labels, s.type, Array.from(s.times), Array.from(s.values)]),
    ).toEqual(full(body).map((s) => [s.metric, s.labels, s.type, s.times, s.values]));
    expect(got.sampleCount).toBe(6);
  });

  it('gathers the samples of series whose lines alternate, with a series of one sample among them', () => {
    const body = chunk(['p 1 10', 'q 10 10', 'p 2 20', 'r 7 5', 'q 20 20', 'p 3 30']);
    expect(decodeOpenMetricsColumns(body)!.series.map((s) => [s.metric, s.times, s.values])).toEqual([
      ['p', [10_000, 20_000, 30_000], [1, 2, 3]],
      ['q', [10_000, 20_000], [10, 20]],
      ['r', [5_000], [7]],
    ]);
  });

  it('reads every digit, zero and nine included, fractions to 15 digits, and a time of 0', () => {
    const body = chunk([
      'd 0 0',
      'd 9 0.009',
      'd 1234567890 1.5',
      'd 999999999999999 90',
      'd 0.12345678901234 1700000000.12345',
      'd 100.05 1700000001.9',
    ]);
    const got = decodeOpenMetricsColumns(body)!;
    expect(got.series[0]!.values).toEqual([0, 9, 1234567890, 999999999999999, 0.12345678901234, 100.05]);
    expect(got.series[0]!.times).toEqual([0, 9, 1_500, 90_000, 1_700_000_000_123, 1_700_000_001_900]);
    expect(got.series).toEqual(full(body));
  });

  it('reads fields separated by tabs and several spaces, blanks at the end of a line, CRLF line ends and empty lines', () => {
    const body = Buffer.from(
      '# TYPE t counter\r\n\nt_total\t1\t10\r\n\nt_total   2  20 \t\r\n\n\nt_total{a="b"}\t3 30\n# EOF\r\n',
    );
    expect(decodeOpenMetricsColumns(body)).toEqual({
      series: [
        { metric: 't_total', labels: {}, type: 'counter', times: [10_000, 20_000], values: [1, 2] },
        { metric: 't_total', labels: { a: 'b' }, type: 'counter', times: [30_000], values: [3] },
      ],
      sampleCount: 3,
    });
  });

  it('reads a chunk whose # EOF ends the bytes without a newline', () => {
    expect(decodeOpenMetricsColumns(Buffer.from('m 1 1\n# EOF'))?.sampleCount).toBe(1);
  });

  it('reads a chunk of nothing but # EOF as no series', () => {
    expect(decodeOpenMetricsColumns(Buffer.from('# EOF\n'))).toEqual({ series: [], sampleCount: 0 });
  });

  it('reads a series whose name starts as the line before’s, or whose labels start alike, as its own', () => {
    const body = chunk([
      'm 1 1',
      'm1 2 2',
      'm{a="1"} 3 3',
      'm{a="12"} 4 4',
      'm{a="12"} 5 5',
      'm 6 6',
      'm{} 7 7',
    ]);
    expect(decodeOpenMetricsColumns(body)!.series.map((s) => [s.metric, s.labels, s.values])).toEqual([
      ['m', {}, [1, 6, 7]],
      ['m1', {}, [2]],
      ['m', { a: '1' }, [3]],
      ['m', { a: '12' }, [4, 5]],
    ]);
  });

  it('types a family’s members from # TYPE lines wherever they are, keeping a known type over an unknown one', () => {
    const body = chunk([
      'h_bucket{le="1"} 1 1',
      '# TYPE h histogram',
      '# TYPE h unknown',
      '# TYPE h',
      'h_count 2 1',
      'h_sum 3 1',
      'h_bucket{le="1"} 2 2',
      '# TYPE s stateset',
      's{s="a"} 1 1',
      '# TYPE u unknown',
      'u 1 1',
    ]);
    expect(decodeOpenMetricsColumns(body)!.series.map((s) => [s.metric, s.type])).toEqual([
      ['h_bucket', undefined],
      ['h_count', 'histogram'],
      ['h_sum', 'histogram'],
      ['s', 'gauge'],
      ['u', undefined],
    ]);
  });

  it('reads a chunk that is a view into a larger buffer', () => {
    const text = 'junk line\n# TYPE v gauge\nv{k="a"} 5 1\nv{k="a"} 6 2\n# EOF\ntail';
    const bytes = new Uint8Array(Buffer.from(text));
    const start = text.indexOf('# TYPE');
    const view = bytes.subarray(start, text.indexOf('tail'));
    expect(decodeOpenMetricsColumns(view)).toEqual({
      series: [{ metric: 'v', labels: { k: 'a' }, type: 'gauge', times: [1_000, 2_000], values: [5, 6] }],
      sampleCount: 2,
    });
  });
});

describe('the columnar OpenMetrics reader leaves to the full reader (undefined)', () => {
  const cases: Record<string, string[]> = {
    'an escaped backslash in a label value': ['m{a="q\\\\"} 1 1'],
    'an escaped newline in a label value': ['m{a="q\\n"} 1 1'],
    'a label set not closed on its line': ['m{a="1" 1 1', 'm{a="1"} 2 2'],
    'a label set that cannot be read': ['m{9="1"} 1 1'],
    'a label set with something after it': ['m{a="1"}x 1 1'],
    'a name that is not a metric name': ['m-x 1 1'],
    'a line starting with a blank': [' m 1 1'],
    'a _created sample': ['# TYPE r counter', 'r_total 1 1', 'r_created 1 1'],
    'a negative value': ['m -1 1'],
    'a value with a sign': ['m +1 1'],
    'a value ending with its point': ['m 1. 1'],
    'a value of two points': ['m 1..5 1'],
    'a value of 16 digits': ['m 1234567890123456 1'],
    'a value of 16 digits with a fraction': ['m 0.1234567890123456 1'],
    'a value with an exponent': ['m 1e3 1'],
    'a value NaN': ['m NaN 1'],
    'a value with a second fraction and no time': ['m 1.5.5'],
    'a value alone': ['m 1'],
    'a value and a blank but no time': ['m 1 '],
    'a time ending with its point': ['m 1 1700000000.'],
    'a time of 16 digits': ['m 1 1700000000.123456'],
    'a time with an exponent': ['m 1 1.7e9'],
    'a negative time': ['m 1 -1'],
    'an exemplar': ['m 1 1 # {t="x"} 1'],
    'a third field': ['m 1 1 1'],
    'a repeated time': ['m 1 1', 'm 2 1'],
    'a time going back': ['m 1 2', 'm 2 1'],
    'a time going back by less than a millisecond': ['m 1 1.0004', 'm 2 1.0001'],
  };
  for (const [name, lines] of Object.entries(cases))
    it(`on ${name}`, () => {
      expect(readOpenMetricsColumns(chunk(lines))).toBeUndefined();
    });

  it('on a line after # EOF', () => {
    expect(readOpenMetricsColumns(Buffer.from('m 1 1\n# EOF\nm 2 2\n'))).toBeUndefined();
  });

  it('on a chunk without # EOF, or ending inside a label set', () => {
    expect(readOpenMetricsColumns(Buffer.from('m 1 1\n'))).toBeUndefined();
    expect(readOpenMetricsColumns(Buffer.from('m 1 1\nm{a="1"'))).toBeUndefined();
    // Bytes of their own (no pool around them): nothing past the end is read.
    expect(readOpenMetricsColumns(new Uint8Array(Buffer.from('m 1 1\nm{a="1"')))).toBeUndefined();
    expect(readOpenMetricsColumns(Buffer.from('m 1 1\nm{a="1"}'))).toBeUndefined();
    expect(readOpenMetricsColumns(Buffer.from('m 1 1\nm'))).toBeUndefined();
  });
});

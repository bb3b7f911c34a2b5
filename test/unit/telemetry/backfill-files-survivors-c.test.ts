import { describe, expect, it } from 'vitest';
import {
  decodeOpenMetrics,
  readOpenMetricsColumns,
} from '../../../shared/domain/telemetry/backfill-files.js';

/**
 * The columnar OpenMetrics reader's last survivors (issue 16): where the byte-level fast path could read a wrong
 * series or number, or give up on a file it is sure of. Each chunk is its own exact buffer (not a slice of Node's
 * pool), so a read past its end shows.
 */

/** These bytes in a buffer of their own. */
const bytes = (s: string) => new TextEncoder().encode(s);

/** The full reader's series as the columnar reader gives them. */
function full(body: string) {
  return decodeOpenMetrics(body).series.map((s) => ({
    metric: s.series.metric,
    labels: s.series.labels,
    type: s.type,
    times: s.points.map((p) => p.time),
    values: s.points.map((p) => p.value),
  }));
}

/** The columnar reader's series with plain arrays, to compare with the full reader's. */
function columns(body: string) {
  const batch = readOpenMetricsColumns(bytes(body));
  return batch?.series.map((s) => ({ ...s, times: [...s.times], values: [...s.values] }));
}

describe('the columnar OpenMetrics reader', () => {
  it('reads a series whose name extends the line before’s, as the full reader does', () => {
    const body = 'foo 1 1\nfoo5 7 8\n# EOF\n';
    expect(columns(body)).toEqual(full(body));
    expect(columns(body)).toEqual([
      { metric: 'foo', labels: {}, type: undefined, times: [1000], values: [1] },
      { metric: 'foo5', labels: {}, type: undefined, times: [8000], values: [7] },
    ]);
  });

  it('gives no type to a family whose # TYPE names an object property, as the full reader does', () => {
    const body = '# TYPE x constructor\nx 1 1\n# TYPE y toString\ny 2 2\n# EOF\n';
    expect(columns(body)).toEqual(full(body));
    expect(columns(body)?.map((s) => s.type)).toEqual([undefined, undefined]);
  });

  it('looks the series of a sample after a # TYPE line up by its own spelling', () => {
    const body = 'xab 1 1\n# TYPE ab gauge\nab  2 2\n# EOF\n';
    expect(columns(body)).toEqual(full(body));
    expect(columns(body)).toEqual([
      { metric: 'xab', labels: {}, type: undefined, times: [1000], values: [1] },
      { metric: 'ab', labels: {}, type: 'gauge', times: [2000], values: [2] },
    ]);
  });

  it('leaves a line that starts with a blank to the full reader, the chunk’s first line included', () => {
    for (const body of [' a 1 1\n# EOF\n', ' 1 1\n# EOF\n', '# HELP a x\n 1 1\n# EOF\n']) {
      expect(readOpenMetricsColumns(bytes(body)), body).toBeUndefined();
      expect(() => decodeOpenMetrics(body), body).toThrow();
    }
  });

  it('leaves a chunk that ends in a bare name to the full reader', () => {
    expect(readOpenMetricsColumns(bytes('a'))).toBeUndefined();
    expect(readOpenMetricsColumns(bytes('a 1 1\na'))).toBeUndefined();
  });

  it('leaves a label value that runs over a newline to the full reader', () => {
    const body = 'foo{a="b\nc"} 1 1\n# EOF\n';
    expect(readOpenMetricsColumns(bytes(body))).toBeUndefined();
    expect(() => decodeOpenMetrics(body)).toThrow();
  });

  it('reads a line with a field after its time as the full reader does, when it starts as the line before', () => {
    // The full reader takes value 1 at 5 s (the field after the time is not read): the columnar reader must take the
    // same numbers or leave the chunk to it, never read the line from a later field.
    const body = '\na 1 1\na 1 5 6\n# EOF\n';
    expect(full(body)).toEqual([
      { metric: 'a', labels: {}, type: undefined, times: [1000, 5000], values: [1, 1] },
    ]);
    expect(columns(body) ?? full(body)).toEqual(full(body));
  });

  it('leaves a time with two decimal points to the full reader', () => {
    for (const time of ['1.5.3', '1..5']) {
      const body = `a 1 ${time}\n# EOF\n`;
      expect(readOpenMetricsColumns(bytes(body)), time).toBeUndefined();
      expect(() => decodeOpenMetrics(body), time).toThrow();
    }
  });
});

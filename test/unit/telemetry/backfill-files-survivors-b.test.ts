import { describe, expect, it } from 'vitest';
import { decodeCsv, decodeOpenMetrics } from '../../../shared/domain/telemetry/backfill-files.js';
import type { DecodedBatch } from '../../../shared/domain/telemetry/model.js';
import { problems } from '../../helpers/backfill-files.js';

/** Each series as [metric, labels, type, [time ms, value] per point]. */
function view(b: DecodedBatch) {
  return b.series.map((s) => [
    s.series.metric,
    s.series.labels,
    s.type,
    s.points.map((p) => [p.time, p.value]),
  ]);
}

describe('OpenMetrics backfill files: lines the reader must not misread', () => {
  it('reads a one-character line as a sample (it has no value), not as an empty line', () => {
    expect(problems(() => decodeOpenMetrics(['a 1 1', 'x', '# EOF', ''].join('\n')))).toEqual([
      { path: 'line 2', problem: '"" is not a number' },
    ]);
  });

  it('refuses a line that starts with a carriage return (no metric name), and skips one holding only a CRLF', () => {
    expect(problems(() => decodeOpenMetrics(['a 1 1', '\r', '\r1 1', '# EOF', ''].join('\n')))).toEqual([
      { path: 'line 3', problem: 'a metric name is expected' },
    ]);
  });

  it('reads a series whose name extends the name of the line before as its own series', () => {
    const b = decodeOpenMetrics(['abc 1 1', 'abcd 2 2', 'abc 3 3', '# EOF'].join('\n'));
    expect(view(b)).toEqual([
      [
        'abc',
        {},
        undefined,
        [
          [1000, 1],
          [3000, 3],
        ],
      ],
      ['abcd', {}, undefined, [[2000, 2]]],
    ]);
  });

  it('reads a labelled series apart from the series of the same name without labels', () => {
    const b = decodeOpenMetrics(['a 1 1', 'a{x="1"} 2 2', 'a 3 3', '# EOF'].join('\n'));
    expect(view(b)).toEqual([
      [
        'a',
        {},
        undefined,
        [
          [1000, 1],
          [3000, 3],
        ],
      ],
      ['a', { x: '1' }, undefined, [[2000, 2]]],
    ]);
  });

  it('refuses a last line whose label set is not closed, even when its name was read before', () => {
    expect(problems(() => decodeOpenMetrics('abc 1 1\nabc{'))).toEqual([
      { path: 'line 2', problem: 'the label set is not closed' },
    ]);
  });

  it('takes NaN in any case as a value, and refuses a word that only ends in nan', () => {
    const b = decodeOpenMetrics(['a NaN 1', 'a nan 2', '# EOF'].join('\n'));
    expect(view(b)).toEqual([
      [
        'a',
        {},
        undefined,
        [
          [1000, Number.NaN],
          [2000, Number.NaN],
        ],
      ],
    ]);
    expect(problems(() => decodeOpenMetrics(['a xnan 1', '# EOF'].join('\n')))).toEqual([
      { path: 'line 1', problem: '"xnan" is not a number' },
    ]);
  });

  it('refuses a value that is only a form feed or a no-break space (Number() would read 0)', () => {
    expect(problems(() => decodeOpenMetrics(['a \f 1', 'b \u00a0 1', '# EOF'].join('\n')))).toEqual([
      { path: 'line 1', problem: '"\f" is not a number' },
      { path: 'line 2', problem: '"\u00a0" is not a number' },
    ]);
  });

  it('gives no type to a family whose # TYPE names an object property such as constructor', () => {
    const b = decodeOpenMetrics(
      ['# TYPE x constructor', 'x 1 1', '# TYPE y toString', 'y 2 2', '# EOF'].join('\n'),
    );
    expect(b.series.map((s) => [s.series.metric, s.type, s.typeSource])).toEqual([
      ['x', undefined, undefined],
      ['y', undefined, undefined],
    ]);
  });
});

describe('CSV backfill files: the type column and epoch seconds', () => {
  it('refuses a type that names an object property such as constructor, as any other unknown type', () => {
    expect(
      problems(() =>
        decodeCsv(['timestamp,metric,value,type', '1,a,1,constructor', '2,a,2,toString'].join('\n')),
      ),
    ).toEqual([
      { path: 'line 2.type', problem: '"constructor" is not counter, gauge, histogram or summary' },
      { path: 'line 3.type', problem: '"toString" is not counter, gauge, histogram or summary' },
    ]);
  });

  it('refuses an unknown type in a type column that comes first', () => {
    expect(problems(() => decodeCsv(['type,timestamp,metric,value', 'bogus,1,a,1'].join('\n')))).toEqual([
      { path: 'line 2.type', problem: '"bogus" is not counter, gauge, histogram or summary' },
    ]);
  });

  it('gives a series the type its type column names, and none without a type column', () => {
    expect(view(decodeCsv(['type,timestamp,metric,value', 'counter,1,a,1'].join('\n')))).toEqual([
      ['a', {}, 'counter', [[1000, 1]]],
    ]);
    expect(view(decodeCsv(['timestamp,metric,value', '1,a,1'].join('\n')))).toEqual([
      ['a', {}, undefined, [[1000, 1]]],
    ]);
  });

  it('reads epoch seconds of any number of digits as epoch seconds', () => {
    const t = `1${'0'.repeat(24)}`;
    expect(view(decodeCsv(['timestamp,metric,value', `${t},a,1`].join('\n')))).toEqual([
      ['a', {}, undefined, [[1e27, 1]]],
    ]);
  });
});

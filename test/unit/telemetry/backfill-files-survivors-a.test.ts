import { describe, expect, it } from 'vitest';
import { decodeOpenMetrics } from '../../../shared/domain/telemetry/backfill-files.js';
import { problems } from '../../helpers/backfill-files.js';

/** Each sample of a decoded file as [metric, time ms, value]. */
function samples(text: string) {
  return decodeOpenMetrics(text).series.flatMap((s) =>
    s.points.map((p) => [s.series.metric, p.time, p.value]),
  );
}

describe('OpenMetrics backfill files: label sets and numbers read in place', () => {
  it('refuses a label value left open at the end of its line, naming the label and the line', () => {
    // The quote is the line's last character and no other quote follows in the file: the scan for the label
    // set's end must stop at the line's end.
    expect(problems(() => decodeOpenMetrics('up{job="\n# EOF\n'))).toEqual([
      { path: 'line 1', problem: 'the value of label job is not closed' },
    ]);
  });

  it('refuses a label value whose escape ends the line, naming the label', () => {
    expect(problems(() => decodeOpenMetrics('up{job="a\\\n# EOF\n'))).toEqual([
      { path: 'line 1', problem: 'the value of label job is not closed' },
    ]);
  });

  it('reads signed, fractional, trailing-point and long values and timestamps as Number() reads them', () => {
    expect(
      samples(
        [
          'a -5 -1.5',
          'b 5. 1700000000.',
          'c 1234567890123456789 1700000000.125',
          'd -0.000001 1700000001',
          '# EOF',
        ].join('\n'),
      ),
    ).toEqual([
      ['a', -1500, -5],
      ['b', 1_700_000_000_000, 5],
      ['c', 1_700_000_000_125, Number('1234567890123456789')],
      ['d', 1_700_000_001_000, -0.000001],
    ]);
  });
});

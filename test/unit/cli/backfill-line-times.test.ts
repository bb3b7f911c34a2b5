import { describe, expect, it } from 'vitest';
import { LineTimes, sampleSeconds } from '../../../infra/cli/backfill.js';
import { sameBytes } from '../../../shared/domain/telemetry/backfill-files.js';

/**
 * The survey's reading of each line's time with the spelling of the line before remembered (backfill-5 round): every
 * line must get exactly `sampleSeconds`'s answer, whether the spelling repeats, nearly repeats or cannot be one.
 */
function bothWays(lines: string[]) {
  const buf = Buffer.from(`${lines.join('\n')}\n`);
  const times = new LineTimes();
  const cached: number[] = [];
  const plain: number[] = [];
  let start = 0;
  for (const l of lines) {
    const end = start + Buffer.byteLength(l);
    cached.push(times.seconds(buf, start, end));
    plain.push(sampleSeconds(buf, start, end));
    start = end + 1;
  }
  return { cached, plain };
}

describe('the time of each sample line, the series spelling of the line before remembered', () => {
  it('reads a run of one series line after line as sampleSeconds does', () => {
    const lines = [0, 1, 2, 3].map((h) => `up{job="a b",i="1"} ${h} ${1_700_000_000 + 3600 * h}`);
    const { cached, plain } = bothWays(lines);
    expect(cached).toEqual(plain);
    expect(cached).toEqual([0, 1, 2, 3].map((h) => 1_700_000_000 + 3600 * h));
  });

  it('reads a line whose name only begins like the spelling before (no blank after it) from its own series', () => {
    // `m` then `mx`: the same first byte, but `mx` is another series: its value is 6 and its time 2, not 6.
    const { cached, plain } = bothWays(['m 5 1', 'mx 6 2', 'm{a="1"} 7 3', 'm{a="1"}x 8 4', 'm{a="1"}\t9 5']);
    expect(cached).toEqual(plain);
    expect(cached).toEqual([1, 2, 3, plain[3], 5]);
  });

  it('reads lines shorter than the spelling before, unterminated label sets and lines without a time as NaN or their time', () => {
    const { cached, plain } = bothWays([
      'metric_with_a_long_name{x="1"} 1 10',
      'metric 2 20',
      'm{a="1" 3 30',
      'm{a="1" 4 40',
      'metric_with_a_long_name{x="1"} 5',
      'metric_with_a_long_name{x="1"} 6 60',
    ]);
    expect(cached).toEqual(plain);
    expect(cached[1]).toBe(20);
    expect(cached[4]).toBeNaN();
    expect(cached[5]).toBe(60);
  });

  it('does not take an unterminated label set ending in a carriage return for the spelling of a later line', () => {
    // Line 1 has no `}`: its label set runs to its end, the CR included. Line 2 begins with the same bytes, CR
    // included (a CR inside a line), but its label set closes later: series `m{a="1"\r 5 }`, value x, time 7.
    const buf = Buffer.from('m{a="1"\r\nm{a="1"\r 5 }x 7\n');
    const times = new LineTimes();
    expect(times.seconds(buf, 0, 7)).toBeNaN();
    expect(times.seconds(buf, 9, buf.length - 1)).toBe(7);
    expect(sampleSeconds(buf, 9, buf.length - 1)).toBe(7);
  });

  it('forgets the spelling when the lines come from another buffer', () => {
    const times = new LineTimes();
    const a = Buffer.from('s{k="v"} 1 100\n');
    // `u`, value 7, time 8; a blank at offset 8, where `a`'s spelling `s{k="v"}` ends.
    const b = Buffer.from('u 7 8 99 300\n');
    expect(times.seconds(a, 0, a.length - 1)).toBe(100);
    // Had `a`'s spelling been taken for the first 8 bytes, the line would have been read from offset 8: NaN.
    expect(times.seconds(b, 0, b.length - 1)).toBe(8);
  });
});

describe('bytes compared four at a time', () => {
  it('finds a difference in a full word, in the bytes after the last word, or none', () => {
    const buf = Buffer.from('abcdefghij|abcdefghij|abcdXfghij|abcdefghiX');
    const words = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    expect(sameBytes(buf, words, 0, 11, 10)).toBe(true);
    expect(sameBytes(buf, words, 0, 22, 10)).toBe(false); // byte 4: in the second word
    expect(sameBytes(buf, words, 0, 33, 10)).toBe(false); // byte 9: after the last full word
    expect(sameBytes(buf, words, 0, 33, 9)).toBe(true);
    expect(sameBytes(buf, words, 0, 22, 4)).toBe(true);
  });
});

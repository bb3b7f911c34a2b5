import { describe, expect, it } from 'vitest';
import { lineWriters, type Stream } from '../../../infra/cli/terminal.js';

function streams(tty: boolean) {
  const all: string[] = [];
  const stream = (name: string): Stream => ({ isTTY: tty, write: (s: string) => all.push(`${name}:${s}`) });
  return { all, ...lineWriters(stream('out'), stream('err')) };
}

describe('progress lines of the accord binary', () => {
  it('are redrawn in place on a terminal: no new line after each, one when the progress ends', () => {
    const t = streams(true);
    t.err('\r[#    ]  20%');
    t.err('\r[#####] 100%');
    t.err('\n');
    t.out('ID  CHUNKS');
    expect(t.all).toEqual(['err:\r[#    ]  20%', 'err:\r[#####] 100%', 'err:\n', 'out:ID  CHUNKS\n']);
  });

  it('end the bar line before a result is printed even when no end marker was sent (the backup)', () => {
    const t = streams(true);
    t.err('\r50% of 10 pages');
    t.out('backed up');
    expect(t.all).toEqual(['err:\r50% of 10 pages', 'err:\n', 'out:backed up\n']);
  });

  it('are whole lines on a pipe, as before', () => {
    const t = streams(false);
    t.err('\r[#####] 100%');
    t.err('\n');
    t.out('done');
    expect(t.all).toEqual(['err:\r[#####] 100%\n', 'err:\n\n', 'out:done\n']);
  });
});

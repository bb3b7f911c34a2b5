import { describe, expect, it } from 'vitest';
import { prng as mulberry32 } from '../../bench/report.js';
import { draw, type ListedMutant, rangeOf, statusesOf, wilson } from '../../mutation/sample.js';

/** The layer sample's arithmetic (test/mutation/sample.ts): the draw, the interval, the ranges and the read-back. */
describe('the mutation sample', () => {
  it('gives the Wilson 95 % interval 78.64–95.65 % for 45 detected of 50 tested', () => {
    // z = 1.96: centre (0.9 + z²/100) / (1 + z²/50) = 0.87146, half-width 1.96·√(0.0018 + 0.00038416) / 1.076832 = 0.08507.
    const [lo, hi] = wilson(45, 50);
    expect(lo).toBeCloseTo(78.64, 2);
    expect(hi).toBeCloseTo(95.65, 2);
  });

  it('keeps the interval inside 0–100 % at the extremes and answers 0–100 % when nothing was tested', () => {
    const [lo, hi] = wilson(20, 20);
    expect(hi).toBe(100);
    expect(lo).toBeCloseTo(83.89, 2); // 20 of 20: lo = n / (n + z²) = 20 / 23.8416
    expect(wilson(0, 0)).toEqual([0, 100]);
  });

  it('draws distinct items, the same ones again for the same seed, and all of them when asked for more', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = draw(items, 10, mulberry32(7));
    expect(new Set(a).size).toBe(10);
    expect(draw(items, 10, mulberry32(7))).toEqual(a);
    expect(draw(items, 10, mulberry32(8))).not.toEqual(a);
    expect([...draw(items, 500, mulberry32(7))].sort((x, y) => x - y)).toEqual(items);
  });

  it('draws every item about equally often (no end of the list favoured)', () => {
    const counts = new Array(10).fill(0);
    const random = mulberry32(1);
    for (let i = 0; i < 20_000; i++)
      for (const x of draw([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1, random)) counts[x]++;
    for (const c of counts) expect(Math.abs(c - 2_000)).toBeLessThan(200); // 2,000 expected, sd ≈ 42
  });

  const m: ListedMutant = {
    file: 'shared/domain/objectives/credits.ts',
    mutatorName: 'EqualityOperator',
    replacement: 'a <= b',
    location: { start: { line: 52, column: 29 }, end: { line: 52, column: 54 } },
  };

  it("writes a mutant's location as Stryker's mutate range: 1-based lines, 0-based columns", () => {
    expect(rangeOf(m)).toBe('shared/domain/objectives/credits.ts:53:29-53:54');
  });

  it("finds a drawn mutant back in Stryker's report (1-based lines and columns) and says Missing when absent", () => {
    const report = {
      files: {
        'shared/domain/objectives/credits.ts': {
          mutants: [
            {
              mutatorName: 'EqualityOperator',
              replacement: 'a <= b',
              status: 'Survived',
              location: { start: { line: 53, column: 30 } },
            },
            {
              mutatorName: 'EqualityOperator',
              replacement: 'a >= b',
              status: 'Killed',
              location: { start: { line: 53, column: 30 } },
            },
          ],
        },
      },
    };
    expect(statusesOf([m], report).map((s) => s.status)).toEqual(['Survived']);
    const other = { ...m, location: { ...m.location, start: { line: 60, column: 1 } } };
    expect(statusesOf([other], report).map((s) => s.status)).toEqual(['Missing']);
  });
});

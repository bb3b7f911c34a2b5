// Half-open intervals [start, end): the set operations behind supported hours and exception windows.
import { describe, expect, it } from 'vitest';
import {
  align,
  clip,
  intersect,
  normalize,
  subtract,
  totalLength,
  widen,
} from '../../../shared/domain/objectives/intervals.js';

const iv = (start: number, end: number) => ({ start, end });

describe('normalising a set of intervals', () => {
  it('sorts, merges overlapping and touching intervals, and drops empty ones', () => {
    expect(
      normalize([iv(20, 30), iv(0, 10), iv(10, 12), iv(5, 6), iv(40, 40), iv(50, 45), iv(25, 35)]),
    ).toEqual([iv(0, 12), iv(20, 35)]);
  });

  it('keeps a gap of one millisecond between intervals', () => {
    expect(normalize([iv(0, 10), iv(11, 20)])).toEqual([iv(0, 10), iv(11, 20)]);
  });

  it('does not change the intervals it was given', () => {
    const input = [iv(0, 10), iv(5, 20)];
    normalize(input);
    expect(input).toEqual([iv(0, 10), iv(5, 20)]);
  });
});

describe('clipping intervals to a window', () => {
  it('keeps the parts inside [start, end), cutting the intervals that cross its edges', () => {
    expect(clip([iv(0, 10), iv(15, 25), iv(30, 40), iv(50, 60)], 5, 35)).toEqual([
      iv(5, 10),
      iv(15, 25),
      iv(30, 35),
    ]);
  });

  it('leaves out an interval that ends at the window’s start or begins at its end', () => {
    expect(clip([iv(0, 5), iv(5, 7), iv(10, 20)], 5, 10)).toEqual([iv(5, 7)]);
  });
});

describe('subtracting intervals', () => {
  it('cuts holes and trims edges: [0,100) minus [10,20), [30,40) and [90,120) leaves four pieces', () => {
    expect(subtract([iv(0, 100)], [iv(10, 20), iv(30, 40), iv(90, 120)])).toEqual([
      iv(0, 10),
      iv(20, 30),
      iv(40, 90),
    ]);
  });

  it('applies one cut to every interval it overlaps, and skips cuts that end before an interval', () => {
    expect(subtract([iv(0, 10), iv(20, 30), iv(40, 50)], [iv(5, 25)])).toEqual([
      iv(0, 5),
      iv(25, 30),
      iv(40, 50),
    ]);
    expect(subtract([iv(20, 30)], [iv(0, 10), iv(10, 20), iv(30, 40)])).toEqual([iv(20, 30)]);
  });

  it('removes an interval a cut covers whole, and keeps one a cut only touches', () => {
    expect(subtract([iv(10, 20)], [iv(0, 30)])).toEqual([]);
    expect(subtract([iv(10, 20)], [iv(10, 20)])).toEqual([]);
    expect(subtract([iv(10, 20)], [iv(20, 30)])).toEqual([iv(10, 20)]);
  });

  it('handles cuts that overlap each other inside an interval', () => {
    expect(subtract([iv(0, 100)], [iv(10, 50), iv(20, 30), iv(60, 70)])).toEqual([
      iv(0, 10),
      iv(50, 60),
      iv(70, 100),
    ]);
  });
});

describe('intersecting interval sets', () => {
  it('keeps the time in both sets', () => {
    expect(intersect([iv(0, 10), iv(20, 30), iv(40, 50)], [iv(5, 25), iv(28, 45)])).toEqual([
      iv(5, 10),
      iv(20, 25),
      iv(28, 30),
      iv(40, 45),
    ]);
  });

  it('gives nothing for intervals that only touch', () => {
    expect(intersect([iv(0, 10)], [iv(10, 20)])).toEqual([]);
  });

  it('advances past the interval that ends first, whichever set it is in', () => {
    expect(intersect([iv(0, 100)], [iv(10, 20), iv(30, 40)])).toEqual([iv(10, 20), iv(30, 40)]);
    expect(intersect([iv(10, 20), iv(30, 40)], [iv(0, 100)])).toEqual([iv(10, 20), iv(30, 40)]);
    expect(intersect([iv(0, 20), iv(30, 40)], [iv(10, 20), iv(25, 35)])).toEqual([iv(10, 20), iv(30, 35)]);
  });
});

describe('lengths and steps', () => {
  it('adds up the length of every interval', () => {
    expect(totalLength([iv(0, 10), iv(20, 35)])).toBe(25);
    expect(totalLength([])).toBe(0);
  });

  it('widens an interval outwards to whole steps: [7, 13) on steps of 5 becomes [5, 15)', () => {
    expect(widen([iv(7, 13), iv(20, 25), iv(26, 27)], 5)).toEqual([iv(5, 15), iv(20, 30)]);
  });

  it('aligns both edges up to a step: [7, 13) on steps of 5 becomes [10, 15), and [21, 24) vanishes', () => {
    expect(align([iv(7, 13), iv(21, 24), iv(30, 41)], 5)).toEqual([iv(10, 15), iv(30, 45)]);
    expect(align([iv(5, 10)], 5)).toEqual([iv(5, 10)]);
  });
});

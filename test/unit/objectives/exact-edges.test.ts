import { describe, expect, it, vi } from 'vitest';
import {
  add,
  cmp,
  decide,
  decimalString,
  div,
  type Exact,
  exact,
  floorDecimals,
  floorShown,
  meetsRatio,
  mul,
  percentShown,
  ratio,
  sub,
  toNumber,
  ZERO,
} from '../../../shared/domain/objectives/exact.js';

const q = (n: bigint, d: bigint): Exact => ({ n, d });
/** The same rational, whatever numerator and denominator it is written with. */
const same = (a: Exact, b: Exact) => cmp(a, b) === 0 && a.d > 0n;

describe('reading a number as the decimal it prints as', () => {
  it('reads numbers printed with an exponent, small and large', () => {
    // String(1e-7) is "1e-7", String(2.5e-10) "2.5e-10", String(1e21) "1e+21", String(1.5e21) "1.5e+21".
    expect(exact(1e-7)).toEqual({ n: 1n, d: 10_000_000n });
    expect(exact(2.5e-10)).toEqual({ n: 25n, d: 100_000_000_000n });
    expect(exact(1e21)).toEqual({ n: 10n ** 21n, d: 1n });
    expect(exact(1.5e21)).toEqual({ n: 15n * 10n ** 20n, d: 1n });
  });

  it('refuses a number that is not finite, naming it', () => {
    expect(() => exact(Number.NaN)).toThrow(new RangeError('NaN is not a finite number'));
    expect(() => exact(Number.POSITIVE_INFINITY)).toThrow(new RangeError('Infinity is not a finite number'));
  });
});

describe('exact sums, differences, products and quotients', () => {
  const half = q(1n, 2n);
  const third = q(1n, 3n);

  it('adds, subtracts and multiplies fractions whose denominators differ', () => {
    // 1/2 + 1/3 = 5/6; 1/2 − 1/3 = 1/6; 1/2 × 1/3 = 1/6.
    expect(same(add(half, third), q(5n, 6n))).toBe(true);
    expect(same(sub(half, third), q(1n, 6n))).toBe(true);
    expect(same(mul(half, third), q(1n, 6n))).toBe(true);
  });

  it('divides by a negative fraction keeping the denominator positive, so comparisons hold', () => {
    // 3 / (−2/3) = −9/2.
    const x = div(q(3n, 1n), q(-2n, 3n));
    expect(x.d > 0n).toBe(true);
    expect(same(x, q(-9n, 2n))).toBe(true);
    // 1 / −2 is below zero.
    expect(cmp(div(q(1n, 1n), q(-2n, 1n)), ZERO)).toBe(-1);
  });

  it('refuses to divide by zero', () => {
    expect(() => div(q(1n, 1n), ZERO)).toThrow(new RangeError('division by zero'));
    expect(() => ratio(5, 0)).toThrow(new RangeError('division by zero'));
  });
});

describe('an exact figure as a binary number, for display', () => {
  it('keeps the sign of the numerator and of the denominator', () => {
    expect(toNumber(q(-1n, 2n))).toBe(-0.5);
    expect(toNumber(q(1n, -2n))).toBe(-0.5);
    expect(toNumber(q(-5n, -4n))).toBe(1.25);
  });

  it('gives 0, not −0, for zero over a negative denominator', () => {
    expect(toNumber(q(0n, -7n))).toBe(0);
  });

  it('converts figures of more than 18 digits', () => {
    // 10^21 has 22 digits: the quotient is scaled down, not up.
    expect(toNumber(exact(1e21))).toBe(1e21);
    expect(toNumber(exact(-1.5e21))).toBe(-1.5e21);
  });
});

describe('rounding down and writing exact figures', () => {
  it('rounds a negative figure down, towards minus infinity', () => {
    // −1/3 = −0.333… → −0.34; −1/2 = −0.5 exactly stays −0.5.
    expect(floorDecimals(q(-1n, 3n), 2)).toBe(-0.34);
    expect(floorDecimals(q(-1n, 2n), 2)).toBe(-0.5);
  });

  it('writes negative figures with their sign and zero without one', () => {
    expect(decimalString(q(-1n, 4n))).toBe('-0.25');
    expect(decimalString(q(-7n, 3n), 3)).toBe('-2.333…');
    expect(decimalString(ZERO)).toBe('0');
  });
});

describe('meeting a slice target exactly', () => {
  it('does not meet a target written just above the ratio, though binary cannot tell them apart', () => {
    // 5/7 = 0.714285714285714285…; the target 0.7142857142857143 is the same double as 5/7, but as the
    // decimal it was written as it is 1.43e-17 above 5/7: not met.
    expect(5 / 7).toBe(0.7142857142857143);
    expect(meetsRatio(5, 7, 0.7142857142857143)).toBe(false);
    // 2/3 prints as 0.6666666666666666, below 2/3: met.
    expect(meetsRatio(2, 3, 0.6666666666666666)).toBe(true);
  });
});

describe('deciding on binary figures, exactly near the boundary', () => {
  it('decides figures clearly apart in binary without the exact figures', () => {
    const exactly = vi.fn(() => 0 as const);
    expect(decide(2, 1, exactly)).toBe(1);
    expect(decide(1, 2, exactly)).toBe(-1);
    expect(exactly).not.toHaveBeenCalled();
  });

  it('asks for the exact figures when the two are within a relative 1e-9 of the larger one', () => {
    // 1e9 and 999,999,999 are 1 apart, and 1e-9 × 1e9 = 1: not clearly apart, in either order.
    const exactly = vi.fn(() => 0 as const);
    expect(decide(1e9, 999_999_999, exactly)).toBe(0);
    expect(decide(999_999_999, 1e9, exactly)).toBe(0);
    expect(exactly).toHaveBeenCalledTimes(2);
  });
});

describe('figures shown rounded down', () => {
  it('shows a share just below a step below it, though binary multiplication lands on the step', () => {
    // 0.16999999999999998 × 100 is 17 in binary, 16.999999999999998 as written: shown 16, and cut.
    expect(floorShown(0.16999999999999998, 1, 0, 100)).toBe(16);
    expect(floorShown(100, 1, 0, 0.16999999999999998)).toBe(16);
    expect(percentShown(0.16999999999999998, 1, 0)).toBe('16…%');
  });

  it('shows a share that lands on a step exactly on it, though binary multiplication falls just short', () => {
    // 0.29 × 100 is 28.999999999999996 in binary, 29 as written.
    expect(floorShown(0.29, 1, 0, 100)).toBe(29);
    // 27,328 / 0.07 × 100 = 39,040,000 exactly (binary: 3,903,999,999.9999995 hundredths).
    expect(floorShown(27_328, 0.07, 2, 100)).toBe(39_040_000);
  });

  it('floors figures of many digits exactly', () => {
    // 1,171,443.9 × 100 = 117,144,390 exactly; binary made it 117,144,389.99999998 and showed 117,144,389.9999.
    expect(floorShown(1_171_443.9, 1, 4, 100)).toBe(117_144_390);
    expect(percentShown(1_171_443.9, 1, 4)).toBe('117144390%');
    // 10,543,250.7 × 100 = 1,054,325,070 exactly (binary: 1,054,325,069.9999998).
    expect(floorShown(10_543_250.7, 1, 1, 100)).toBe(1_054_325_070);
    // 7,200,074,639,651,010 × 100 is past 2^53: 720,007,463,965,101,000 / 387 = 1,860,484,403,010,596 (rest
    // 348) hundredths, shown as 18,604,844,030,105.96 (binary division of the rounded product gives .97).
    expect(floorShown(7_200_074_639_651_010, 387, 2)).toBe(18_604_844_030_105.96);
  });

  it('refuses a zero denominator', () => {
    expect(() => floorShown(1, 0, 2)).toThrow(new RangeError('division by zero'));
    expect(() => floorShown(0, 0, 2)).toThrow(new RangeError('division by zero'));
  });

  it('writes percentages without trailing zeros, and whole percentages whole', () => {
    expect(percentShown(1, 2)).toBe('50%');
    expect(percentShown(1001, 2000)).toBe('50.05%');
    expect(percentShown(1, 3, 2)).toBe('33.33…%');
    // With no decimals 120 and 100 keep their zeros (they were written "12%" and "1%").
    expect(percentShown(6, 5, 0)).toBe('120%');
    expect(percentShown(1, 1, 0)).toBe('100%');
    expect(percentShown(0, 1, 0)).toBe('0%');
    expect(percentShown(2, 3, 0)).toBe('66…%');
  });
});

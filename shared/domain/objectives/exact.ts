/**
 * Exact arithmetic for decisions. Targets, thresholds and counts are compared as exact rationals, never as
 * binary floats: `1 - 99.9/100` is 0.0010000000000000009 in binary, which made an alert at exactly its
 * threshold fire for some targets and not for others. A number is read as the decimal it prints as
 * (`String(x)`, the shortest round-trip form), which is the decimal a contract or a JSON document wrote.
 * Rounding happens only for display (`floorDecimals`, `decimalString`).
 */

/** An exact rational n/d with d > 0 (not necessarily reduced). */
export interface Exact {
  n: bigint;
  d: bigint;
}

const TEN = 10n;
const pow10 = (k: number): bigint => TEN ** BigInt(k);

/** The exact decimal a finite number prints as (99.9 is 999/10, not the binary 99.900000000000005684…). */
export function exact(x: number): Exact {
  if (!Number.isFinite(x)) throw new RangeError(`${x} is not a finite number`);
  // Stryker disable next-line ConditionalExpression: a safe integer prints as its digits, which the reading below turns into the same n/1: the shortcut only saves work
  if (Number.isSafeInteger(x)) return { n: BigInt(x), d: 1n };
  // Stryker disable next-line Regex: String() of a finite number always matches the whole pattern from its first character, so dropping ^ or $ matches the same text
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  // Stryker disable next-line StringLiteral: unreachable, String() of every finite number matches the pattern (the guard is for the type checker)
  if (!m) throw new RangeError(`cannot read ${x} as a decimal`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0) - frac.length;
  let n = BigInt(m[2]! + frac);
  if (m[1] === '-') n = -n;
  // Stryker disable next-line EqualityOperator: at exp = 0 both branches give n/1 (pow10(0) is 1)
  return exp >= 0 ? { n: n * pow10(exp), d: 1n } : { n, d: pow10(-exp) };
}

/** a / b exactly; b must not be 0. */
export function ratio(a: number | Exact, b: number | Exact): Exact {
  return div(typeof a === 'number' ? exact(a) : a, typeof b === 'number' ? exact(b) : b);
}

/** a + b, exactly. */
export function add(a: Exact, b: Exact): Exact {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}
/** a − b, exactly. */
export function sub(a: Exact, b: Exact): Exact {
  return { n: a.n * b.d - b.n * a.d, d: a.d * b.d };
}
/** a × b, exactly. */
export function mul(a: Exact, b: Exact): Exact {
  return { n: a.n * b.n, d: a.d * b.d };
}
/** a / b, exactly; RangeError when b is 0. */
export function div(a: Exact, b: Exact): Exact {
  if (b.n === 0n) throw new RangeError('division by zero');
  // Stryker disable next-line EqualityOperator: b.n is never 0 here (refused above), so < 0n and <= 0n agree
  return b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n };
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function cmp(a: Exact, b: Exact): -1 | 0 | 1 {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const ONE: Exact = { n: 1n, d: 1n };
export const ZERO: Exact = { n: 0n, d: 1n };

/** The nearest binary float (for figures that are shown, never for decisions). */
export function toNumber(x: Exact): number {
  // Scale so that the quotient keeps 17 significant digits, then divide once in binary.
  // Stryker disable next-line EqualityOperator: with x.n = 0 the sign is never used (0 is returned below), and x.d = 0 divides by zero either way
  const neg = x.n < 0n !== x.d < 0n;
  // Stryker disable next-line EqualityOperator: -0n is 0n
  const n = x.n < 0n ? -x.n : x.n;
  // Stryker disable next-line EqualityOperator: -0n is 0n (and a 0 denominator divides by zero either way)
  const d = x.d < 0n ? -x.d : x.d;
  if (n === 0n) return 0;
  const digits = n.toString().length - d.toString().length;
  const shift = 18 - digits;
  // Stryker disable next-line EqualityOperator: at shift = 0 both branches compute n / d (pow10(0) is 1)
  const q = shift >= 0 ? (n * pow10(shift)) / d : n / (d * pow10(-shift));
  const v = Number(q) / 10 ** shift;
  return neg ? -v : v;
}

/** x rounded down (towards −∞) to `decimals` places: a figure shown never crosses a boundary it is below. */
export function floorDecimals(x: Exact, decimals: number): number {
  const scaled = x.n * pow10(decimals);
  let q = scaled / x.d;
  // Stryker disable next-line EqualityOperator: at scaled = 0 the remainder is 0, so < 0n and <= 0n both leave q alone
  if (scaled % x.d !== 0n && scaled < 0n) q -= 1n;
  return Number(q) / 10 ** decimals;
}

/**
 * The decimal expansion of x: exact when it ends within `maxDecimals` places (98.9999996), otherwise cut
 * there and marked with "…" (33.333333333333…).
 */
export function decimalString(x: Exact, maxDecimals = 12): string {
  const neg = x.n < 0n;
  const n = neg ? -x.n : x.n;
  const whole = n / x.d;
  let rest = n % x.d;
  let frac = '';
  while (rest !== 0n && frac.length < maxDecimals) {
    rest *= TEN;
    frac += (rest / x.d).toString();
    rest %= x.d;
  }
  const body = frac ? `${whole}.${frac}${rest !== 0n ? '…' : ''}` : `${whole}`;
  return neg ? `-${body}` : body;
}

/**
 * Whether good/total meets a target ratio (good/total ≥ target), exactly, for finite counts with total > 0
 * (callers skip slices without events). Most answers are far from the target and are settled in binary;
 * only those within 1e-12 of it are decided in exact arithmetic.
 */
export function meetsRatio(good: number, total: number, target: number): boolean {
  const r = good / total;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: deciding exactly also when apart (false, >= 1e-12) and r > target where r ≠ target give the same answers: two different floats are ordered as the decimals they stand for (a rounding moves a value by under half an ulp); only slower
  if (Math.abs(r - target) > 1e-12) return r >= target;
  return cmp(ratio(good, total), exact(target)) >= 0;
}

/**
 * Compares x with y, two binary approximations (a few operations each) of exact figures, deciding in binary
 * when they are clearly apart (by more than a relative 1e-9, far beyond rounding error) and otherwise calling
 * `exactly`, which compares the exact figures. Most decisions are far from their boundary; the few near it
 * get exact arithmetic.
 */
export function decide(x: number, y: number, exactly: () => -1 | 0 | 1): -1 | 0 | 1 {
  const tol = 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  if (x - y > tol) return 1;
  if (y - x > tol) return -1;
  return exactly();
}

/**
 * num/den × scale rounded down to `decimals` places (a whole number ≥ 0), for display: never above the exact
 * figure, so 98.9999996 shows as 98.999999, never 99. Counts (whole num, scale and den > 0, with
 * num × scale × 10^decimals a safe integer) are divided in binary, which is exact for them: |a / den| is below
 * 2^53 / den, so its rounding error is under 1/den, the least distance from a quotient that is not whole to a
 * whole number. Any other figure is floored in exact arithmetic (binary's error grows with the figure: at
 * 1e11 it crosses a step 1e-6 wide). RangeError when den is 0.
 */
export function floorShown(num: number, den: number, decimals: number, scale = 1): number {
  const p = 10 ** decimals;
  const a = num * scale * p;
  if (
    // Stryker disable next-line ConditionalExpression: deciding counts exactly too (false) gives the same floors, only slower
    Number.isSafeInteger(num) &&
    Number.isSafeInteger(scale) &&
    Number.isSafeInteger(a) &&
    Number.isSafeInteger(den) &&
    den > 0
  )
    return Math.floor(a / den) / p;
  return floorDecimals(mul(ratio(num, den), exact(scale)), decimals);
}

/** A share shown as a percentage, rounded down to `decimals` places, "…" when cut: "98.6111111…%". */
export function percentShown(num: number, den: number, decimals = 4): string {
  const v = floorShown(num, den, decimals, 100);
  const cut = cmp(mul(ratio(num, den), exact(100)), exact(v)) !== 0;
  const fixed = v.toFixed(decimals);
  // Trailing zeros of the decimals go; with no decimals there are none (120 stays 120).
  const digits = decimals > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
  return `${digits}${cut ? '…' : ''}%`;
}

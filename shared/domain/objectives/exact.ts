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
  if (Number.isSafeInteger(x)) return { n: BigInt(x), d: 1n };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`cannot read ${x} as a decimal`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0) - frac.length;
  let n = BigInt(m[2]! + frac);
  if (m[1] === '-') n = -n;
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
  const neg = x.n < 0n !== x.d < 0n;
  const n = x.n < 0n ? -x.n : x.n;
  const d = x.d < 0n ? -x.d : x.d;
  if (n === 0n) return 0;
  const digits = n.toString().length - d.toString().length;
  const shift = 18 - digits;
  const q = shift >= 0 ? (n * pow10(shift)) / d : n / (d * pow10(-shift));
  const v = Number(q) / 10 ** shift;
  return neg ? -v : v;
}

/** x rounded down (towards −∞) to `decimals` places: a figure shown never crosses a boundary it is below. */
export function floorDecimals(x: Exact, decimals: number): number {
  const scaled = x.n * pow10(decimals);
  let q = scaled / x.d;
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
 * Whether good/total meets a target ratio (good/total ≥ target), exactly. Most answers are far from the
 * target and are settled in binary; only those within 1e-12 of it are decided in exact arithmetic.
 */
export function meetsRatio(good: number, total: number, target: number): boolean {
  const r = good / total;
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
 * num/den × scale rounded down to `decimals` places, for display: in binary when the result is clearly
 * inside a step, exactly near a step's edge (so 98.9999996 shows as 98.999999, never 99).
 */
export function floorShown(num: number, den: number, decimals: number, scale = 1): number {
  const p = 10 ** decimals;
  const a = num * scale * p;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(den) && den > 0) {
    // Whole numbers (counts): an integer division, corrected for the rounding of a / den.
    let q = Math.floor(a / den);
    if (q * den > a) q--;
    else if ((q + 1) * den <= a) q++;
    return q / p;
  }
  const s = (num / den) * scale * p;
  const f = Math.floor(s);
  if (s - f > 1e-6 && f + 1 - s > 1e-6) return f / p;
  return floorDecimals(mul(ratio(num, den), exact(scale)), decimals);
}

/** A share shown as a percentage, rounded down to `decimals` places, "…" when cut: "98.6111111…%". */
export function percentShown(num: number, den: number, decimals = 4): string {
  const v = floorShown(num, den, decimals, 100);
  const a = num * 100 * 10 ** decimals;
  const s = (num / den) * 100 * 10 ** decimals;
  const cut =
    Number.isSafeInteger(a) && Number.isSafeInteger(den) && den > 0
      ? a % den !== 0
      : Math.abs(s - Math.round(s)) > 1e-6 || cmp(mul(ratio(num, den), { n: 100n, d: 1n }), exact(v)) !== 0;
  const digits = v.toFixed(decimals).replace(/\.?0+$/, '');
  return `${digits}${cut ? '…' : ''}%`;
}

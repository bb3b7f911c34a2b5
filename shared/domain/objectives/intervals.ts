/** Half-open time intervals [start, end) in epoch milliseconds, and the set operations the windows need. */
export interface Interval {
  start: number;
  end: number;
}

/** Sorts and merges overlapping or touching intervals; drops empty ones. */
export function normalize(xs: readonly Interval[]): Interval[] {
  const sorted = xs.filter((x) => x.end > x.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else out.push({ ...x });
  }
  return out;
}

/** The parts of normalized `xs` that lie inside [start, end). */
export function clip(xs: readonly Interval[], start: number, end: number): Interval[] {
  const out: Interval[] = [];
  for (const x of xs) {
    if (x.end <= start) continue;
    if (x.start >= end) break;
    out.push({ start: Math.max(x.start, start), end: Math.min(x.end, end) });
  }
  return out;
}

/** Normalized `xs` minus normalized `cut`. */
export function subtract(xs: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of xs) {
    let s = x.start;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: skipping cuts that end at or before s only saves work; a cut left unskipped there moves neither s nor the output (the inner loop's max keeps s)
    while (j < cut.length && cut[j]!.end <= s) j++;
    let k = j;
    // Stryker disable next-line EqualityOperator: a cut starting exactly at x.end, if taken, emits the same [s, x.end) the tail push would and leaves s >= x.end
    while (k < cut.length && cut[k]!.start < x.end) {
      const c = cut[k]!;
      if (c.start > s) out.push({ start: s, end: c.start });
      s = Math.max(s, c.end);
      k++;
    }
    if (s < x.end) out.push({ start: s, end: x.end });
  }
  return out;
}

export function intersect(xs: readonly Interval[], ys: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) {
    const a = xs[i]!;
    const b = ys[j]!;
    const s = Math.max(a.start, b.start);
    const e = Math.min(a.end, b.end);
    if (s < e) out.push({ start: s, end: e });
    // Stryker disable next-line EqualityOperator: on equal ends either interval may advance first; within a normalized set the next one starts after that end, so nothing overlaps the one kept
    if (a.end < b.end) i++;
    else j++;
  }
  return out;
}

export function totalLength(xs: readonly Interval[]): number {
  let n = 0;
  for (const x of xs) n += x.end - x.start;
  return n;
}

/** Widens each interval outwards to whole steps (an exception touching a bucket excludes the whole bucket). */
export function widen(xs: readonly Interval[], step: number): Interval[] {
  return normalize(
    xs.map((x) => ({ start: Math.floor(x.start / step) * step, end: Math.ceil(x.end / step) * step })),
  );
}

/** Rounds each boundary up to a step: a bucket belongs to the interval that holds its start. */
export function align(xs: readonly Interval[], step: number): Interval[] {
  return normalize(
    xs.map((x) => ({ start: Math.ceil(x.start / step) * step, end: Math.ceil(x.end / step) * step })),
  );
}

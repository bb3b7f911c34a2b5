/**
 * What the two timeslice methods share: counting a selection's slices (runs from the store's slice
 * counts, cut slices from their counted buckets) and applying the objective's empty-slice rule.
 */
import { meetsRatio } from '../exact.js';
import type { EvaluationPlan, SliceSelection } from '../plan.js';
import type { SliceStats } from '../slices.js';
import type { CumulativeAt, MethodInput, Population } from './types.js';

export interface SliceCounts {
  good: number;
  bad: number;
  ratioSum: number;
  /** Slices with counted time (good + bad + empty). */
  counted: number;
}

/** Good, bad and the ratio sum over a selection: the store's counts for its runs, buckets for cut slices. */
export function countSlices(
  sel: SliceSelection,
  stats: readonly SliceStats[],
  cum: CumulativeAt,
  target: number,
): SliceCounts {
  const c: SliceCounts = { good: 0, bad: 0, ratioSum: 0, counted: sel.counted };
  for (const s of stats) {
    c.good += s.good;
    c.bad += s.bad;
    c.ratioSum += s.ratioSum;
  }
  for (const p of sel.partial) {
    let good = 0;
    let total = 0;
    for (const x of p.parts) {
      const a = cum(x.start);
      const b = cum(x.end);
      good += b.good - a.good;
      total += b.total - a.total;
    }
    if (total <= 0) continue;
    c.ratioSum += good / total;
    if (meetsRatio(good, total, target)) c.good++;
    else c.bad++;
  }
  return c;
}

/**
 * The population of a timeslice method from its slice counts. `goodOf` is what the good slices weigh
 * (their number, or the sum of their ratios). Empty slices count as the objective says: excluded (left out
 * of compliance and budget alike), good or bad.
 */
export function slicePopulation(input: MethodInput, goodOf: (c: SliceCounts) => number): Population {
  const s = input.plan.slices!;
  const nWindow = s.window.runs.length;
  const w = countSlices(s.window, input.sliceStats.slice(0, nWindow), input.cum, s.target);
  const nRecent = s.recent.runs.length;
  const r = countSlices(s.recent, input.sliceStats.slice(nWindow, nWindow + nRecent), input.cum, s.target);
  const withData = w.good + w.bad;
  const empty = w.counted - withData;
  const emptyAsGood = s.emptyAs === 'good' ? 1 : 0;
  const total = s.emptyAs === 'excluded' ? withData : w.counted;
  const good = goodOf(w) + emptyAsGood * empty;
  const recentTotal = s.emptyAs === 'excluded' ? r.good + r.bad : r.counted;
  const recentBad = recentTotal - (goodOf(r) + emptyAsGood * (r.counted - r.good - r.bad));
  const perSliceMinutes = s.window.counted > 0 ? s.window.countedMs / 60_000 / s.window.counted : s.minutes;
  // A period in progress holds the units so far scaled by its counted slices to the window's: with empty slices
  // counted (good or bad) total is w.counted, so that is periodCounted itself.
  const periodTotal: Population['periodTotal'] =
    input.complete || w.counted === 0
      ? { n: total, scale: [1, 1] }
      : { n: total, scale: [s.periodCounted, w.counted] };
  const periodUnits = (periodTotal.n * periodTotal.scale[0]) / periodTotal.scale[1];
  return {
    measured: { unit: 'slices', good, total },
    periodTotal,
    minutes: {
      budgetBase: periodUnits * perSliceMinutes,
      perBadUnit: perSliceMinutes,
      basis: total * perSliceMinutes,
    },
    trend: {
      rate: total / Math.max(s.window.countedMs, 1),
      recentErrorRate: recentTotal > 0 ? recentBad / recentTotal : null,
      errorRate: recentTotal > 0 ? recentBad / recentTotal : total > 0 ? (total - good) / total : 0,
    },
    slices: {
      good: w.good,
      bad: w.bad,
      empty,
      excluded: s.gridSlices - w.counted,
      minutes: s.minutes,
      emptyCountAs: s.emptyAs,
    },
  };
}

/**
 * The slices inside each burn-rate window of a timeslice plan, long and short, as units of the objective's
 * population: `good` (good slices, or for ratio timeslices the sum of their ratios) of `total` slices, with
 * empty slices counted as the objective's `emptySlices` rule says (excluded: left out). `sliceStats` are the
 * answers to all of `sliceRequests(plan)`, in order. Null for a plan without slices (occurrences).
 */
export function burnSliceUnits(
  plan: EvaluationPlan,
  sliceStats: readonly SliceStats[],
  cum: CumulativeAt,
  goodOf: (c: SliceCounts) => number,
): { long: Units; short: Units }[] | null {
  const s = plan.slices;
  if (!s) return null;
  let at = s.window.runs.length + s.recent.runs.length;
  const units = (sel: SliceSelection): Units => {
    const c = countSlices(sel, sliceStats.slice(at, at + sel.runs.length), cum, s.target);
    at += sel.runs.length;
    const empty = c.counted - c.good - c.bad;
    const total = s.emptyAs === 'excluded' ? c.good + c.bad : c.counted;
    return { good: goodOf(c) + (s.emptyAs === 'good' ? empty : 0), total };
  };
  return s.burn.map((b) => {
    const long = units(b.long);
    return { long, short: units(b.short) };
  });
}

/** Good units of a total (slices; ratio timeslices weigh each slice by its ratio). */
export interface Units {
  good: number;
  total: number;
}

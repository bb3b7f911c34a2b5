import { describe, expect, it } from 'vitest';
import {
  burnSliceUnits,
  countSlices,
  slicePopulation,
} from '../../../shared/domain/objectives/methods/slice-counts.js';
import type { CumulativeAt, MethodInput } from '../../../shared/domain/objectives/methods/types.js';
import type { EvaluationPlan, SlicePlan, SliceSelection } from '../../../shared/domain/objectives/plan.js';
import type { SliceStats } from '../../../shared/domain/objectives/slices.js';
import type { EmptySlicePolicy } from '../../../shared/domain/objectives/types.js';

const H = 3_600_000;

/** Running totals of events placed at instants: everything strictly before `t`. */
const cumOf =
  (events: { at: number; good: number; total: number }[]): CumulativeAt =>
  (t) => {
    let good = 0;
    let total = 0;
    for (const e of events) {
      if (e.at < t) {
        good += e.good;
        total += e.total;
      }
    }
    return { good, total, filled: 0 };
  };

const NO_EVENTS = cumOf([]);

/** A selection of `runs` whole-slice runs (one store answer each) and cut slices, with its counted slices and time. */
const selection = (over: Partial<SliceSelection> = {}): SliceSelection => ({
  runs: [],
  partial: [],
  counted: 0,
  countedMs: 0,
  ...over,
});

/** One run of `counted` whole hour slices (0 to `counted` hours). */
const hourRun = (counted: number): SliceSelection =>
  selection({ runs: [{ start: 0, end: counted * H }], counted, countedMs: counted * H });

const stats = (slices: number, good: number, bad: number, ratioSum = good): SliceStats => ({
  slices,
  good,
  bad,
  ratioSum,
});

/** A plan of hour slices with slice target 0.9; only its slices matter to the functions under test. */
const planWith = (over: Partial<SlicePlan>): EvaluationPlan =>
  ({
    slices: {
      minutes: 60,
      timeZone: 'UTC',
      target: 0.9,
      emptyAs: 'excluded',
      windowFrom: 0,
      windowTo: 0,
      gridSlices: 0,
      window: selection(),
      recent: selection(),
      periodCounted: 0,
      burn: [],
      ...over,
    },
  }) as EvaluationPlan;

const zero = { good: 0, total: 0, filled: 0, ms: 0 };
const input = (
  plan: EvaluationPlan,
  sliceStats: SliceStats[],
  complete: boolean,
  cum: CumulativeAt = NO_EVENTS,
): MethodInput => ({
  plan,
  cum,
  window: zero,
  recent: zero,
  periodIncludedMs: 0,
  sliceStats,
  complete,
});

const countGood = (c: { good: number }) => c.good;

describe('slices cut by supported hours or an exception, judged on their counted parts', () => {
  // Three hour slices counted for their first half hour only. Before 0 the series already holds 100 good of 100
  // (running totals do not start at 0); inside the counted halves: slice one 9 good of 10 (0.9, meets the 0.9
  // target), slice two 1 of 4 (0.25, bad), slice three nothing. In the uncounted half of slice one, 0 of 50.
  const cum = cumOf([
    { at: -H, good: 100, total: 100 },
    { at: 0, good: 9, total: 10 },
    { at: 0.75 * H, good: 0, total: 50 },
    { at: H, good: 1, total: 4 },
  ]);
  const half = (start: number) => ({ start, end: start + H, parts: [{ start, end: start + H / 2 }] });
  const sel = selection({ partial: [half(0), half(H), half(2 * H)], counted: 3, countedMs: 1.5 * H });

  it('counts a cut slice good or bad from the events of its counted parts only, and one without events as neither', () => {
    const c = countSlices(sel, [], cum, 0.9);
    expect(c.good).toBe(1);
    expect(c.bad).toBe(1);
    expect(c.counted).toBe(3);
    // 9/10 + 1/4 = 1.15: the empty slice adds no ratio.
    expect(c.ratioSum).toBeCloseTo(1.15, 12);
  });

  it('adds the cut slices to the counts the store gave for the runs', () => {
    const c = countSlices(sel, [stats(5, 3, 1, 3.5), stats(2, 1, 1, 1.2)], cum, 0.9);
    // Runs: 3 + 1 good, 1 + 1 bad, ratio 3.5 + 1.2; cut slices: 1 good, 1 bad, ratio 1.15.
    expect([c.good, c.bad]).toEqual([5, 3]);
    expect(c.ratioSum).toBeCloseTo(5.85, 12);
  });
});

describe('the population of a timeslice objective', () => {
  // Window: 10 whole hour slices, 6 good, 2 bad, 2 empty. Look-back: 4 of them, 1 good, 1 bad, 2 empty.
  const window = hourRun(10);
  const recent = hourRun(4);
  const sliceStats = [stats(10, 6, 2), stats(4, 1, 1)];
  const popOf = (emptyAs: EmptySlicePolicy, complete = true, periodCounted = 10) =>
    slicePopulation(
      input(planWith({ emptyAs, window, recent, periodCounted }), sliceStats, complete),
      countGood,
    );

  it('leaves empty slices out of the total and of the recent error rate when they are excluded', () => {
    const p = popOf('excluded');
    expect(p.measured).toEqual({ unit: 'slices', good: 6, total: 8 });
    // Look-back: 1 bad of the 2 slices with data.
    expect(p.trend.recentErrorRate).toBe(0.5);
    expect(p.trend.errorRate).toBe(0.5);
  });

  it('counts empty slices as good in the total and in the recent error rate when the objective says so', () => {
    const p = popOf('good');
    expect(p.measured).toEqual({ unit: 'slices', good: 8, total: 10 });
    // Look-back: 4 slices, 1 good + 2 empty counted good, so 1 bad of 4.
    expect(p.trend.recentErrorRate).toBe(0.25);
    expect(p.trend.errorRate).toBe(0.25);
  });

  it('counts empty slices as bad in the total and in the recent error rate when the objective says so', () => {
    const p = popOf('bad');
    expect(p.measured).toEqual({ unit: 'slices', good: 6, total: 10 });
    // Look-back: 1 good of 4, so 3 bad of 4.
    expect(p.trend.recentErrorRate).toBe(0.75);
  });

  it('on a complete window expects exactly the measured slices of the period (scale 1/1)', () => {
    expect(popOf('excluded').periodTotal).toEqual({ n: 8, scale: [1, 1] });
    expect(popOf('bad').periodTotal).toEqual({ n: 10, scale: [1, 1] });
  });

  it('projects a calendar period in progress from the slices counted so far', () => {
    // 10 of the month's 30 counted slices so far. Excluded empties: 8 slices with data in 10, so the month is
    // expected to hold 8 × 30 / 10 = 24 slices with data: a budget base of 24 × 60 = 1440 minutes.
    const excluded = popOf('excluded', false, 30);
    expect(excluded.periodTotal).toEqual({ n: 8, scale: [30, 10] });
    expect(excluded.minutes.budgetBase).toBe(1440);
    // Empties counted bad: all 30 slices count, 30 × 60 = 1800 minutes.
    const bad = popOf('bad', false, 30);
    expect(bad.minutes.budgetBase).toBe(1800);
  });

  it('gives each bad slice its 60 minutes and rests the consumed figure on the slices judged', () => {
    const p = popOf('excluded');
    expect(p.minutes.perBadUnit).toBe(60);
    // 8 slices judged × 60 minutes.
    expect(p.minutes.basis).toBe(480);
    expect(p.minutes.budgetBase).toBe(480);
    // 8 slices in 10 counted hours.
    expect(p.trend.rate).toBe(8 / (10 * H));
  });

  it('projects from the whole window’s bad share when the look-back holds no slice', () => {
    const p = slicePopulation(
      input(planWith({ window, recent: selection(), periodCounted: 10 }), [stats(10, 6, 2)], true),
      countGood,
    );
    expect(p.trend.recentErrorRate).toBeNull();
    // 2 bad of the 8 slices with data.
    expect(p.trend.errorRate).toBe(0.25);
  });

  it('weighs slices cut by supported hours by the minutes they count', () => {
    // Two hour slices counted for half an hour each: one 10 good of 10, one 0 of 10 (bad).
    const cum = cumOf([
      { at: 0, good: 10, total: 10 },
      { at: H, good: 0, total: 10 },
    ]);
    const cut = (start: number) => ({ start, end: start + H, parts: [{ start, end: start + H / 2 }] });
    const w = selection({ partial: [cut(0), cut(H)], counted: 2, countedMs: H });
    const p = slicePopulation(input(planWith({ window: w, periodCounted: 2 }), [], true, cum), countGood);
    expect(p.measured).toEqual({ unit: 'slices', good: 1, total: 2 });
    // 60 counted minutes over 2 slices: a bad slice stands for 30 minutes, and the 2 judged for 60.
    expect(p.minutes.perBadUnit).toBe(30);
    expect(p.minutes.basis).toBe(60);
    expect(p.minutes.budgetBase).toBe(60);
    expect(p.trend.rate).toBe(2 / H);
  });
});

describe('a timeslice window without any counted slice yet', () => {
  // Supported hours have not started, or an exception covers everything so far: nothing counted, nothing seen.
  const none = (complete: boolean, emptyAs: EmptySlicePolicy = 'excluded') =>
    slicePopulation(input(planWith({ emptyAs, periodCounted: 30 }), [], complete), countGood);

  it('is an empty population whose figures are all 0, none of them NaN', () => {
    for (const complete of [true, false]) {
      const p = none(complete);
      expect(p.measured).toEqual({ unit: 'slices', good: 0, total: 0 });
      expect(p.periodTotal).toEqual({ n: 0, scale: [1, 1] });
      // A slice stands for its nominal 60 minutes when none is counted yet.
      expect(p.minutes).toEqual({ budgetBase: 0, perBadUnit: 60, basis: 0 });
      expect(p.trend).toEqual({ rate: 0, recentErrorRate: null, errorRate: 0 });
    }
  });
});

describe('the slices inside each burn-rate window', () => {
  // One burn window: long = 6 hour slices (2 good, 1 bad, 3 empty), short = 2 slices (0 good, 1 bad, 1 empty).
  // Its answers follow the window's and the look-back's runs in the slice-count requests.
  const burnPlan = (emptyAs: EmptySlicePolicy) =>
    planWith({
      emptyAs,
      window: hourRun(10),
      recent: hourRun(4),
      burn: [{ long: hourRun(6), short: hourRun(2) }],
    });
  const answers = [stats(10, 6, 2), stats(4, 1, 1), stats(6, 2, 1, 2.5), stats(2, 0, 1, 0.4)];

  it('counts empty slices as the objective says: good, bad or left out', () => {
    expect(burnSliceUnits(burnPlan('good'), answers, NO_EVENTS, countGood)).toEqual([
      { long: { good: 5, total: 6 }, short: { good: 1, total: 2 } },
    ]);
    expect(burnSliceUnits(burnPlan('bad'), answers, NO_EVENTS, countGood)).toEqual([
      { long: { good: 2, total: 6 }, short: { good: 0, total: 2 } },
    ]);
    expect(burnSliceUnits(burnPlan('excluded'), answers, NO_EVENTS, countGood)).toEqual([
      { long: { good: 2, total: 3 }, short: { good: 0, total: 1 } },
    ]);
  });

  it('weighs slices by their ratios for ratio timeslices', () => {
    expect(burnSliceUnits(burnPlan('excluded'), answers, NO_EVENTS, (c) => c.ratioSum)).toEqual([
      { long: { good: 2.5, total: 3 }, short: { good: 0.4, total: 1 } },
    ]);
  });
});

/**
 * Planning one evaluation (pure): the window, the time that counts, the slices, and every instant whose
 * running totals the evaluation reads. The caller reads them (one batched read for many objectives) and
 * `evaluatePlan` computes the figures. Every sum is a difference of two running totals, and every run of
 * whole slices one slice-count request, so the cost depends on the number of intervals, not on the window's
 * length.
 */
import type { BurnWindowPolicy, ForecastPolicy, TierDefaults } from '../../policy/objectives.js';
import { durationMs } from '../../policy/objectives.js';
import { BUCKET_MS } from '../rollups.js';
import { type Exact, exact, mul, ratio } from './exact.js';
import { align, clip, type Interval, normalize, subtract, totalLength, widen } from './intervals.js';
import { SliceGrid, type SliceRequest } from './slices.js';
import { calendarPeriod, DAY_MS, MINUTE_MS, supportedIntervals } from './time.js';
import type { EmptySlicePolicy, ExclusionWindow, ObjectiveContext } from './types.js';

export interface EngineSettings {
  burnWindows: BurnWindowPolicy;
  forecast: ForecastPolicy;
  tiers: TierDefaults;
}

export type TierSettings = TierDefaults['1'];

/** The tier's defaults (tiers outside 1–4 take the nearest). */
export function tierSettings(settings: EngineSettings, tier: number): TierSettings {
  return settings.tiers[String(Math.min(4, Math.max(1, tier))) as '1'] ?? settings.tiers['3']!;
}

export interface PlannedBurnWindow {
  name: string;
  action: 'page' | 'ticket';
  /** X·P/w as a float, for display and for decisions clearly away from it. */
  threshold: number;
  /** The threshold as the integers it is made of: budgetPercent × period / (100 × long), for exact decisions. */
  thresholdParts: { budgetPercent: number; periodMs: number; longMs: number };
  long: number;
  short: number;
}

/** Slices of a selection: whole counted slices in runs, and slices that count only in part. */
export interface SliceSelection {
  /** Stretches [start, end) of whole counted slices: one slice-count request each. */
  runs: Interval[];
  /** Slices cut by supported hours or an exception window: judged on their counted buckets only. */
  partial: { start: number; end: number; parts: Interval[] }[];
  /** Slices with any counted time (the runs' slices and the partial ones). */
  counted: number;
  /** Counted milliseconds inside those slices. */
  countedMs: number;
}

/** The slices of a timeslice objective on the agreement's local-calendar grid. */
export interface SlicePlan {
  minutes: number;
  timeZone: string;
  target: number;
  emptyAs: EmptySlicePolicy;
  /** Complete slices inside the elapsed window: [windowFrom, windowTo), both boundaries. */
  windowFrom: number;
  windowTo: number;
  /** Every slice of [windowFrom, windowTo), excluded ones included. */
  gridSlices: number;
  window: SliceSelection;
  /** The window's slices inside the forecast's look-back. */
  recent: SliceSelection;
  /** Slices with counted time in the whole period (a rolling window: the window's). */
  periodCounted: number;
  /**
   * Per burn-rate window of the plan (same order): the complete slices inside its long and its short window,
   * at least the last complete slice, so that burn rates count the objective's own population (slices), as
   * its budget does.
   */
  burn: { long: SliceSelection; short: SliceSelection }[];
}

export interface EvaluationPlan {
  ctx: ObjectiveContext;
  sliKey: string;
  now: number;
  windowStart: number;
  periodEnd: number;
  /** The objective's period P: the rolling window's length or the calendar period's (DST-aware). */
  periodMs: number;
  /** The earliest instant any figure looks at. */
  earliest: number;
  /** Time that counts from the earliest look-back to the forecast horizon: supported hours minus exceptions. */
  included: Interval[];
  /** Exception time inside the elapsed window, for the record. */
  excludedMs: number;
  burnWindows: PlannedBurnWindow[];
  lookbackMs: number;
  horizonEnd: number;
  /** Data within this much wall time before `now` proves the SLI is not silent (the tier's at-risk silence). */
  silenceProbeMs: number;
  /** Sorted distinct instants whose running totals `evaluatePlan` reads. */
  instants: number[];
  /** For the timeslice methods: the slices to count. */
  slices: SlicePlan | null;
}

/** The SLI key an objective reads: `<serviceId>/<sli name or type>`. */
export function objectiveSliKey(ctx: ObjectiveContext): string {
  return `${ctx.serviceId}/${ctx.objective.sli.name ?? ctx.objective.sli.type}`;
}

function roundToBucket(ms: number): number {
  return Math.max(BUCKET_MS, Math.round(ms / BUCKET_MS) * BUCKET_MS);
}

/** A planned window's threshold, exactly. */
export function thresholdExact(w: PlannedBurnWindow): Exact {
  const t = w.thresholdParts;
  return ratio(mul(exact(t.budgetPercent), exact(t.periodMs)), exact(100 * t.longMs));
}

/** The burn-rate windows for a period: the policy's table, scaled from its reference period when asked. */
export function burnWindowsFor(policy: BurnWindowPolicy, periodMs: number): PlannedBurnWindow[] {
  // Pure and asked again for the same period by many objectives: remembered per policy and period.
  let byPeriod = plannedWindows.get(policy);
  // Stryker disable next-line ConditionalExpression: performance only: a fresh map for the policy on every call forgets what was remembered, and the windows are computed again, the same
  if (!byPeriod) {
    byPeriod = new Map();
    plannedWindows.set(policy, byPeriod);
  }
  let ws = byPeriod.get(periodMs);
  // Stryker disable next-line ConditionalExpression: performance only: computing the windows again gives the same windows (computeBurnWindows is pure)
  if (!ws) {
    ws = computeBurnWindows(policy, periodMs);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: memory and speed only: the bound decides what is remembered, never what is returned (the same windows either way)
    if (byPeriod.size < 1000) byPeriod.set(periodMs, ws);
  }
  return ws;
}

const plannedWindows = new WeakMap<BurnWindowPolicy, Map<number, PlannedBurnWindow[]>>();

function computeBurnWindows(policy: BurnWindowPolicy, periodMs: number): PlannedBurnWindow[] {
  const ref = durationMs(policy.referencePeriod);
  const scale = policy.scaleToPeriod ? periodMs / ref : 1;
  return policy.windows.map((w) => {
    const long = roundToBucket(durationMs(w.long) * scale);
    const short = roundToBucket(durationMs(w.short) * scale);
    // X% of the budget within the long window: threshold = X · P / long (unchanged by scaling).
    const p = policy.scaleToPeriod ? ref : periodMs;
    const threshold = ((w.budgetPercent / 100) * p) / durationMs(w.long);
    const thresholdParts = { budgetPercent: w.budgetPercent, periodMs: p, longMs: durationMs(w.long) };
    return { name: w.name, action: w.action, threshold, thresholdParts, long, short };
  });
}

/**
 * The slices of [from, to) that have counted time: whole ones gathered into runs, cut ones listed with
 * their counted parts. `included` is normalized and bucket-aligned; from and to are slice boundaries.
 */
export function selectSlices(
  grid: SliceGrid,
  included: readonly Interval[],
  from: number,
  to: number,
): SliceSelection {
  const sel: SliceSelection = { runs: [], partial: [], counted: 0, countedMs: 0 };
  const addPartial = (start: number, end: number, part: Interval) => {
    const last = sel.partial[sel.partial.length - 1];
    if (last && last.start === start) last.parts.push(part);
    else {
      sel.partial.push({ start, end, parts: [part] });
      sel.counted++;
    }
  };
  for (const x of clip(included, from, to)) {
    sel.countedMs += x.end - x.start;
    let s = x.start;
    const first = grid.floor(s);
    if (first < s) {
      const end = grid.next(first);
      addPartial(first, end, { start: s, end: Math.min(x.end, end) });
      s = end;
    }
    const b = grid.floor(x.end);
    // A cut slice that holds all of x leaves s at or past x.end: neither a run nor a tail. Runs never touch: `included`
    // is normalized, so a run starts after the end of the interval before, past the previous run's end.
    if (b > s) {
      sel.runs.push({ start: s, end: b });
      sel.counted += grid.count(s, b);
      s = b;
    }
    if (s < x.end) addPartial(s, grid.next(s), { start: s, end: x.end });
  }
  return sel;
}

/** Plans one evaluation: the window, the time that counts and the instants to read. */
export function planEvaluation(
  ctx: ObjectiveContext,
  exclusions: readonly ExclusionWindow[],
  nowMs: number,
  settings: EngineSettings,
): EvaluationPlan {
  const o = ctx.objective;
  // Refused here too, whatever path the objective came by: a slice length the rollups cannot count.
  const grid =
    o.budgetingMethod !== 'occurrences' && o.timeSlice
      ? SliceGrid.of(ctx.timeZone, o.timeSlice.minutes)
      : null;
  const now = Math.floor(nowMs / BUCKET_MS) * BUCKET_MS;
  let windowStart: number;
  let periodEnd: number;
  let periodMs: number;
  if (o.window.type === 'rolling') {
    // A rolling window is an exact duration (N × 24 h), whatever DST does meanwhile.
    periodMs = o.window.days * DAY_MS;
    windowStart = now - periodMs;
    periodEnd = now;
  } else {
    // At a boundary instant the period that has just ended is complete: it is the one shown.
    const p = calendarPeriod(o.window.unit, now - 1, ctx.timeZone);
    windowStart = p.start;
    periodEnd = p.end;
    periodMs = p.end - p.start;
  }
  const burnWindows = burnWindowsFor(settings.burnWindows, periodMs);
  const lookbackMs = roundToBucket(
    Math.max(periodMs * settings.forecast.lookbackShare, settings.forecast.minLookbackMinutes * MINUTE_MS),
  );
  const horizonEnd =
    o.window.type === 'calendar'
      ? periodEnd
      : now + roundToBucket(periodMs * settings.forecast.rollingHorizonShare);
  const silenceProbeMs = tierSettings(settings, ctx.tier).noDataAtRiskMinutes * MINUTE_MS;
  const earliest = Math.min(
    windowStart,
    now - lookbackMs,
    now - silenceProbeMs,
    ...burnWindows.map((w) => now - w.long),
  );

  let counted: Interval[] = [{ start: earliest, end: horizonEnd }];
  if (o.supportedHoursOnly && ctx.supportedHours.kind === 'calendar') {
    counted = normalize(supportedIntervals(ctx.supportedHours, ctx.timeZone, earliest, horizonEnd));
  }
  const cuts = widen(
    exclusions
      .filter((x) => x.agreementId === ctx.agreementId && (!x.objectiveId || x.objectiveId === o.id))
      .map((x) => ({ start: x.start, end: x.end })),
    BUCKET_MS,
  );
  const aligned = align(counted, BUCKET_MS);
  const included = subtract(aligned, cuts);
  const excludedMs =
    totalLength(clip(aligned, windowStart, now)) - totalLength(clip(included, windowStart, now));

  const ranges: Interval[][] = [clip(included, windowStart, now), clip(included, now - lookbackMs, now)];
  for (const w of burnWindows)
    ranges.push(clip(included, now - w.long, now), clip(included, now - w.short, now));
  const set = new Set<number>([now, now - silenceProbeMs]);
  for (const r of ranges) {
    for (const x of r) {
      set.add(x.start);
      set.add(x.end);
    }
  }

  let slices: SlicePlan | null = null;
  if (grid && o.timeSlice) {
    const windowFrom = grid.ceil(windowStart);
    const windowTo = Math.max(windowFrom, grid.floor(now));
    const window = selectSlices(grid, included, windowFrom, windowTo);
    const recentFrom = Math.min(windowTo, Math.max(windowFrom, grid.ceil(now - lookbackMs)));
    const recent = selectSlices(grid, included, recentFrom, windowTo);
    // A burn window counts the complete slices that start inside it, and at least the last complete one.
    const lastTo = grid.floor(now);
    const lastFrom = grid.floor(lastTo - 1);
    const burnSel = (ms: number) =>
      selectSlices(grid, included, Math.min(grid.ceil(now - ms), lastFrom), lastTo);
    const burn = burnWindows.map((w) => ({ long: burnSel(w.long), short: burnSel(w.short) }));
    for (const sel of [window, recent, ...burn.flatMap((b) => [b.long, b.short])]) {
      for (const p of sel.partial) {
        for (const x of p.parts) {
          set.add(x.start);
          set.add(x.end);
        }
      }
    }
    slices = {
      minutes: o.timeSlice.minutes,
      timeZone: ctx.timeZone,
      target: o.timeSlice.target,
      emptyAs: o.timeSlice.emptySlices ?? 'excluded',
      windowFrom,
      windowTo,
      gridSlices: grid.count(windowFrom, windowTo),
      window,
      recent,
      periodCounted:
        o.window.type === 'calendar'
          ? selectSlices(grid, included, windowStart, periodEnd).counted
          : window.counted,
      burn,
    };
  }
  return {
    slices,
    ctx,
    sliKey: objectiveSliKey(ctx),
    now,
    windowStart,
    periodEnd,
    periodMs,
    earliest,
    included,
    excludedMs,
    burnWindows,
    lookbackMs,
    horizonEnd,
    silenceProbeMs,
    instants: [...set].sort((a, b) => a - b),
  };
}

/**
 * The slice-count requests of a plan (empty for occurrences): window runs first, then recent runs, then each
 * burn-rate window's long and short runs in the order of `plan.burnWindows`.
 */
export function sliceRequests(plan: EvaluationPlan): SliceRequest[] {
  const s = plan.slices;
  if (!s) return [];
  const base = { sliKey: plan.sliKey, sliceMinutes: s.minutes, timeZone: s.timeZone, target: s.target };
  const burnRuns = s.burn.flatMap((b) => [...b.long.runs, ...b.short.runs]);
  return [...s.window.runs, ...s.recent.runs, ...burnRuns].map((r) => ({
    ...base,
    fromMs: r.start,
    toMs: r.end,
  }));
}

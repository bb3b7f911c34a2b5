/**
 * The SLO maths: compliance, error budget, burn rates, forecast and status of one objective.
 *
 * Evaluation is two pure steps around one read. `planEvaluation` turns an objective, its agreement's time
 * zone, supported hours, exception windows and "now" into the time that counts (bucket-aligned intervals)
 * and the instants whose running totals it needs. The caller reads those running totals (and, for the
 * timeslice methods, slice counts) and `evaluatePlan` computes every figure from them. Every sum is a
 * difference of two running totals, so the cost depends on the number of intervals, not the window length.
 */
import type { BurnWindowPolicy, ForecastPolicy, TierDefaults } from '../../policy/objectives.js';
import { durationMs } from '../../policy/objectives.js';
import {
  BUCKET_MS,
  type Cumulative,
  type RollupBucket,
  type SliceRequest,
  type SliceStats,
  sliceStatsOf,
} from '../../ports/rollups.js';
import { align, clip, type Interval, normalize, subtract, totalLength, widen } from './intervals.js';
import { calendarPeriod, DAY_MS, MINUTE_MS, supportedIntervals } from './time.js';
import type {
  BurnRateFigure,
  ErrorBudget,
  EvaluationResult,
  ExclusionWindow,
  Forecast,
  ObjectiveContext,
  ObjectiveStatus,
} from './types.js';

export interface EngineSettings {
  burnWindows: BurnWindowPolicy;
  forecast: ForecastPolicy;
  tiers: TierDefaults;
}

interface PlannedBurnWindow {
  name: string;
  action: 'page' | 'ticket';
  threshold: number;
  long: number;
  short: number;
}

export interface EvaluationPlan {
  ctx: ObjectiveContext;
  sliKey: string;
  now: number;
  windowStart: number;
  periodEnd: number;
  /** The objective's period P: the rolling window's length or the calendar period's (DST-aware). */
  periodMs: number;
  /** Time that counts from the earliest look-back to the forecast horizon: supported hours minus exceptions. */
  included: Interval[];
  /** Exception time inside the elapsed window, for the record. */
  excludedMs: number;
  burnWindows: PlannedBurnWindow[];
  lookbackMs: number;
  horizonEnd: number;
  /** Sorted distinct instants whose running totals `evaluatePlan` reads. */
  instants: number[];
  /** For the timeslice methods: the slice grid and ranges to count. */
  slices: SlicePlan | null;
}

/**
 * Slices of a timeslice objective: complete slices on a grid (UTC-aligned for rolling windows, anchored at
 * the period's start for calendar windows) inside the elapsed window, and the most recent ones for the trend.
 */
export interface SlicePlan {
  sliceMs: number;
  anchorMs: number;
  target: number;
  windowFrom: number;
  windowTo: number;
  recentFrom: number;
  /**
   * Every slice of the window counts in full (no supported-hours restriction or exception inside it): the
   * store's running slice counts can answer. Otherwise the caller reads the buckets (`sliceInputFromBuckets`).
   */
  fromStore: boolean;
}

/** Slice counts over the window and over the recent slices. */
export interface SliceInput {
  window: SliceStats;
  recent: SliceStats;
}

/** The two slice-count requests of a plan (window, recent). */
export function sliceRequests(plan: EvaluationPlan): [SliceRequest, SliceRequest] {
  const s = plan.slices!;
  const base = {
    sliKey: plan.sliKey,
    sliceMs: s.sliceMs,
    anchorMs: s.anchorMs,
    target: s.target,
    toMs: s.windowTo,
  };
  return [
    { ...base, fromMs: s.windowFrom },
    { ...base, fromMs: s.recentFrom },
  ];
}

/** Slice counts from the window's buckets, keeping only the buckets that count (supported hours, exceptions). */
export function sliceInputFromBuckets(plan: EvaluationPlan, buckets: readonly RollupBucket[]): SliceInput {
  const s = plan.slices!;
  const inc = clip(plan.included, s.windowFrom, s.windowTo);
  const kept: RollupBucket[] = [];
  let j = 0;
  for (const b of buckets) {
    while (j < inc.length && inc[j]!.end <= b.bucketStart) j++;
    const x = inc[j];
    if (x && x.start <= b.bucketStart) kept.push(b);
  }
  const [window, recent] = sliceRequests(plan);
  return { window: sliceStatsOf(kept, window), recent: sliceStatsOf(kept, recent) };
}

/** The SLI key an objective reads: `<serviceId>/<sli name or type>`. */
export function objectiveSliKey(ctx: ObjectiveContext): string {
  return `${ctx.serviceId}/${ctx.objective.sli.name ?? ctx.objective.sli.type}`;
}

function roundToBucket(ms: number): number {
  return Math.max(BUCKET_MS, Math.round(ms / BUCKET_MS) * BUCKET_MS);
}

/** The burn-rate windows for a period: the policy's table, scaled from its reference period when asked. */
export function burnWindowsFor(policy: BurnWindowPolicy, periodMs: number): PlannedBurnWindow[] {
  const ref = durationMs(policy.referencePeriod);
  const scale = policy.scaleToPeriod ? periodMs / ref : 1;
  return policy.windows.map((w) => {
    const long = roundToBucket(durationMs(w.long) * scale);
    const short = roundToBucket(durationMs(w.short) * scale);
    // X% of the budget within the long window: threshold = X · P / long (unchanged by scaling).
    const threshold =
      ((w.budgetPercent / 100) * (policy.scaleToPeriod ? ref : periodMs)) / durationMs(w.long);
    return { name: w.name, action: w.action, threshold, long, short };
  });
}

/** Plans one evaluation: the window, the time that counts and the instants to read. */
export function planEvaluation(
  ctx: ObjectiveContext,
  exclusions: readonly ExclusionWindow[],
  nowMs: number,
  settings: EngineSettings,
): EvaluationPlan {
  const o = ctx.objective;
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
  const earliest = Math.min(windowStart, now - lookbackMs, ...burnWindows.map((w) => now - w.long));

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
  const set = new Set<number>();
  for (const r of ranges) {
    for (const x of r) {
      set.add(x.start);
      set.add(x.end);
    }
  }
  const instants = [...set].sort((a, b) => a - b);
  let slices: SlicePlan | null = null;
  if (o.budgetingMethod !== 'occurrences' && o.timeSlice) {
    const sliceMs = o.timeSlice.minutes * MINUTE_MS;
    const anchorMs = o.window.type === 'calendar' ? windowStart : 0;
    const windowFrom = anchorMs + Math.ceil((windowStart - anchorMs) / sliceMs) * sliceMs;
    const windowTo = Math.max(windowFrom, anchorMs + Math.floor((now - anchorMs) / sliceMs) * sliceMs);
    const k = Math.max(1, Math.ceil(lookbackMs / sliceMs));
    slices = {
      sliceMs,
      anchorMs,
      target: o.timeSlice.target,
      windowFrom,
      windowTo,
      recentFrom: Math.max(windowFrom, windowTo - k * sliceMs),
      fromStore: totalLength(clip(included, windowFrom, windowTo)) === windowTo - windowFrom,
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
    included,
    excludedMs,
    burnWindows,
    lookbackMs,
    horizonEnd,
    instants,
  };
}

/** Running totals at the planned instants (the caller's read). */
export type CumulativeAt = (instant: number) => Cumulative;

export function cumulativeLookup(instants: readonly number[], values: readonly Cumulative[]): CumulativeAt {
  const m = new Map<number, Cumulative>();
  instants.forEach((t, i) => {
    m.set(t, values[i]!);
  });
  return (t) => {
    const c = m.get(t);
    if (!c) throw new Error(`running total at ${t} was not read; plan and read disagree`);
    return c;
  };
}

interface Totals {
  good: number;
  total: number;
  filled: number;
  ms: number;
}

function sumOver(intervals: readonly Interval[], cum: CumulativeAt): Totals {
  const t = { good: 0, total: 0, filled: 0, ms: 0 };
  for (const x of intervals) {
    const a = cum(x.start);
    const b = cum(x.end);
    t.good += b.good - a.good;
    t.total += b.total - a.total;
    t.filled += b.filled - a.filled;
    t.ms += x.end - x.start;
  }
  return t;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Walks `amount` milliseconds of counted time forward from `from`; the instant reached, or null past `limit`. */
function advanceIncluded(
  included: readonly Interval[],
  from: number,
  amount: number,
  limit: number,
): number | null {
  let left = amount;
  for (const x of clip(included, from, limit)) {
    const len = x.end - x.start;
    if (left <= len) return x.start + left;
    left -= len;
  }
  return null;
}

/**
 * Computes every figure of one objective from its plan and the running totals (and, for the timeslice
 * methods, the slice counts).
 */
export function evaluatePlan(
  plan: EvaluationPlan,
  cum: CumulativeAt,
  settings: EngineSettings,
  sliceInput?: SliceInput,
): EvaluationResult {
  const { ctx, now, windowStart, periodEnd } = plan;
  const o = ctx.objective;
  const t = o.target / 100;
  const allowedShare = 1 - t;
  const windowIncluded = clip(plan.included, windowStart, now);
  const w = sumOver(windowIncluded, cum);
  const periodIncludedMs = totalLength(clip(plan.included, windowStart, periodEnd));
  const bucketsCounted = w.ms / BUCKET_MS;
  const coverage = bucketsCounted > 0 ? w.filled / bucketsCounted : 0;
  const empty = w.total <= 0;
  const calendar = o.window.type === 'calendar';
  const tier = settings.tiers[String(Math.min(4, Math.max(1, ctx.tier))) as '1'] ?? settings.tiers['3']!;

  // Burn rates are measured on events for every method: the alerting signal is the error rate now.
  const burnRates: BurnRateFigure[] = plan.burnWindows.map((bw) => {
    const rate = (ms: number): number | null => {
      const s = sumOver(clip(plan.included, now - ms, now), cum);
      return s.total > 0 ? (s.total - s.good) / s.total / allowedShare : null;
    };
    const long = rate(bw.long);
    const short = rate(bw.short);
    return {
      name: bw.name,
      action: bw.action,
      threshold: round(bw.threshold, 4),
      long: { minutes: bw.long / MINUTE_MS, burnRate: long === null ? null : round(long, 4) },
      short: { minutes: bw.short / MINUTE_MS, burnRate: short === null ? null : round(short, 4) },
      firing: long !== null && short !== null && long > bw.threshold && short > bw.threshold,
    };
  });

  let compliance: number | null = null;
  let budget: ErrorBudget | null = null;
  let slices: EvaluationResult['data']['slices'];
  // Linear model of budget use ahead: f(h) = bad(h) - allowed(h); breach when f > 0.
  let forecastInput: { bad: number; allowed: (h: number) => number; badAt: (h: number) => number } | null =
    null;
  let recentErrorRate: number | null = null;
  let projected: ((h: number) => number | null) | null = null;
  const recent = sumOver(clip(plan.included, now - plan.lookbackMs, now), cum);
  const horizonIncluded = totalLength(clip(plan.included, now, plan.horizonEnd));
  const Wms = Math.max(periodIncludedMs, 1);

  if (o.budgetingMethod === 'occurrences') {
    if (!empty) {
      const bad = w.total - w.good;
      compliance = (w.good / w.total) * 100;
      // A calendar period in progress may spend (1 − target) of the events the whole period will see at the
      // traffic seen so far; a rolling window (or a closed period) of the events it holds.
      const remainingMs = calendar ? Math.max(0, periodIncludedMs - w.ms) : 0;
      const expectedTotal = w.total + (w.total / Math.max(w.ms, 1)) * remainingMs;
      const allowed = allowedShare * expectedTotal;
      const totalMinutes = (allowedShare * periodIncludedMs) / MINUTE_MS;
      const consumedMinutes = ((bad / w.total) * w.ms) / MINUTE_MS;
      budget = {
        unit: 'events',
        total: round(allowed, 3),
        consumed: bad,
        remaining: round(allowed - bad, 3),
        consumedRatio: allowed > 0 ? round(bad / allowed) : bad > 0 ? Infinity : 0,
        remainingRatio: allowed > 0 ? round(1 - bad / allowed) : bad > 0 ? -Infinity : 1,
        minutes: {
          total: round(totalMinutes, 3),
          consumed: round(consumedMinutes, 3),
          remaining: round(totalMinutes - consumedMinutes, 3),
        },
      };
      const base = recent.total > 0 ? recent : w;
      const r = (base.total - base.good) / base.total;
      const lambda = base.total / Math.max(base.ms, 1);
      recentErrorRate = recent.total > 0 ? r : null;
      const age = (h: number) => (calendar ? 1 : Math.max(0, 1 - h / Wms));
      const totalAt = (h: number) => w.total * age(h) + lambda * h;
      const badAt = (h: number) => bad * age(h) + lambda * r * h;
      forecastInput = { bad, allowed: (h) => (calendar ? allowed : allowedShare * totalAt(h)), badAt };
      projected = (h) => (totalAt(h) > 0 ? (1 - badAt(h) / totalAt(h)) * 100 : null);
    }
  } else {
    const st = sliceInput?.window ?? { slices: 0, good: 0, bad: 0, ratioSum: 0 };
    const sliceMs = o.timeSlice!.minutes * MINUTE_MS;
    const withData = st.good + st.bad;
    slices = { good: st.good, bad: st.bad, empty: st.slices - withData, minutes: o.timeSlice!.minutes };
    if (withData > 0) {
      const ratio = o.budgetingMethod === 'ratio-timeslices';
      // Bad slice-equivalents: whole bad slices, or the shortfall of each slice's ratio from 1.
      const bad = ratio ? withData - st.ratioSum : st.bad;
      compliance = ratio ? (st.ratioSum / withData) * 100 : (st.good / withData) * 100;
      const periodSlices = Wms / sliceMs;
      const allowed = allowedShare * periodSlices;
      budget = {
        unit: 'slices',
        total: round(allowed, 3),
        consumed: round(bad, 3),
        remaining: round(allowed - bad, 3),
        consumedRatio: allowed > 0 ? round(bad / allowed) : bad > 0 ? Infinity : 0,
        remainingRatio: allowed > 0 ? round(1 - bad / allowed) : bad > 0 ? -Infinity : 1,
        minutes: {
          total: round((allowed * sliceMs) / MINUTE_MS, 3),
          consumed: round((bad * sliceMs) / MINUTE_MS, 3),
          remaining: round(((allowed - bad) * sliceMs) / MINUTE_MS, 3),
        },
      };
      const recentStats = sliceInput?.recent ?? { slices: 0, good: 0, bad: 0, ratioSum: 0 };
      const rn = recentStats.good + recentStats.bad;
      const rb = ratio ? rn - recentStats.ratioSum : recentStats.bad;
      recentErrorRate = rn > 0 ? rb / rn : null;
      const r = rn > 0 ? rb / rn : bad / withData;
      const lambda = 1 / sliceMs;
      const age = (h: number) => (calendar ? 1 : Math.max(0, 1 - h / Wms));
      const badAt = (h: number) => bad * age(h) + lambda * r * h;
      forecastInput = { bad, allowed: () => allowed, badAt };
      const seen = withData;
      projected = (h) => {
        const n = calendar ? seen + lambda * h : Math.min(periodSlices, seen * age(h) + lambda * h);
        return n > 0 ? (1 - badAt(h) / n) * 100 : null;
      };
    }
  }

  let forecast: Forecast | null = null;
  if (forecastInput && budget) {
    const f = (h: number) => forecastInput.badAt(h) - forecastInput.allowed(h);
    const H = Math.max(horizonIncluded, 1);
    const f0 = f(0);
    const slope = (f(H) - f0) / H;
    let breachAt: string | null = null;
    if (f0 > 0) breachAt = iso(now);
    else if (slope > 0) {
      const h = -f0 / slope;
      const when = h <= H ? advanceIncluded(plan.included, now, h, plan.horizonEnd) : null;
      breachAt = when === null ? null : iso(Math.ceil(when / MINUTE_MS) * MINUTE_MS);
    }
    const burnNow = recentErrorRate === null ? null : recentErrorRate / allowedShare;
    const tte =
      burnNow && burnNow > 0 && budget.remainingRatio > 0
        ? round((budget.remainingRatio * plan.periodMs) / burnNow / MINUTE_MS, 1)
        : budget.remainingRatio <= 0
          ? 0
          : null;
    const pc = projected ? projected(H) : null;
    const allowedAtH = forecastInput.allowed(H);
    const used = allowedAtH > 0 ? forecastInput.badAt(H) / allowedAtH : null;
    forecast = {
      model: 'linear-trend',
      lookbackMinutes: plan.lookbackMs / MINUTE_MS,
      recentErrorRate: recentErrorRate === null ? null : round(recentErrorRate, 8),
      horizonEnd: iso(plan.horizonEnd),
      projectedCompliance: pc === null ? null : round(pc, 6),
      projectedBudgetConsumed: used === null ? null : round(used, 4),
      breachLikely: breachAt !== null || (used !== null && used >= settings.forecast.breachLikelyAt),
      breachAt,
      timeToExhaustionMinutes: tte,
    };
  }

  const { status, reasons } = decideStatus({
    empty,
    compliance,
    target: o.target,
    budget,
    burnRates,
    forecast,
    coverage,
    minCoverage: tier.minCoverage,
    atRiskBudgetRemaining: tier.atRiskBudgetRemaining,
    partial: calendar && now < periodEnd,
  });

  return {
    agreementId: ctx.agreementId,
    agreementVersion: ctx.agreementVersion,
    objectiveId: o.id,
    serviceId: ctx.serviceId,
    businessUnit: ctx.businessUnit,
    sliKey: plan.sliKey,
    evaluatedAt: iso(now),
    method: o.budgetingMethod,
    target: o.target,
    window: {
      type: o.window.type,
      start: iso(windowStart),
      end: iso(now),
      periodEnd: iso(periodEnd),
      partial: calendar && now < periodEnd,
      elapsedRatio: round(Math.min(1, (now - windowStart) / Math.max(1, periodEnd - windowStart)), 4),
      includedMinutes: w.ms / MINUTE_MS,
      excludedMinutes: plan.excludedMs / MINUTE_MS,
    },
    data: {
      goodEvents: w.good,
      totalEvents: w.total,
      coverage: round(coverage, 4),
      empty,
      ...(slices ? { slices } : {}),
    },
    compliance: compliance === null ? null : round(compliance, 6),
    budget,
    burnRates,
    forecast,
    status,
    reasons,
  };
}

interface StatusInput {
  empty: boolean;
  compliance: number | null;
  target: number;
  budget: ErrorBudget | null;
  burnRates: readonly BurnRateFigure[];
  forecast: Forecast | null;
  coverage: number;
  minCoverage: number;
  atRiskBudgetRemaining: number;
  partial: boolean;
}

const pct = (x: number) => `${round(x, 4)}%`;

/**
 * Status with its reasons: breached when the budget is spent; at risk when a burn-rate alert fires, the
 * forecast breaches within the horizon, the remaining budget is under the tier's threshold, or too little of
 * the window has data; unknown when the window holds no data at all (no data is not 100%).
 */
export function decideStatus(s: StatusInput): { status: ObjectiveStatus; reasons: string[] } {
  if (s.empty || s.budget === null || s.compliance === null) {
    return {
      status: 'unknown',
      reasons: ['no data in the window: compliance is unknown (no data is not 100%)'],
    };
  }
  const reasons: string[] = [];
  if (s.budget.consumed > s.budget.total) {
    reasons.push(
      `error budget exhausted: ${round(s.budget.consumedRatio * 100, 2)}% consumed; compliance ${pct(s.compliance)} against a ${s.target}% target`,
    );
    return { status: 'breached', reasons };
  }
  for (const b of s.burnRates) {
    if (b.firing) {
      reasons.push(
        `burn rate ${b.long.burnRate}x over ${b.long.minutes} min and ${b.short.burnRate}x over ${b.short.minutes} min exceed ${b.threshold}x (${b.name})`,
      );
    }
  }
  if (s.forecast?.breachAt) reasons.push(`forecast: the budget runs out at ${s.forecast.breachAt}`);
  else if (s.forecast?.breachLikely) {
    reasons.push(
      `forecast: ${round((s.forecast.projectedBudgetConsumed ?? 0) * 100, 1)}% of the budget used by ${s.forecast.horizonEnd} at the current trend`,
    );
  }
  if (s.budget.remainingRatio < s.atRiskBudgetRemaining) {
    reasons.push(
      `only ${round(s.budget.remainingRatio * 100, 2)}% of the error budget remains (tier threshold ${s.atRiskBudgetRemaining * 100}%)`,
    );
  }
  if (s.coverage < s.minCoverage) {
    reasons.push(
      `only ${round(s.coverage * 100, 2)}% of the window has data (tier minimum ${s.minCoverage * 100}%): the figures may not hold`,
    );
  }
  if (reasons.length > 0) return { status: 'at-risk', reasons };
  const left = `${round(s.budget.remainingRatio * 100, 2)}% of the budget left`;
  if (s.compliance < s.target) {
    return {
      status: 'healthy',
      reasons: [
        `compliance so far ${pct(s.compliance)} is under the ${s.target}% target, but the period has ${left} and the trend keeps it`,
      ],
    };
  }
  return {
    status: 'healthy',
    reasons: [
      `compliance ${pct(s.compliance)} meets the ${s.target}% target with ${left}${s.partial ? ' (period in progress)' : ''}`,
    ],
  };
}

/** Worst status first: the status of an agreement is the worst of its objectives'. */
export function worstStatus(xs: readonly ObjectiveStatus[]): ObjectiveStatus {
  const order: ObjectiveStatus[] = ['breached', 'at-risk', 'unknown', 'healthy'];
  for (const s of order) if (xs.includes(s)) return s;
  return 'unknown';
}

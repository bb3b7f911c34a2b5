/**
 * The SLO maths of one objective: compliance, error budget, burn rates, forecast and status.
 *
 * Evaluation is two pure steps around one read. `planEvaluation` (plan.ts) turns an objective, its
 * agreement's time zone, supported hours, exception windows and "now" into the time that counts and the
 * instants and slice runs it needs. The caller reads those running totals and slice counts (and, for an SLI
 * that has gone quiet, when it last had data), and `evaluatePlan` computes every figure: the budgeting
 * method (methods/) yields one population, from which compliance, budget and consumption all follow
 * (methods/figures.ts); burn rates (burn.ts), the forecast (forecast.ts) and the status (status.ts) read
 * those figures.
 */
import { BUCKET_MS, type Cumulative } from '../rollups.js';
import { burnRateFigures, sumOver } from './burn.js';
import { floorShown, ONE, sub } from './exact.js';
import { forecastOf } from './forecast.js';
import { clip, normalize, totalLength } from './intervals.js';
import { type Figures, figuresOf, targetShare } from './methods/figures.js';
import { occurrences } from './methods/occurrences.js';
import { ratioTimeslices } from './methods/ratio-timeslices.js';
import { burnSliceUnits } from './methods/slice-counts.js';
import { timeslices } from './methods/timeslices.js';
import type { BudgetingMethodModule, CumulativeAt } from './methods/types.js';
import { type EngineSettings, type EvaluationPlan, tierSettings } from './plan.js';
import type { SliceStats } from './slices.js';
import { decideStatus, type Silence } from './status.js';
import { DAY_MS, MINUTE_MS, supportedIntervals } from './time.js';
import type { BurnRateFigure, EvaluationResult } from './types.js';

export type { CumulativeAt } from './methods/types.js';
export {
  burnWindowsFor,
  type EngineSettings,
  type EvaluationPlan,
  objectiveSliKey,
  planEvaluation,
  type SlicePlan,
  sliceRequests,
} from './plan.js';
export { decideStatus, worstStatus } from './status.js';

/** The budgeting methods of OpenSLO v1, one module each behind one interface. */
export const BUDGETING_METHODS: Readonly<Record<EvaluationResult['method'], BudgetingMethodModule>> = {
  occurrences,
  timeslices,
  'ratio-timeslices': ratioTimeslices,
};

/** The running totals read at a plan's instants, as a lookup; a missing instant is a planning bug (throws). */
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

/** Whether the SLI had data within the silence probe before now: if not, ask when it last had (`lastData`). */
export function needsLastData(plan: EvaluationPlan, cum: CumulativeAt): boolean {
  return cum(plan.now).filled - cum(plan.now - plan.silenceProbeMs).filled <= 0;
}

/** Counted time between the end of the last data and now (supported hours, minus exception windows). */
function silentMs(plan: EvaluationPlan, lastDataAt: number): number {
  const from = lastDataAt + BUCKET_MS;
  let ms = totalLength(clip(plan.included, Math.max(from, plan.earliest), plan.now));
  // Stryker disable next-line EqualityOperator: at from === earliest the block adds the length of [earliest, earliest), 0
  if (from < plan.earliest) {
    // Before the planned span: supported hours only (exception windows there are not loaded), 400 days at most.
    const a = Math.max(from, plan.earliest - 400 * DAY_MS);
    const { ctx } = plan;
    ms +=
      ctx.objective.supportedHoursOnly && ctx.supportedHours.kind === 'calendar'
        ? totalLength(normalize(supportedIntervals(ctx.supportedHours, ctx.timeZone, a, plan.earliest)))
        : plan.earliest - a;
  }
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Lines for alerts and forecasts that could not be judged: no events, or too few (low traffic). */
function trafficNotes(
  burnRates: readonly BurnRateFigure[],
  minEvents: number,
  forecast: EvaluationResult['forecast'],
  forecastMin: number,
): string[] {
  const notes: string[] = [];
  const none = burnRates.filter((b) => b.judgement === 'no-events');
  if (none.length > 0) {
    notes.push(
      `no events to judge ${none.map((b) => `${b.name} (${b.long.events} in ${b.long.minutes} min, ${b.short.events} in ${b.short.minutes} min)`).join(', ')}: a burn-rate window without events says nothing`,
    );
  }
  const few = burnRates.filter((b) => b.judgement === 'too-few-events');
  if (few.length > 0) {
    notes.push(
      `traffic too low to judge ${few.map((b) => `${b.name} (${b.long.events} events in ${b.long.minutes} min, ${b.short.events} in ${b.short.minutes} min)`).join(', ')}: each window needs ${minEvents} events`,
    );
  }
  if (forecast?.basis === 'too-few-events') {
    notes.push(
      `traffic too low to forecast: ${forecast.lookbackEvents} events in the ${forecast.lookbackMinutes}-min look-back (${forecastMin} needed)`,
    );
  }
  return notes;
}

/**
 * Computes every figure of one objective from its plan, the running totals at its instants, the slice
 * counts of `sliceRequests(plan)` (timeslice methods) and, when `needsLastData`, the start of the SLI's last
 * bucket with data (null: never any; undefined: not looked up).
 */
export function evaluatePlan(
  plan: EvaluationPlan,
  cum: CumulativeAt,
  settings: EngineSettings,
  sliceStats: readonly SliceStats[] = [],
  lastDataAt?: number | null,
): EvaluationResult {
  const { ctx, now, windowStart, periodEnd } = plan;
  const o = ctx.objective;
  // Stryker disable next-line ConditionalExpression: a rolling window's periodEnd is now (plan.ts), so now < periodEnd is false anyway
  const calendar = o.window.type === 'calendar';
  const partial = calendar && now < periodEnd;
  const w = sumOver(clip(plan.included, windowStart, now), cum);
  const recent = sumOver(clip(plan.included, now - plan.lookbackMs, now), cum);
  const periodIncludedMs = totalLength(clip(plan.included, windowStart, periodEnd));
  const bucketsCounted = w.ms / BUCKET_MS;
  const tier = tierSettings(settings, ctx.tier);
  const share = sub(ONE, targetShare(o.target));
  const burnRates = burnRateFigures(
    plan,
    cum,
    share,
    settings.burnWindows.minEvents,
    burnSliceUnits(
      plan,
      sliceStats,
      cum,
      o.budgetingMethod === 'ratio-timeslices' ? (c) => c.ratioSum : (c) => c.good,
    ),
  );

  const population = BUDGETING_METHODS[o.budgetingMethod].population({
    plan,
    cum,
    window: w,
    recent,
    periodIncludedMs,
    sliceStats,
    complete: !partial,
  });
  // Nothing to judge in an empty window (whatever the empty-slice rule) or before a complete slice has data.
  const pop = w.total > 0 && population.measured.total > 0 ? population : null;
  const figures: Figures | null = pop ? figuresOf(pop, o.target) : null;
  const forecast =
    pop && figures ? forecastOf(plan, pop, figures, settings.forecast, recent.total, periodIncludedMs) : null;

  let silence: Silence | null = null;
  if (lastDataAt !== undefined && needsLastData(plan, cum)) {
    silence = { lastDataAt, silentMs: lastDataAt === null ? null : silentMs(plan, lastDataAt) };
  }
  const { status, reasons } = decideStatus({
    sliKey: plan.sliKey,
    target: o.target,
    emptyWindow: w.total <= 0,
    figures,
    partial,
    burnRates,
    forecast,
    coverage: { filled: w.filled, buckets: bucketsCounted },
    tier,
    tierNumber: ctx.tier,
    silence,
    notes: trafficNotes(burnRates, settings.burnWindows.minEvents, forecast, settings.forecast.minEvents),
  });

  const data: EvaluationResult['data'] = {
    goodEvents: w.good,
    totalEvents: w.total,
    coverage: bucketsCounted > 0 ? floorShown(w.filled, bucketsCounted, 4) : 0,
    empty: w.total <= 0,
    silence:
      silence === null
        ? null
        : {
            lastDataAt: silence.lastDataAt === null ? null : iso(silence.lastDataAt),
            silentMinutes: silence.silentMs === null ? null : silence.silentMs / MINUTE_MS,
          },
  };
  if (population.slices) data.slices = population.slices;
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
      partial,
      elapsedRatio: round(Math.min(1, (now - windowStart) / Math.max(1, periodEnd - windowStart)), 4),
      includedMinutes: w.ms / MINUTE_MS,
      excludedMinutes: plan.excludedMs / MINUTE_MS,
    },
    data,
    measured: pop ? pop.measured : null,
    compliance: figures ? figures.compliancePercent : null,
    budget: figures ? figures.budget : null,
    burnRates,
    forecast,
    status,
    reasons,
  };
}

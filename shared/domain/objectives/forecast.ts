/**
 * The forecast: a linear trend of the objective's own population (events, or slices) projected to a
 * horizon (the end of a calendar period; a share of a rolling window ahead). Over the look-back, take the
 * rate λ (units per counted ms) and the error rate r, then
 * - calendar: bad(h) = bad + λ·r·h against the period's allowance;
 * - rolling: old units age out at the window's average rate: bad(h) = bad·(1 − h/W) + λ·r·h, and likewise
 *   for the units, whose (1 − target) share is the allowance.
 * Both are linear in h, so the instant the budget runs out is solved in closed form, then walked forward
 * through counted time. A budget already spent runs out "now", which the status also says; a look-back with
 * fewer events than the policy's `minEvents` projects nothing (too little traffic to judge).
 */
import type { ForecastPolicy } from '../../policy/objectives.js';
import { clip, type Interval, totalLength } from './intervals.js';
import { budgetShare, type Figures } from './methods/figures.js';
import type { Population } from './methods/types.js';
import type { EvaluationPlan } from './plan.js';
import { MINUTE_MS } from './time.js';
import type { Forecast } from './types.js';

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

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

/** The linear model: units and bad units h counted ms ahead, and what they are allowed. */
interface Model {
  calendar: boolean;
  share: number;
  n0: number;
  bad0: number;
  W: number;
  lambda: number;
  r: number;
  allowed0: number;
}

function age(m: Model, h: number): number {
  return m.calendar ? 1 : Math.max(0, 1 - h / m.W);
}
function totalAt(m: Model, h: number): number {
  return m.calendar ? m.n0 + m.lambda * h : m.n0 * age(m, h) + m.lambda * h;
}
function badAt(m: Model, h: number): number {
  return m.bad0 * age(m, h) + m.lambda * m.r * h;
}
function allowedAt(m: Model, h: number): number {
  return m.calendar ? m.allowed0 : m.share * totalAt(m, h);
}

/**
 * The forecast of one objective from its plan, population and figures: `lookbackEvents` events in the
 * look-back gate the projection (policy `minEvents`); `periodIncludedMs` is the period's counted time (W).
 */
export function forecastOf(
  plan: EvaluationPlan,
  pop: Population,
  fig: Figures,
  policy: ForecastPolicy,
  lookbackEvents: number,
  periodIncludedMs: number,
): Forecast {
  const { now } = plan;
  const calendar = plan.ctx.objective.window.type === 'calendar';
  const share = budgetShare(plan.ctx.objective.target);
  // Object spread is slow where it is transpiled (tsx): the common fields are written out in each answer.
  const lookbackMinutes = plan.lookbackMs / MINUTE_MS;
  const horizonEnd = iso(plan.horizonEnd);
  const remaining = fig.remainingRatio;
  const { recentErrorRate } = pop.trend;
  if (lookbackEvents < policy.minEvents) {
    return {
      model: 'linear-trend',
      lookbackMinutes,
      lookbackEvents,
      horizonEnd,
      basis: 'too-few-events',
      recentErrorRate: recentErrorRate === null ? null : round(recentErrorRate, 8),
      projectedCompliance: null,
      projectedBudgetConsumed: null,
      breachLikely: fig.spent,
      breachAt: fig.spent ? iso(now) : null,
      timeToExhaustionMinutes: fig.spent ? 0 : null,
    };
  }
  const m: Model = {
    calendar,
    share,
    n0: pop.measured.total,
    bad0: pop.measured.total - pop.measured.good,
    W: Math.max(periodIncludedMs, 1),
    lambda: pop.trend.rate,
    r: pop.trend.errorRate,
    allowed0: fig.allowed,
  };
  const H = Math.max(totalLength(clip(plan.included, now, plan.horizonEnd)), 1);
  let breachAt: string | null = null;
  if (fig.spent) breachAt = iso(now);
  else {
    const f0 = badAt(m, 0) - allowedAt(m, 0);
    const slope = (badAt(m, H) - allowedAt(m, H) - f0) / H;
    // Stryker disable next-line EqualityOperator: not spent means f0 < 0 here (the float allowance is the exact one rounded once), so a zero slope gives h = +∞ (or NaN at f0 = 0), which the guard below turns into null as the original does
    if (slope > 0) {
      const h = -f0 / slope;
      // Stryker disable next-line ConditionalExpression: H is at least the counted time to the horizon, so a walk of h > H runs out and gives null as the guard does (the guard only saves the walk)
      const when = h <= H ? advanceIncluded(plan.included, now, h, plan.horizonEnd) : null;
      breachAt = when === null ? null : iso(Math.max(now, Math.ceil(when / MINUTE_MS) * MINUTE_MS));
    }
  }
  const burnNow = recentErrorRate === null ? null : recentErrorRate / share;
  const tte = fig.spent
    ? 0
    : burnNow !== null && burnNow > 0
      ? round((remaining * plan.periodMs) / burnNow / MINUTE_MS, 1)
      : null;
  const nH = totalAt(m, H);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: every budgeting method gives a trend rate > 0 for the non-empty populations forecast, and H ≥ 1 ms, so nH > 0 always
  const pc = nH > 0 ? (1 - badAt(m, H) / nH) * 100 : null;
  const aH = allowedAt(m, H);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: aH is (1 − target) of a positive number of units (nH > 0, or the period's expected units) and the schema keeps the target below 100, so aH > 0 always
  const used = aH > 0 ? badAt(m, H) / aH : null;
  return {
    model: 'linear-trend',
    lookbackMinutes,
    lookbackEvents,
    horizonEnd,
    basis: 'trend',
    recentErrorRate: recentErrorRate === null ? null : round(recentErrorRate, 8),
    projectedCompliance: pc === null ? null : round(pc, 6),
    projectedBudgetConsumed: used === null ? null : round(used, 4),
    breachLikely: breachAt !== null || (used !== null && used >= policy.breachLikelyAt),
    breachAt,
    timeToExhaustionMinutes: tte,
  };
}

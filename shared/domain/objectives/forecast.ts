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
import type { Figures } from './methods/figures.js';
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
  const share = 1 - plan.ctx.objective.target / 100;
  const head = {
    model: 'linear-trend' as const,
    lookbackMinutes: plan.lookbackMs / MINUTE_MS,
    lookbackEvents,
    horizonEnd: iso(plan.horizonEnd),
  };
  const remaining = Number(fig.remainingRatio.n) / Number(fig.remainingRatio.d);
  const { recentErrorRate } = pop.trend;
  if (lookbackEvents < policy.minEvents) {
    return {
      ...head,
      basis: 'too-few-events',
      recentErrorRate: recentErrorRate === null ? null : round(recentErrorRate, 8),
      projectedCompliance: null,
      projectedBudgetConsumed: null,
      breachLikely: fig.spent,
      breachAt: fig.spent ? iso(now) : null,
      timeToExhaustionMinutes: fig.spent ? 0 : null,
    };
  }
  const n0 = pop.measured.total;
  const bad0 = n0 - pop.measured.good;
  const W = Math.max(periodIncludedMs, 1);
  const H = Math.max(totalLength(clip(plan.included, now, plan.horizonEnd)), 1);
  const lambda = pop.trend.rate;
  const r = pop.trend.errorRate;
  const allowed0 = Number(fig.allowed.n) / Number(fig.allowed.d);
  const age = (h: number) => (calendar ? 1 : Math.max(0, 1 - h / W));
  const totalAt = (h: number) => (calendar ? n0 + lambda * h : n0 * age(h) + lambda * h);
  const badAt = (h: number) => bad0 * age(h) + lambda * r * h;
  const allowedAt = (h: number) => (calendar ? allowed0 : share * totalAt(h));
  let breachAt: string | null = null;
  if (fig.spent) breachAt = iso(now);
  else {
    const f0 = badAt(0) - allowedAt(0);
    const slope = (badAt(H) - allowedAt(H) - f0) / H;
    if (slope > 0) {
      const h = -f0 / slope;
      const when = h <= H ? advanceIncluded(plan.included, now, h, plan.horizonEnd) : null;
      breachAt = when === null ? null : iso(Math.max(now, Math.ceil(when / MINUTE_MS) * MINUTE_MS));
    }
  }
  const burnNow = recentErrorRate === null ? null : recentErrorRate / share;
  const tte = fig.spent
    ? 0
    : burnNow && burnNow > 0
      ? round((remaining * plan.periodMs) / burnNow / MINUTE_MS, 1)
      : null;
  const nH = totalAt(H);
  const pc = nH > 0 ? (1 - badAt(H) / nH) * 100 : null;
  const aH = allowedAt(H);
  const used = aH > 0 ? badAt(H) / aH : null;
  return {
    ...head,
    basis: 'trend',
    recentErrorRate: recentErrorRate === null ? null : round(recentErrorRate, 8),
    projectedCompliance: pc === null ? null : round(pc, 6),
    projectedBudgetConsumed: used === null ? null : round(used, 4),
    breachLikely: breachAt !== null || (used !== null && used >= policy.breachLikelyAt),
    breachAt,
    timeToExhaustionMinutes: tte,
  };
}

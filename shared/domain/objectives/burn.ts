/**
 * Multi-window, multi-burn-rate alerts (SRE Workbook, ch. 5). Burn rate = error rate over a look-back /
 * (1 − target). An alert fires when the burn rate over both its long and its short window is above the
 * threshold (`>`, as the Workbook writes `… > (14.4*0.001)`), decided exactly: whether it fires at exactly
 * its threshold never depends on how 1 − 99.9/100 rounds in binary. Burn rates count the objective's own
 * population, as its error budget does: events for occurrences, the complete slices inside the window for
 * the timeslice methods (a 99% timeslice target allows 1% bad *slices*, so a 1% share of slow requests that
 * leaves every slice good burns nothing; dividing the event error rate by 1 − target mixed two populations).
 * A window without events, or with fewer than the policy's `minEvents`, is not judged: low traffic does not
 * page.
 */

import { cmp, decide, type Exact, mul, ratio } from './exact.js';
import { clip } from './intervals.js';
import type { Units } from './methods/slice-counts.js';
import type { CumulativeAt, Totals } from './methods/types.js';
import { type EvaluationPlan, type PlannedBurnWindow, thresholdExact } from './plan.js';
import { MINUTE_MS } from './time.js';
import type { BurnRateFigure } from './types.js';

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Event sums over intervals, each a difference of two running totals. */
export function sumOver(intervals: readonly { start: number; end: number }[], cum: CumulativeAt): Totals {
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

interface WindowFigure {
  events: number;
  burn: number | null;
  above: boolean;
}

/**
 * Events, burn rate and whether it is above the threshold over the last `ms` of counted time. The rate is
 * taken on `units` when given (the window's slices), else on the events.
 */
function measure(
  plan: EvaluationPlan,
  cum: CumulativeAt,
  bw: PlannedBurnWindow,
  ms: number,
  share: Exact,
  shareN: number,
  units: Units | undefined,
): WindowFigure {
  const s = sumOver(clip(plan.included, plan.now - ms, plan.now), cum);
  const u = units ?? s;
  const bad = u.total - u.good;
  if (s.total <= 0 || u.total <= 0) return { events: s.total, burn: null, above: false };
  // burn > threshold ⇔ bad / total > threshold × (1 − target), exactly.
  const above =
    decide(bad / u.total, bw.threshold * shareN, () =>
      cmp(ratio(bad, u.total), mul(thresholdExact(bw), share)),
    ) > 0;
  return { events: s.total, burn: bad / u.total / shareN, above };
}

/**
 * Every burn-rate alert of a plan, judged. `share` is 1 − target, exactly. `sliceUnits` (timeslice methods:
 * `burnSliceUnits`, one per burn window of the plan) makes the rates count slices; without it they count
 * events. The low-traffic gate (`minEvents`) always counts events.
 */
export function burnRateFigures(
  plan: EvaluationPlan,
  cum: CumulativeAt,
  share: Exact,
  minEvents: number,
  sliceUnits: readonly { long: Units; short: Units }[] | null = null,
): BurnRateFigure[] {
  const shareN = Number(share.n) / Number(share.d);
  const unit = sliceUnits ? 'slices' : 'events';
  return plan.burnWindows.map((bw, i) => {
    const su = sliceUnits?.[i];
    const long = measure(plan, cum, bw, bw.long, share, shareN, su?.long);
    const short = measure(plan, cum, bw, bw.short, share, shareN, su?.short);
    // The short window ends with the long one and is never longer (the policy refuses short >= long; both are
    // scaled alike), so it never holds more events: a long window with none, or under minEvents, has a short one
    // with none or under it too (equality with minEvents is where they can differ).
    const judgement =
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a long window without events has a short one without events, which decides alone
      long.events <= 0 || short.events <= 0
        ? 'no-events'
        : // Stryker disable next-line ConditionalExpression: a long window under minEvents has a short one under it, which decides alone
          long.events < minEvents || short.events < minEvents
          ? 'too-few-events'
          : long.above && short.above
            ? 'firing'
            : 'not-firing';
    return {
      name: bw.name,
      action: bw.action,
      threshold: round4(bw.threshold),
      unit,
      long: {
        minutes: bw.long / MINUTE_MS,
        burnRate: long.burn === null ? null : round4(long.burn),
        events: long.events,
        ...(su ? { slices: su.long.total } : {}),
      },
      short: {
        minutes: bw.short / MINUTE_MS,
        burnRate: short.burn === null ? null : round4(short.burn),
        events: short.events,
        ...(su ? { slices: su.short.total } : {}),
      },
      firing: judgement === 'firing',
      judgement,
    } satisfies BurnRateFigure;
  });
}

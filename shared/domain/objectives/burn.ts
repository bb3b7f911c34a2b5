/**
 * Multi-window, multi-burn-rate alerts (SRE Workbook, ch. 5). Burn rate = error rate over a look-back /
 * (1 − target). An alert fires when the burn rate over both its long and its short window is above the
 * threshold (`>`, as the Workbook writes `… > (14.4*0.001)`), decided exactly: whether it fires at exactly
 * its threshold never depends on how 1 − 99.9/100 rounds in binary. Burn rates are measured on events for
 * every budgeting method (the alerting signal is the error rate now). A window without events, or with
 * fewer than the policy's `minEvents`, is not judged: low traffic does not page.
 */

import { cmp, type Exact, mul, ratio } from './exact.js';
import { clip } from './intervals.js';
import type { CumulativeAt, Totals } from './methods/types.js';
import type { EvaluationPlan } from './plan.js';
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

/** Every burn-rate alert of a plan, judged. `share` is 1 − target, exactly. */
export function burnRateFigures(
  plan: EvaluationPlan,
  cum: CumulativeAt,
  share: Exact,
  minEvents: number,
): BurnRateFigure[] {
  const shareN = Number(share.n) / Number(share.d);
  return plan.burnWindows.map((bw) => {
    const measure = (ms: number) => {
      const s = sumOver(clip(plan.included, plan.now - ms, plan.now), cum);
      const bad = s.total - s.good;
      return {
        events: s.total,
        burn: s.total > 0 ? bad / s.total / shareN : null,
        // burn > threshold ⇔ bad / total > threshold × (1 − target), exactly.
        above: s.total > 0 && cmp(ratio(bad, s.total), mul(bw.thresholdExact, share)) > 0,
      };
    };
    const long = measure(bw.long);
    const short = measure(bw.short);
    const judgement =
      long.events <= 0 || short.events <= 0
        ? 'no-events'
        : long.events < minEvents || short.events < minEvents
          ? 'too-few-events'
          : long.above && short.above
            ? 'firing'
            : 'not-firing';
    return {
      name: bw.name,
      action: bw.action,
      threshold: round4(bw.threshold),
      long: {
        minutes: bw.long / MINUTE_MS,
        burnRate: long.burn === null ? null : round4(long.burn),
        events: long.events,
      },
      short: {
        minutes: bw.short / MINUTE_MS,
        burnRate: short.burn === null ? null : round4(short.burn),
        events: short.events,
      },
      firing: judgement === 'firing',
      judgement,
    } satisfies BurnRateFigure;
  });
}

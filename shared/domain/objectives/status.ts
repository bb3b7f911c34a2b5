/**
 * Status with its reasons, decided on exact figures, in this order:
 * - unknown: the window holds no data (no data is not 100%), unless the SLI has been silent long enough to
 *   be at risk or breached by no data;
 * - breached: the error budget is exceeded (on a complete window: compliance below target, the same
 *   statement), or the SLI has been silent for the tier's `noDataBreachedMinutes` of counted time;
 * - at risk: a silence of the tier's `noDataAtRiskMinutes`; a burn-rate alert fires; the forecast runs out of
 *   budget within its horizon or calls a breach likely; the budget is exactly spent; the remaining budget is
 *   under the tier's threshold; or too little of the window has data;
 * - healthy: none of the above.
 * Notes that change no status follow the reasons: alerts and forecasts not judged for lack of traffic.
 */
import { cmp, decide, exact, percentShown, ratio } from './exact.js';
import type { Figures } from './methods/figures.js';
import type { TierSettings } from './plan.js';
import { MINUTE_MS } from './time.js';
import type { BurnRateFigure, Forecast, ObjectiveStatus } from './types.js';

export interface Silence {
  /** Start of the last bucket with data; null when the SLI never had any. */
  lastDataAt: number | null;
  /** Counted ms since the end of that bucket; null when never. */
  silentMs: number | null;
}

export interface StatusInput {
  sliKey: string;
  target: number;
  /** The window holds no event at all. */
  emptyWindow: boolean;
  /** Figures of the population; null when there is none to judge (empty window, or no complete slice yet). */
  figures: Figures | null;
  /** A calendar period still in progress. */
  partial: boolean;
  burnRates: readonly BurnRateFigure[];
  forecast: Forecast | null;
  /** Buckets with data, of the buckets counted. */
  coverage: { filled: number; buckets: number };
  tier: TierSettings;
  tierNumber: number;
  silence: Silence | null;
  /** Lines that explain the figures without changing the status (low traffic). */
  notes: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function duration(ms: number): string {
  const m = Math.round(ms / MINUTE_MS);
  if (m < 120) return `${m} min`;
  return m % 60 === 0 ? `${m / 60} h` : `${(m / 60).toFixed(1)} h`;
}

/** The silence verdict: 'breached', 'at-risk' or null, with its reason. */
function silenceVerdict(s: StatusInput): { level: 'breached' | 'at-risk'; reason: string } | null {
  const x = s.silence;
  if (!x || x.silentMs === null || x.lastDataAt === null) return null;
  const atRisk = s.tier.noDataAtRiskMinutes * MINUTE_MS;
  const breach = s.tier.noDataBreachedMinutes === null ? null : s.tier.noDataBreachedMinutes * MINUTE_MS;
  const level =
    breach !== null && x.silentMs >= breach ? 'breached' : x.silentMs >= atRisk ? 'at-risk' : null;
  if (!level) return null;
  const limits = `tier ${s.tierNumber}: at risk after ${duration(atRisk)}${breach === null ? '' : `, breached after ${duration(breach)}`}`;
  return {
    level,
    reason: `no data since ${iso(x.lastDataAt + 5 * MINUTE_MS)}: ${duration(x.silentMs)} of counted time without any data (${limits}); a silent outage is not healthy${level === 'breached' ? ' (breached by no data)' : ''}`,
  };
}

const burnReason = (b: StatusInput['burnRates'][number]) =>
  `burn rate ${b.long.burnRate}x over ${b.long.minutes} min and ${b.short.burnRate}x over ${b.short.minutes} min exceed ${b.threshold}x (${b.name})`;

function verdict(
  s: StatusInput,
  status: ObjectiveStatus,
  reasons: string[],
): { status: ObjectiveStatus; reasons: string[] } {
  return { status, reasons: [...reasons, ...s.notes] };
}

/** The status of one objective and the reasons for it, in the order the module comment gives. */
export function decideStatus(s: StatusInput): { status: ObjectiveStatus; reasons: string[] } {
  const silent = silenceVerdict(s);
  const f = s.figures;
  if (s.emptyWindow || f === null) {
    if (silent) return verdict(s, silent.level, [silent.reason]);
    if (s.emptyWindow) {
      const never =
        s.silence && s.silence.lastDataAt === null ? `; no data has ever arrived for ${s.sliKey}` : '';
      return verdict(s, 'unknown', [
        `no data in the window: compliance is unknown (no data is not 100%)${never}`,
      ]);
    }
    const noSlice = 'no complete slice with data in the window yet: compliance is unknown';
    // The burn-rate alerts read events, not slices: one that fires before the first slice completes (enough
    // events, most of them bad) is not hidden behind "unknown".
    const firing = s.burnRates.filter((b) => b.firing).map(burnReason);
    if (firing.length > 0) return verdict(s, 'at-risk', [...firing, noSlice]);
    return verdict(s, 'unknown', [noSlice]);
  }
  if (
    f.exceeded ||
    // Stryker disable next-line ConditionalExpression: on a complete window the period's units are the measured ones (methods/*.ts), so below target and exceeded are one exact statement and this term never adds a case
    (!s.partial && f.belowTarget)
  ) {
    const why = s.partial
      ? `the period's allowance at the traffic so far is spent`
      : `compliance ${percentShown(f.good, f.total, 7)} is below the ${s.target}% target on a complete window`;
    return verdict(s, 'breached', [
      `error budget exhausted: ${Math.round((f.consumed / f.allowed) * 10000) / 100}% consumed; ${why}`,
    ]);
  }
  if (silent?.level === 'breached') return verdict(s, 'breached', [silent.reason]);
  const reasons: string[] = [];
  if (silent) reasons.push(silent.reason);
  for (const b of s.burnRates) {
    if (b.firing) {
      reasons.push(burnReason(b));
    }
  }
  if (f.spent) {
    reasons.push(
      `the error budget is exactly spent: compliance ${percentShown(f.good, f.total, 7)} meets the ${s.target}% target, and any further bad ${f.budget.unit === 'events' ? 'event' : 'slice'} breaches it`,
    );
  } else if (s.forecast?.breachAt) {
    reasons.push(`forecast: the budget runs out at ${s.forecast.breachAt}`);
  } else if (s.forecast?.breachLikely) {
    reasons.push(
      `forecast: ${Math.round((s.forecast.projectedBudgetConsumed ?? 0) * 1000) / 10}% of the budget used by ${s.forecast.horizonEnd} at the current trend`,
    );
  }
  if (!f.spent && f.remainingBelow(s.tier.atRiskBudgetRemaining)) {
    reasons.push(
      `only ${percentShown(f.allowed - f.consumed, f.allowed, 2)} of the error budget remains (tier threshold ${s.tier.atRiskBudgetRemaining * 100}%)`,
    );
  }
  const { filled, buckets } = s.coverage;
  const coverageBelow =
    buckets > 0 &&
    decide(filled / buckets, s.tier.minCoverage, () =>
      cmp(ratio(filled, buckets), exact(s.tier.minCoverage)),
    ) < 0;
  if (coverageBelow || buckets === 0) {
    reasons.push(
      `only ${buckets > 0 ? percentShown(filled, buckets, 2) : '0%'} of the window has data (tier minimum ${s.tier.minCoverage * 100}%): the figures may not hold`,
    );
  }
  if (reasons.length > 0) return verdict(s, 'at-risk', reasons);
  const left = `${percentShown(f.allowed - f.consumed, f.allowed, 2)} of the budget left`;
  if (f.belowTarget) {
    return verdict(s, 'healthy', [
      `compliance so far ${percentShown(f.good, f.total)} is under the ${s.target}% target, but the period has ${left} and the trend keeps it`,
    ]);
  }
  return verdict(s, 'healthy', [
    `compliance ${percentShown(f.good, f.total)} meets the ${s.target}% target with ${left}${s.partial ? ' (period in progress)' : ''}`,
  ]);
}

/** Worst status first: the status of an agreement is the worst of its objectives'. */
export function worstStatus(xs: readonly ObjectiveStatus[]): ObjectiveStatus {
  const order: ObjectiveStatus[] = ['breached', 'at-risk', 'unknown', 'healthy'];
  for (const s of order) if (xs.includes(s)) return s;
  return 'unknown';
}

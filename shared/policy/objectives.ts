/**
 * Objectives policy as data: burn-rate windows, violation severity rules and per-tier defaults.
 * Each table is validated by its zod schema when this module loads; a bad edit fails at start-up.
 */
import { z } from 'zod';

const Duration = z.string().regex(/^\d+(m|h|d)$/, 'must be a duration such as 5m, 6h or 3d');

/**
 * Multi-window, multi-burn-rate alerting (Google SRE Workbook, ch. 5), written for a 30-day reference period.
 * An alert fires when the burn rate over BOTH the long and the short window exceeds the threshold
 * `budgetPercent/100 × referencePeriod / long`. With `scaleToPeriod`, windows are scaled by
 * objectivePeriod / referencePeriod (thresholds stay the same, since both numerator and window scale).
 */
export const BurnWindowPolicy = z
  .strictObject({
    referencePeriod: Duration,
    scaleToPeriod: z.boolean(),
    /**
     * Low traffic does not page: an alert is judged only when its long AND its short window each hold at least
     * this many events. Below it one bad event is a burn of (1/n)/(1 − target), e.g. 10x at 99% with ten
     * events: the alert would report one failure, not a budget burning. The status then says the traffic is too
     * low to judge.
     */
    minEvents: z.number().int().min(1),
    windows: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z][a-z0-9-]*$/),
          long: Duration,
          short: Duration,
          /** Share of the period's budget that a burn at the threshold spends within the long window. */
          budgetPercent: z.number().gt(0).max(100),
          action: z.enum(['page', 'ticket']),
        }),
      )
      .min(1)
      .max(10),
  })
  .superRefine((p, ctx) => {
    p.windows.forEach((w, i) => {
      if (durationMs(w.short) >= durationMs(w.long)) {
        ctx.addIssue({ code: 'custom', path: ['windows', i, 'short'], message: 'must be shorter than long' });
      }
    });
  });
export type BurnWindowPolicy = z.infer<typeof BurnWindowPolicy>;

export const Severity = z.enum(['minor', 'major', 'critical']);
export type Severity = z.infer<typeof Severity>;

/**
 * Severity of a violation: the first rule whose every condition holds wins; rules are ordered most severe
 * first and the last rule must have no conditions (the fallback).
 */
export const SeverityRules = z
  .array(
    z.strictObject({
      severity: Severity,
      because: z.string().min(3),
      when: z.strictObject({
        /** The service's tier is one of these (1 is the most critical). */
        tiers: z.array(z.number().int().min(1).max(4)).min(1).optional(),
        /** The target minus the measured compliance, in percentage points, is at least this. */
        minMarginPoints: z.number().nonnegative().optional(),
        /** Consumed error budget as a multiple of the whole budget is at least this (1 = exactly spent). */
        minBudgetConsumed: z.number().nonnegative().optional(),
        /** The breach has lasted at least this many minutes. */
        minDurationMinutes: z.number().int().nonnegative().optional(),
      }),
    }),
  )
  .min(1)
  .refine((rules) => Object.keys(rules[rules.length - 1]!.when).length === 0, {
    message: 'the last rule must be an unconditional fallback',
  });
export type SeverityRules = z.infer<typeof SeverityRules>;

/** Defaults by service tier: thresholds for "at risk", evaluation frequency, escalation timelines. */
export const TierDefaults = z.record(
  z.enum(['1', '2', '3', '4']),
  z
    .strictObject({
      evaluateEveryMinutes: z.number().int().min(5).max(1440).multipleOf(5),
      /** At risk when the remaining error budget falls below this share of the whole budget. */
      atRiskBudgetRemaining: z.number().min(0).max(1),
      /** At risk (data missing) when fewer than this share of the window's buckets hold data. */
      minCoverage: z.number().min(0).max(1),
      /** Escalation timeline used when the agreement has no escalation matrix: minutes after detection. */
      escalationMinutes: z.array(z.number().int().nonnegative()).min(1).max(10),
      /**
       * A silent outage is not healthy: after this many minutes of counted time (supported hours, minus
       * exception windows) without any data, the objective is at risk ("no data since …").
       */
      noDataAtRiskMinutes: z.number().int().min(5),
      /** After this many counted minutes without data it is breached by no data; null: never breached by silence. */
      noDataBreachedMinutes: z.number().int().min(5).nullable(),
    })
    .refine((t) => t.noDataBreachedMinutes === null || t.noDataBreachedMinutes > t.noDataAtRiskMinutes, {
      path: ['noDataBreachedMinutes'],
      message: 'must be longer than noDataAtRiskMinutes',
    }),
);
export type TierDefaults = z.infer<typeof TierDefaults>;

export const ForecastPolicy = z.strictObject({
  /** The trend look-back, as a share of the objective's period (6 h of 30 days = 1/120). */
  lookbackShare: z.number().gt(0).lt(1),
  /** Never look back less than this many minutes (a short period would otherwise give a noisy trend). */
  minLookbackMinutes: z.number().int().min(5),
  /** For rolling windows, how far ahead a breach is forecast, as a share of the window (calendar: to its end). */
  rollingHorizonShare: z.number().gt(0).max(1),
  /**
   * A breach is called likely when the projected budget use at the horizon reaches this share of the budget.
   * Below 1, it leaves room for incidents that no trend foresees (chosen by the back-test).
   */
  breachLikelyAt: z.number().gt(0).max(2),
  /**
   * The trend is projected only when the look-back holds at least this many events (fewer: the forecast says
   * the traffic is too low to judge and projects nothing; a budget already spent is still reported as such).
   */
  minEvents: z.number().int().min(1),
});
export type ForecastPolicy = z.infer<typeof ForecastPolicy>;

export function durationMs(d: string): number {
  const n = Number(d.slice(0, -1));
  const unit = d.slice(-1);
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}

export const DEFAULT_BURN_WINDOWS: BurnWindowPolicy = BurnWindowPolicy.parse({
  referencePeriod: '30d',
  scaleToPeriod: true,
  minEvents: 10,
  windows: [
    { name: 'page-fast', long: '1h', short: '5m', budgetPercent: 2, action: 'page' },
    { name: 'page-slow', long: '6h', short: '30m', budgetPercent: 5, action: 'page' },
    { name: 'ticket', long: '3d', short: '6h', budgetPercent: 10, action: 'ticket' },
  ],
});

export const DEFAULT_SEVERITY_RULES: SeverityRules = SeverityRules.parse([
  { severity: 'critical', because: 'a tier-1 service missed its objective', when: { tiers: [1] } },
  { severity: 'critical', because: 'twice the error budget is spent', when: { minBudgetConsumed: 2 } },
  { severity: 'major', because: 'a tier-2 service missed its objective', when: { tiers: [2] } },
  {
    severity: 'major',
    because: 'compliance is a full point or more below target',
    when: { minMarginPoints: 1 },
  },
  { severity: 'major', because: 'the breach has lasted a day or more', when: { minDurationMinutes: 1440 } },
  { severity: 'minor', because: 'the objective is missed', when: {} },
]);

export const DEFAULT_TIER_DEFAULTS: TierDefaults = TierDefaults.parse({
  '1': {
    evaluateEveryMinutes: 5,
    atRiskBudgetRemaining: 0.5,
    minCoverage: 0.95,
    escalationMinutes: [0, 30, 120],
    noDataAtRiskMinutes: 120,
    noDataBreachedMinutes: 720,
  },
  '2': {
    evaluateEveryMinutes: 5,
    atRiskBudgetRemaining: 0.35,
    minCoverage: 0.9,
    escalationMinutes: [0, 60, 240],
    noDataAtRiskMinutes: 240,
    noDataBreachedMinutes: 1440,
  },
  '3': {
    evaluateEveryMinutes: 15,
    atRiskBudgetRemaining: 0.25,
    minCoverage: 0.8,
    escalationMinutes: [0, 240, 1440],
    noDataAtRiskMinutes: 720,
    noDataBreachedMinutes: 2880,
  },
  '4': {
    evaluateEveryMinutes: 60,
    atRiskBudgetRemaining: 0.1,
    minCoverage: 0.5,
    escalationMinutes: [0, 1440],
    noDataAtRiskMinutes: 1440,
    noDataBreachedMinutes: 4320,
  },
});

export const DEFAULT_FORECAST: ForecastPolicy = ForecastPolicy.parse({
  lookbackShare: 1 / 120,
  minLookbackMinutes: 60,
  rollingHorizonShare: 0.25,
  breachLikelyAt: 0.8,
  minEvents: 10,
});

/** How long evaluation history (the budget-history time series) is kept. */
export const RetentionPolicy = z.strictObject({ historyDays: z.number().int().min(1).max(3660) });
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;
export const DEFAULT_RETENTION: RetentionPolicy = RetentionPolicy.parse({ historyDays: 35 });

/**
 * Exception windows take time out of an objective's window, so who may record them and how far back is policy:
 * planned maintenance is approved before it starts; an emergency is recorded after the fact, within a bound.
 */
export const ExceptionPolicy = z.strictObject({
  emergencyBackdateHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 31),
  plannedBackdateMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
});
export type ExceptionPolicy = z.infer<typeof ExceptionPolicy>;
export const DEFAULT_EXCEPTION_POLICY: ExceptionPolicy = ExceptionPolicy.parse({
  emergencyBackdateHours: 72,
  plannedBackdateMinutes: 5,
});

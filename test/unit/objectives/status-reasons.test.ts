/**
 * The status of an objective and the reasons it gives (`decideStatus`), on hand-built figures: each test
 * states what an operator reads for one situation (a silent SLI at and past the tier's limits, an empty window,
 * burn-rate alerts before the first slice, a partial period whose allowance is spent, an exactly spent slice
 * budget, the forecast's two reasons, a low remaining budget, a window without counted buckets) and asserts the
 * status and the exact reason text, computed by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../../shared/domain/objectives/methods/figures.js';
import type { Population } from '../../../shared/domain/objectives/methods/types.js';
import type { TierSettings } from '../../../shared/domain/objectives/plan.js';
import { decideStatus, type StatusInput, worstStatus } from '../../../shared/domain/objectives/status.js';
import type { BurnRateFigure, Forecast } from '../../../shared/domain/objectives/types.js';

const MIN = 60_000;
/** Start of the last bucket with data: 10 April 2026, 00:00 UTC; the bucket ends 5 minutes later. */
const LAST = Date.UTC(2026, 3, 10);
const SINCE = '2026-04-10T00:05:00.000Z';

/** A tier at risk after 30 silent minutes and breached after 2 hours; 25% budget and 80% coverage thresholds. */
const TIER: TierSettings = {
  evaluateEveryMinutes: 5,
  atRiskBudgetRemaining: 0.25,
  minCoverage: 0.8,
  escalationMinutes: [0],
  noDataAtRiskMinutes: 30,
  noDataBreachedMinutes: 120,
};

/** Figures of `good` of `total` units at a 99% target; `expected` is the period's expected units (default: total). */
function figures(
  good: number,
  total: number,
  unit: 'events' | 'slices' = 'events',
  expected?: [number, number],
) {
  const pop: Population = {
    measured: { unit, good, total },
    periodTotal: { n: total, scale: expected ?? [1, 1] },
    minutes: { budgetBase: 0, perBadUnit: 0, basis: 0 },
    trend: { rate: 0, recentErrorRate: null, errorRate: 0 },
  };
  return figuresOf(pop, 99);
}

/** A complete window at 99.9% (10 bad of 10,000 events, 90% of the budget left), full coverage: healthy. */
function input(over: Partial<StatusInput> = {}): StatusInput {
  return {
    sliKey: 'svc_pay/availability',
    target: 99,
    emptyWindow: false,
    figures: figures(9_990, 10_000),
    partial: false,
    burnRates: [],
    forecast: null,
    coverage: { filled: 100, buckets: 100 },
    tier: TIER,
    tierNumber: 3,
    silence: null,
    notes: [],
    ...over,
  };
}

const silentFor = (minutes: number, tier: TierSettings = TIER) =>
  decideStatus(input({ tier, silence: { lastDataAt: LAST, silentMs: minutes * MIN } }));

describe('the status of a silent SLI', () => {
  it('is healthy one minute before the tier’s 30 silent minutes', () => {
    expect(silentFor(29).status).toBe('healthy');
  });

  it('is at risk at exactly the tier’s 30 silent minutes, saying since when and the tier’s limits', () => {
    expect(silentFor(30)).toEqual({
      status: 'at-risk',
      reasons: [
        `no data since ${SINCE}: 30 min of counted time without any data (tier 3: at risk after 30 min, breached after 2 h); a silent outage is not healthy`,
      ],
    });
  });

  it('is breached at exactly the tier’s 2 silent hours, and says it is breached by no data', () => {
    expect(silentFor(120)).toEqual({
      status: 'breached',
      reasons: [
        `no data since ${SINCE}: 2 h of counted time without any data (tier 3: at risk after 30 min, breached after 2 h); a silent outage is not healthy (breached by no data)`,
      ],
    });
  });

  it('names no breach limit for a tier that is never breached by silence', () => {
    const tier = { ...TIER, noDataBreachedMinutes: null };
    expect(silentFor(600, tier)).toEqual({
      status: 'at-risk',
      reasons: [
        `no data since ${SINCE}: 10 h of counted time without any data (tier 3: at risk after 30 min); a silent outage is not healthy`,
      ],
    });
  });

  it('writes a silence under 2 hours in minutes, and from 2 hours on in hours (one decimal when not whole)', () => {
    const tier = { ...TIER, noDataBreachedMinutes: null };
    const shown = (minutes: number) =>
      silentFor(minutes, tier).reasons[0]!.split(': ')[1]!.split(' of counted')[0];
    expect(shown(60)).toBe('60 min');
    expect(shown(90)).toBe('90 min');
    expect(shown(119)).toBe('119 min');
    expect(shown(120)).toBe('2 h');
    // 130 min = 2.1666… h, shown to one decimal: 2.2 h; 150 min = 2.5 h; 180 min = 3 h exactly.
    expect(shown(130)).toBe('2.2 h');
    expect(shown(150)).toBe('2.5 h');
    expect(shown(180)).toBe('3 h');
  });
});

describe('the status of a window without figures', () => {
  const NO_DATA = 'no data in the window: compliance is unknown (no data is not 100%)';

  it('says only that the window is empty when data arrived before it (and is not yet silent long enough)', () => {
    const s = decideStatus(
      input({ emptyWindow: true, figures: null, silence: { lastDataAt: LAST, silentMs: 10 * MIN } }),
    );
    expect(s).toEqual({ status: 'unknown', reasons: [NO_DATA] });
  });

  it('says only that the window is empty when the silence was not looked up', () => {
    expect(decideStatus(input({ emptyWindow: true, figures: null }))).toEqual({
      status: 'unknown',
      reasons: [NO_DATA],
    });
  });

  it('adds that no data has ever arrived when the SLI never had any', () => {
    const s = decideStatus(
      input({ emptyWindow: true, figures: null, silence: { lastDataAt: null, silentMs: null } }),
    );
    expect(s.reasons).toEqual([`${NO_DATA}; no data has ever arrived for svc_pay/availability`]);
  });

  it('is at risk before the first slice completes when a burn-rate alert fires, naming that alert only', () => {
    const burn = (name: string, firing: boolean): BurnRateFigure => ({
      name,
      action: 'page',
      threshold: 14.4,
      unit: 'events',
      long: { minutes: 60, burnRate: firing ? 20 : 2, events: 500 },
      short: { minutes: 5, burnRate: firing ? 30 : 1, events: 50 },
      firing,
      judgement: firing ? 'firing' : 'not-firing',
    });
    const s = decideStatus(
      input({ figures: null, burnRates: [burn('page-slow', false), burn('page-fast', true)] }),
    );
    expect(s).toEqual({
      status: 'at-risk',
      reasons: [
        'burn rate 20x over 60 min and 30x over 5 min exceed 14.4x (page-fast)',
        'no complete slice with data in the window yet: compliance is unknown',
      ],
    });
  });
});

describe('the status of a window with figures', () => {
  it('is breached when a calendar period in progress has spent its allowance at the traffic so far', () => {
    // 200 bad of 10,000 events so far; the period expects 10,000 × 3/2 = 15,000, so 1% allows 150:
    // 200 / 150 = 133.33% consumed.
    const s = decideStatus(input({ partial: true, figures: figures(9_800, 10_000, 'events', [3, 2]) }));
    expect(s).toEqual({
      status: 'breached',
      reasons: [
        "error budget exhausted: 133.33% consumed; the period's allowance at the traffic so far is spent",
      ],
    });
  });

  it('says a further bad slice breaches an exactly spent slice budget', () => {
    // 99 good of 100 slices at 99%: 1 bad slice of 1 allowed, exactly spent, not exceeded.
    const s = decideStatus(input({ figures: figures(99, 100, 'slices') }));
    expect(s).toEqual({
      status: 'at-risk',
      reasons: [
        'the error budget is exactly spent: compliance 99% meets the 99% target, and any further bad slice breaches it',
      ],
    });
  });

  const forecast = (over: Partial<Forecast>): Forecast => ({
    model: 'linear-trend',
    lookbackMinutes: 360,
    lookbackEvents: 1_000,
    horizonEnd: '2026-05-01T00:00:00.000Z',
    basis: 'trend',
    recentErrorRate: 0.02,
    projectedCompliance: 99.2,
    projectedBudgetConsumed: 0.5,
    breachLikely: false,
    breachAt: null,
    timeToExhaustionMinutes: 1_000,
    ...over,
  });

  it('is at risk when the forecast runs the budget out within its horizon, saying when', () => {
    const s = decideStatus(
      input({
        forecast: forecast({
          breachAt: '2026-04-20T10:00:00.000Z',
          breachLikely: true,
          projectedBudgetConsumed: 1.2,
        }),
      }),
    );
    expect(s).toEqual({
      status: 'at-risk',
      reasons: ['forecast: the budget runs out at 2026-04-20T10:00:00.000Z'],
    });
  });

  it('is at risk when the forecast calls a breach likely, with the projected use to one decimal of a percent', () => {
    // 0.8125 of the budget: 81.25% rounds to 81.3%.
    const s = decideStatus(
      input({ forecast: forecast({ breachLikely: true, projectedBudgetConsumed: 0.8125 }) }),
    );
    expect(s).toEqual({
      status: 'at-risk',
      reasons: ['forecast: 81.3% of the budget used by 2026-05-01T00:00:00.000Z at the current trend'],
    });
  });

  it('is at risk when less of the budget remains than the tier’s threshold, with both shares', () => {
    // 80 bad of 100 allowed: 20% left, under the tier's 25%.
    const s = decideStatus(input({ figures: figures(9_920, 10_000) }));
    expect(s).toEqual({
      status: 'at-risk',
      reasons: ['only 20% of the error budget remains (tier threshold 25%)'],
    });
  });

  it('is at risk when too little of the window has data, with both shares', () => {
    const s = decideStatus(input({ coverage: { filled: 70, buckets: 100 } }));
    expect(s).toEqual({
      status: 'at-risk',
      reasons: ['only 70% of the window has data (tier minimum 80%): the figures may not hold'],
    });
  });

  it('says no part of the window has data when it counts no bucket at all, instead of failing', () => {
    const s = decideStatus(input({ coverage: { filled: 0, buckets: 0 } }));
    expect(s).toEqual({
      status: 'at-risk',
      reasons: ['only 0% of the window has data (tier minimum 80%): the figures may not hold'],
    });
  });
});

describe('the worst status of several objectives', () => {
  it('is the worst one present: breached, then at risk, then unknown, then healthy', () => {
    expect(worstStatus(['healthy', 'at-risk', 'unknown'])).toBe('at-risk');
    expect(worstStatus(['healthy', 'unknown'])).toBe('unknown');
    expect(worstStatus(['healthy', 'healthy'])).toBe('healthy');
    expect(worstStatus(['at-risk', 'breached', 'healthy'])).toBe('breached');
  });

  it('is unknown for no objectives at all', () => {
    expect(worstStatus([])).toBe('unknown');
  });
});

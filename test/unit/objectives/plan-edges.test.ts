import { describe, expect, it } from 'vitest';
import { cmp, exact } from '../../../shared/domain/objectives/exact.js';
import {
  burnWindowsFor,
  type EngineSettings,
  planEvaluation,
  type SliceSelection,
  selectSlices,
  sliceRequests,
  thresholdExact,
} from '../../../shared/domain/objectives/plan.js';
import { SliceGrid } from '../../../shared/domain/objectives/slices.js';
import { DEFAULT_BURN_WINDOWS, DEFAULT_TIER_DEFAULTS } from '../../../shared/policy/objectives.js';
import { ctx, SETTINGS } from './helpers.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
/** Monday 5 January 2026, 00:00 UTC: a boundary of every slice grid in UTC. */
const T0 = Date.UTC(2026, 0, 5);
/** 10:30 UTC that day: half way through an hour slice, on a 5-minute bucket. */
const NOW = T0 + 10 * H + 30 * M;

const timeslices = (minutes = 60) =>
  ctx({ budgetingMethod: 'timeslices', timeSlice: { minutes, target: 0.99 } });

describe('burn-rate windows for a period', () => {
  it('gives each window its threshold exactly: X % of the budget within the long window is X · P / (100 · long)', () => {
    // page-fast: 2 % of a 30-day budget within 1 hour: 2 × 720 h / (100 × 1 h) = 14.4.
    const [fast] = burnWindowsFor(DEFAULT_BURN_WINDOWS, 30 * D);
    expect(fast!.name).toBe('page-fast');
    expect(cmp(thresholdExact(fast!), exact(14.4))).toBe(0);
  });

  it('scales the short windows with the long ones to the period, to whole 5-minute buckets', () => {
    // 7 days of the 30-day reference: × 7/30. 1 h → 14 min → 15; 5 min → 70 s → at least one bucket, 5;
    // 6 h → 84 min → 85; 30 min → 7 min → 5; 3 d → 1008 min → 1010; 6 h → 84 min → 85.
    const ws = burnWindowsFor(DEFAULT_BURN_WINDOWS, 7 * D);
    expect(ws.map((w) => [w.long / M, w.short / M])).toEqual([
      [15, 5],
      [85, 5],
      [1010, 85],
    ]);
  });
});

describe('selecting the slices of a span that have counted time', () => {
  const grid = SliceGrid.of('UTC', 60);
  const select = (included: [number, number][], from = T0, to = T0 + 6 * H): SliceSelection =>
    selectSlices(
      grid,
      included.map(([start, end]) => ({ start: T0 + start, end: T0 + end })),
      from,
      to,
    );
  const at = (ms: number) => T0 + ms;

  it('gathers whole counted slices into one run and lists no slice as cut', () => {
    expect(select([[0, 3 * H]])).toEqual({
      runs: [{ start: at(0), end: at(3 * H) }],
      partial: [],
      counted: 3,
      countedMs: 3 * H,
    });
  });

  it('lists the slice that counted time ends inside as cut, holding its counted part', () => {
    expect(select([[0, 90 * M]])).toEqual({
      runs: [{ start: at(0), end: at(H) }],
      partial: [{ start: at(H), end: at(2 * H), parts: [{ start: at(H), end: at(90 * M) }] }],
      counted: 2,
      countedMs: 90 * M,
    });
  });

  it('lists a slice counted only from its start to its middle as cut, not as a run of no slice', () => {
    expect(select([[0, 30 * M]])).toEqual({
      runs: [],
      partial: [{ start: at(0), end: at(H), parts: [{ start: at(0), end: at(30 * M) }] }],
      counted: 1,
      countedMs: 30 * M,
    });
  });

  it('keeps the counted part of a slice counted only in its middle to that part', () => {
    expect(select([[10 * M, 20 * M]])).toEqual({
      runs: [],
      partial: [{ start: at(0), end: at(H), parts: [{ start: at(10 * M), end: at(20 * M) }] }],
      counted: 1,
      countedMs: 10 * M,
    });
  });

  it('lists a slice cut twice (an exception inside it) once, with both of its counted parts', () => {
    const sel = select([
      [0, 20 * M],
      [40 * M, 2 * H],
    ]);
    expect(sel).toEqual({
      runs: [{ start: at(H), end: at(2 * H) }],
      partial: [
        {
          start: at(0),
          end: at(H),
          parts: [
            { start: at(0), end: at(20 * M) },
            { start: at(40 * M), end: at(H) },
          ],
        },
      ],
      counted: 2,
      countedMs: 100 * M,
    });
  });

  it('lists two different cut slices apart', () => {
    const sel = select([
      [10 * M, 20 * M],
      [H + 10 * M, H + 20 * M],
    ]);
    expect(sel.partial.map((p) => [p.start, p.end, p.parts.length])).toEqual([
      [at(0), at(H), 1],
      [at(H), at(2 * H), 1],
    ]);
    expect(sel.counted).toBe(2);
  });

  it('keeps two runs apart when an uncounted slice lies between them', () => {
    // Counted 00:00–02:00 and 03:00–05:00: the 02:00 slice is not counted, so no run may span it.
    const sel = select([
      [0, 2 * H],
      [3 * H, 5 * H],
    ]);
    expect(sel.runs).toEqual([
      { start: at(0), end: at(2 * H) },
      { start: at(3 * H), end: at(5 * H) },
    ]);
    expect(sel.counted).toBe(4);
  });
});

describe('planning one evaluation', () => {
  it('plans no slices for an occurrences objective, even one that names a slice length', () => {
    const plan = planEvaluation(
      ctx({ budgetingMethod: 'occurrences', timeSlice: { minutes: 60, target: 0.99 } }),
      [],
      NOW,
      SETTINGS,
    );
    expect(plan.slices).toBeNull();
    expect(sliceRequests(plan)).toEqual([]);
  });

  it('looks back at least the policy’s minimum when the period’s share is shorter', () => {
    // 1 day × 0.001 = 86.4 s, below the 120-minute minimum: the look-back is 2 hours.
    const settings: EngineSettings = {
      ...SETTINGS,
      forecast: { ...SETTINGS.forecast, lookbackShare: 0.001, minLookbackMinutes: 120 },
    };
    expect(planEvaluation(ctx(), [], NOW, settings).lookbackMs).toBe(2 * H);
  });

  it('forecasts a rolling window a share of its length ahead, a calendar one to its end', () => {
    // Rolling 1 day, horizon share 0.25: 6 hours ahead.
    expect(planEvaluation(ctx(), [], NOW, SETTINGS).horizonEnd).toBe(NOW + 6 * H);
    // Calendar month: to 1 February.
    const month = planEvaluation(ctx({ window: { type: 'calendar', unit: 'month' } }), [], NOW, SETTINGS);
    expect(month.horizonEnd).toBe(Date.UTC(2026, 1, 1));
  });

  it('starts reading at the earliest instant any figure looks at: window, look-back, silence probe or burn window', () => {
    // A rolling day with the shipped settings: the window reaches furthest (look-back 1 h, probe 12 h, longest
    // burn window 3 d × 1/30 = 2 h 24 min).
    expect(planEvaluation(ctx(), [], NOW, SETTINGS).earliest).toBe(NOW - D);
    // A 2-day look-back.
    const lookback: EngineSettings = {
      ...SETTINGS,
      forecast: { ...SETTINGS.forecast, minLookbackMinutes: 2 * 1440 },
    };
    expect(planEvaluation(ctx(), [], NOW, lookback).earliest).toBe(NOW - 2 * D);
    // A tier-3 silence probe of 3 days.
    const probe: EngineSettings = {
      ...SETTINGS,
      tiers: {
        ...DEFAULT_TIER_DEFAULTS,
        '3': { ...DEFAULT_TIER_DEFAULTS['3']!, noDataAtRiskMinutes: 3 * 1440 },
      },
    };
    expect(planEvaluation(ctx(), [], NOW, probe).earliest).toBe(NOW - 3 * D);
    // Burn windows not scaled to the period: the ticket window's 3 days.
    const burn: EngineSettings = {
      ...SETTINGS,
      burnWindows: { ...DEFAULT_BURN_WINDOWS, scaleToPeriod: false },
    };
    expect(planEvaluation(ctx(), [], NOW, burn).earliest).toBe(NOW - 3 * D);
  });

  it('lets a burn window shorter than a slice count the last complete slice', () => {
    // A rolling day of hour slices at 10:30: page-fast's short window is 5 minutes; the last complete slice is
    // 09:00–10:00.
    const plan = planEvaluation(timeslices(), [], NOW, SETTINGS);
    expect(plan.burnWindows[0]!.short).toBe(5 * M);
    expect(plan.slices!.burn[0]!.short).toEqual({
      runs: [{ start: T0 + 9 * H, end: T0 + 10 * H }],
      partial: [],
      counted: 1,
      countedMs: H,
    });
  });

  it('counts a rolling window’s period as the window’s complete slices, not the cut ones at its ends', () => {
    // 10:30 the day before to 10:30: complete hour slices from 11:00 to 10:00, 23 of them.
    const s = planEvaluation(timeslices(), [], NOW, SETTINGS).slices!;
    expect(s.window.counted).toBe(23);
    expect(s.periodCounted).toBe(23);
  });

  it('reads the running totals at every edge of every cut slice, those of the burn windows included', () => {
    // Burn windows not scaled: the ticket window looks back 3 days, past the 1-day window. An exception two days
    // ago cuts the 08:00 slice of 3 January from 08:10 to 08:20; that slice is counted only by the ticket window.
    const settings: EngineSettings = {
      ...SETTINGS,
      burnWindows: { ...DEFAULT_BURN_WINDOWS, scaleToPeriod: false },
    };
    const c = timeslices();
    const S = T0 - 2 * D + 8 * H;
    const cut = { id: 'exc_1', agreementId: c.agreementId, start: S + 10 * M, end: S + 20 * M };
    const plan = planEvaluation(c, [cut], NOW, settings);
    const s = plan.slices!;
    const ticket = s.burn[2]!.long;
    expect(ticket.partial).toEqual([
      {
        start: S,
        end: S + H,
        parts: [
          { start: S, end: S + 10 * M },
          { start: S + 20 * M, end: S + H },
        ],
      },
    ]);
    const planned = new Set(plan.instants);
    for (const sel of [s.window, s.recent, ...s.burn.flatMap((b) => [b.long, b.short])]) {
      for (const p of sel.partial) {
        for (const x of p.parts) {
          expect(planned.has(x.start)).toBe(true);
          expect(planned.has(x.end)).toBe(true);
        }
      }
    }
    expect(planned.has(S)).toBe(true);
    expect(planned.has(S + H)).toBe(true);
  });

  it('lists the instants to read in ascending order, each once', () => {
    const { instants } = planEvaluation(timeslices(), [], NOW, SETTINGS);
    expect(instants.length).toBeGreaterThan(2);
    for (let i = 1; i < instants.length; i++) expect(instants[i]!).toBeGreaterThan(instants[i - 1]!);
    // The evaluation instant is the latest of them.
    expect(instants.at(-1)).toBe(NOW);
  });
});

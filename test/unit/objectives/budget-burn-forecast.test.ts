import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { burnWindowsFor } from '../../../shared/domain/objectives/evaluate.js';
import { BurnWindowPolicy, DEFAULT_BURN_WINDOWS } from '../../../shared/policy/objectives.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const H = 3_600_000;
const D = 24 * H;

describe('the burn-rate window table', () => {
  it('is the SRE Workbook table for a 30-day objective', () => {
    const ws = burnWindowsFor(DEFAULT_BURN_WINDOWS, 30 * D);
    expect(ws.map((w) => [w.name, w.long / 60_000, w.short / 60_000, w.threshold])).toEqual([
      ['page-fast', 60, 5, 14.4],
      ['page-slow', 360, 30, 6],
      ['ticket', 4320, 360, 1],
    ]);
  });

  it('scales the windows to a 28-day period and keeps the thresholds', () => {
    const ws = burnWindowsFor(DEFAULT_BURN_WINDOWS, 28 * D);
    // 1 h × 28/30 = 56 min → 55 (whole buckets); 6 h → 336 → 335 min; 3 d → 4032 → 4030 min.
    expect(ws.map((w) => [w.long / 60_000, w.threshold])).toEqual([
      [55, 14.4],
      [335, 6],
      [4030, 1],
    ]);
  });

  it('without scaling, derives the threshold from the period: 2% of 28 days within 1 h is 13.44x', () => {
    const policy = BurnWindowPolicy.parse({ ...DEFAULT_BURN_WINDOWS, scaleToPeriod: false });
    expect(burnWindowsFor(policy, 28 * D)[0]!.threshold).toBeCloseTo(13.44, 10);
  });

  it('refuses a window table whose short window is not shorter than its long one', () => {
    const bad = {
      ...DEFAULT_BURN_WINDOWS,
      windows: [{ name: 'x', long: '5m', short: '1h', budgetPercent: 2, action: 'page' }],
    };
    expect(BurnWindowPolicy.safeParse(bad).success).toBe(false);
  });
});

describe('burn rates', () => {
  const now = Date.UTC(2026, 3, 30);
  it('pages when both the hour and the last five minutes burn faster than 14.4x', async () => {
    const s = new MemoryRollupStore();
    // 30 days at 0 errors, then the last hour at 2% errors against a 0.1% budget: burn 20x.
    await fill(s, KEY, now - 30 * D, now, (t) => (t >= now - H ? [980, 1000] : [1000, 1000]));
    const r = await evaluate(s, ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }), now);
    const fast = r.burnRates.find((b) => b.name === 'page-fast')!;
    expect(fast).toMatchObject({
      long: { minutes: 60, burnRate: 20 },
      short: { minutes: 5, burnRate: 20 },
      firing: true,
    });
    expect(r.status).toBe('at-risk');
    expect(r.reasons.join(' ')).toContain('page-fast');
  });

  it('does not page when the burn has already stopped (the short window is clean)', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now, (t) =>
      t >= now - H && t < now - 10 * 60_000 ? [970, 1000] : [1000, 1000],
    );
    const r = await evaluate(s, ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }), now);
    const fast = r.burnRates.find((b) => b.name === 'page-fast')!;
    expect(fast.long.burnRate).toBeGreaterThan(14.4);
    expect(fast).toMatchObject({ short: { burnRate: 0 }, firing: false });
  });
});

describe('the breach forecast (linear trend)', () => {
  /**
   * April 2026 (30 days, UTC). Ten days pass at 100 events per bucket with no errors, then the last 6 hours
   * (the look-back, 30 d / 120) run at 1% errors against a 99.9% target. By hand:
   *   so far: 288,000 events, 72 bad. At that traffic April sees 864,000 events, so its budget is 864 bad
   *   events: 72 spent (8.33%), 792 left; in minutes 43.2, of which 3.6 spent (0.025% of 14,400 minutes).
   *   trend: 100 events per bucket at 1% = 1 bad event per bucket: 792 buckets = 66 h → 13 April 18:00.
   *   time to exhaustion: 91.67% of a 30-day budget at a 10x burn = 2.75 days = 3,960 minutes (the same).
   *   at the end of April: 864,000 events, 72 + 5,760 bad → 99.325% projected.
   */
  const now = Date.UTC(2026, 3, 11);
  async function data(): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    await fill(s, KEY, Date.UTC(2026, 3, 1), now, (t) => (t >= now - 6 * H ? [99, 100] : [100, 100]));
    return s;
  }
  const monthly = ctx({ target: 99.9, window: { type: 'calendar', unit: 'month' } });

  it('projects the recent error rate to the end of the calendar period', async () => {
    const r = await evaluate(await data(), monthly, now);
    // Shares are shown rounded to 6 places towards the safe side: consumed up, remaining down (they add to 1).
    expect(r.budget).toMatchObject({ total: 864, consumed: 72, remaining: 792, consumedRatio: 0.083334 });
    expect(r.budget!.remainingRatio).toBe(0.916666);
    expect(r.budget!.minutes).toEqual({ total: 43.2, consumed: 3.6, remaining: 39.6, basisMinutes: 14_400 });
    expect(r.forecast).toMatchObject({
      model: 'linear-trend',
      lookbackMinutes: 360,
      recentErrorRate: 0.01,
      horizonEnd: '2026-05-01T00:00:00.000Z',
      breachAt: '2026-04-13T18:00:00.000Z',
      timeToExhaustionMinutes: 3960,
    });
    expect(r.forecast!.projectedCompliance).toBeCloseTo(99.325, 6);
    expect(r.status).toBe('at-risk');
  });

  it('forecasts no breach when the recent trend is within budget', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, Date.UTC(2026, 3, 1), now, () => [1000, 1000]);
    const r = await evaluate(s, monthly, now);
    expect(r.forecast).toMatchObject({
      breachAt: null,
      timeToExhaustionMinutes: null,
      projectedCompliance: 100,
    });
    expect(r.status).toBe('healthy');
  });

  it('keeps a month healthy after a bad first morning when the budget of the whole month is far from spent', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 3, 1);
    // 1 April: 0.4% errors until noon, clean since. 576 bad of 288,000: 99.8% so far, but April may spend 8,640.
    await fill(s, KEY, start, start + D, (t) => (t < start + 12 * H ? [996, 1000] : [1000, 1000]));
    const r = await evaluate(s, monthly, start + D);
    expect(r.compliance).toBeCloseTo(99.8, 6);
    expect(r.budget).toMatchObject({ total: 8640, consumed: 576 });
    expect(r.status).toBe('healthy');
    expect(r.reasons[0]).toContain('compliance so far 99.8% is under the 99.9% target');
  });

  it('lets a rolling window earn budget back as old bad events age out', async () => {
    const s = new MemoryRollupStore();
    const end = Date.UTC(2026, 3, 29);
    // A bad first day in a 28-day window, clean since: the window is breached now, but not for long.
    await fill(s, KEY, end - 28 * D, end, (t) => (t < end - 27 * D ? [950, 1000] : [1000, 1000]));
    const r = await evaluate(s, ctx({ target: 99.9, window: { type: 'rolling', days: 28 } }), end);
    expect(r.status).toBe('breached');
    // The window average (5% of 1/28 of events bad) ages out while new events are clean: projected up.
    expect(r.forecast!.projectedCompliance!).toBeGreaterThan(r.compliance!);
  });
});

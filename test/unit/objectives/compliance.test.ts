import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 3, 1); // Wednesday 1 April 2026, 00:00 UTC

/**
 * One day of data, hand-computed. Hours 0–21: 100 of 100 events good in every bucket. Hour 22: 96 of 100
 * per bucket (slice ratio 0.96). Hour 23: 200 of 400 per bucket (slice ratio 0.5).
 *   occurrences: bad = 12×4 + 12×200 = 2448 of 22×1200 + 1200 + 4800 = 32400 → 92.4444%
 *   timeslices (1 h, slice good at ≥ 0.95): 23 of 24 slices good → 95.8333%
 *   ratio timeslices: (22 + 0.96 + 0.5) / 24 → 97.75%
 */
async function oneDay(): Promise<MemoryRollupStore> {
  const s = new MemoryRollupStore();
  await fill(s, KEY, T0, T0 + D, (t) => {
    const hour = Math.floor((t - T0) / H);
    return hour < 22 ? [100, 100] : hour === 22 ? [96, 100] : [200, 400];
  });
  return s;
}

describe('compliance by budgeting method', () => {
  const timeSlice = { minutes: 60, target: 0.95 };
  const cases = [
    { method: 'occurrences', compliance: 92.444444, good: undefined },
    { method: 'timeslices', compliance: 95.833333, good: 23 },
    { method: 'ratio-timeslices', compliance: 97.75, good: 23 },
  ] as const;
  for (const c of cases) {
    it(`gives ${c.compliance}% by ${c.method} on the same day of data`, async () => {
      const r = await evaluate(
        await oneDay(),
        ctx({ budgetingMethod: c.method, ...(c.method === 'occurrences' ? {} : { timeSlice }), target: 90 }),
        T0 + D,
      );
      expect(r.compliance).toBeCloseTo(c.compliance, 5);
      expect(r.data).toMatchObject({ goodEvents: 29952, totalEvents: 32400, coverage: 1, empty: false });
      // Occurrences count no slices; the two timeslice methods count the same 23 good and 1 bad.
      expect(r.data.slices).toEqual(
        c.good === undefined ? undefined : expect.objectContaining({ good: c.good, bad: 1, empty: 0 }),
      );
    });
  }

  it('reports a slice wholly inside an exception window as excluded, not as empty', async () => {
    const maintenance = { id: 'exc_1', agreementId: 'agr_0000000001', start: T0 + 23 * H, end: T0 + D };
    const r = await evaluate(
      await oneDay(),
      ctx({ budgetingMethod: 'timeslices', timeSlice, target: 90 }),
      T0 + D,
      [maintenance],
    );
    expect(r.data.slices).toEqual({
      good: 23,
      bad: 0,
      empty: 0,
      excluded: 1,
      minutes: 60,
      emptyCountAs: 'excluded',
    });
    expect(r.compliance).toBe(100);
  });

  it('puts calendar slices on the period’s own grid, even in a half-hour time zone', async () => {
    const s = new MemoryRollupStore();
    // April 2026 in Kolkata starts at 18:30 UTC on 31 March; one bad half hour straddles 00:00 UTC.
    const start = Date.UTC(2026, 2, 31, 18, 30);
    await fill(s, KEY, start, start + 12 * H, (t) =>
      t >= start + 5.5 * H && t < start + 6 * H ? [0, 100] : [100, 100],
    );
    const r = await evaluate(
      s,
      ctx(
        { budgetingMethod: 'timeslices', timeSlice, target: 90, window: { type: 'calendar', unit: 'month' } },
        { timeZone: 'Asia/Kolkata' },
      ),
      start + 12 * H,
    );
    // Hour slices from 18:30 UTC: only the sixth (05:00–06:00 local) is bad.
    expect(r.window.start).toBe('2026-03-31T18:30:00.000Z');
    expect(r.data.slices).toMatchObject({ good: 11, bad: 1, empty: 0, excluded: 0, minutes: 60 });
  });

  it('counts the error budget in events for occurrences: 1% of 32,400 allowed, 2,448 spent, breached', async () => {
    const r = await evaluate(await oneDay(), ctx({ target: 99 }), T0 + D);
    expect(r.budget).toMatchObject({ unit: 'events', total: 324, consumed: 2448, remaining: -2124 });
    expect(r.budget!.consumedRatio).toBeCloseTo(2448 / 324, 5);
    expect(r.status).toBe('breached');
    expect(r.reasons[0]).toContain('error budget exhausted');
  });

  it('counts the error budget in slices for timeslices: 5% of 24 one-hour slices allowed, one spent', async () => {
    const r = await evaluate(
      await oneDay(),
      ctx({ budgetingMethod: 'timeslices', timeSlice, target: 95 }),
      T0 + D,
    );
    expect(r.budget).toMatchObject({ unit: 'slices', total: 1.2, consumed: 1, remaining: 0.2 });
    expect(r.budget!.minutes).toMatchObject({ total: 72, consumed: 60, remaining: 12 });
    expect(r.status).not.toBe('breached');
  });

  it('makes 99.9% over 30 days a budget of 43.2 minutes', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, T0 - 30 * D, T0, () => [1000, 1000]);
    const r = await evaluate(s, ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }), T0);
    expect(r.budget!.minutes).toEqual({ total: 43.2, consumed: 0, remaining: 43.2, basisMinutes: 43_200 });
    expect(r.budget!.remainingRatio).toBe(1);
    expect(r.status).toBe('healthy');
  });
});

describe('rolling against calendar windows', () => {
  // Tuesday 10 March 2026 00:00 UTC. Bad events on Thursday 5 March only.
  const now = Date.UTC(2026, 2, 10);
  async function week(): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 14 * D, now, (t) =>
      t >= Date.UTC(2026, 2, 5) && t < Date.UTC(2026, 2, 6) ? [90, 100] : [100, 100],
    );
    return s;
  }

  it('a rolling 7-day window still holds last Thursday’s bad day', async () => {
    const r = await evaluate(await week(), ctx({ window: { type: 'rolling', days: 7 } }), now);
    // 288 of 2016 buckets at 90%: 1 − 2880/201600.
    expect(r.compliance).toBeCloseTo((1 - 2880 / 201600) * 100, 5);
    expect(r.window).toMatchObject({ start: '2026-03-03T00:00:00.000Z', partial: false, elapsedRatio: 1 });
  });

  it('a calendar week starts afresh on Monday and shows its partial period as such', async () => {
    const r = await evaluate(await week(), ctx({ window: { type: 'calendar', unit: 'week' } }), now);
    expect(r.compliance).toBe(100);
    expect(r.window).toMatchObject({
      start: '2026-03-09T00:00:00.000Z',
      periodEnd: '2026-03-16T00:00:00.000Z',
      partial: true,
      elapsedRatio: 0.1429,
    });
    expect(r.reasons[0]).toContain('period in progress');
  });

  it('a calendar month counts from the first of the month', async () => {
    const r = await evaluate(await week(), ctx({ window: { type: 'calendar', unit: 'month' } }), now);
    // 1–9 March: 9 days, one of them bad.
    expect(r.data.totalEvents).toBe(9 * 28800);
    expect(r.compliance).toBeCloseTo((1 - 2880 / (9 * 28800)) * 100, 5);
  });

  it('a calendar quarter runs from January to March', async () => {
    const r = await evaluate(await week(), ctx({ window: { type: 'calendar', unit: 'quarter' } }), now);
    expect(r.window).toMatchObject({
      start: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
    });
  });
});

describe('empty and partial windows', () => {
  it('calls a window without data unknown, never 100%', async () => {
    const r = await evaluate(new MemoryRollupStore(), ctx(), T0 + D);
    expect(r).toMatchObject({ compliance: null, budget: null, forecast: null, status: 'unknown' });
    expect(r.data).toMatchObject({ empty: true, coverage: 0, totalEvents: 0 });
    expect(r.reasons[0]).toContain('no data is not 100%');
  });

  it('judges a half-empty window on the data it has and says the coverage is too low to rely on', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, T0 + 12 * H, T0 + D, () => [100, 100]);
    const r = await evaluate(s, ctx(), T0 + D);
    expect(r.compliance).toBe(100);
    expect(r.data.coverage).toBe(0.5);
    expect(r.status).toBe('at-risk');
    expect(r.reasons.join(' ')).toContain('only 50% of the window has data');
  });

  it('ignores slices without events in the timeslice methods rather than counting them good', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, T0, T0 + 2 * H, (t) => (t < T0 + H ? [100, 100] : [50, 100]));
    const r = await evaluate(
      s,
      ctx({ budgetingMethod: 'timeslices', timeSlice: { minutes: 60, target: 0.9 } }),
      T0 + D,
    );
    expect(r.data.slices).toEqual({
      good: 1,
      bad: 1,
      empty: 22,
      excluded: 0,
      minutes: 60,
      emptyCountAs: 'excluded',
    });
    expect(r.compliance).toBe(50);
  });

  it('evaluates only complete buckets: the bucket in progress waits for the next run', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, T0, T0 + D + BUCKET_MS, (t) => (t >= T0 + D ? [0, 100] : [100, 100]));
    const r = await evaluate(s, ctx(), T0 + D + 60_000);
    expect(r.compliance).toBe(100);
    expect(r.window.end).toBe('2026-04-02T00:00:00.000Z');
  });
});

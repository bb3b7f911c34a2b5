import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;

describe('timeslices: compliance and budget over the same slices', () => {
  /**
   * The case: rolling 30 days, 99%, 5-minute slices, a probe every 10 minutes (4,320 of the 8,640
   * slices hold one), 60 of the probed slices bad (on 5 April, far from now, so no alert is involved).
   * Tier 4: its 50% coverage minimum is met by a probe every other bucket.
   */
  const now = Date.UTC(2026, 4, 1);
  async function probes(): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    const badFrom = Date.UTC(2026, 3, 5);
    await fill(s, KEY, now - 30 * D, now, (t) => {
      if (((t - (now - 30 * D)) / BUCKET_MS) % 2 === 1) return null;
      return t >= badFrom && t < badFrom + 60 * 2 * BUCKET_MS ? [0, 1] : [1, 1];
    });
    return s;
  }
  const objective = (emptySlices?: 'excluded' | 'good' | 'bad') =>
    ctx(
      {
        target: 99,
        window: { type: 'rolling', days: 30 },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 5, target: 0.99, ...(emptySlices ? { emptySlices } : {}) },
      },
      { tier: 4 },
    );

  it('by default leaves empty slices out of both: 4,260 of 4,320 is 98.611%, 60 bad of 43.2 allowed, breached', async () => {
    const r = await evaluate(await probes(), objective(), now);
    expect(r.data.slices).toEqual({
      good: 4260,
      bad: 60,
      empty: 4320,
      excluded: 0,
      minutes: 5,
      emptyCountAs: 'excluded',
    });
    expect(r.measured).toEqual({ unit: 'slices', good: 4260, total: 4320 });
    expect(r.compliance).toBe(98.611111);
    expect(r.budget).toMatchObject({ unit: 'slices', total: 43.2, consumed: 60, remaining: -16.8 });
    expect(r.status).toBe('breached');
    expect(r.reasons[0]).toBe(
      'error budget exhausted: 138.89% consumed; compliance 98.6111111…% is below the 99% target on a complete window',
    );
  });

  it('counting empty slices as good puts them in both: 8,580 of 8,640 is 99.306%, 30.56% of 86.4 left, healthy', async () => {
    const r = await evaluate(await probes(), objective('good'), now);
    expect(r.measured).toEqual({ unit: 'slices', good: 8580, total: 8640 });
    expect(r.compliance).toBe(99.305555);
    expect(r.budget).toMatchObject({ total: 86.4, consumed: 60, remaining: 26.4, remainingRatio: 0.305555 });
    expect(r.data.slices!.emptyCountAs).toBe('good');
    expect(r.status).toBe('healthy');
    expect(r.reasons[0]).toContain('meets the 99% target with 30.55');
  });

  it('counting empty slices as bad puts them in both: 4,260 of 8,640 is 49.306%, breached', async () => {
    const r = await evaluate(await probes(), objective('bad'), now);
    expect(r.measured).toEqual({ unit: 'slices', good: 4260, total: 8640 });
    expect(r.compliance).toBe(49.305555);
    expect(r.budget).toMatchObject({ total: 86.4, consumed: 4380 });
    expect(r.status).toBe('breached');
  });

  it('ratio timeslices weigh each slice by its ratio over the same population', async () => {
    const s = new MemoryRollupStore();
    // One day: 23 hours at 100/100, one hour at 50/100: mean of hourly ratios 23.5/24 = 97.9166…%.
    await fill(s, KEY, now - D, now, (t) => (t >= now - H ? [50, 100] : [100, 100]));
    const r = await evaluate(
      s,
      ctx({ target: 99, budgetingMethod: 'ratio-timeslices', timeSlice: { minutes: 60, target: 0.9 } }),
      now,
    );
    expect(r.measured).toEqual({ unit: 'slices', good: 23.5, total: 24 });
    expect(r.compliance).toBe(97.916666);
    // Budget 1% of 24 slices = 0.24 slice; spent: 0.5 (the bad hour's shortfall).
    expect(r.budget).toMatchObject({ total: 0.24, consumed: 0.5 });
    expect(r.status).toBe('breached');
  });

  it('in a calendar period in progress, expects the slices with data the whole period will have', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 3, 1);
    // April so far: 10 days of hourly slices, one probe every other hour (120 with data, 120 empty), 2 bad.
    await fill(s, KEY, start, start + 10 * D, (t) => {
      const hour = (t - start) / H;
      if (!Number.isInteger(hour) || hour % 2 === 1) return null;
      return hour < 4 ? [0, 1] : [1, 1];
    });
    const r = await evaluate(
      s,
      ctx({
        target: 95,
        window: { type: 'calendar', unit: 'month' },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 60, target: 0.99 },
      }),
      start + 10 * D,
    );
    // 118 of 120 so far; April will see 360 slices with data at this rate: 5% of 360 = 18 allowed, 2 spent.
    expect(r.measured).toEqual({ unit: 'slices', good: 118, total: 120 });
    expect(r.budget).toMatchObject({ total: 18, consumed: 2, remaining: 16 });
    expect(r.window.partial).toBe(true);
  });
});

describe('the figures explain themselves', () => {
  const officeHours = {
    kind: 'calendar' as const,
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as 'mon'[], start: '09:30', end: '17:00' }],
    holidays: [],
  };

  it('reports slices outside supported hours as excluded, and judges a cut slice on its supported part only', async () => {
    const s = new MemoryRollupStore();
    const day = Date.UTC(2026, 0, 14); // Wednesday, UTC
    // All day bad except 09:30–17:00; the 09:00 slice is bad before 09:30 and good after.
    await fill(s, KEY, day, day + D, (t) => {
      const m = (t - day) / MIN;
      return m >= 9.5 * 60 && m < 17 * 60 ? [100, 100] : [0, 100];
    });
    const r = await evaluate(
      s,
      ctx(
        {
          target: 90,
          supportedHoursOnly: true,
          budgetingMethod: 'timeslices',
          timeSlice: { minutes: 60, target: 0.99 },
        },
        { supportedHours: officeHours },
      ),
      day + D,
    );
    // 09:00–10:00 (half supported), 10:00 … 16:00: 8 slices, all good; 16 slices excluded; none empty.
    expect(r.data.slices).toMatchObject({ good: 8, bad: 0, empty: 0, excluded: 16 });
    expect(r.compliance).toBe(100);
  });

  it('says how much of the window a budget in minutes rests on: 60 real minutes of outage, not 900', async () => {
    const s = new MemoryRollupStore();
    const now = Date.UTC(2026, 3, 30);
    // Rolling 30 days, 99.9%: data only for the last 2 days, one hour of it a full outage.
    await fill(s, KEY, now - 2 * D, now, (t) =>
      t >= now - 10 * H && t < now - 9 * H ? [0, 100] : [100, 100],
    );
    const r = await evaluate(s, ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }), now);
    // 1,200 bad of 57,600 events over 2,880 minutes with data: 60 minutes of equivalent downtime.
    expect(r.budget!.minutes).toEqual({ total: 43.2, consumed: 60, remaining: -16.8, basisMinutes: 2880 });
    expect(r.data.coverage).toBe(0.0666);
  });
});

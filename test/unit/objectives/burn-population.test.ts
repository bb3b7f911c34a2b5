// Burn rates count the population the error budget counts. The demo's latency objectives (timeslices, 99% of
// 5-minute slices, a slice good at 95%) showed 1.00x beside "100% of the budget left" and "not burning": the burn
// rate divided the share of slow *requests* (1%) by 1 − 99%, a budget of *slices*, none of which was bad.
import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/response-time';
const AVAIL = 'svc_pay/availability';
// 30 November 2026, 18:00 UTC: November has 30 days, so the windows are the SRE Workbook's own (1 h/5 min,
// 6 h/30 min, 3 d/6 h) and the month so far holds 29.75 days of 5-minute slices: 8,568 of the month's 8,640.
const NOW = Date.UTC(2026, 10, 30, 18, 0);
const MONTH_START = Date.UTC(2026, 10, 1);

const latency = ctx({
  id: 'latency',
  sli: { type: 'response-time', thresholdMs: 300 },
  target: 99,
  window: { type: 'calendar', unit: 'month' },
  budgetingMethod: 'timeslices',
  timeSlice: { minutes: 5, target: 0.95 },
});

describe('burn rates of a timeslice objective', () => {
  it('are 0x, not 1x, when 1% of requests are slow but every 5-minute slice is good, beside 100% of the budget left', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, MONTH_START, NOW, () => [297, 300]);
    const r = await evaluate(s, latency, NOW);
    expect(r.budget!.remainingRatio).toBe(1);
    expect(r.burnRates.map((b) => [b.name, b.unit, b.long.burnRate, b.short.burnRate])).toEqual([
      ['page-fast', 'slices', 0, 0],
      ['page-slow', 'slices', 0, 0],
      ['ticket', 'slices', 0, 0],
    ]);
    // Slices counted: 12 in 1 h, 72 in 6 h, 864 in 3 d; 1, 6 and 72 in the short windows.
    expect(r.burnRates.map((b) => [b.long.slices, b.short.slices])).toEqual([
      [12, 1],
      [72, 6],
      [864, 72],
    ]);
    expect(r.forecast!.timeToExhaustionMinutes).toBeNull();
    expect(r.status).toBe('healthy');
  });

  it('read one bad slice in the last hour as (1/12) / 1% = 8.3333x over 1 h and 100x over 5 min, which does not page', async () => {
    const s = new MemoryRollupStore();
    // The last bucket: 240 of 300 within 300 ms (80% < 95%): one bad slice. Events would have said
    // (11 × 3 + 60) / 3,600 / 1% = 2.5833x over the hour.
    await fill(s, KEY, MONTH_START, NOW, (t) => (t === NOW - BUCKET_MS ? [240, 300] : [297, 300]));
    const r = await evaluate(s, latency, NOW);
    const [fast, slow, ticket] = r.burnRates;
    expect(fast!.long.burnRate).toBe(8.3333);
    expect(fast!.short.burnRate).toBe(100);
    expect(fast!.firing).toBe(false);
    // 1 of 72 slices over 6 h: 1.3889x; 1 of 864 over 3 d: 0.1157x.
    expect(slow!.long.burnRate).toBe(1.3889);
    expect(ticket!.long.burnRate).toBe(0.1157);
    // The budget: 1% of the 8,640 slices the month will hold = 86.4 slices, 1 spent. The time to exhaustion
    // at the forecast look-back's rate (6 h: 1 of 72 slices, 1.3889x): (85.4 / 86.4) × 43,200 min / 1.3889
    // = 30,744 min, on the same slices.
    expect(r.budget!.total).toBe(86.4);
    expect(r.budget!.consumed).toBe(1);
    expect(r.forecast!.timeToExhaustionMinutes).toBe(30744);
  });

  it('of an occurrences objective still count events: 1% bad requests against 99% is 1x', async () => {
    const s = new MemoryRollupStore();
    await fill(s, AVAIL, MONTH_START, NOW, () => [297, 300]);
    const r = await evaluate(
      s,
      ctx({ target: 99, window: { type: 'calendar', unit: 'month' }, budgetingMethod: 'occurrences' }),
      NOW,
    );
    expect(r.burnRates.map((b) => [b.unit, b.long.burnRate, b.long.slices])).toEqual([
      ['events', 1, undefined],
      ['events', 1, undefined],
      ['events', 1, undefined],
    ]);
  });
});

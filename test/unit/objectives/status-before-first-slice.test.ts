// A burn-rate alert that fires before the first timeslice completes is not hidden behind "unknown"
// (a counterexample fast-check found in consistency.property.test.ts, seed 2076404509).
import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const NOW = Date.UTC(2026, 2, 12, 7, 35);

describe('status before the first timeslice of the window completes', () => {
  const objective = ctx(
    {
      target: 90,
      budgetingMethod: 'ratio-timeslices',
      window: { type: 'calendar', unit: 'week' },
      timeSlice: { minutes: 60, target: 0.9, emptySlices: 'excluded' },
    },
    { tier: 1 },
  );

  it('is at risk, naming the alert, when 8 of 12 events in the last 20 minutes failed (the ticket alert fires) and no hourly slice is complete', async () => {
    const s = new MemoryRollupStore();
    // 07:15 to 07:35: four buckets of 3 events, 1 good each; the 07:00 slice is still open.
    await fill(s, KEY, NOW - 4 * BUCKET_MS, NOW, () => [1, 3]);
    const r = await evaluate(s, objective, NOW);
    expect(r.measured).toBeNull();
    expect(r.burnRates.some((b) => b.firing)).toBe(true);
    expect(r.status).toBe('at-risk');
    // The ticket alert (windows scaled to a week: 1,010 and 85 minutes) reads 8 bad of 12 events: a burn of
    // (8/12) / (1 − 0.9) = 6.6667x over its threshold of 1x (10% of the budget in the long window).
    expect(r.reasons[0]).toBe('burn rate 6.6667x over 1010 min and 6.6667x over 85 min exceed 1x (ticket)');
    expect(r.reasons).toContain('no complete slice with data in the window yet: compliance is unknown');
  });

  it('is unknown when the same 20 minutes were all good', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, NOW - 4 * BUCKET_MS, NOW, () => [3, 3]);
    const r = await evaluate(s, objective, NOW);
    expect(r.status).toBe('unknown');
    expect(r.reasons[0]).toBe('no complete slice with data in the window yet: compliance is unknown');
  });
});

// Before the first timeslice completes there is nothing to judge: compliance, budget and the burn rates all
// count complete slices (the burn rates once counted events, and an event alert made such an objective at risk
// while its budget, in slices, was untouched: a counterexample fast-check found in consistency.property.test.ts,
// seed 2076404509, was first settled that way; burn rates now count the objective's own population).
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

  it('is unknown, with no burn rate, when 8 of 12 events in the last 20 minutes failed but no hourly slice is complete', async () => {
    const s = new MemoryRollupStore();
    // 07:15 to 07:35: four buckets of 3 events, 1 good each; the 07:00 slice is still open.
    await fill(s, KEY, NOW - 4 * BUCKET_MS, NOW, () => [1, 3]);
    const r = await evaluate(s, objective, NOW);
    expect(r.measured).toBeNull();
    expect(r.burnRates.every((b) => b.unit === 'slices' && b.long.burnRate === null && !b.firing)).toBe(true);
    expect(r.status).toBe('unknown');
    expect(r.reasons[0]).toBe('no complete slice with data in the window yet: compliance is unknown');
  });

  it('pages once that slice completes: one slice at 1/3 is a burn of (1 − 1/3) / (1 − 0.9) = 6.6667x', async () => {
    const s = new MemoryRollupStore();
    const at = Date.UTC(2026, 2, 12, 8, 0);
    // 07:15 to 08:00: nine buckets of 3 events, 1 good each; the 07:00 slice is complete at 08:00.
    await fill(s, KEY, at - 9 * BUCKET_MS, at, () => [1, 3]);
    const r = await evaluate(s, objective, at);
    // The ticket alert (windows scaled to a week: 1,010 and 85 minutes) holds that one slice in both windows.
    const ticket = r.burnRates.find((b) => b.name === 'ticket')!;
    expect(ticket.long).toEqual({ minutes: 1010, burnRate: 6.6667, events: 27, slices: 1 });
    expect(ticket.short).toEqual({ minutes: 85, burnRate: 6.6667, events: 27, slices: 1 });
    expect(ticket.firing).toBe(true);
  });

  it('is unknown when the same 20 minutes were all good', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, NOW - 4 * BUCKET_MS, NOW, () => [3, 3]);
    const r = await evaluate(s, objective, NOW);
    expect(r.status).toBe('unknown');
    expect(r.reasons[0]).toBe('no complete slice with data in the window yet: compliance is unknown');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { SLICE_MINUTES, SliceGrid } from '../../../shared/domain/objectives/slices.js';
import { localParts, offsetAt } from '../../../shared/domain/objectives/time.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Slice boundaries by their definition, minute by minute through Intl: an instant is a boundary when the
 * wall clock reads a multiple of L after local midnight, or when a forward change skips such a wall time.
 */
function boundariesByDefinition(timeZone: string, minutes: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += 5 * MIN) {
    const p = localParts(t, timeZone);
    const wall = p.hour * 60 + p.minute;
    const before = offsetAt(t - MIN, timeZone);
    const after = offsetAt(t, timeZone);
    const skipped =
      after > before &&
      Array.from({ length: (after - before) / MIN }, (_, k) => wall - (after - before) / MIN + k).some(
        (w) => ((w % minutes) + minutes) % minutes === 0,
      );
    if (wall % minutes === 0 || skipped) out.push(t);
  }
  return out;
}

describe('slices on the agreement’s local calendar', () => {
  it('makes 29 March 2026 in London (clocks forward) one daily slice of 23 hours and 23 hourly slices', () => {
    const day = Date.UTC(2026, 2, 29); // 00:00 GMT
    const next = Date.UTC(2026, 2, 29, 23); // 30 March 00:00 BST
    expect(SliceGrid.of('Europe/London', 1440).boundaries(day, next + 1)).toEqual([day, next]);
    expect(SliceGrid.of('Europe/London', 60).count(day, next)).toBe(23);
    // The 2-hour slice holding the change (00:00 GMT–02:00 BST local) lasts one hour.
    expect(
      SliceGrid.of('Europe/London', 120)
        .boundaries(day, day + 4 * H)
        .map(iso),
    ).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });

  it('makes 25 October 2026 in London (clocks back) one daily slice of 25 hours and 25 hourly slices', () => {
    const day = Date.UTC(2026, 9, 24, 23); // 00:00 BST
    const next = Date.UTC(2026, 9, 26); // 26 October 00:00 GMT
    expect(SliceGrid.of('Europe/London', 1440).boundaries(day, next + 1)).toEqual([day, next]);
    expect(SliceGrid.of('Europe/London', 60).count(day, next)).toBe(25);
    // Both occurrences of 01:00 and of 01:30 are boundaries: 50 half-hour slices.
    expect(SliceGrid.of('Europe/London', 30).count(day, next)).toBe(50);
    // The 2-hour slice holding the change (00:00–02:00 local) lasts three hours.
    expect(SliceGrid.of('Europe/London', 120).runs(day, day + 3 * H)).toEqual([
      { start: day, sliceMs: 3 * H, count: 1 },
    ]);
  });

  it('starts the day at the change where local midnight itself is skipped (Havana, 8 March 2026)', () => {
    const g = SliceGrid.of('America/Havana', 1440);
    // 8 March begins at 01:00 CDT (05:00 UTC), when 00:00 CST would have been; it lasts 23 hours.
    expect(g.boundaries(Date.UTC(2026, 2, 8), Date.UTC(2026, 2, 10)).map(iso)).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
  });

  it('puts hourly slices on the half hour in Kolkata and follows Lord Howe’s half-hour change', () => {
    expect(SliceGrid.of('Asia/Kolkata', 60).ceil(Date.UTC(2026, 0, 1))).toBe(Date.UTC(2026, 0, 1, 0, 30));
    // Lord Howe moves its clocks 30 minutes: 4 October 2026 local lasts 23.5 hours.
    const g = SliceGrid.of('Australia/Lord_Howe', 1440);
    const [a, b] = g.boundaries(Date.UTC(2026, 9, 3, 12), Date.UTC(2026, 9, 4, 14));
    expect((b! - a!) / H).toBe(23.5);
  });

  it('agrees with the definition, minute by minute, for every slice length in zones with DST changes', () => {
    const zones = [
      'Europe/London',
      'America/New_York',
      'America/Havana',
      'America/Santiago',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Africa/Casablanca',
      'UTC',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...SLICE_MINUTES),
        fc.integer({ min: 0, max: 364 }),
        (zone, minutes, day) => {
          const from = Date.UTC(2026, 0, 1) + day * D;
          const to = from + 2 * D;
          const g = SliceGrid.of(zone, minutes);
          const first = g.ceil(from);
          expect(g.boundaries(first, to)).toEqual(boundariesByDefinition(zone, minutes, first, to));
          expect(g.count(first, to)).toBe(g.boundaries(first, to).length);
          expect(g.floor(to - 1)).toBe(g.boundaries(first, to).at(-1));
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);
});

describe('timeslice objectives across DST (the calendar month of the issue)', () => {
  const london = { timeZone: 'Europe/London' };
  const daily = {
    budgetingMethod: 'timeslices' as const,
    timeSlice: { minutes: 1440, target: 0.99 },
    target: 95,
    window: { type: 'calendar' as const, unit: 'month' as const },
  };

  it('counts March 2026 in London as 31 daily slices, and a bad 31 March as 1 of them: 96.774%', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 2, 1);
    const end = Date.UTC(2026, 2, 31, 23); // 1 April 00:00 BST
    // 31 March local runs 30 March 23:00 UTC to 31 March 23:00 UTC: 90 of 100 per bucket, below 0.99.
    await fill(s, KEY, start, end, (t) => (t >= Date.UTC(2026, 2, 30, 23) ? [90, 100] : [100, 100]));
    const r = await evaluate(s, ctx(daily, london), end);
    expect(r.window).toMatchObject({ start: '2026-03-01T00:00:00.000Z', partial: false });
    expect(r.data.slices).toMatchObject({ good: 30, bad: 1, empty: 0, excluded: 0 });
    // 30/31 = 96.7741935…%, shown rounded down to six places.
    expect(r.compliance).toBe(96.774193);
    expect(r.measured).toEqual({ unit: 'slices', good: 30, total: 31 });
  });

  it('puts the last hour of 25 October 2026 (clocks back) in 25 October, not in 26 October', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 8, 30, 23); // 1 October 00:00 BST
    const end = Date.UTC(2026, 10, 1); // 1 November 00:00 GMT
    // 23:00–24:00 GMT on 25 October is the 25th hour of that local day.
    const bad = (t: number) => t >= Date.UTC(2026, 9, 25, 23) && t < Date.UTC(2026, 9, 26);
    await fill(s, KEY, start, end, (t) => (bad(t) ? [0, 100] : [100, 100]));
    const r = await evaluate(s, ctx(daily, london), end);
    expect(r.data.slices).toMatchObject({ good: 30, bad: 1, empty: 0 });
    const byDay = await evaluate(
      s,
      ctx({ ...daily, window: { type: 'rolling', days: 1 } }, london),
      Date.UTC(2026, 9, 26, 1),
    );
    // The rolling day [25 Oct 01:00, 26 Oct 01:00 UTC) holds no complete local day: nothing to judge yet.
    expect(byDay.data.slices).toMatchObject({ good: 0, bad: 0 });
  });

  it('counts 167 hourly slices in the New York week of the spring change', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 2, 2, 5); // Monday 2 March 00:00 EST
    const end = Date.UTC(2026, 2, 9, 4); // Monday 9 March 00:00 EDT
    await fill(s, KEY, start, end, () => [100, 100]);
    const r = await evaluate(
      s,
      ctx(
        {
          budgetingMethod: 'timeslices',
          timeSlice: { minutes: 60, target: 0.99 },
          window: { type: 'calendar', unit: 'week' },
        },
        { timeZone: 'America/New_York' },
      ),
      end,
    );
    expect(r.data.slices).toMatchObject({ good: 167, bad: 0, empty: 0, excluded: 0 });
  });
});

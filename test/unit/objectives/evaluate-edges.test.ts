import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { cumulativeLookup } from '../../../shared/domain/objectives/evaluate.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const now = Date.UTC(2026, 4, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const rolling30 = (target = 99) => ctx({ target, window: { type: 'rolling', days: 30 } });

describe('silence that began before the planned span', () => {
  const tier1 = ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }, { tier: 1 });

  it('counts the day of silence before a 30-day window as well: data that stopped 31 days ago is 44,640 minutes silent', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 40 * D, now - 31 * D, () => [1000, 1000]);
    const r = await evaluate(s, tier1, now);
    // The last bucket starts at now − 31 d − 5 min and ends at now − 31 d: 31 days × 1,440 minutes of silence.
    expect(r.data.silence).toEqual({ lastDataAt: iso(now - 31 * D - BUCKET_MS), silentMinutes: 31 * 1440 });
  });

  it('counts at most 400 days before the planned span: data that stopped 500 days ago is 430 days silent', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 510 * D, now - 500 * D, () => [1000, 1000]);
    const r = await evaluate(s, tier1, now);
    // 30 days of window plus the 400-day cap before it: 430 × 1,440 = 619,200 minutes.
    expect(r.data.silence).toEqual({ lastDataAt: iso(now - 500 * D - BUCKET_MS), silentMinutes: 619_200 });
    expect(r.status).toBe('breached');
  });
});

describe('the notes on windows that cannot judge', () => {
  it('lists only the burn-rate windows without events, not the one that judged', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now - 2 * H, () => [1000, 1000]);
    const r = await evaluate(s, rolling30(), now);
    expect(r.burnRates.map((b) => b.judgement)).toEqual(['no-events', 'no-events', 'not-firing']);
    expect(r.reasons).toEqual([
      'compliance 100% meets the 99% target with 100% of the budget left',
      'no events to judge page-fast (0 in 60 min, 0 in 5 min), page-slow (48000 in 360 min, 0 in 30 min): a burn-rate window without events says nothing',
    ]);
  });

  it('lists only the windows with too few events, not the one with enough (one event every 5 minutes)', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now, () => [1, 1]);
    const r = await evaluate(s, rolling30(), now);
    expect(r.burnRates.map((b) => b.judgement)).toEqual(['too-few-events', 'too-few-events', 'not-firing']);
    expect(r.reasons).toEqual([
      'compliance 100% meets the 99% target with 100% of the budget left',
      'traffic too low to judge page-fast (12 events in 60 min, 1 in 5 min), page-slow (72 events in 360 min, 6 in 30 min): each window needs 10 events',
    ]);
  });

  it('adds no note at all when every window has enough events', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now, () => [1000, 1000]);
    const r = await evaluate(s, rolling30(), now);
    expect(r.reasons).toEqual(['compliance 100% meets the 99% target with 100% of the budget left']);
  });
});

describe('a window with no counted time', () => {
  it('reports a coverage of 0, not a division by zero, for an office-hours objective over a weekend day', async () => {
    const sunday = Date.UTC(2026, 4, 3, 12);
    const office = {
      kind: 'calendar' as const,
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as 'mon'[], start: '09:00', end: '17:00' }],
      holidays: [],
    };
    const s = new MemoryRollupStore();
    await fill(s, KEY, sunday - 3 * D, sunday, () => [10, 10]);
    const r = await evaluate(
      s,
      ctx(
        { target: 99, window: { type: 'rolling', days: 1 }, supportedHoursOnly: true },
        { supportedHours: office },
      ),
      sunday,
    );
    expect(r.window.includedMinutes).toBe(0);
    expect(r.data).toEqual({ goodEvents: 0, totalEvents: 0, coverage: 0, empty: true, silence: null });
    expect(r.compliance).toBeNull();
  });
});

describe('the shape of a result', () => {
  it('has no slices key at all for an occurrences objective (a store that refuses undefined attributes sees none)', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now, () => [1000, 1000]);
    const r = await evaluate(s, rolling30(), now);
    expect(Object.keys(r.data).sort()).toEqual(['coverage', 'empty', 'goodEvents', 'silence', 'totalEvents']);
  });

  it('refuses to read a running total the plan did not ask for, naming the instant', () => {
    const c = { good: 1, total: 1, filled: 1, ratioSum: 0, count: 0, sum: 0 };
    const at = cumulativeLookup([1000, 2000], [c, c]);
    expect(at(2000)).toBe(c);
    expect(() => at(3000)).toThrow(new Error('running total at 3000 was not read; plan and read disagree'));
  });
});

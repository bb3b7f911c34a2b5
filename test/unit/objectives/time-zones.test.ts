import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { calendarPeriod, supportedIntervals, zonedToUtc } from '../../../shared/domain/objectives/time.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('calendar periods in the agreement’s time zone', () => {
  const cases = [
    {
      name: 'March in London is an hour short: it starts in GMT and ends in BST',
      unit: 'month',
      tz: 'Europe/London',
      at: Date.UTC(2026, 2, 15),
      start: '2026-03-01T00:00:00.000Z',
      end: '2026-03-31T23:00:00.000Z',
      hours: 31 * 24 - 1,
    },
    {
      name: 'October in London is an hour long: it starts in BST and ends in GMT',
      unit: 'month',
      tz: 'Europe/London',
      at: Date.UTC(2026, 9, 15),
      start: '2026-09-30T23:00:00.000Z',
      end: '2026-11-01T00:00:00.000Z',
      hours: 31 * 24 + 1,
    },
    {
      name: 'the New York week of the spring change has 167 hours',
      unit: 'week',
      tz: 'America/New_York',
      at: Date.UTC(2026, 2, 5),
      start: '2026-03-02T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
      hours: 167,
    },
    {
      name: 'a quarter in Tokyo starts at local midnight, the day before in UTC',
      unit: 'quarter',
      tz: 'Asia/Tokyo',
      at: Date.UTC(2026, 4, 1),
      start: '2026-03-31T15:00:00.000Z',
      end: '2026-06-30T15:00:00.000Z',
      hours: 91 * 24,
    },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const p = calendarPeriod(c.unit, c.at, c.tz);
      expect([iso(p.start), iso(p.end)]).toEqual([c.start, c.end]);
      expect((p.end - p.start) / H).toBe(c.hours);
    });
  }

  it('moves a wall time skipped by the spring change forward by the gap, as Temporal does', () => {
    // 01:30 on 29 March 2026 does not exist in London (01:00 GMT → 02:00 BST): it becomes 02:30 BST.
    expect(iso(zonedToUtc({ year: 2026, month: 3, day: 29 }, 90, 'Europe/London'))).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });

  it('maps a repeated wall time of the autumn change to its first occurrence', () => {
    // 01:30 on 25 October 2026 happens twice in London: first in BST (00:30 UTC), then in GMT.
    expect(iso(zonedToUtc({ year: 2026, month: 10, day: 25 }, 90, 'Europe/London'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('counts an event just before midnight local time in the month it happened locally', async () => {
    const s = new MemoryRollupStore();
    // 23:30 UTC on 31 March is 00:30 BST on 1 April: April's, not March's.
    await fill(s, KEY, Date.UTC(2026, 2, 31, 23, 30), Date.UTC(2026, 2, 31, 23, 35), () => [0, 100]);
    await fill(s, KEY, Date.UTC(2026, 2, 31, 12), Date.UTC(2026, 2, 31, 12, 5), () => [100, 100]);
    const c = ctx({ window: { type: 'calendar', unit: 'month' } }, { timeZone: 'Europe/London' });
    const march = await evaluate(s, c, Date.UTC(2026, 2, 31, 22, 55));
    expect(march.compliance).toBe(100);
    const april = await evaluate(s, c, Date.UTC(2026, 3, 1, 1, 0));
    expect(april.window.start).toBe('2026-03-31T23:00:00.000Z');
    expect(april.compliance).toBe(0);
  });
});

describe('supported hours', () => {
  const officeHours = {
    kind: 'calendar' as const,
    windows: [
      {
        days: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[],
        start: '09:00',
        end: '17:00',
      },
    ],
    holidays: ['2026-04-03'],
  };

  it('keeps 09:00–17:00 local across the DST change (08:00–16:00 UTC in summer time)', () => {
    const xs = supportedIntervals(officeHours, 'Europe/London', Date.UTC(2026, 2, 27), Date.UTC(2026, 2, 31));
    expect(xs.map((x) => [iso(x.start), iso(x.end)])).toEqual([
      ['2026-03-27T09:00:00.000Z', '2026-03-27T17:00:00.000Z'],
      ['2026-03-30T08:00:00.000Z', '2026-03-30T16:00:00.000Z'],
    ]);
  });

  it('skips holidays', () => {
    const xs = supportedIntervals(officeHours, 'Europe/London', Date.UTC(2026, 3, 2), Date.UTC(2026, 3, 4));
    expect(xs.map((x) => iso(x.start))).toEqual(['2026-04-02T08:00:00.000Z']);
  });

  it('counts only events inside supported hours when the objective says so', async () => {
    const s = new MemoryRollupStore();
    const day = Date.UTC(2026, 2, 27); // a Friday, GMT
    // All night-time buckets bad, office hours good.
    await fill(s, KEY, day - 24 * H, day + 24 * H, (t) => {
      const h = new Date(t).getUTCHours();
      return h >= 9 && h < 17 ? [100, 100] : [0, 100];
    });
    const only = ctx(
      { supportedHoursOnly: true },
      { timeZone: 'Europe/London', supportedHours: officeHours },
    );
    const r = await evaluate(s, only, day + 24 * H);
    expect(r.compliance).toBe(100);
    expect(r.window.includedMinutes).toBe(8 * 60);
    const all = await evaluate(
      s,
      ctx({}, { timeZone: 'Europe/London', supportedHours: officeHours }),
      day + 24 * H,
    );
    expect(all.compliance).toBeCloseTo((8 / 24) * 100, 5);
  });
});

describe('exception windows', () => {
  const now = Date.UTC(2026, 3, 2);
  async function withOutage(): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 24 * H, now, (t) =>
      t >= now - 4 * H && t < now - 3 * H ? [0, 100] : [100, 100],
    );
    return s;
  }
  const maintenance = (over: object = {}) => ({
    id: 'exc_1',
    agreementId: 'agr_0000000001',
    start: now - 4 * H,
    end: now - 3 * H,
    ...over,
  });

  it('excludes an approved maintenance window: its bad events do not count', async () => {
    const r = await evaluate(await withOutage(), ctx(), now, [maintenance()]);
    expect(r.compliance).toBe(100);
    expect(r.window).toMatchObject({ includedMinutes: 23 * 60, excludedMinutes: 60 });
  });

  it('widens a window that cuts a bucket to the whole bucket', async () => {
    const r = await evaluate(await withOutage(), ctx(), now, [
      maintenance({ start: now - 4 * H + 60_000, end: now - 3 * H - 60_000 }),
    ]);
    expect(r.window.excludedMinutes).toBe(60);
    expect(r.compliance).toBe(100);
  });

  it('applies a window scoped to one objective to that objective only', async () => {
    const s = await withOutage();
    const other = await evaluate(s, ctx({ id: 'latency' }), now, [maintenance({ objectiveId: 'avail' })]);
    expect(other.compliance).toBeCloseTo((23 / 24) * 100, 5);
    const same = await evaluate(s, ctx(), now, [maintenance({ objectiveId: 'avail' })]);
    expect(same.compliance).toBe(100);
  });

  it('ignores another agreement’s windows', async () => {
    const r = await evaluate(await withOutage(), ctx(), now, [
      maintenance({ agreementId: 'agr_0000000002' }),
    ]);
    expect(r.window.excludedMinutes).toBe(0);
  });
});

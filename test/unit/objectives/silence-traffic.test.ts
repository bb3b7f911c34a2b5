import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a silent outage is not healthy', () => {
  const now = Date.UTC(2026, 4, 1);
  const tier1 = ctx({ target: 99.9, window: { type: 'rolling', days: 30 } }, { tier: 1 });
  async function silentFor(ms: number): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now - ms, () => [1000, 1000]);
    return s;
  }

  it('breaches a tier-1 objective perfect for 29 days and then silent for 24 hours, saying since when', async () => {
    const r = await evaluate(await silentFor(D), tier1, now);
    expect(r.compliance).toBe(100);
    expect(r.data.silence).toEqual({ lastDataAt: iso(now - D - BUCKET_MS), silentMinutes: 1440 });
    expect(r.status).toBe('breached');
    expect(r.reasons[0]).toBe(
      `no data since ${iso(now - D)}: 24 h of counted time without any data (tier 1: at risk after 2 h, breached after 12 h); a silent outage is not healthy (breached by no data)`,
    );
  });

  it('says the burn-rate windows without events cannot judge anything', async () => {
    const r = await evaluate(await silentFor(D), tier1, now);
    expect(r.burnRates.map((b) => [b.name, b.judgement, b.long.events, b.short.events])).toEqual([
      ['page-fast', 'no-events', 0, 0],
      ['page-slow', 'no-events', 0, 0],
      ['ticket', 'no-events', 2 * 288 * 1000, 0],
    ]);
    expect(r.reasons).toContain(
      'no events to judge page-fast (0 in 60 min, 0 in 5 min), page-slow (0 in 360 min, 0 in 30 min), ticket (576000 in 4320 min, 0 in 360 min): a burn-rate window without events says nothing',
    );
  });

  it('puts a tier-1 objective at risk after 3 hours of silence, and leaves it healthy after 1 hour', async () => {
    const three = await evaluate(await silentFor(3 * H), tier1, now);
    expect(three.status).toBe('at-risk');
    expect(three.reasons[0]).toMatch(/^no data since 2026-04-30T21:00:00.000Z: 3 h of counted time/);
    const one = await evaluate(await silentFor(H), tier1, now);
    expect(one.status).toBe('healthy');
    expect(one.data.silence).toBeNull();
  });

  it('follows the tier: the same 24-hour silence is only at risk for tier 3 (breached after 48 h)', async () => {
    const r = await evaluate(await silentFor(D), ctx(tier1.objective, { tier: 3 }), now);
    expect(r.status).toBe('at-risk');
    expect(r.reasons[0]).toContain('tier 3: at risk after 12 h, breached after 48 h');
  });

  it('breaches by no data even when the whole window has gone silent, and stays unknown when data never came', async () => {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 40 * D, now - 31 * D, () => [1000, 1000]);
    const gone = await evaluate(s, tier1, now);
    expect(gone.compliance).toBeNull();
    expect(gone.status).toBe('breached');
    expect(gone.reasons[0]).toMatch(/^no data since 2026-03-31T00:00:00.000Z/);
    const never = await evaluate(new MemoryRollupStore(), tier1, now);
    expect(never.status).toBe('unknown');
    expect(never.reasons[0]).toBe(
      'no data in the window: compliance is unknown (no data is not 100%); no data has ever arrived for svc_pay/availability',
    );
  });

  it('counts only supported hours as silence: a weekend without data is not an outage of an office-hours objective', async () => {
    const s = new MemoryRollupStore();
    const friday = Date.UTC(2026, 2, 27); // London, GMT
    const monday = Date.UTC(2026, 2, 30); // BST from Sunday
    await fill(s, KEY, friday - 7 * D, friday + 17 * H, () => [100, 100]);
    const officeHours = {
      kind: 'calendar' as const,
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as 'mon'[], start: '09:00', end: '17:00' }],
      holidays: [],
    };
    const r = await evaluate(
      s,
      ctx(
        { target: 99, window: { type: 'rolling', days: 7 }, supportedHoursOnly: true },
        { tier: 1, timeZone: 'Europe/London', supportedHours: officeHours },
      ),
      monday + 8 * H + 30 * MIN, // 09:30 BST
    );
    expect(r.data.silence).toEqual({ lastDataAt: iso(friday + 17 * H - BUCKET_MS), silentMinutes: 30 });
    expect(r.status).toBe('healthy');
  });

  it('does not count time inside an approved exception window as silence', async () => {
    const r = await evaluate(await silentFor(D), tier1, now, [
      { id: 'exc_1', agreementId: 'agr_0000000001', start: now - D, end: now - 30 * MIN },
    ]);
    expect(r.data.silence).toMatchObject({ silentMinutes: 30 });
    expect(r.status).not.toBe('breached');
  });
});

describe('low traffic does not page', () => {
  /**
   * The case: rolling 30 days, 99%, one request an hour, and the request five minutes ago failed.
   * 720 requests, 1 bad: 7.2 bad allowed, 1 spent, 86.11% left. Every window holds fewer than ten events
   * (1 in the hour, 6 in 6 hours, 6 in the ticket's 6-hour short window) and so does the 6-hour look-back.
   */
  const now = Date.UTC(2026, 4, 1);
  async function hourly(): Promise<MemoryRollupStore> {
    const s = new MemoryRollupStore();
    await fill(s, KEY, now - 30 * D, now, (t) =>
      (now - BUCKET_MS - t) % H !== 0 ? null : t === now - BUCKET_MS ? [0, 1] : [1, 1],
    );
    return s;
  }

  it('fires no burn-rate alert and forecasts nothing on one failed request of one an hour', async () => {
    const r = await evaluate(await hourly(), ctx({ target: 99, window: { type: 'rolling', days: 30 } }), now);
    expect(r.measured).toEqual({ unit: 'events', good: 719, total: 720 });
    expect(r.budget).toMatchObject({ total: 7.2, consumed: 1, remainingRatio: 0.861111 });
    expect(r.burnRates.map((b) => [b.name, b.judgement, b.firing])).toEqual([
      ['page-fast', 'too-few-events', false],
      ['page-slow', 'too-few-events', false],
      ['ticket', 'too-few-events', false],
    ]);
    expect(r.forecast).toMatchObject({
      basis: 'too-few-events',
      lookbackEvents: 6,
      breachAt: null,
      breachLikely: false,
      timeToExhaustionMinutes: null,
      projectedCompliance: null,
    });
    expect(r.reasons).toContain(
      'traffic too low to judge page-fast (1 events in 60 min, 1 in 5 min), page-slow (6 events in 360 min, 1 in 30 min), ticket (72 events in 4320 min, 6 in 360 min): each window needs 10 events',
    );
    expect(r.reasons).toContain('traffic too low to forecast: 6 events in the 360-min look-back (10 needed)');
    expect(r.reasons.join(' ')).not.toMatch(/burn rate .* exceed|budget runs out/);
  });

  it('pages as before once each window holds enough events', async () => {
    const s = new MemoryRollupStore();
    // Ten requests per bucket, the last hour all failing: the gate is met and the page fires.
    await fill(s, KEY, now - 30 * D, now, (t) => (t >= now - H ? [0, 10] : [10, 10]));
    const r = await evaluate(s, ctx({ target: 99, window: { type: 'rolling', days: 30 } }), now);
    expect(r.burnRates[0]).toMatchObject({ name: 'page-fast', judgement: 'firing', firing: true });
    expect(r.forecast!.basis).toBe('trend');
  });
});

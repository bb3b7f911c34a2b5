import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { computeCredit, creditInputOf } from '../../../shared/domain/objectives/credits.js';
import {
  cmp,
  decimalString,
  exact,
  floorDecimals,
  meetsRatio,
  ratio,
  sub,
} from '../../../shared/domain/objectives/exact.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate, fill } from './helpers.js';

const KEY = 'svc_pay/availability';
const H = 3_600_000;
const D = 24 * H;

describe('exact arithmetic', () => {
  it('reads a number as the decimal it prints as, so 1 − 99.9/100 is exactly 1/1000', () => {
    expect(1 - 99.9 / 100).not.toBe(0.001); // the binary artefact this module exists for
    expect(cmp(sub(exact(1), ratio(99.9, 100)), ratio(1, 1000))).toBe(0);
    expect(exact(1.5e-7)).toEqual({ n: 15n, d: 100_000_000n });
    expect(exact(-2.5)).toEqual({ n: -25n, d: 10n });
  });

  it('rounds down for display and writes decimals exactly, marking the ones that do not end', () => {
    expect(floorDecimals(ratio(247_499_999 * 100, 250_000_000), 6)).toBe(98.999999);
    expect(decimalString(ratio(247_499_999 * 100, 250_000_000))).toBe('98.9999996');
    expect(decimalString(ratio(1, 3), 4)).toBe('0.3333…');
  });

  it('meets a slice target at exactly the target, and misses it by one event in ten million', () => {
    expect(meetsRatio(999, 1000, 0.999)).toBe(true);
    expect(meetsRatio(9_989_999, 10_000_000, 0.999)).toBe(false);
    expect(meetsRatio(7, 10, 0.7)).toBe(true);
    expect(meetsRatio(6_999_999, 10_000_000, 0.7)).toBe(false);
  });
});

describe('decisions on exact figures', () => {
  const now = Date.UTC(2026, 4, 1);

  it('credits 25%, not 10%, for 2,500,001 bad of 250,000,000 events (98.9999996%), and shows that figure', async () => {
    const s = new MemoryRollupStore();
    const start = Date.UTC(2026, 3, 1);
    const buckets = (30 * D) / BUCKET_MS; // 8,640
    // 250,000,000 events and 2,500,001 bad spread over April's buckets, the remainders in the first.
    const per = Math.floor(250_000_000 / buckets);
    const badPer = Math.floor(2_500_001 / buckets);
    await fill(s, KEY, start, start + 30 * D, (t) => {
      const first = t === start;
      const total = per + (first ? 250_000_000 - per * buckets : 0);
      const bad = badPer + (first ? 2_500_001 - badPer * buckets : 0);
      return [total - bad, total];
    });
    const month = await evaluate(
      s,
      ctx({ target: 99.9, window: { type: 'calendar', unit: 'month' } }),
      start + 30 * D,
    );
    expect(month.measured).toEqual({ unit: 'events', good: 247_499_999, total: 250_000_000 });
    // Shown rounded down: never 99, which it is not.
    expect(month.compliance).toBe(98.999999);
    const credit = computeCredit(
      {
        currency: 'EUR',
        monthlyCharge: 2000,
        tiers: [
          { belowPercent: 99.9, creditPercent: 10 },
          { belowPercent: 99.0, creditPercent: 25 },
        ],
        capPercent: 100,
      },
      creditInputOf('avail', month),
    );
    expect([credit.creditPercent, credit.amount]).toEqual([25, 500]);
    expect(credit.complianceExact).toBe('98.9999996');
    expect(credit.coverage).toBe(1);
    expect(credit.steps[0]).toMatchObject({
      result: '98.9999996',
      calculation:
        "objective avail, 2026-04-01T00:00:00.000Z to 2026-05-01T00:00:00.000Z: 247,499,999 good of 250,000,000 events = 98.9999996%; resting on 100% of the period's counted time with data",
    });
    expect(credit.steps[1]!.calculation).toBe('98.9999996 < 99 → yes (25%); 98.9999996 < 99.9 → yes (10%)');
  });

  // The page-fast alert (14.4x over 1 h and 5 min) at exactly its threshold, for each target: 1,000,000
  // events per bucket, 14.4 × (1 − target) of them bad. `>` as the SRE Workbook writes it: exactly at the
  // threshold does not page, one more bad event does, whatever 1 − target is in binary.
  const targets = [
    { target: 99, bad: 144_000 },
    { target: 99.5, bad: 72_000 },
    { target: 99.9, bad: 14_400 },
    { target: 99.95, bad: 7_200 },
    { target: 99.99, bad: 1_440 },
  ];
  for (const c of targets) {
    it(`does not page at exactly 14.4x for a ${c.target}% target, and pages one bad event above it`, async () => {
      const objective = ctx({ target: c.target, window: { type: 'rolling', days: 30 } });
      const s = new MemoryRollupStore();
      const perBucket = c.bad;
      await fill(s, KEY, now - 30 * D, now, (t) =>
        t >= now - H ? [1_000_000 - perBucket, 1_000_000] : [1_000_000, 1_000_000],
      );
      const at = await evaluate(s, objective, now);
      expect(at.burnRates[0]).toMatchObject({
        name: 'page-fast',
        long: { burnRate: 14.4 },
        short: { burnRate: 14.4 },
        judgement: 'not-firing',
      });
      await fill(s, KEY, now - BUCKET_MS, now, () => [-1, 0]);
      const above = await evaluate(s, objective, now);
      expect(above.burnRates[0]).toMatchObject({ judgement: 'firing', firing: true });
    });
  }

  it('agrees at exactly the target: the budget is spent, the forecast says so now, the status is at risk, not breached', async () => {
    const s = new MemoryRollupStore();
    // Rolling 1 day, 99%: 288 buckets of 100 events with 1 bad each: 99% exactly.
    await fill(s, KEY, now - D, now, () => [99, 100]);
    const r = await evaluate(s, ctx({ target: 99 }), now);
    expect(r.compliance).toBe(99);
    expect(r.budget).toMatchObject({ total: 288, consumed: 288, remaining: 0, remainingRatio: 0 });
    expect(r.forecast).toMatchObject({ breachAt: r.evaluatedAt, timeToExhaustionMinutes: 0 });
    expect(r.status).toBe('at-risk');
    expect(r.reasons[0]).toBe(
      'the error budget is exactly spent: compliance 99% meets the 99% target, and any further bad event breaches it',
    );
    // One bad event more is a breach; one fewer is not spent.
    await fill(s, KEY, now - BUCKET_MS, now, () => [-1, 0]);
    expect((await evaluate(s, ctx({ target: 99 }), now)).status).toBe('breached');
    await fill(s, KEY, now - BUCKET_MS, now, () => [2, 0]);
    const under = await evaluate(s, ctx({ target: 99 }), now);
    expect(under.forecast!.breachAt).not.toBe(under.evaluatedAt);
    expect(under.budget!.remainingRatio).toBeGreaterThan(0);
  });

  it('is not at risk with exactly the tier’s share of the budget left (25% for tier 3)', async () => {
    const s = new MemoryRollupStore();
    // 28,800 events, 1% allowed = 288; 216 bad leaves 72 = 25% exactly.
    await fill(s, KEY, now - D, now, (t) => (t < now - D + 216 * BUCKET_MS ? [99, 100] : [100, 100]));
    const r = await evaluate(s, ctx({ target: 99 }), now);
    expect(r.budget!.remainingRatio).toBe(0.25);
    expect(r.status).toBe('healthy');
  });

  it('is not at risk for coverage at exactly the tier’s minimum (80% for tier 3)', async () => {
    const s = new MemoryRollupStore();
    // 288 buckets in the day, 230.4 would be 80%: use a 5-day window, 1,440 buckets, 1,152 with data.
    await fill(s, KEY, now - 5 * D, now, (t) => (((t - now) / BUCKET_MS) % 5 === 0 ? null : [100, 100]));
    const r = await evaluate(s, ctx({ target: 99, window: { type: 'rolling', days: 5 } }), now);
    expect(r.data.coverage).toBe(0.8);
    expect(r.status).toBe('healthy');
  });
});

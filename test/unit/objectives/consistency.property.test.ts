/**
 * Property test for issue 10, items 1–4: for random slice streams (gaps, bad stretches, low traffic and a
 * silent tail), compliance, the budget consumed and the status never contradict each other, whatever the
 * budgeting method, the empty-slice rule, the target, the tier or the window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { cmp, exact, mul, ratio } from '../../../shared/domain/objectives/exact.js';
import { SliceGrid } from '../../../shared/domain/objectives/slices.js';
import { DEFAULT_TIER_DEFAULTS } from '../../../shared/policy/objectives.js';
import { BUCKET_MS } from '../../../shared/ports/rollups.js';
import { ctx, evaluate } from './helpers.js';

const KEY = 'svc_pay/availability';
const D = 86_400_000;
const NOW = Date.UTC(2026, 2, 12, 7, 35); // a Thursday, after the New York spring change

const segment = fc.record({
  buckets: fc.integer({ min: 1, max: 120 }),
  kind: fc.constantFrom('none', 'good', 'good', 'good', 'rare', 'mixed', 'bad', 'sparse'),
  total: fc.integer({ min: 1, max: 400 }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

const scenario = fc.record({
  method: fc.constantFrom('occurrences', 'timeslices', 'ratio-timeslices'),
  emptySlices: fc.constantFrom('excluded', 'good', 'bad'),
  sliceMinutes: fc.constantFrom(5, 15, 60),
  sliceTarget: fc.constantFrom(0.9, 0.99, 1),
  target: fc.constantFrom(90, 95, 99, 99.5, 99.9, 99.95),
  tier: fc.integer({ min: 1, max: 4 }),
  window: fc.constantFrom('rolling-1', 'rolling-2', 'week'),
  timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata'),
  segments: fc.array(segment, { minLength: 1, maxLength: 14 }),
  silentBuckets: fc.constantFrom(0, 0, 0, 0, 0, 10, 30, 150, 300, 700),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function streamOf(s: Scenario): Promise<MemoryRollupStore> {
  const store = new MemoryRollupStore();
  const end = NOW - (NOW % BUCKET_MS) - s.silentBuckets * BUCKET_MS;
  const deltas = [];
  let t = end;
  for (const seg of [...s.segments].reverse()) {
    for (let i = 0; i < seg.buckets; i++) {
      t -= BUCKET_MS;
      const k = (seg.seed + i * 7919) % 1000;
      let good: number;
      let total = seg.total;
      if (seg.kind === 'none') continue;
      if (seg.kind === 'sparse') {
        if (k % 12 !== 0) continue;
        total = 1;
        good = k % 5 === 0 ? 0 : 1;
      } else if (seg.kind === 'good') good = total;
      else if (seg.kind === 'bad') good = Math.floor(total / 3);
      else if (seg.kind === 'rare') good = total - (k % 200 === 0 ? 1 : 0);
      else good = total - (k % 3 === 0 ? 1 : 0);
      deltas.push({ sliKey: KEY, bucketStart: t, good, total, count: 0, sum: 0, min: 0, max: 0 });
    }
  }
  await store.add(deltas);
  return store;
}

describe('compliance, budget and status agree on random slice streams', () => {
  it('never contradict each other', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const c = ctx(
          {
            target: s.target,
            budgetingMethod: s.method,
            window:
              s.window === 'week'
                ? { type: 'calendar', unit: 'week' }
                : { type: 'rolling', days: s.window === 'rolling-1' ? 1 : 2 },
            ...(s.method === 'occurrences'
              ? {}
              : {
                  timeSlice: { minutes: s.sliceMinutes, target: s.sliceTarget, emptySlices: s.emptySlices },
                }),
          },
          { tier: s.tier, timeZone: s.timeZone },
        );
        const r = await evaluate(await streamOf(s), c, NOW);
        const tier = DEFAULT_TIER_DEFAULTS[String(s.tier) as '1']!;
        const silent = r.data.silence?.silentMinutes ?? 0;
        const silentBreach = tier.noDataBreachedMinutes !== null && silent >= tier.noDataBreachedMinutes;
        const silentRisk = silent >= tier.noDataAtRiskMinutes;
        const complete = !r.window.partial;

        // One population: compliance, budget and measured are there together or not at all.
        expect(r.compliance === null).toBe(r.measured === null);
        expect(r.budget === null).toBe(r.measured === null);
        if (r.measured) {
          const { good, total } = r.measured;
          expect(total).toBeGreaterThan(0);
          const compliance = ratio(good, total);
          const t = ratio(s.target, 100);
          const below = cmp(compliance, t) < 0;
          // Shown compliance is the exact one rounded down: never on the wrong side of the target.
          expect(r.compliance! >= s.target).toBe(!below);
          expect(r.budget!.consumed).toBeCloseTo(total - good, 2);
          expect(r.budget!.consumedRatio + r.budget!.remainingRatio).toBeCloseTo(1, 9);
          if (complete) {
            // Complete window: the budget is (1 − target) of the same population.
            expect(r.budget!.total).toBeCloseTo((1 - s.target / 100) * total, 2);
            const exceeded = below;
            const spent = cmp(compliance, t) <= 0;
            expect(r.status === 'breached').toBe(exceeded || silentBreach);
            expect(r.forecast!.breachAt === r.evaluatedAt).toBe(spent);
            expect(r.forecast!.timeToExhaustionMinutes === 0).toBe(spent);
            if (spent && !exceeded) expect(r.status).not.toBe('healthy');
          } else if (r.status === 'breached') {
            expect(r.budget!.remainingRatio < 0 || silentBreach).toBe(true);
          }
          if (s.method !== 'occurrences') {
            const sl = r.data.slices!;
            expect(r.measured.unit).toBe('slices');
            expect(total).toBe(s.emptySlices === 'excluded' ? sl.good + sl.bad : sl.good + sl.bad + sl.empty);
            if (s.method === 'timeslices') {
              expect(good).toBe(s.emptySlices === 'good' ? sl.good + sl.empty : sl.good);
            }
          }
        } else {
          expect(r.status === 'healthy').toBe(false);
          expect(['unknown', 'at-risk', 'breached']).toContain(r.status);
          // Without figures, only silence or a firing burn-rate alert (events, before any slice completes)
          // makes the status more than unknown.
          if (r.status !== 'unknown') expect(r.reasons[0]).toMatch(/^(no data since |burn rate )/);
        }
        if (r.data.slices) {
          const sl = r.data.slices;
          const grid = SliceGrid.of(s.timeZone, s.sliceMinutes);
          const from = grid.ceil(Date.parse(r.window.start));
          const to = Math.max(from, grid.floor(Date.parse(r.window.end)));
          expect(sl.good + sl.bad + sl.empty + sl.excluded).toBe(grid.count(from, to));
        }

        // A silent outage is never healthy; nor is an empty window.
        if (silentRisk) expect(r.status).not.toBe('healthy');
        if (silentBreach) expect(r.status).toBe('breached');
        if (r.data.empty) expect(r.status).not.toBe('healthy');

        // Low traffic does not page: an alert fires only on windows with enough events, and then the
        // status says so.
        for (const b of r.burnRates) {
          if (b.firing) {
            expect(b.long.events).toBeGreaterThanOrEqual(10);
            expect(b.short.events).toBeGreaterThanOrEqual(10);
            expect(['at-risk', 'breached']).toContain(r.status);
          }
          if (b.long.events === 0 || b.short.events === 0) expect(b.judgement).toBe('no-events');
        }
        if (r.forecast) {
          expect(r.forecast.basis === 'trend').toBe(r.forecast.lookbackEvents >= 10);
          if (r.forecast.basis === 'too-few-events') expect(r.forecast.projectedCompliance).toBeNull();
          if (r.forecast.breachAt || r.forecast.breachLikely) expect(r.status).not.toBe('healthy');
        }

        // Healthy means nothing above holds, decided on the exact figures.
        if (r.status === 'healthy') {
          expect(r.measured).not.toBeNull();
          expect(r.budget!.remainingRatio).toBeGreaterThanOrEqual(tier.atRiskBudgetRemaining);
          expect(r.data.coverage).toBeGreaterThanOrEqual(tier.minCoverage);
          const exactRemaining = mul(exact(r.budget!.remainingRatio), { n: 1n, d: 1n });
          expect(cmp(exactRemaining, exact(0))).toBeGreaterThan(0);
        }
      }),
      { numRuns: 250 },
    );
  }, 60_000);

  it('agree at exactly the target, and one bad event past it is a breach, for every target, tier and window', async () => {
    const bad = { 90: 200, 95: 100, 99: 20, 99.5: 10, 99.9: 2, 99.95: 1 } as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(90, 95, 99, 99.5, 99.9, 99.95),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(1, 2, 7),
        async (target, tier, days) => {
          // Every bucket of the window holds 2,000 events, exactly (1 − target) of them bad.
          const store = new MemoryRollupStore();
          const now = NOW - (NOW % BUCKET_MS);
          const deltas = [];
          for (let t = now - days * D; t < now; t += BUCKET_MS) {
            const b = bad[target as keyof typeof bad];
            deltas.push({
              sliKey: KEY,
              bucketStart: t,
              good: 2000 - b,
              total: 2000,
              count: 0,
              sum: 0,
              min: 0,
              max: 0,
            });
          }
          await store.add(deltas);
          const c = ctx({ target, window: { type: 'rolling', days } }, { tier });
          const at = await evaluate(store, c, now);
          expect(at.compliance).toBe(target);
          expect(at.budget!.remainingRatio).toBe(0);
          expect(at.status).toBe('at-risk');
          expect(at.forecast).toMatchObject({ breachAt: at.evaluatedAt, timeToExhaustionMinutes: 0 });
          await store.add([{ ...deltas.at(-1)!, good: -1, total: 0 }]);
          const past = await evaluate(store, c, now);
          expect(past.status).toBe('breached');
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});

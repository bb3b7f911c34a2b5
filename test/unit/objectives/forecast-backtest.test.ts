import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { BUCKET_MS, type RollupDelta } from '../../../shared/ports/rollups.js';
import { ctx, evaluate } from './helpers.js';

/**
 * Back-test of the breach forecast on synthetic months. Each series is one calendar month (April 2026, UTC)
 * of 5-minute buckets with 1,000 events each: a base error rate, possibly a lasting degradation from a random
 * day, and short incidents. At days 10, 15, 20 and 25 the forecast says whether the month will end below its
 * 99.9% target; the truth is the month's final compliance. Checkpoints already breached (the month's budget
 * spent) are left out: they need no forecast. The figures are reported in docs/objectives.md.
 */
const START = Date.UTC(2026, 3, 1);
const DAYS = 30;
const BUCKETS = (DAYS * 86_400_000) / BUCKET_MS;
const SERIES = 96;
const CHECKPOINTS = [10, 15, 20, 25];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  forecastBreach: boolean;
  trendBreach: boolean;
  naiveBreach: boolean;
  actualBreach: boolean;
}

async function backTest(): Promise<Outcome[]> {
  const rand = prng(7);
  const store = new MemoryRollupStore();
  const finals: boolean[] = [];
  for (let s = 0; s < SERIES; s++) {
    const key = `svc_bt-${s}/availability`;
    const base = rand() * 0.0012;
    const degradeAt = rand() < 0.5 ? Math.floor(rand() * BUCKETS) : BUCKETS;
    const degraded = base + rand() * 0.003;
    const deltas: RollupDelta[] = [];
    let bad = 0;
    let incident = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (incident === 0 && rand() < 0.0004) incident = 1 + Math.floor(rand() * 12);
      const rate = incident > 0 ? 0.1 : i >= degradeAt ? degraded : base;
      if (incident > 0) incident--;
      const b = Math.min(1000, Math.round(1000 * rate * (0.5 + rand())));
      bad += b;
      deltas.push({
        sliKey: key,
        bucketStart: START + i * BUCKET_MS,
        good: 1000 - b,
        total: 1000,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      });
    }
    await store.add(deltas);
    finals.push(bad / (BUCKETS * 1000) > 0.001);
  }
  const out: Outcome[] = [];
  for (let s = 0; s < SERIES; s++) {
    const c = ctx(
      { target: 99.9, window: { type: 'calendar', unit: 'month' } },
      { serviceId: `svc_bt-${s}` },
    );
    for (const day of CHECKPOINTS) {
      const r = await evaluate(store, c, START + day * 86_400_000);
      if (r.status === 'breached') continue;
      out.push({
        forecastBreach: r.forecast?.breachLikely === true,
        trendBreach: r.forecast?.breachAt !== null && r.forecast?.breachAt !== undefined,
        naiveBreach: r.compliance !== null && r.compliance < 99.9,
        actualBreach: finals[s]!,
      });
    }
  }
  return out;
}

function score(xs: readonly Outcome[], pick: (o: Outcome) => boolean) {
  const tp = xs.filter((o) => pick(o) && o.actualBreach).length;
  const fp = xs.filter((o) => pick(o) && !o.actualBreach).length;
  const fn = xs.filter((o) => !pick(o) && o.actualBreach).length;
  return {
    accuracy: (xs.length - fp - fn) / xs.length,
    precision: tp / Math.max(1, tp + fp),
    recall: tp / Math.max(1, tp + fn),
    n: xs.length,
  };
}

describe('the breach forecast, back-tested on synthetic months', () => {
  it('calls the month’s outcome right at least 85% of the time, better than the bare trend or the month so far', async () => {
    const outcomes = await backTest();
    const model = score(outcomes, (o) => o.forecastBreach);
    const trend = score(outcomes, (o) => o.trendBreach);
    const naive = score(outcomes, (o) => o.naiveBreach);
    const none = score(outcomes, () => false);
    if (process.env.BACKTEST_VERBOSE) console.log({ model, trend, naive, none });
    expect(outcomes.length).toBeGreaterThan(200);
    // Measured: 89.7% (precision 0.90, recall 0.90); bare trend 83.8%; "below target so far" 84.1%; none 48.8%.
    expect(model.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(model.accuracy).toBeGreaterThan(trend.accuracy);
    expect(model.accuracy).toBeGreaterThan(naive.accuracy);
    expect(model.accuracy).toBeGreaterThan(none.accuracy);
    expect(model.recall).toBeGreaterThan(0.8);
    // 384 evaluations over 96 loaded months: seconds on a shared 2-core machine (no speed is asserted here).
  }, 60_000);
});

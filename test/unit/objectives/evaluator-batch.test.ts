/**
 * `evaluateMany` reads the slice counts of every timeslice objective of a run in one batched request and hands
 * each objective its own share of the answer. These tests put several timeslice objectives on different SLIs in
 * one run, after an occurrences objective (which asks for no slice counts), and check each is judged on its own
 * slices: the same result as when it is evaluated alone, with hand-counted figures.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { ObjectiveContext } from '../../../shared/domain/objectives/types.js';
import { evaluateMany } from '../../../shared/usecases/objectives/evaluator.js';
import { ctx, evaluate, fill, SETTINGS } from './helpers.js';

const H = 3_600_000;
/** 1 May 2026, 00:00 UTC: the rolling day is the whole of 30 April. */
const now = Date.UTC(2026, 4, 1);

/** An objective of service `serviceId` over one rolling day: hourly slices, good at 99% of requests, 90% of them. */
const hourly = (serviceId: string, id: string): ObjectiveContext =>
  ctx(
    {
      id,
      target: 90,
      window: { type: 'rolling', days: 1 },
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 60, target: 0.99 },
    },
    { serviceId },
  );

async function store(): Promise<MemoryRollupStore> {
  const s = new MemoryRollupStore();
  // svc_a: every 5-minute bucket of the day 10 of 10 good: 24 good hourly slices of 24.
  await fill(s, 'svc_a/availability', now - 24 * H, now, () => [10, 10]);
  // svc_b: the first 6 hours 0 of 10 good, the other 18 hours 10 of 10: 18 good slices of 24 (75%).
  await fill(s, 'svc_b/availability', now - 24 * H, now, (t) => (t < now - 18 * H ? [0, 10] : [10, 10]));
  // svc_c: the last 3 hours 5 of 10 good, the rest 10 of 10: 21 good slices of 24 (87.5%).
  await fill(s, 'svc_c/availability', now - 24 * H, now, (t) => (t >= now - 3 * H ? [5, 10] : [10, 10]));
  return s;
}

describe('a run of several timeslice objectives', () => {
  it('judges each timeslice objective of a run on its own SLI’s slices', async () => {
    const s = await store();
    const occurrences = ctx({ id: 'requests', target: 99 }, { serviceId: 'svc_a' });
    const [occ, a, b, c] = await evaluateMany(
      s,
      [occurrences, hourly('svc_a', 'a'), hourly('svc_b', 'b'), hourly('svc_c', 'c')],
      new Map(),
      now,
      SETTINGS,
    );
    expect(occ!.compliance).toBe(100);
    expect(a!.data.slices).toMatchObject({ good: 24, bad: 0, empty: 0 });
    expect(a!.compliance).toBe(100);
    expect(b!.data.slices).toMatchObject({ good: 18, bad: 6, empty: 0 });
    expect(b!.compliance).toBe(75);
    expect(b!.status).toBe('breached');
    expect(c!.data.slices).toMatchObject({ good: 21, bad: 3, empty: 0 });
    expect(c!.compliance).toBe(87.5);
  });

  it('gives each objective of a run the result it has when evaluated alone, in whatever order the run lists them', async () => {
    const s = await store();
    const alone = {
      a: await evaluate(s, hourly('svc_a', 'a'), now),
      b: await evaluate(s, hourly('svc_b', 'b'), now),
      c: await evaluate(s, hourly('svc_c', 'c'), now),
    };
    const [c, b, a] = await evaluateMany(
      s,
      [hourly('svc_c', 'c'), hourly('svc_b', 'b'), hourly('svc_a', 'a')],
      new Map(),
      now,
      SETTINGS,
    );
    expect(a).toEqual(alone.a);
    expect(b).toEqual(alone.b);
    expect(c).toEqual(alone.c);
  });
});

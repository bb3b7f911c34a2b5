import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { proposeBaseline } from '../../../shared/domain/objectives/baseline.js';
import { planEvaluation } from '../../../shared/domain/objectives/evaluate.js';
import {
  SLICE_MINUTES,
  SliceGrid,
  UnsupportedSliceLengthError,
} from '../../../shared/domain/objectives/slices.js';
import { Objective } from '../../../shared/schemas/agreement.js';
import { BaselineBody } from '../../../shared/schemas/objectives.js';
import { evaluateMany } from '../../../shared/usecases/objectives/evaluator.js';
import { contact, ctx, fill, SETTINGS } from './helpers.js';

const KEY = 'svc_pay/availability';
const H = 3_600_000;
const now = Date.UTC(2026, 4, 1);

const objective = (minutes: number) => ({
  id: 'avail',
  name: 'Availability',
  sli: { type: 'availability' },
  target: 99,
  window: { type: 'rolling', days: 1 },
  budgetingMethod: 'timeslices',
  timeSlice: { minutes, target: 0.99 },
  owner: contact,
  customerContact: contact,
});

describe('every slice length a contract can name works or is refused, everywhere', () => {
  it('lists the lengths that divide a day in whole 5-minute buckets', () => {
    expect(SLICE_MINUTES).toEqual([
      5, 10, 15, 20, 30, 40, 45, 60, 80, 90, 120, 160, 180, 240, 360, 480, 720, 1440,
    ]);
  });

  it('accepts each of those in the schema', () => {
    for (const m of SLICE_MINUTES) expect(Objective.safeParse(objective(m)).success).toBe(true);
  });

  const refused = [
    { minutes: 1, says: 'finer than the 5-minute rollups' },
    { minutes: 2.5, says: 'expected int' },
    { minutes: 7, says: 'finer than the 5-minute rollups' },
    { minutes: 25, says: 'must divide a day' },
    { minutes: 35, says: 'must divide a day' },
    { minutes: 1445, says: 'at most a day' },
  ];
  for (const c of refused) {
    it(`refuses ${c.minutes}-minute slices in the schema, naming the field and why`, () => {
      const r = Objective.safeParse(objective(c.minutes));
      expect(r.success).toBe(false);
      const issue = r.error!.issues.find((i) => i.path.join('.') === 'timeSlice.minutes');
      expect(issue?.message).toContain(c.says);
    });
  }

  for (const minutes of [1, 7, 25]) {
    it(`refuses ${minutes}-minute slices in the domain with a named error, whatever path the objective came by`, () => {
      const c = ctx({ budgetingMethod: 'timeslices', timeSlice: { minutes, target: 0.99 } });
      const thrown = (() => {
        try {
          planEvaluation(c, [], now, SETTINGS);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(UnsupportedSliceLengthError);
      expect((thrown as UnsupportedSliceLengthError).details).toEqual([
        { path: 'timeSlice.minutes', problem: expect.stringContaining(`${minutes}-minute slices`) },
      ]);
      expect(() => SliceGrid.of('UTC', minutes)).toThrow(UnsupportedSliceLengthError);
    });
  }

  it('never reads a 17-hour outage at 1% as healthy through 1-minute slices: it refuses to evaluate them', async () => {
    const s = new MemoryRollupStore();
    // 17 hours at 1% good in a day: the old grid counted one minute in five and saw mostly empty slices.
    await fill(s, KEY, now - 24 * H, now, (t) => (t >= now - 17 * H ? [1, 100] : [100, 100]));
    const oneMinute = ctx({ budgetingMethod: 'timeslices', timeSlice: { minutes: 1, target: 0.99 } });
    const fiveMinutes = ctx({
      id: 'five',
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 5, target: 0.99 },
    });
    const [refusedOne, counted] = await evaluateMany(s, [oneMinute, fiveMinutes], new Map(), now, SETTINGS);
    expect(refusedOne).toMatchObject({ status: 'unknown', compliance: null });
    expect(refusedOne!.reasons[0]).toMatch(/^cannot be evaluated: unsupported time slice: 1-minute slices/);
    // The other objectives of the run are still evaluated: 84 of 288 five-minute slices good.
    expect(counted!.data.slices).toMatchObject({ good: 84, bad: 204, empty: 0 });
    expect(counted!.status).toBe('breached');
  });

  it('refuses baseline slices finer than the rollups in the schema and in the domain', () => {
    const body = { sliName: 'availability', from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z' };
    expect(BaselineBody.safeParse({ ...body, sliceMinutes: 1 }).success).toBe(false);
    expect(() =>
      proposeBaseline([], { from: 0, to: 24 * H, sliceMinutes: 1, percentile: 10, exclude: [] }),
    ).toThrow(UnsupportedSliceLengthError);
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { ExceptionWindowRecord } from '../../../shared/ports/objectives.js';
import { contextsOf, evaluateMany, exclusionsOf } from '../../../shared/usecases/objectives/evaluator.js';
import { availabilityObjective, ctx, fill, objectiveAgreement, SETTINGS } from './helpers.js';

// The evaluator's batching (shared/usecases/objectives/evaluator.ts): what each objective is evaluated with, and the
// result of an objective the domain refuses to plan.

describe('the contexts and exclusions the evaluator is given', () => {
  it("gives each objective its agreement's id, version, service, unit, tier, time zone and supported hours", () => {
    const second = availabilityObjective({ id: 'latency', sli: { type: 'response-time' } });
    const a = objectiveAgreement({
      agreementId: 'agr_1',
      version: 4,
      tier: 1,
      timeZone: 'Europe/Paris',
      objectives: [availabilityObjective(), second],
    });
    expect(contextsOf(a)).toEqual(
      a.objectives.map((objective) => ({
        agreementId: 'agr_1',
        agreementVersion: 4,
        serviceId: 'svc_pay',
        businessUnit: 'retail',
        tier: 1,
        timeZone: 'Europe/Paris',
        supportedHours: { kind: 'always' },
        objective,
      })),
    );
  });

  it('groups exception windows by agreement, as instants, each with its objective when it names one', () => {
    const w = (id: string, agreementId: string, objectiveId?: string) =>
      ({
        id,
        agreementId,
        ...(objectiveId ? { objectiveId } : {}),
        start: '2026-11-01T10:00:00Z',
        end: '2026-11-01T11:30:00Z',
      }) as ExceptionWindowRecord;
    const by = exclusionsOf([
      w('ew_1', 'agr_1'),
      w('ew_2', 'agr_2', 'latency'),
      w('ew_3', 'agr_1', 'availability'),
    ]);
    expect([...by.keys()]).toEqual(['agr_1', 'agr_2']);
    const span = { start: Date.UTC(2026, 10, 1, 10), end: Date.UTC(2026, 10, 1, 11, 30) };
    expect(by.get('agr_1')).toEqual([
      { id: 'ew_1', agreementId: 'agr_1', objectiveId: undefined, ...span },
      { id: 'ew_3', agreementId: 'agr_1', objectiveId: 'availability', ...span },
    ]);
    expect(by.get('agr_2')).toEqual([{ id: 'ew_2', agreementId: 'agr_2', objectiveId: 'latency', ...span }]);
  });
});

describe('an objective the domain refuses to plan', () => {
  it('is unknown with the refusal as its reason, dated on the 5-minute boundary, every figure empty', async () => {
    const now = Date.UTC(2026, 10, 30, 12, 7, 31);
    const refused = ctx(
      {
        id: 'fine',
        sli: { type: 'availability', name: 'checkout' },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 1, target: 0.99 },
        window: { type: 'calendar', unit: 'month' },
      },
      { agreementId: 'agr_9', agreementVersion: 3, serviceId: 'svc_shop', businessUnit: 'retail' },
    );
    const [r] = await evaluateMany(new MemoryRollupStore(), [refused], new Map(), now, SETTINGS);
    const at = '2026-11-30T12:05:00.000Z';
    expect(r).toEqual({
      agreementId: 'agr_9',
      agreementVersion: 3,
      objectiveId: 'fine',
      serviceId: 'svc_shop',
      businessUnit: 'retail',
      sliKey: 'svc_shop/checkout',
      evaluatedAt: at,
      method: 'timeslices',
      target: 99,
      window: {
        type: 'calendar',
        start: at,
        end: at,
        periodEnd: at,
        partial: false,
        elapsedRatio: 0,
        includedMinutes: 0,
        excludedMinutes: 0,
      },
      data: { goodEvents: 0, totalEvents: 0, coverage: 0, empty: true, silence: null },
      measured: null,
      compliance: null,
      budget: null,
      burnRates: [],
      forecast: null,
      status: 'unknown',
      reasons: [expect.stringMatching(/^cannot be evaluated: unsupported time slice: 1-minute slices/)],
    });
  });

  it('names the SLI by its type when it has no name, and leaves the other objectives of the batch evaluated in order', async () => {
    const now = Date.UTC(2026, 10, 30, 12, 0);
    const refused = ctx({
      id: 'fine',
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 1, target: 0.99 },
    });
    const [a, b, c] = await evaluateMany(
      new MemoryRollupStore(),
      [ctx({ id: 'first' }), refused, ctx({ id: 'third' })],
      new Map(),
      now,
      SETTINGS,
    );
    expect([a!.objectiveId, b!.objectiveId, c!.objectiveId]).toEqual(['first', 'fine', 'third']);
    expect(b!.sliKey).toBe('svc_pay/availability');
    expect(b!.status).toBe('unknown');
    expect(a!.reasons[0]).not.toMatch(/^cannot be evaluated/);
    expect(a!.window.end).toBe('2026-11-30T12:00:00.000Z');
  });
});

describe('a batch of timeslice objectives', () => {
  it('gives each objective its own slice counts from the one batched read: an all-good SLI at 100 %, an all-bad one at 0 %, in either order', async () => {
    const H = 3_600_000;
    const now = Date.UTC(2026, 4, 1);
    const s = new MemoryRollupStore();
    await fill(s, 'svc_pay/good', now - 24 * H, now, () => [100, 100]);
    await fill(s, 'svc_pay/bad', now - 24 * H, now, () => [0, 100]);
    const sliced = (name: string) =>
      ctx({
        id: name,
        sli: { type: 'availability', name },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 60, target: 0.99 },
      });
    const [good, bad] = await evaluateMany(s, [sliced('good'), sliced('bad')], new Map(), now, SETTINGS);
    expect([good!.objectiveId, good!.compliance, good!.data.slices]).toEqual([
      'good',
      100,
      expect.objectContaining({ good: 24, bad: 0 }),
    ]);
    expect([bad!.objectiveId, bad!.compliance, bad!.data.slices]).toEqual([
      'bad',
      0,
      expect.objectContaining({ good: 0, bad: 24 }),
    ]);
    const [bad2, good2] = await evaluateMany(s, [sliced('bad'), sliced('good')], new Map(), now, SETTINGS);
    expect([bad2!.compliance, good2!.compliance]).toEqual([0, 100]);
  });
});

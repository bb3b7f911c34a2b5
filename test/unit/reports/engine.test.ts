import { describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import type { ExceptionWindowRecord, ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import {
  agreementInfo,
  budgetStatus,
  burnPoints,
  engineAgreement,
  monthlyFigures,
  monthSpan,
  recompute,
  violationFigure,
} from '../../../shared/usecases/reports/engine.js';
import { agreementVersion, service } from '../../helpers/fixtures.js';
import { SETTINGS } from '../objectives/helpers.js';

// The reports' one bridge to the objectives engine (shared/usecases/reports/engine.ts): what each engine record
// becomes in a report, and the audit's own recomputation of a month from raw buckets. All hand-computed.

const T = (iso: string) => Date.parse(iso);
const objective = agreementVersion().objectives[0]!;

describe("an agreement in the reports' terms", () => {
  it("takes the service's name and tier, names a vendor party by its id and name, a unit by its own name", () => {
    const a = agreementVersion({
      kind: 'UC',
      title: 'Cloud hosting',
      parties: {
        provider: { type: 'vendor', vendorId: 'ven_cloudco', name: 'CloudCo Ltd' },
        customer: { type: 'business-unit', businessUnit: 'payments' },
      } as AgreementVersion['parties'],
      underpinnedBy: ['agr_01J000000000077'],
      credits: {
        currency: 'EUR',
        monthlyCharge: 5000,
        tiers: [{ belowPercent: 99, creditPercent: 10 }],
        capPercent: 50,
      },
    });
    expect(agreementInfo(a, service({ name: 'Payments gateway', tier: 1 }))).toEqual({
      id: a.id,
      version: 1,
      kind: 'UC',
      title: 'Cloud hosting',
      serviceId: 'svc_payments-gateway',
      serviceName: 'Payments gateway',
      businessUnit: 'payments',
      region: 'eu-west-1',
      tier: 1,
      timeZone: 'Europe/London',
      provider: { type: 'vendor', id: 'ven_cloudco', name: 'CloudCo Ltd' },
      customer: { type: 'business-unit', id: 'payments', name: 'payments' },
      underpinnedBy: ['agr_01J000000000077'],
      credits: { currency: 'EUR', monthlyCharge: 5000 },
      objectives: [
        {
          id: 'availability',
          name: 'Monthly availability',
          target: 99.9,
          owner: { name: 'Owen Service', email: 'owen@example.com' },
          sliType: 'availability',
        },
      ],
    });
  });

  it('falls back to the service id and tier 3 without a service record, and has no credits key without credits', () => {
    const info = agreementInfo(agreementVersion(), undefined);
    expect(info.serviceName).toBe('svc_payments-gateway');
    expect(info.tier).toBe(3);
    expect(info).not.toHaveProperty('credits');
    expect(info.provider).toEqual({ type: 'business-unit', id: 'payments', name: 'payments' });
  });

  it("is the engine's view of the agreement with the tier it is given", () => {
    const a = agreementVersion({ escalation: [] });
    expect(engineAgreement(a, 2)).toEqual({
      agreementId: a.id,
      version: 1,
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      tier: 2,
      timeZone: 'Europe/London',
      supportedHours: { kind: 'always' },
      objectives: a.objectives,
      escalation: [],
      credits: undefined,
    });
  });

  it("spans a calendar month in the agreement's time zone: a London April starts at 23:00 UTC the day before", () => {
    expect(monthSpan('2026-04', 'Europe/London')).toEqual({
      start: T('2026-03-31T23:00:00Z'),
      end: T('2026-04-30T23:00:00Z'),
    });
    expect(monthSpan('2026-02', 'UTC')).toEqual({
      start: T('2026-02-01T00:00:00Z'),
      end: T('2026-03-01T00:00:00Z'),
    });
  });
});

const evaluation = (over: Partial<EvaluationResult> = {}): EvaluationResult =>
  ({
    agreementId: 'agr_1',
    objectiveId: 'availability',
    evaluatedAt: '2026-11-20T10:00:00.000Z',
    status: 'at-risk',
    compliance: 99.5,
    target: 99.9,
    window: {
      type: 'calendar',
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-11-20T10:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
    },
    budget: { remainingRatio: 0.25, minutes: { total: 43.2, remaining: 10.8 } },
    burnRates: [{ long: { burnRate: 2.5 } }, { long: { burnRate: null } }, { long: { burnRate: 14.4 } }],
    forecast: { timeToExhaustionMinutes: 90, breachAt: '2026-11-20T11:30:00.000Z' },
    ...over,
  }) as unknown as EvaluationResult;

describe('the error-budget figures of a stored evaluation', () => {
  it('labels a calendar window to its period end, takes the highest long burn rate and the forecast', () => {
    expect(budgetStatus(evaluation())).toEqual({
      agreementId: 'agr_1',
      objectiveId: 'availability',
      evaluatedAt: '2026-11-20T10:00:00.000Z',
      windowLabel: 'calendar, 2026-11-01 to 2026-12-01',
      status: 'at-risk',
      compliance: 99.5,
      target: 99.9,
      budgetRemainingRatio: 0.25,
      budgetRemainingMinutes: 10.8,
      maxBurnRate: 14.4,
      timeToExhaustionMinutes: 90,
      breachAt: '2026-11-20T11:30:00.000Z',
    });
  });

  it('labels a rolling window to its end, and gives null figures without budget, burn rates or forecast', () => {
    const r = budgetStatus(
      evaluation({
        window: {
          type: 'rolling',
          start: '2026-10-23T10:00:00.000Z',
          end: '2026-11-20T10:00:00.000Z',
          periodEnd: '2026-11-20T10:00:00.000Z',
        } as EvaluationResult['window'],
        budget: null,
        burnRates: [{ long: { burnRate: null } }] as unknown as EvaluationResult['burnRates'],
        forecast: null,
      }),
    );
    expect(r).toMatchObject({
      windowLabel: 'rolling, 2026-10-23 to 2026-11-20',
      budgetRemainingRatio: null,
      budgetRemainingMinutes: null,
      maxBurnRate: null,
      timeToExhaustionMinutes: null,
      breachAt: null,
    });
    const noTime = budgetStatus(
      evaluation({
        forecast: {
          breachAt: null,
          timeToExhaustionMinutes: null,
        } as unknown as EvaluationResult['forecast'],
      }),
    );
    expect(noTime.timeToExhaustionMinutes).toBeNull();
    expect(noTime.breachAt).toBeNull();
  });

  it('draws the burn-down from each stored point’s remaining budget', () => {
    expect(
      burnPoints([
        { at: 'a', budgetRemainingRatio: 1 },
        { at: 'b', budgetRemainingRatio: null },
      ] as unknown as Parameters<typeof burnPoints>[0]),
    ).toEqual([
      { at: 'a', remaining: 1 },
      { at: 'b', remaining: null },
    ]);
  });
});

describe('a violation in a report', () => {
  const violation = (over: Partial<ViolationRecord> = {}): ViolationRecord =>
    ({
      id: 'vio_1',
      agreementId: 'agr_1',
      objectiveId: 'availability',
      serviceId: 'svc_a',
      businessUnit: 'payments',
      severity: 'major',
      status: 'resolved',
      detectedAt: '2026-11-10T10:00:00.000Z',
      resolvedAt: '2026-11-10T12:00:00.000Z',
      disputes: [{ status: 'rejected', resolution: 'the outage was ours' }],
      credit: {
        period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z', final: true },
        objectiveId: 'availability',
        compliancePercent: 98.5,
        complianceExact: '98.5',
        measured: { good: 985, total: 1000 },
        coverage: 1,
        currency: 'EUR',
        charge: 1000,
        creditPercent: 10,
        amount: 100,
        steps: [
          { step: 1, what: 'compliance', calculation: '985 / 1000', result: '98.5 %', extra: 'dropped' },
        ],
      },
      ...over,
    }) as unknown as ViolationRecord;

  it('carries its credit with every step and the disputes’ outcomes, the SLI type as its cause', () => {
    expect(violationFigure(violation(), 'availability')).toEqual({
      id: 'vio_1',
      agreementId: 'agr_1',
      objectiveId: 'availability',
      serviceId: 'svc_a',
      businessUnit: 'payments',
      severity: 'major',
      status: 'resolved',
      detectedAt: '2026-11-10T10:00:00.000Z',
      resolvedAt: '2026-11-10T12:00:00.000Z',
      cause: 'availability',
      credit: {
        violationId: 'vio_1',
        agreementId: 'agr_1',
        objectiveId: 'availability',
        periodStart: '2026-11-01T00:00:00.000Z',
        periodEnd: '2026-12-01T00:00:00.000Z',
        final: true,
        compliancePercent: 98.5,
        currency: 'EUR',
        charge: 1000,
        creditPercent: 10,
        amount: 100,
        steps: [{ step: 1, what: 'compliance', calculation: '985 / 1000', result: '98.5 %' }],
        disputes: [{ status: 'rejected', resolution: 'the outage was ours' }],
      },
    });
  });

  it('has no resolvedAt while open and no credit without one', () => {
    const f = violationFigure(
      violation({ status: 'open', resolvedAt: undefined, credit: undefined }),
      'response-time',
    );
    expect(f).not.toHaveProperty('resolvedAt');
    expect(f).not.toHaveProperty('credit');
    expect(f.cause).toBe('response-time');
  });
});

// November 2026 in UTC; "now" is 02:03 on the 1st, so the audit reads buckets up to 02:00.
const NOV = T('2026-11-01T00:00:00Z');
const NOW = T('2026-11-01T02:03:00Z');
const MIN = 60_000;

async function rollupsWith(sliKey: string, buckets: [number, number, number][]) {
  const store = new MemoryRollupStore();
  await store.add(
    buckets.map(([minute, good, total]) => ({
      sliKey,
      bucketStart: NOV + minute * MIN,
      good,
      total,
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
    })),
  );
  return store;
}

describe("the audit's recomputation of a month", () => {
  // 00:00 90/100, 00:05 100/100, 01:00 50/100; a bucket the day before and one at 02:00 (not yet closed) are not read.
  const BUCKETS: [number, number, number][] = [
    [-5, 0, 100],
    [0, 90, 100],
    [5, 100, 100],
    [60, 50, 100],
    [120, 0, 100],
  ];
  const credits = {
    currency: 'EUR',
    monthlyCharge: 1000,
    tiers: [
      { belowPercent: 99, creditPercent: 10 },
      { belowPercent: 90, creditPercent: 25 },
    ],
    capPercent: 100,
  };
  const utc = (over: Partial<AgreementVersion> = {}, o: Partial<typeof objective> = {}) =>
    agreementVersion({
      id: 'agr_01J0000000000A1',
      timeZone: 'UTC',
      objectives: [{ ...objective, ...o }],
      ...over,
    });
  const window = (over: Partial<ExceptionWindowRecord>) =>
    ({
      agreementId: 'agr_01J0000000000A1',
      start: '2026-11-01T01:00:00Z',
      end: '2026-11-01T01:05:00Z',
      ...over,
    }) as ExceptionWindowRecord;

  it('sums the closed buckets of the month by occurrences and applies the contract’s tiers: 240/300 is 80 %, a 25 % credit of 1,000', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const r = await recompute(rollups, utc({ credits }), 'availability', [], '2026-11', NOW);
    expect(r).toEqual({
      agreementId: 'agr_01J0000000000A1',
      objectiveId: 'availability',
      compliance: 80,
      goodEvents: 240,
      totalEvents: 300,
      creditPercent: 25,
      creditAmount: 250,
    });
  });

  it("leaves out the buckets of this objective's exception windows and the agreement's, not another objective's or agreement's", async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const exceptions = [
      window({ objectiveId: 'other' }),
      window({ agreementId: 'agr_other', start: '2026-11-01T00:00:00Z' }),
    ];
    const r0 = await recompute(rollups, utc(), 'availability', exceptions, '2026-11', NOW);
    expect([r0.goodEvents, r0.totalEvents]).toEqual([240, 300]);
    const mine = await recompute(
      rollups,
      utc(),
      'availability',
      [window({ objectiveId: 'availability' })],
      '2026-11',
      NOW,
    );
    expect([mine.goodEvents, mine.totalEvents, mine.compliance]).toEqual([190, 200, 95]);
    const all = await recompute(
      rollups,
      utc(),
      'availability',
      [window({ objectiveId: undefined })],
      '2026-11',
      NOW,
    );
    expect([all.goodEvents, all.totalEvents]).toEqual([190, 200]);
  });

  it('counts only supported hours for an objective measured in them: Sunday 1 November 00:00–01:00 is 190/200', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const hours = {
      kind: 'calendar',
      windows: [{ days: ['sun'], start: '00:00', end: '01:00' }],
      holidays: [],
    } as AgreementVersion['supportedHours'];
    const only = await recompute(
      rollups,
      utc({ supportedHours: hours }, { supportedHoursOnly: true }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect([only.goodEvents, only.totalEvents, only.compliance]).toEqual([190, 200, 95]);
    const always = await recompute(
      rollups,
      utc({ supportedHours: hours }, { supportedHoursOnly: false }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect([always.goodEvents, always.totalEvents]).toEqual([240, 300]);
  });

  it('counts 5-minute slices for a timeslice objective: one good slice of three is 33.3 %, the mean ratio 80 %', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const slices = await recompute(
      rollups,
      utc({}, { budgetingMethod: 'timeslices', timeSlice: { minutes: 5, target: 0.95 } }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect(slices.compliance).toBeCloseTo(100 / 3, 10);
    expect(slices).not.toHaveProperty('note');
    const ratio = await recompute(
      rollups,
      utc({}, { budgetingMethod: 'ratio-timeslices', timeSlice: { minutes: 5, target: 0.95 } }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect(ratio.compliance).toBeCloseTo(80, 10);
    // 60-minute slices: 00:00–01:00 holds 190/200 (95 %, good at a 0.95 target), 01:00–02:00 holds 50/100.
    const hourly = await recompute(
      rollups,
      utc({}, { budgetingMethod: 'timeslices', timeSlice: { minutes: 60, target: 0.95 } }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect(hourly.compliance).toBe(50);
  });

  it('does not recompute a timeslice objective with exception windows or supported hours, and says so', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const note =
      'a timeslice objective with supported hours or exception windows is not recomputed independently';
    const sliced = { budgetingMethod: 'timeslices' as const, timeSlice: { minutes: 5, target: 0.95 } };
    const excepted = await recompute(
      rollups,
      utc({ credits }, sliced),
      'availability',
      [window({})],
      '2026-11',
      NOW,
    );
    expect(excepted).toMatchObject({ compliance: null, note, creditPercent: null, creditAmount: null });
    const hours = await recompute(
      rollups,
      utc({}, { ...sliced, supportedHoursOnly: true }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect(hours).toMatchObject({ compliance: null, note });
  });

  it("gives no credit when the contract's tiers name another objective, and a credit when they name this one", async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', BUCKETS);
    const other = await recompute(
      rollups,
      utc({ credits: { ...credits, objectiveId: 'other' } }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect([other.creditPercent, other.creditAmount]).toEqual([null, null]);
    const named = await recompute(
      rollups,
      utc({ credits: { ...credits, objectiveId: 'availability' } }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect([named.creditPercent, named.creditAmount]).toEqual([25, 250]);
    const empty = await recompute(
      new MemoryRollupStore(),
      utc({ credits }),
      'availability',
      [],
      '2026-11',
      NOW,
    );
    expect([empty.compliance, empty.creditPercent, empty.creditAmount]).toEqual([null, null, null]);
  });

  it('recomputes the objective asked for, not the agreement’s first: its own SLI’s buckets', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/checkout', [[0, 45, 50]]);
    const checkout = { ...objective, id: 'checkout', sli: { ...objective.sli, name: 'checkout' } };
    const a = utc({ objectives: [objective, checkout] });
    const r = await recompute(rollups, a, 'checkout', [], '2026-11', NOW);
    expect([r.objectiveId, r.goodEvents, r.totalEvents, r.compliance]).toEqual(['checkout', 45, 50, 90]);
  });

  it('reads the whole month once it is over', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', [
      ...BUCKETS,
      [30 * 24 * 60 - 5, 100, 100],
      [30 * 24 * 60, 0, 100],
    ]);
    const r = await recompute(rollups, utc(), 'availability', [], '2026-11', T('2027-01-15T00:00:00Z'));
    // 02:00's bucket and the month's last now count; December's first does not.
    expect([r.goodEvents, r.totalEvents]).toEqual([340, 500]);
  });
});

describe("each objective's month by the engine", () => {
  it('evaluates a month in progress up to now in each agreement’s time zone, a calendar month whatever the window, and skips one not begun', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', [[0, 99, 100]]);
    const at = T('2026-11-01T00:30:00Z');
    const rolling = { ...objective, window: { type: 'rolling' as const, days: 28 } };
    const agreements = [
      engineAgreement(
        agreementVersion({ id: 'agr_01J00000000000U', timeZone: 'UTC', objectives: [rolling] }),
        1,
      ),
      engineAgreement(
        agreementVersion({ id: 'agr_01J00000000000T', timeZone: 'Asia/Tokyo', objectives: [rolling] }),
        1,
      ),
      engineAgreement(
        agreementVersion({ id: 'agr_01J00000000000N', timeZone: 'America/New_York', objectives: [rolling] }),
        1,
      ),
    ];
    const figures = await monthlyFigures(rollups, SETTINGS, agreements, [], '2026-11', at);
    expect(
      figures.map((f) => [
        f.agreementId,
        f.periodStart,
        f.periodEnd,
        f.partial,
        f.goodEvents,
        f.totalEvents,
        f.month,
      ]),
    ).toEqual([
      [
        'agr_01J00000000000U',
        '2026-11-01T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
        true,
        99,
        100,
        '2026-11',
      ],
      [
        'agr_01J00000000000T',
        '2026-10-31T15:00:00.000Z',
        '2026-11-30T15:00:00.000Z',
        true,
        99,
        100,
        '2026-11',
      ],
    ]);
    expect(figures[0]).toMatchObject({
      objectiveId: 'availability',
      method: 'occurrences',
      target: 99.9,
      compliance: 99,
    });
  });

  it('yields nothing for a month that begins exactly now', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', [[0, 99, 100]]);
    const a = engineAgreement(agreementVersion({ id: 'agr_01J00000000000U', timeZone: 'UTC' }), 1);
    expect(await monthlyFigures(rollups, SETTINGS, [a], [], '2026-11', NOV)).toEqual([]);
    expect(await monthlyFigures(rollups, SETTINGS, [a], [], '2026-11', NOV + 1)).toHaveLength(1);
  });

  it('evaluates a closed month whole, with its budget', async () => {
    const rollups = await rollupsWith('svc_payments-gateway/availability', [[0, 99, 100]]);
    const a = engineAgreement(agreementVersion({ id: 'agr_01J00000000000U', timeZone: 'UTC' }), 1);
    const [f] = await monthlyFigures(rollups, SETTINGS, [a], [], '2026-11', T('2027-01-15T00:00:00Z'));
    expect(f).toMatchObject({
      partial: false,
      periodEnd: '2026-12-01T00:00:00.000Z',
      goodEvents: 99,
      totalEvents: 100,
    });
    expect(f!.budgetTotalMinutes).not.toBeNull();
    expect(f!.budgetRemainingRatio).not.toBeNull();
    expect(f!.budgetRemainingMinutes).not.toBeNull();
    expect(f!.coverage).toBeGreaterThan(0);
    expect(f!.status).toBe('breached');
  });
});

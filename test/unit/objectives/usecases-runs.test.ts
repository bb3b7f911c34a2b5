import { beforeEach, describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import {
  MemoryEvaluationStore,
  MemoryExceptionWindowStore,
  MemoryViolationStore,
} from '../../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { EngineSettings } from '../../../shared/domain/objectives/evaluate.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { violationKey } from '../../../shared/domain/objectives/violations.js';
import type { ObjectiveAgreement, ViolationRecord } from '../../../shared/ports/objectives.js';
import { type ObjectiveDeps, ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { agreement, D, H, KEY, principal, START } from '../../helpers/objectives-usecases.js';
import {
  availabilityObjective,
  creditTerms,
  fill,
  objectiveAgreement,
  objectiveDeps,
  SETTINGS,
} from './helpers.js';

const M = 60_000;
const A = agreement.agreementId;
const B = 'agr_0000000002';
const iso = (t: number) => new Date(t).toISOString();
const MAY = Date.UTC(2026, 4, 1);

/** The engine's settings with no silence rule for tier 2: a window without data is unknown, not breached by no data. */
const QUIET: EngineSettings = {
  ...SETTINGS,
  tiers: {
    ...SETTINGS.tiers,
    '2': { ...SETTINGS.tiers['2'], noDataAtRiskMinutes: 100_000, noDataBreachedMinutes: null },
  },
} as EngineSettings;

/** The stores the runs share, and use cases over them reading `agreements` at the clock's `now`. */
function world() {
  const s = {
    now: START + 7 * D,
    rollups: new MemoryRollupStore(),
    violations: new MemoryViolationStore(),
    evaluations: new MemoryEvaluationStore(),
    exceptions: new MemoryExceptionWindowStore(),
    opened: [] as ViolationRecord[],
    chunks: [] as number[],
    final: [] as string[][],
    uc(agreements: readonly ObjectiveAgreement[], more: Partial<ObjectiveDeps> = {}) {
      let n = 0;
      return new ObjectiveUseCases(
        objectiveDeps(new StaticObjectivesSource([...agreements]), () => s.now, {
          rollups: s.rollups,
          violations: s.violations,
          evaluations: s.evaluations,
          exceptions: s.exceptions,
          // Ids that differ between instances over the same stores.
          ids: { next: (p) => `${p}_${agreements.length}_${s.now}_${++n}` },
          onViolationOpened: async (v) => {
            s.opened.push(v);
          },
          onEvaluated: async (rs: readonly EvaluationResult[]) => {
            s.chunks.push(rs.length);
          },
          onCreditsFinal: async (vs) => {
            s.final.push(vs.map((v) => v.id));
          },
          ...more,
        }),
      );
    },
  };
  return s;
}

describe('evaluation runs', () => {
  let w: ReturnType<typeof world>;

  beforeEach(async () => {
    w = world();
    // A week at 0.5% errors against a 0.1% budget: breached.
    await fill(w.rollups, KEY, START, w.now, () => [995, 1000]);
  });

  it('keeps a breach in one open violation, keyed by its first evaluation, and summarises the run', async () => {
    const uc = w.uc([agreement]);
    const first = await uc.evaluateAll();
    expect(w.opened.map((v) => v.key)).toEqual([violationKey(A, 'avail', iso(START + 7 * D))]);
    w.now += 5 * M;
    await fill(w.rollups, KEY, w.now - 5 * M, w.now, () => [995, 1000]);
    const before = performance.now();
    const second = await uc.evaluateAll();
    const elapsed = performance.now() - before;
    expect(first).toMatchObject({ violationsOpened: 1, violationsUpdated: 0, violationsResolved: 0 });
    const { timingsMs, ...rest } = second;
    expect(rest).toEqual({
      evaluatedAt: iso(w.now),
      agreements: 1,
      objectives: 1,
      notDue: 0,
      byStatus: { healthy: 0, 'at-risk': 0, breached: 1, unknown: 0 },
      violationsOpened: 0,
      violationsUpdated: 1,
      violationsResolved: 0,
    });
    for (const t of Object.values(timingsMs)) {
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(elapsed);
    }
    const [v] = await w.violations.list({});
    expect(v).toMatchObject({ status: 'open', lastEvaluatedAt: iso(w.now), detectedAt: iso(START + 7 * D) });
    expect(w.opened).toHaveLength(1);
    expect(w.chunks).toEqual([1, 1]);
  });

  it('states why a violation has its severity, with the rule, tier, margin, budget and duration', async () => {
    await w.uc([agreement]).evaluateAll();
    const [v] = await w.violations.list({});
    expect(v!.severityReason).toBe(
      'twice the error budget is spent (rule 2: tier 2, margin 0.4 points, budget 500% consumed, 0 min)',
    );
  });

  it('evaluates on schedule only the tiers that are due, and on demand whatever the tier', async () => {
    const hourly = objectiveAgreement({ agreementId: B, tier: 4 }, { id: 'avail' });
    w.now = START + 7 * D + 30 * M;
    const uc = w.uc([agreement, hourly]);
    const run = await uc.evaluateAll();
    expect(run).toMatchObject({ agreements: 2, objectives: 1, notDue: 1 });
    expect(w.chunks).toEqual([1]);
    expect((await w.evaluations.latest({})).map((r) => r.agreementId)).toEqual([A]);
    await uc.evaluateAgreement(principal(['sla-manager']), B);
    expect((await w.evaluations.latest({ agreementId: B }))[0]!.evaluatedAt).toBe(iso(w.now));
  });

  it('evaluates no tier that is not due, and tells no one of an empty chunk', async () => {
    w.now = START + 7 * D + 30 * M;
    const run = await w.uc([objectiveAgreement({ agreementId: B, tier: 4 }, { id: 'avail' })]).evaluateAll();
    expect(run).toMatchObject({ objectives: 0, notDue: 1 });
    expect(w.chunks).toEqual([]);
  });

  it('touches no other agreement’s violations when one agreement is evaluated on demand', async () => {
    const twin = { ...agreement, agreementId: B };
    const uc = w.uc([agreement, twin]);
    await uc.evaluateAll();
    w.now += 5 * M;
    await uc.evaluateAgreement(principal(['sla-manager']), A);
    const open = await w.violations.list({ status: 'open' });
    expect(open.map((v) => [v.agreementId, v.lastEvaluatedAt])).toEqual([
      [B, iso(START + 7 * D)],
      [A, iso(w.now)],
    ]);
  });

  it('closes the violations of an agreement no longer in force, even with one agreement left in force', async () => {
    const twin = { ...agreement, agreementId: B };
    await w.uc([agreement, twin]).evaluateAll();
    w.now += 5 * M;
    await fill(w.rollups, KEY, w.now - 5 * M, w.now, () => [995, 1000]);
    // B has ended: A alone is in force.
    const run = await w.uc([agreement]).evaluateAll();
    expect(run).toMatchObject({ violationsResolved: 1, violationsUpdated: 1, violationsOpened: 0 });
    const all = await w.violations.list({});
    expect(all.map((v) => [v.agreementId, v.status, v.resolvedAt])).toEqual([
      [B, 'resolved', iso(w.now)],
      [A, 'open', undefined],
    ]);
  });

  it('opens a new violation for a new breach after the last one was resolved', async () => {
    await w.uc([agreement]).evaluateAll();
    const good = new MemoryRollupStore();
    await fill(good, KEY, START, w.now + 5 * M, () => [1000, 1000]);
    w.now += 5 * M;
    expect(await w.uc([agreement], { rollups: good }).evaluateAll()).toMatchObject({ violationsResolved: 1 });
    w.now += 5 * M;
    await fill(w.rollups, KEY, w.now - 10 * M, w.now, () => [995, 1000]);
    const again = await w.uc([agreement]).evaluateAll();
    expect(again).toMatchObject({ violationsOpened: 1, violationsUpdated: 0 });
    const all = await w.violations.list({});
    expect(all.map((v) => v.status)).toEqual(['open', 'resolved']);
    expect(w.opened).toHaveLength(2);
  });

  it('keeps a rolling breach open while there are no data, neither confirming nor ending it', async () => {
    const uc = w.uc([agreement], { settings: QUIET });
    await uc.evaluateAll();
    w.now += 8 * D;
    const run = await uc.evaluateAll();
    expect(run.byStatus.unknown).toBe(1);
    expect(run).toMatchObject({ violationsResolved: 0, violationsUpdated: 0 });
    const [v] = await w.violations.list({});
    expect(v).toMatchObject({ status: 'open', lastEvaluatedAt: iso(START + 7 * D) });
  });

  it('names the owner of the breached objective when the agreement has no escalation steps', async () => {
    const bob = { name: 'Bob', email: 'bob@example.com' };
    const two = objectiveAgreement({
      agreementId: A,
      escalation: [],
      objectives: [
        availabilityObjective({ id: 'loose', target: 99 }),
        availabilityObjective({ id: 'avail', owner: bob }),
      ],
    });
    await w.uc([two]).evaluateAll();
    const [v] = await w.violations.list({});
    expect(v!.objectiveId).toBe('avail');
    expect(v!.escalation.map((s) => s.who)).toEqual(v!.escalation.map(() => bob));
    expect(v!.escalation.length).toBeGreaterThan(0);
  });
});

describe('violations of calendar periods', () => {
  let w: ReturnType<typeof world>;
  /** A calendar-week objective, without credits. */
  const weekly = () =>
    objectiveAgreement({ agreementId: A }, { id: 'avail', window: { type: 'calendar', unit: 'week' } });
  const WEEK2 = Date.UTC(2026, 3, 13); // Monday 13 April

  beforeEach(async () => {
    w = world();
    w.now = START + 7 * D; // Wednesday 8 April
    await fill(w.rollups, KEY, START, w.now + D, () => [995, 1000]);
  });

  it('keeps one violation per week, keyed by the week, and opens another when the week turns', async () => {
    const uc = w.uc([weekly()]);
    await uc.evaluateAll();
    w.now += D;
    expect(await uc.evaluateAll()).toMatchObject({
      violationsOpened: 0,
      violationsUpdated: 1,
      violationsResolved: 0,
    });
    await fill(w.rollups, KEY, WEEK2, WEEK2 + H, () => [0, 1000]);
    w.now = WEEK2 + H;
    expect(await uc.evaluateAll()).toMatchObject({ violationsOpened: 1, violationsResolved: 1 });
    const all = await w.violations.list({});
    expect(all.map((v) => [v.key, v.status])).toEqual([
      [violationKey(A, 'avail', iso(WEEK2)), 'open'],
      [violationKey(A, 'avail', iso(Date.UTC(2026, 3, 6))), 'resolved'],
    ]);
  });

  it('resolves the violation of a week that has ended even when the new week has no data', async () => {
    const uc = w.uc([weekly()], { settings: QUIET });
    await uc.evaluateAll();
    w.now = WEEK2 + H;
    const run = await uc.evaluateAll();
    expect(run).toMatchObject({ violationsResolved: 1, violationsOpened: 0 });
    expect((await w.violations.list({})).map((v) => v.status)).toEqual(['resolved']);
  });

  it('neither counts nor announces a violation of the period that another run already recorded', async () => {
    const [earlier] = await (async () => {
      const other = world();
      other.now = w.now;
      other.rollups = w.rollups;
      await other.uc([weekly()]).evaluateAll();
      return other.violations.list({});
    })();
    await w.violations.record({ ...earlier!, id: 'vio_other', status: 'resolved' });
    const run = await w.uc([weekly()]).evaluateAll();
    expect(run.violationsOpened).toBe(0);
    expect(w.opened).toEqual([]);
  });
});

describe('credits of violations', () => {
  let w: ReturnType<typeof world>;
  const T = START + 9 * D; // Friday 10 April

  beforeEach(async () => {
    w = world();
    w.now = T;
    // Good until Monday 6 April, then 1% errors: the rolling week, the month and the calendar week differ.
    await fill(w.rollups, KEY, START - 7 * D, START + 5 * D, () => [1000, 1000]);
    await fill(w.rollups, KEY, START + 5 * D, T, () => [990, 1000]);
  });

  it('credits every objective from the compliance of its calendar month', async () => {
    const three = objectiveAgreement({
      agreementId: A,
      credits: creditTerms(1000),
      objectives: [
        availabilityObjective({ id: 'monthly', window: { type: 'calendar', unit: 'month' } }),
        availabilityObjective({ id: 'weekly', window: { type: 'calendar', unit: 'week' } }),
        availabilityObjective({ id: 'rolling' }),
      ],
    });
    await w.uc([three]).evaluateAll();
    const [monthly] = await w.evaluations.latest({ agreementId: A, objectiveId: 'monthly' });
    const [weekly] = await w.evaluations.latest({ agreementId: A, objectiveId: 'weekly' });
    const [rolling] = await w.evaluations.latest({ agreementId: A, objectiveId: 'rolling' });
    // The three windows give three figures; the credits follow the month's.
    expect(new Set([monthly!.compliance, weekly!.compliance, rolling!.compliance]).size).toBe(3);
    const credited = Object.fromEntries(
      (await w.violations.list({})).map((v) => [v.objectiveId, v.credit?.compliancePercent]),
    );
    expect(Object.keys(credited).sort()).toEqual(['monthly', 'rolling', 'weekly']);
    expect(credited.monthly).toBeCloseTo(monthly!.compliance!, 5);
    expect(credited.weekly).toBe(credited.monthly);
    expect(credited.rolling).toBe(credited.monthly);
  });

  it('carries no credit for an objective the terms do not cover', async () => {
    const only = objectiveAgreement(
      { agreementId: A, credits: { ...creditTerms(1000), objectiveId: 'other' } },
      { id: 'avail' },
    );
    await w.uc([only]).evaluateAll();
    const [v] = await w.violations.list({});
    expect(v!.status).toBe('open');
    expect(v!.credit).toBeUndefined();
  });

  it('carries no credit while the month has no data yet', async () => {
    w.now = MAY + 5 * M;
    const nodata = new MemoryRollupStore();
    await fill(nodata, KEY, MAY - 7 * D, MAY, () => [990, 1000]);
    await w.uc([agreement], { rollups: nodata }).evaluateAll();
    const [v] = await w.violations.list({});
    expect(v!.status).toBe('open');
    expect(v!.credit).toBeUndefined();
  });
});

describe('months closing and credits made final', () => {
  let w: ReturnType<typeof world>;

  beforeEach(async () => {
    w = world();
    w.now = MAY - 12 * H;
    await fill(w.rollups, KEY, START, MAY + H, () => [995, 1000]);
  });

  it('closes a violation at its month’s very end; the breach going on carries none of the closed month’s credit', async () => {
    const uc = w.uc([agreement]);
    await uc.evaluateAll();
    w.now = MAY;
    expect(await uc.evaluateAll()).toMatchObject({ violationsResolved: 1, violationsOpened: 1 });
    expect(await uc.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
    const [may, april] = await w.violations.list({});
    expect(april!.credit).toMatchObject({ compliancePercent: 99.5, period: { end: iso(MAY), final: true } });
    expect(w.final).toEqual([[april!.id]]);
    // The breach goes on in May: at May's first instant its violation carries none of April's credit, then May's.
    expect(may!.credit).toBeUndefined();
    w.now = MAY + 5 * M;
    expect(await uc.evaluateAll()).toMatchObject({ violationsResolved: 0, violationsUpdated: 1 });
    expect((await w.violations.get(may!.id))!.credit!.period).toEqual({
      start: iso(MAY),
      end: iso(Date.UTC(2026, 5, 1)),
      final: false,
    });
  });

  it('finalises from the month of the objective in question, excluding the approved exception windows', async () => {
    // A second objective on another SLI, always good; an approved hour of outage on `avail`, excluded.
    const two = objectiveAgreement({
      agreementId: A,
      credits: creditTerms(1000),
      objectives: [
        availabilityObjective({ id: 'quality', sli: { type: 'availability', name: 'quality' } }),
        availabilityObjective({ id: 'avail' }),
      ],
    });
    await fill(w.rollups, 'svc_pay/quality', START, MAY + H, () => [1000, 1000]);
    const outage = Date.UTC(2026, 3, 20, 10);
    const bad = new MemoryRollupStore();
    await fill(bad, KEY, START, MAY + H, (t) => (t >= outage && t < outage + H ? [0, 1000] : [995, 1000]));
    await fill(bad, 'svc_pay/quality', START, MAY + H, () => [1000, 1000]);
    await w.exceptions.create({
      id: 'exc_1',
      agreementId: A,
      kind: 'emergency',
      start: iso(outage),
      end: iso(outage + H),
      status: 'approved',
      version: 2,
      requestedBy: 'a@example.com',
      reason: 'outage of the provider',
      createdBy: 'a@example.com',
      createdAt: iso(outage),
      changedBy: 'b@example.com',
      changedAt: iso(outage + H),
      change: 'exception:approve',
      changeReason: 'ok',
    });
    const uc = w.uc([two], { rollups: bad });
    await uc.evaluateAll();
    w.now = MAY + 5 * M;
    expect(await uc.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
    const [v] = await w.violations.list({ objectiveId: 'avail' });
    expect(v!.credit).toMatchObject({ compliancePercent: 99.5, period: { final: true } });
  });

  it('leaves a credit provisional when the month has no data, or its agreement is no longer in force', async () => {
    await w.uc([agreement]).evaluateAll();
    w.now = MAY + 5 * M;
    expect(await w.uc([agreement], { rollups: new MemoryRollupStore() }).finalizeCredits()).toEqual({
      finalized: 0,
      skipped: 1,
    });
    expect(await w.uc([]).finalizeCredits()).toEqual({ finalized: 0, skipped: 1 });
    const [v] = await w.violations.list({});
    expect(v!.credit!.period.final).toBe(false);
    expect(w.final).toEqual([]);
  });

  it('does not look back more than 35 days for credits to make final', async () => {
    await w.uc([agreement]).evaluateAll();
    w.now = MAY - 12 * H + 36 * D;
    expect(await w.uc([agreement]).finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
    w.now = MAY - 12 * H + 34 * D;
    expect(await w.uc([agreement]).finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
  });

  it('tells the pass-through again of final credits without claims, and of nothing else', async () => {
    const uc = w.uc([agreement]);
    await uc.evaluateAll();
    w.now = MAY + 5 * M;
    await uc.finalizeCredits();
    const [v] = await w.violations.list({});
    expect(w.final).toEqual([[v!.id]]);
    // Nothing due: the final credit without claims is told again.
    expect(await uc.finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
    expect(w.final).toEqual([[v!.id], [v!.id]]);
    // Claimed: told no more.
    await w.violations.update({ ...v!, passThrough: { claims: [], totalClaimed: 0 } as never });
    await uc.finalizeCredits();
    expect(w.final).toHaveLength(2);
  });

  it('tells the pass-through of the unclaimed and the newly final together', async () => {
    const uc = w.uc([agreement]);
    await uc.evaluateAll();
    const [april] = await w.violations.list({});
    // An older final credit without claims, and the April one due now.
    await w.violations.record({
      ...april!,
      id: 'vio_march',
      key: 'march',
      detectedAt: iso(START + D),
      credit: { ...april!.credit!, period: { ...april!.credit!.period, final: true } },
    });
    w.now = MAY + 5 * M;
    expect(await uc.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
    expect(w.final).toEqual([['vio_march', april!.id]]);
  });
});

import { describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryEvaluationStore } from '../../../shared/adapters/memory/objectives.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import type { EvaluationResult, ObjectiveStatus } from '../../../shared/domain/objectives/types.js';
import type { ObjectiveAgreement } from '../../../shared/ports/objectives.js';
import { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { contact, objectiveDeps } from './helpers.js';

const objective = (id: string) => ({
  id,
  name: `Objective ${id}`,
  sli: { type: 'availability' as const },
  target: 99.9,
  window: { type: 'rolling' as const, days: 28 },
  budgetingMethod: 'occurrences' as const,
  monitoring: 'alerted' as const,
  owner: contact,
  customerContact: contact,
  supportedHoursOnly: false,
});

const agreementOf = (
  n: number,
  businessUnit: string,
  objectiveIds: string[],
  partyUnits: string[] = [businessUnit],
): ObjectiveAgreement => ({
  agreementId: `agr_000000000${n}`,
  version: 2,
  title: `Agreement ${n}`,
  kind: 'SLA',
  serviceId: `svc_s${n}`,
  businessUnit,
  partyUnits,
  tier: 2,
  timeZone: 'UTC',
  supportedHours: { kind: 'always' },
  objectives: objectiveIds.map(objective),
  escalation: [],
});

/** A stored latest evaluation with just the figures the portfolio reads. */
function result(
  a: ObjectiveAgreement,
  objectiveId: string,
  status: ObjectiveStatus,
  remainingRatio: number,
  timeToExhaustionMinutes: number | null,
  over: Partial<EvaluationResult> = {},
): EvaluationResult {
  return {
    agreementId: a.agreementId,
    agreementVersion: a.version,
    objectiveId,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    sliKey: `${a.serviceId}/availability`,
    evaluatedAt: '2026-04-08T00:00:00.000Z',
    target: 99.9,
    compliance: 99.95,
    data: { goodEvents: 999, totalEvents: 1000, coverage: 1, empty: false, silence: null },
    budget: {
      unit: 'events',
      total: 100,
      consumed: 100 * (1 - remainingRatio),
      remaining: 100 * remainingRatio,
      consumedRatio: 1 - remainingRatio,
      remainingRatio,
      minutes: { total: 40.32, consumed: 0, remaining: 40.32 * remainingRatio, basisMinutes: 0 },
    },
    burnRates: [
      {
        name: 'page-fast',
        action: 'page',
        threshold: 14.4,
        long: { minutes: 60, burnRate: 2, events: 1000 },
        short: { minutes: 5, burnRate: 3, events: 100 },
        firing: false,
        judgement: 'not-firing',
      },
    ],
    forecast:
      timeToExhaustionMinutes === null
        ? null
        : ({ timeToExhaustionMinutes, lookbackMinutes: 335 } as unknown as EvaluationResult['forecast']),
    status,
    reasons: [`${status} for the test`],
    ...over,
  } as EvaluationResult;
}

const viewer = (units: string[]): Principal => ({
  subject: 'viewer-subject',
  roles: ['viewer'],
  businessUnits: units,
  services: [],
  signOffCapacities: [],
});

// Four agreements: three held by retail (one of them with retail only a customer of payments' service), one
// held by hr with no retail part. Objective x1 of agreement 1 was never evaluated.
const A1 = agreementOf(1, 'retail', ['x1', 'x2']);
const A2 = agreementOf(2, 'retail', ['y1']);
const A3 = agreementOf(3, 'payments', ['z1'], ['payments', 'retail']);
const A4 = agreementOf(4, 'hr', ['h1', 'h2', 'h3']);

/**
 * The engine over these agreements in force and stored results, at 2026-04-08T00:05Z. By default the portfolio of
 * four agreements the tests below read: seven objectives, six evaluated, one never.
 */
async function engine(
  agreements: ObjectiveAgreement[] = [A1, A2, A3, A4],
  results: EvaluationResult[] = [
    result(A1, 'x2', 'healthy', 0.8, null),
    result(A2, 'y1', 'at-risk', 0.3, 120),
    result(A3, 'z1', 'breached', -0.25, 0),
    result(A4, 'h1', 'breached', -1, 0),
    result(A4, 'h2', 'at-risk', 0.1, 5),
    result(A4, 'h3', 'healthy', 0.9, 9000),
  ],
): Promise<ObjectiveUseCases> {
  const evaluations = new MemoryEvaluationStore();
  await evaluations.save(results);
  const at = Date.parse('2026-04-08T00:05:00.000Z');
  return new ObjectiveUseCases(
    objectiveDeps(new StaticObjectivesSource(agreements), () => at, {
      evaluations,
      ids: { next: (p) => `${p}_1` },
    }),
  );
}

describe('the portfolio status (GET /v1/status)', () => {
  it('lists every objective in scope, spent first, then soonest to exhaustion, not burning, never evaluated last', async () => {
    const page = await (await engine()).portfolioStatus(viewer(['retail']), { limit: 500 });
    expect(page.items.map((i) => `${i.agreementId}/${i.objectiveId}`)).toEqual([
      'agr_0000000003/z1', // breached: budget spent (rank 0)
      'agr_0000000002/y1', // 120 minutes to exhaustion
      'agr_0000000001/x2', // not burning
      'agr_0000000001/x1', // never evaluated: unknown
    ]);
    expect(page.counts).toEqual({ healthy: 1, 'at-risk': 1, breached: 1, unknown: 1 });
    expect(page.status).toBe('breached');
    expect(page.total).toBe(4);
    expect(page.nextCursor).toBeUndefined();
  });

  it('counts what lies outside the caller’s scope without naming it', async () => {
    const page = await (await engine()).portfolioStatus(viewer(['retail']), { limit: 500 });
    expect(page.outOfScope).toEqual({ agreements: 1, objectives: 3 });
    expect(JSON.stringify(page)).not.toContain('agr_0000000004');
    expect(JSON.stringify(page)).not.toContain('svc_s4');
    const hr = await (await engine()).portfolioStatus(viewer(['hr']), { limit: 500 });
    expect(hr.items.map((i) => i.objectiveId)).toEqual(['h1', 'h2', 'h3']);
    expect(hr.outOfScope).toEqual({ agreements: 3, objectives: 4 });
  });

  it('decides scope on the agreement in force, not on the stored result', async () => {
    // A result claiming hr for agreement 1 (written by an older version) does not let hr read it.
    const uc = await engine([A1], [result(A1, 'x2', 'healthy', 0.8, null, { businessUnit: 'hr' })]);
    const hr = await uc.portfolioStatus(viewer(['hr']), { limit: 500 });
    expect(hr).toMatchObject({
      items: [],
      total: 0,
      status: 'unknown',
      outOfScope: { agreements: 1, objectives: 2 },
    });
  });

  it('gives each row the figures the dashboard shows', async () => {
    const page = await (await engine()).portfolioStatus(viewer(['retail']), { limit: 500 });
    expect(page.items[1]).toEqual({
      agreementId: 'agr_0000000002',
      agreementVersion: 2,
      title: 'Agreement 2',
      kind: 'SLA',
      serviceId: 'svc_s2',
      businessUnit: 'retail',
      objectiveId: 'y1',
      name: 'Objective y1',
      status: 'at-risk',
      evaluatedAt: '2026-04-08T00:00:00.000Z',
      target: 99.9,
      compliance: 99.95,
      // 30% of a 40.32-minute budget (99.9% of 28 days) is 12.096 minutes.
      budget: { remainingRatio: 0.3, remainingMinutes: 40.32 * 0.3, totalMinutes: 40.32 },
      burnRates: [
        { name: 'page-fast', windowMinutes: 60, burnRate: 2, unit: 'events', threshold: 14.4, firing: false },
      ],
      timeToExhaustionMinutes: 120,
      // The forecast's look-back (P/120 of 28 days, whole buckets): what "current burn" is measured over.
      exhaustionLookbackMinutes: 335,
      reasons: ['at-risk for the test'],
    });
    expect(page.items[3]).toMatchObject({
      objectiveId: 'x1',
      status: 'unknown',
      evaluatedAt: null,
      budget: null,
      burnRates: [],
      reasons: ['not evaluated yet'],
    });
  });

  it('pages in that order: every objective once, the summary on every page', async () => {
    const uc = await engine();
    const admin: Principal = { ...viewer([]), roles: ['admin'] };
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await uc.portfolioStatus(admin, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(7);
      expect(page.counts).toEqual({ healthy: 2, 'at-risk': 2, breached: 2, unknown: 1 });
      seen.push(...page.items.map((i) => i.objectiveId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    // Both spent (rank 0, by agreement id), then 5 and 120 minutes, then not burning (9000 is burning), unknown.
    expect(seen).toEqual(['z1', 'h1', 'h2', 'y1', 'h3', 'x2', 'x1']);
  });

  it('puts an at-risk objective without a time to exhaustion before the healthy ones that do not burn', async () => {
    const a = agreementOf(5, 'retail', ['ok', 'low-data']);
    const uc = await engine(
      [a],
      [result(a, 'ok', 'healthy', 1, null), result(a, 'low-data', 'at-risk', 0.9, null)],
    );
    const page = await uc.portfolioStatus(viewer(['retail']), { limit: 1 });
    expect(page.items.map((i) => i.objectiveId)).toEqual(['low-data']);
    const next = await uc.portfolioStatus(viewer(['retail']), { limit: 1, cursor: page.nextCursor! });
    expect(next.items.map((i) => i.objectiveId)).toEqual(['ok']);
    expect(next.nextCursor).toBeUndefined();
  });

  it('refuses a cursor it did not issue, naming the cursor', async () => {
    const uc = await engine();
    const bad = Buffer.from(JSON.stringify({ k: 'not json', f: 'x' })).toString('base64url');
    await expect(uc.portfolioStatus(viewer(['retail']), { limit: 5, cursor: bad })).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'query.cursor' }],
    });
    await expect(uc.portfolioStatus(viewer(['retail']), { limit: 5, cursor: '!!' })).rejects.toMatchObject({
      details: [{ path: 'query.cursor' }],
    });
  });
});

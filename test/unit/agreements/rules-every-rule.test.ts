import { describe, expect, it } from 'vitest';
import {
  contentProblems,
  dateProblems,
  edgeTargetProblems,
  localDate,
  submissionProblems,
  underpinningProblem,
} from '../../../shared/domain/agreements/rules.js';
import { agreementBody, agreementVersion } from '../../helpers/fixtures.js';

const TODAY = new Date('2026-11-15T12:00:00Z');
const EVERY = new Set(['effectiveFrom', 'effectiveTo', 'reviewCycle']);
const UC_ID = 'agr_01JAAAAAAAAAAAAAAAAAAAAAAA';
const OLA_ID = 'agr_01JBBBBBBBBBBBBBBBBBBBBBBB';

describe('date rules, each at its boundary and with its words', () => {
  it('accepts a start of today and refuses one of yesterday, saying which day today is and in which zone', () => {
    const a = { ...agreementBody(), effectiveFrom: '2026-11-15' };
    expect(dateProblems(a, TODAY, EVERY)).toEqual([]);
    expect(dateProblems({ ...a, effectiveFrom: '2026-11-14' }, TODAY, EVERY)).toEqual([
      {
        path: 'effectiveFrom',
        problem: 'cannot be backdated: 2026-11-14 is before today (2026-11-15 in Europe/London)',
      },
    ]);
  });

  it('refuses a changed end date in the past, but only when the end date is among the changed fields', () => {
    const a = { ...agreementBody(), effectiveFrom: '2026-11-01', effectiveTo: '2026-11-14' };
    expect(dateProblems(a, TODAY, new Set(['effectiveTo']))).toEqual([
      { path: 'effectiveTo', problem: 'cannot be backdated: 2026-11-14 is before today (2026-11-15)' },
    ]);
    expect(dateProblems(a, TODAY, new Set(['title']))).toEqual([]);
    expect(dateProblems({ ...a, effectiveTo: '2026-11-15' }, TODAY, new Set(['effectiveTo']))).toEqual([]);
  });

  it('refuses an end on the very day of the start (the end must come after it), whatever changed', () => {
    const a = { ...agreementBody(), effectiveFrom: '2027-01-10', effectiveTo: '2027-01-10' };
    expect(dateProblems(a, TODAY, new Set())).toEqual([
      { path: 'effectiveTo', problem: 'must be after effectiveFrom (2027-01-10)' },
    ]);
    expect(dateProblems({ ...a, effectiveTo: '2027-01-11' }, TODAY, new Set())).toEqual([]);
  });

  it('accepts an agreement without an end date', () => {
    const { effectiveTo: _, ...open } = agreementBody();
    expect(dateProblems({ ...open, effectiveFrom: '2026-12-01' }, TODAY, EVERY)).toEqual([]);
  });

  it('refuses a next review in the past only when the review cycle changed, and accepts one due today', () => {
    const past = { ...agreementBody(), reviewCycle: { everyMonths: 12, nextReviewDate: '2026-11-14' } };
    expect(dateProblems(past, TODAY, new Set(['reviewCycle']))).toEqual([
      { path: 'reviewCycle.nextReviewDate', problem: 'is in the past (today is 2026-11-15)' },
    ]);
    expect(dateProblems(past, TODAY, new Set(['effectiveFrom']))).toEqual([]);
    const due = { ...past, reviewCycle: { everyMonths: 12, nextReviewDate: '2026-11-15' } };
    expect(dateProblems(due, TODAY, new Set(['reviewCycle']))).toEqual([]);
  });

  it('refuses a renewal date after the end date, and accepts one on it or with no end date', () => {
    const renewal = (renewalDate: string) => ({ renewalDate, noticeDays: 90, autoRenew: false });
    const a = { ...agreementBody(), effectiveTo: '2027-11-30', renewal: renewal('2027-12-01') };
    expect(dateProblems(a, TODAY, new Set())).toEqual([
      { path: 'renewal.renewalDate', problem: 'must not be after effectiveTo (2027-11-30)' },
    ]);
    expect(dateProblems({ ...a, renewal: renewal('2027-11-30') }, TODAY, new Set())).toEqual([]);
    const { effectiveTo: _, ...open } = a;
    expect(dateProblems(open, TODAY, new Set())).toEqual([]);
  });

  it('keeps one formatter per time zone and still formats each zone in its own calendar', () => {
    const instant = new Date('2026-11-30T23:30:00Z');
    expect(localDate(instant, 'Pacific/Auckland')).toBe('2026-12-01');
    expect(localDate(instant, 'America/Los_Angeles')).toBe('2026-11-30');
    expect(localDate(instant, 'Pacific/Auckland')).toBe('2026-12-01');
  });
});

describe('content rules, each with its path and words', () => {
  const objective = agreementBody().objectives[0]!;

  it('names the repeated objective id and where it repeats', () => {
    const a = { ...agreementBody(), objectives: [objective, { ...objective, id: 'latency' }, objective] };
    expect(contentProblems(a)).toEqual([
      { path: 'objectives[2].id', problem: 'duplicates objective id "availability"' },
    ]);
  });

  it('says which objective a credit scheme names when it names none of the agreement', () => {
    const credits = {
      currency: 'EUR',
      monthlyCharge: 1,
      objectiveId: 'latency',
      tiers: [{ belowPercent: 99, creditPercent: 5 }],
      capPercent: 100,
    };
    expect(contentProblems({ ...agreementBody(), credits })).toEqual([
      { path: 'credits.objectiveId', problem: 'names no objective of this agreement ("latency")' },
    ]);
    expect(
      contentProblems({ ...agreementBody(), credits: { ...credits, objectiveId: 'availability' } }),
    ).toEqual([]);
  });

  it('tells why a UC cannot be underpinned and why its provider must be a vendor', () => {
    const uc = { ...agreementBody(), kind: 'UC' as const, underpinnedBy: [UC_ID] };
    expect(contentProblems(uc)).toEqual([
      {
        path: 'underpinnedBy',
        problem: 'an SLA or an OLA is underpinned by OLAs and UCs; a UC rests on nothing of ours',
      },
      { path: 'parties.provider.type', problem: 'an underpinning contract is provided by a vendor' },
    ]);
    const vendorUc = {
      ...uc,
      underpinnedBy: [],
      parties: { ...uc.parties, provider: { type: 'vendor' as const, vendorId: 'ven_acme', name: 'Acme' } },
    };
    expect(contentProblems(vendorUc)).toEqual([]);
  });

  it('wants an OLA provided by a business unit, saying so', () => {
    const base = agreementBody();
    const ola = {
      ...base,
      kind: 'OLA' as const,
      parties: { ...base.parties, provider: { type: 'vendor' as const, vendorId: 'ven_acme', name: 'Acme' } },
    };
    expect(contentProblems(ola)).toEqual([
      { path: 'parties.provider.type', problem: 'an OLA is provided by an internal business unit' },
    ]);
  });

  it('checks every underpinning edge: its objective, its agreement listed in underpinnedBy, and no repeat', () => {
    const a = {
      ...agreementBody(),
      underpinnedBy: [UC_ID],
      underpinning: [
        { objectiveId: 'availability', agreementId: UC_ID, mode: 'serial' as const },
        { objectiveId: 'latency', agreementId: OLA_ID, mode: 'serial' as const },
        { objectiveId: 'availability', agreementId: UC_ID, mode: 'serial' as const },
      ],
    };
    expect(contentProblems(a)).toEqual([
      { path: 'underpinning[1].objectiveId', problem: 'names no objective of this agreement ("latency")' },
      { path: 'underpinning[1].agreementId', problem: `${OLA_ID} is not listed in underpinnedBy` },
      { path: 'underpinning[2]', problem: `repeats the edge from objective "availability" to ${UC_ID}` },
    ]);
  });

  it('does not call two edges to the same agreement through different dependency objectives a repeat', () => {
    const a = {
      ...agreementBody(),
      underpinnedBy: [UC_ID],
      underpinning: [
        {
          objectiveId: 'availability',
          agreementId: UC_ID,
          dependencyObjectiveId: 'up',
          mode: 'serial' as const,
        },
        {
          objectiveId: 'availability',
          agreementId: UC_ID,
          dependencyObjectiveId: 'dns',
          mode: 'serial' as const,
        },
      ],
    };
    expect(contentProblems(a)).toEqual([]);
  });

  it('refuses indemnification on an SLA, a clause on an unknown objective and a repeated clause id', () => {
    const clause = {
      id: 'pass-through',
      objectiveId: 'availability',
      sharePercent: 50,
      currency: 'EUR',
      capAmount: 1000,
    };
    const sla = { ...agreementBody(), indemnification: [clause, { ...clause, objectiveId: 'latency' }] };
    expect(contentProblems(sla)).toEqual([
      {
        path: 'indemnification[0]',
        problem: 'only an OLA or a UC carries indemnification towards the agreements it underpins',
      },
      {
        path: 'indemnification[1]',
        problem: 'only an OLA or a UC carries indemnification towards the agreements it underpins',
      },
      { path: 'indemnification[1].objectiveId', problem: 'names no objective of this agreement ("latency")' },
      { path: 'indemnification[1].id', problem: 'duplicates clause id "pass-through"' },
    ]);
    const ola = {
      ...agreementBody(),
      kind: 'OLA' as const,
      indemnification: [clause, { ...clause, id: 'second' }],
    };
    expect(contentProblems(ola)).toEqual([]);
  });
});

describe('what must be true to submit', () => {
  it('wants at least one objective and a stated scope, with a path and a reason for each', () => {
    const v = agreementVersion({ objectives: [], scope: { inclusions: [], exclusions: [] } });
    expect(submissionProblems(v)).toEqual([
      { path: 'objectives', problem: 'at least one objective is required to submit' },
      { path: 'scope.inclusions', problem: 'say what the agreement covers' },
    ]);
    expect(submissionProblems(agreementVersion())).toEqual([]);
  });

  it('lets a master agreement be submitted without objectives (its schedules hold them), but not a schedule', () => {
    expect(
      submissionProblems(agreementVersion({ objectives: [], module: { role: 'master', caps: {} } })),
    ).toEqual([]);
    const schedule = agreementVersion({ objectives: [], module: { role: 'schedule', masterId: UC_ID } });
    expect(submissionProblems(schedule).map((p) => p.path)).toEqual(['objectives']);
  });
});

describe('linking an underpinning agreement', () => {
  const sla = 'agr_01JSSSSSSSSSSSSSSSSSSSSSSS';

  it('refuses a missing agreement, the agreement itself, an SLA and a retired one, in that order of checks', () => {
    expect(underpinningProblem(0, sla, undefined)).toEqual({
      path: 'underpinnedBy[0]',
      problem: 'names no agreement',
    });
    expect(underpinningProblem(1, sla, agreementVersion({ id: sla, kind: 'OLA' }))).toEqual({
      path: 'underpinnedBy[1]',
      problem: 'an agreement cannot underpin itself',
    });
    expect(underpinningProblem(2, sla, agreementVersion({ id: OLA_ID, kind: 'SLA' }))).toEqual({
      path: 'underpinnedBy[2]',
      problem: `${OLA_ID} is an SLA; only OLAs and UCs underpin an agreement`,
    });
    expect(
      underpinningProblem(3, sla, agreementVersion({ id: OLA_ID, kind: 'OLA', status: 'retired' })),
    ).toEqual({
      path: 'underpinnedBy[3]',
      problem: `${OLA_ID} is retired`,
    });
  });

  it('accepts an active OLA or UC of another id', () => {
    expect(
      underpinningProblem(0, sla, agreementVersion({ id: OLA_ID, kind: 'OLA', status: 'active' })),
    ).toBeUndefined();
    expect(
      underpinningProblem(0, sla, agreementVersion({ id: UC_ID, kind: 'UC', status: 'draft' })),
    ).toBeUndefined();
  });
});

describe("an edge's dependency objective", () => {
  const target = agreementVersion({ id: UC_ID, kind: 'UC' });

  it('must name an objective of the linked agreement, said with the agreement and the name', () => {
    const a = {
      underpinning: [
        {
          objectiveId: 'availability',
          agreementId: UC_ID,
          dependencyObjectiveId: 'availability',
          mode: 'serial' as const,
        },
        {
          objectiveId: 'availability',
          agreementId: UC_ID,
          dependencyObjectiveId: 'dns',
          mode: 'serial' as const,
        },
      ],
    };
    expect(edgeTargetProblems(a, new Map([[UC_ID, target]]))).toEqual([
      { path: 'underpinning[1].dependencyObjectiveId', problem: `names no objective of ${UC_ID} ("dns")` },
    ]);
  });

  it("accepts an edge naming any one of the linked agreement's objectives, not only when it has just that one", () => {
    const two = {
      ...target,
      objectives: [target.objectives[0]!, { ...target.objectives[0]!, id: 'latency' }],
    };
    const a = {
      underpinning: [
        {
          objectiveId: 'availability',
          agreementId: UC_ID,
          dependencyObjectiveId: 'latency',
          mode: 'serial' as const,
        },
      ],
    };
    expect(edgeTargetProblems(a, new Map([[UC_ID, two]]))).toEqual([]);
  });

  it('is not judged when the edge names none, or when the linked agreement is not visible', () => {
    const a = {
      underpinning: [
        { objectiveId: 'availability', agreementId: UC_ID, mode: 'serial' as const },
        {
          objectiveId: 'availability',
          agreementId: OLA_ID,
          dependencyObjectiveId: 'dns',
          mode: 'serial' as const,
        },
      ],
    };
    expect(edgeTargetProblems(a, new Map([[UC_ID, target]]))).toEqual([]);
    expect(edgeTargetProblems({}, new Map())).toEqual([]);
  });
});

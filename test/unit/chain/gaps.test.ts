import { describe, expect, it } from 'vitest';
import { analyseGaps } from '../../../shared/domain/chain/gaps.js';
import { findCycle } from '../../../shared/domain/chain/graph.js';
import { loadChainPolicy, parseChainPolicy } from '../../../shared/policy/chain.js';
import type { AgreementVersion, UnderpinningEdge } from '../../../shared/schemas/agreement.js';
import { agreementBody, agreementVersion } from '../../helpers/fixtures.js';

type Objective = AgreementVersion['objectives'][number];
const base = agreementBody().objectives[0]!;
const policy = loadChainPolicy();
/** Mid-summer, so that a 364-day horizon holds one spring and one autumn change of Europe/London. */
const AS_OF = new Date('2027-07-05T00:00:00Z');

const availability = (id: string, target: number, over: Partial<Objective> = {}): Objective => ({
  ...base,
  id,
  target,
  ...over,
});
/** The `availability` objective every chain here composes. */
const avail = (target: number, over: Partial<Objective> = {}) => availability('availability', target, over);
const timed = (id: string, type: 'resolution-time' | 'response-time', hours: number): Objective => ({
  ...base,
  id,
  name: `${type} within ${hours} h`,
  sli: { type, thresholdMs: hours * 3_600_000 },
  target: 95,
});

/** A dependency: an agreement id (a serial edge) or an edge of its own; its objective is the agreement's first. */
type Edge = string | Partial<UnderpinningEdge>;

/** An active agreement with these objectives, underpinned by the agreements its edges name. */
function ag(
  id: string,
  kind: 'SLA' | 'OLA' | 'UC',
  objectives: Objective | Objective[],
  underpinning: Edge[] = [],
  over: Partial<AgreementVersion> = {},
): AgreementVersion {
  const list = Array.isArray(objectives) ? objectives : [objectives];
  const edges = underpinning.map(
    (e) =>
      ({
        mode: 'serial' as const,
        objectiveId: list[0]!.id,
        ...(typeof e === 'string' ? { agreementId: e } : e),
      }) as UnderpinningEdge,
  );
  return agreementVersion({
    id,
    kind,
    status: 'active',
    objectives: list,
    underpinnedBy: [...new Set(edges.map((e) => e.agreementId))],
    underpinning: edges,
    ...over,
  });
}

function run(agreements: AgreementVersion[], roots = [agreements[0]!.id], orphans?: string[]) {
  const byId = new Map(agreements.map((a) => [a.id, a]));
  return analyseGaps(byId, roots, policy, AS_OF, orphans).findings;
}

const SLA = 'agr_01SLA000000000000001';
const OLA = 'agr_01OLA000000000000001';
const UC = 'agr_01UC0000000000000001';
const UC2 = 'agr_01UC0000000000000002';
const UC3 = 'agr_01UC0000000000000003';

describe('availability composition through the chain', () => {
  it('finds a serial chain whose composition falls below the SLA: 99.95% × 99.9% = 99.850050% under 99.9%', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99.9), [OLA, UC]),
      ag(OLA, 'OLA', avail(99.95)),
      ag(UC, 'UC', avail(99.9)),
    ]);
    const gap = f.find((x) => x.rule === 'availability-composition');
    expect(gap).toMatchObject({
      agreementId: SLA,
      objectiveId: 'availability',
      dependencyIds: [OLA, UC],
      severity: 'major',
      blocksActivation: true,
      figures: { targetPercent: 99.9, composedPercent: 99.85005, shortfallPercent: 0.04995 },
    });
    expect(gap!.message).toContain('composes to 99.85005%');
  });

  it('lets a redundant pair lift it above: 99.95% × (1 − 0.01 × 0.01) = 99.940005% meets 99.9%', () => {
    const carriers = { mode: 'redundant', group: 'carriers' } as const;
    const f = run([
      ag(SLA, 'SLA', avail(99.9), [OLA, { agreementId: UC, ...carriers }, { agreementId: UC2, ...carriers }]),
      ag(OLA, 'OLA', avail(99.95)),
      ag(UC, 'UC', avail(99)),
      ag(UC2, 'UC', avail(99)),
    ]);
    expect(f).toEqual([]);
  });

  it('the same pair in series would not: 99.95% × 99% × 99% = 97.960995% is a gap', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99.9), [OLA, UC, UC2]),
      ag(OLA, 'OLA', avail(99.95)),
      ag(UC, 'UC', avail(99)),
      ag(UC2, 'UC', avail(99)),
    ]);
    expect(f.map((x) => [x.rule, x.figures.composedPercent])).toEqual([
      ['availability-composition', 97.960995],
    ]);
  });

  it('carries a gap up from depth 2: an OLA promising 99.95% on a 99.5% UC only carries 99.5% to its SLA', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99.9), [OLA]),
      ag(OLA, 'OLA', avail(99.95), [UC]),
      ag(UC, 'UC', avail(99.5)),
    ]);
    expect(f.map((x) => [x.agreementId, x.rule, x.figures.composedPercent])).toEqual([
      [OLA, 'availability-composition', 99.5],
      [SLA, 'availability-composition', 99.5],
    ]);
  });

  it('names a calendar-month UC under a rolling 28-day SLA as incomparable instead of composing them', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99.9, { window: { type: 'rolling', days: 28 } }), [UC]),
      ag(UC, 'UC', avail(99.0, { window: { type: 'calendar', unit: 'month' } })),
    ]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      rule: 'incomparable',
      dependencyIds: [UC],
      figures: { window: 'rolling 28 days, occurrences', dependencyWindow: 'calendar month, occurrences' },
    });
  });

  it('names a different budgeting method as incomparable too (occurrences over timeslices)', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99.9), [UC]),
      ag(UC, 'UC', avail(99.95, { budgetingMethod: 'timeslices', timeSlice: { minutes: 5, target: 0.99 } })),
    ]);
    expect(f.map((x) => x.rule)).toEqual(['incomparable']);
    expect(f[0]!.figures.dependencyWindow).toBe('calendar month, timeslices (5-minute slices at 0.99)');
  });

  it('says so when a linked agreement has no objective of the kind the edge needs', () => {
    const f = run([ag(SLA, 'SLA', avail(99.9), [UC]), ag(UC, 'UC', timed('fix', 'resolution-time', 4))]);
    expect(f.map((x) => [x.rule, x.message])).toEqual([
      ['unmatched-objective', `${UC} has no availability objective to carry ${SLA} "availability"`],
    ]);
  });
});

describe('time along the path', () => {
  const fix = (hours: number) => timed('fix', 'resolution-time', hours);

  it('finds OLA resolution times that overrun the SLA window by one hour: 0.5 + 6 + 0.5 + 2 = 9 h against 8 h', () => {
    const f = run([
      ag(SLA, 'SLA', fix(8), [{ agreementId: OLA, handoffMinutes: 30 }]),
      ag(OLA, 'OLA', fix(6), [{ agreementId: UC, handoffMinutes: 30 }]),
      ag(UC, 'UC', fix(2)),
    ]);
    const sla = f.find((x) => x.agreementId === SLA)!;
    expect(sla).toMatchObject({
      rule: 'time-path',
      objectiveId: 'fix',
      dependencyIds: [OLA, UC],
      figures: { windowMinutes: 480, pathMinutes: 540, overrunMinutes: 60 },
    });
    expect(sla.message).toContain('takes 9 h, 1 h over');
    // The OLA's own 6 h window holds what lies under it (0.5 h + 2 h = 2.5 h): no finding for it.
    expect(f.filter((x) => x.agreementId === OLA)).toEqual([]);
  });

  it('takes the fastest member of a redundant group and the slowest serial path', () => {
    const vendors = { mode: 'redundant', group: 'vendors', handoffMinutes: 60 } as const;
    const f = run([
      ag(SLA, 'SLA', fix(8), [
        { agreementId: UC, ...vendors },
        { agreementId: UC2, ...vendors },
        { agreementId: UC3, handoffMinutes: 0 },
      ]),
      ag(UC, 'UC', fix(12)),
      ag(UC2, 'UC', fix(5)),
      ag(UC3, 'UC', fix(7)),
    ]);
    // Group: min(1 + 12, 1 + 5) = 6 h; serial UC3: 7 h; slowest 7 h ≤ 8 h: no gap.
    expect(f).toEqual([]);
  });
});

describe('supported hours', () => {
  it('finds a UC with business-hours support under a 24×7 SLA: 168 − 40 = 128 h a week uncovered', () => {
    const f = run([
      ag(SLA, 'SLA', avail(99), [UC]),
      ag(UC, 'UC', avail(99.9), [], {
        supportedHours: {
          kind: 'calendar',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
          holidays: [],
        },
      }),
    ]);
    expect(f.map((x) => x.rule)).toEqual(['hours-coverage']);
    expect(f[0]!.figures).toMatchObject({
      horizonDays: 364,
      uncoveredHours: 52 * 128,
      uncoveredHoursPerWeek: 128,
    });
  });

  it('compares across time zones and names the holidays the dependency takes that the SLA does not', () => {
    // SLA: Mon–Fri 09:00–17:00 London. UC: Mon–Fri 09:00–17:00 New York, closed on 2027-11-25 (Thanksgiving).
    // London 09:00–14:00 is before New York opens (5 h a day, 4 h on the weeks the clocks change apart).
    const hours = (timeZone: string, holidays: string[]) => ({
      timeZone,
      supportedHours: {
        kind: 'calendar' as const,
        windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' }].map(
          (w) => ({
            ...w,
            days: [...w.days],
          }),
        ),
        holidays,
      },
    });
    const f = run([
      ag(SLA, 'SLA', avail(99), [UC], hours('Europe/London', [])),
      ag(UC, 'UC', avail(99.9), [], hours('America/New_York', ['2027-11-25'])),
    ]);
    expect(f.map((x) => x.rule)).toEqual(['hours-coverage']);
    expect(f[0]!.figures.holidaysUncovered).toEqual(['2027-11-25']);
    // 260 weekdays × 5 h, less the days the offset is 4 h (US and UK change on different Sundays:
    // 2027-10-31 → 11-07 and 2028-03-12 → 03-26 are 5 + 10 weekdays with a 4 h offset, 1 h less each),
    // plus the 3 h of Thanksgiving the UC would otherwise have covered (London 14:00–17:00).
    expect(f[0]!.figures.uncoveredHours).toBe(260 * 5 - 15 + 3);
  });
});

describe('unsupported and orphaned commitments', () => {
  it('names an SLA objective that nothing underpins', () => {
    const f = run([ag(SLA, 'SLA', avail(99.9))]);
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'unsupported-objective',
        agreementId: SLA,
        objectiveId: 'availability',
        blocksActivation: false,
      }),
    ]);
  });

  it('names an active OLA that underpins nothing active, and not one an active SLA rests on', () => {
    const f = run(
      [ag(SLA, 'SLA', avail(99), [UC]), ag(UC, 'UC', avail(99.9)), ag(OLA, 'OLA', avail(99.9))],
      [SLA],
      [UC, OLA],
    );
    expect(f.map((x) => [x.rule, x.agreementId])).toEqual([['underpins-nothing', OLA]]);
  });
});

describe('cycles', () => {
  it('finds the cycle a new link would close and lists it from end to end', () => {
    const links: Record<string, string[]> = { B: ['C'], C: ['A'] };
    expect(findCycle('A', ['B'], (id) => links[id])).toEqual(['A', 'B', 'C', 'A']);
    expect(findCycle('A', ['C'], (id) => ({ C: ['D'] })[id])).toBeUndefined();
  });
});

describe('the chain policy', () => {
  it('is refused when a rule is missing, naming it', () => {
    expect(() =>
      parseChainPolicy({
        version: 1,
        hoursHorizonDays: 364,
        scorecardMonths: 6,
        vendorTriggers: [],
        rules: {},
      }),
    ).toThrow(/rules\.availability-composition/);
  });
});

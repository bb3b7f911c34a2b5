import { describe, expect, it } from 'vitest';
import { analyseGaps, comparable, type GapPolicy } from '../../../shared/domain/chain/gaps.js';
import type { ChainAgreement, ChainObjective } from '../../../shared/domain/chain/graph.js';

// A policy of our own, so that each rule's severity is told apart from the others' and the horizon is two weeks.
const POLICY: GapPolicy = {
  hoursHorizonDays: 14,
  rules: {
    'availability-composition': { severity: 'critical', blocksActivation: true },
    'time-path': { severity: 'major', blocksActivation: true },
    'hours-coverage': { severity: 'minor', blocksActivation: false },
    incomparable: { severity: 'info', blocksActivation: false },
    'unmatched-objective': { severity: 'major', blocksActivation: false },
    'unsupported-objective': { severity: 'minor', blocksActivation: true },
    'underpins-nothing': { severity: 'info', blocksActivation: true },
  },
};
/** Monday 5 July 2027, 00:00 UTC. */
const AS_OF = new Date('2027-07-05T00:00:00Z');
const MONTH = { type: 'calendar', unit: 'month' } as const;

const avail = (target: number, over: Partial<ChainObjective> = {}): ChainObjective => ({
  id: 'availability',
  name: 'Availability',
  sli: { type: 'availability' },
  target,
  window: MONTH,
  budgetingMethod: 'occurrences',
  ...over,
});
const resolution = (id: string, minutes: number): ChainObjective => ({
  id,
  name: `resolved within ${minutes} min`,
  sli: { type: 'resolution-time', thresholdMs: minutes * 60_000 },
  target: 95,
  window: MONTH,
  budgetingMethod: 'occurrences',
});

type Edge = {
  agreementId: string;
  objectiveId?: string;
  dependencyObjectiveId?: string;
  mode?: 'serial' | 'redundant';
  group?: string;
  handoffMinutes?: number;
};
function ag(
  id: string,
  kind: 'SLA' | 'OLA' | 'UC',
  objectives: ChainObjective[],
  edges: Edge[] = [],
  over: Partial<ChainAgreement> = {},
): ChainAgreement {
  return {
    id,
    kind,
    title: `${kind} ${id}`,
    status: 'active',
    serviceId: 'svc_pay',
    businessUnit: 'payments',
    timeZone: 'UTC',
    supportedHours: { kind: 'always' },
    underpinnedBy: [...new Set(edges.map((e) => e.agreementId))],
    underpinning: edges.map((e) => ({ objectiveId: objectives[0]!.id, mode: 'serial' as const, ...e })),
    objectives,
    ...over,
  } as ChainAgreement;
}
const run = (as: ChainAgreement[], roots = [as[0]!.id], orphans?: string[]) =>
  analyseGaps(new Map(as.map((a) => [a.id, a])), roots, POLICY, AS_OF, orphans);

describe('availability composition', () => {
  it('states the composed figure, the shortfall and each term with its mode and group', () => {
    // Serial 99.95 % × a redundant pair of 99 % and 98 %: 0.9995 × (1 − 0.01 × 0.02) = 0.9995 × 0.9998 = 0.9993001
    // → 99.93001 %, short of 99.95 % by 0.01999 points.
    const r = run([
      ag(
        'sla',
        'SLA',
        [avail(99.95)],
        [
          { agreementId: 'uc1' },
          { agreementId: 'uc2', mode: 'redundant', group: 'dns' },
          { agreementId: 'uc3', mode: 'redundant', group: 'dns' },
        ],
      ),
      ag('uc1', 'UC', [avail(99.95)]),
      ag('uc2', 'UC', [avail(99)]),
      ag('uc3', 'UC', [avail(98)]),
    ]);
    expect(r).toStrictEqual({
      analysed: 4,
      findings: [
        {
          rule: 'availability-composition',
          severity: 'critical',
          blocksActivation: true,
          agreementId: 'sla',
          objectiveId: 'availability',
          dependencyIds: ['uc1', 'uc2', 'uc3'],
          message:
            'sla "availability" promises 99.95%; what underpins it composes to 99.93001% (0.01999 points short)',
          figures: {
            targetPercent: 99.95,
            composedPercent: 99.93001,
            shortfallPercent: 0.01999,
            terms: [
              { agreementId: 'uc1', objectiveId: 'availability', mode: 'serial', percent: 99.95 },
              {
                agreementId: 'uc2',
                objectiveId: 'availability',
                mode: 'redundant',
                group: 'dns',
                percent: 99,
              },
              {
                agreementId: 'uc3',
                objectiveId: 'availability',
                mode: 'redundant',
                group: 'dns',
                percent: 98,
              },
            ],
          },
        },
      ],
    });
  });

  it('multiplies two redundant groups as two blocks in series', () => {
    // Group a: 1 − 0.1 × 0.2 = 0.98; group b: 1 − 0.05 × 0.05 = 0.9975; 0.98 × 0.9975 = 0.97755 → 97.755 %.
    const r = run([
      ag(
        'sla',
        'SLA',
        [avail(99)],
        [
          { agreementId: 'a1', mode: 'redundant', group: 'a' },
          { agreementId: 'a2', mode: 'redundant', group: 'a' },
          { agreementId: 'b1', mode: 'redundant', group: 'b' },
          { agreementId: 'b2', mode: 'redundant', group: 'b' },
        ],
      ),
      ag('a1', 'UC', [avail(90)]),
      ag('a2', 'UC', [avail(80)]),
      ag('b1', 'UC', [avail(95)]),
      ag('b2', 'UC', [avail(95)]),
    ]);
    expect(r.findings[0]!.figures.composedPercent).toBe(97.755);
    expect(r.findings[0]!.figures.shortfallPercent).toBe(1.245);
  });

  it('finds no gap when the composition equals the target exactly', () => {
    expect(
      run([ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'uc' }]), ag('uc', 'UC', [avail(99.9)])]).findings,
    ).toEqual([]);
  });

  it('carries an OLA at its own target when what it rests on promises more', () => {
    // The OLA promises 99.95 % on a UC of 99.99 %: it carries min(99.95, 99.99) = 99.95 %, short of the SLA's 99.96 %.
    const r = run([
      ag('sla', 'SLA', [avail(99.96)], [{ agreementId: 'ola' }]),
      ag('ola', 'OLA', [avail(99.95)], [{ agreementId: 'uc' }]),
      ag('uc', 'UC', [avail(99.99)]),
    ]);
    expect(r.findings.map((f) => [f.agreementId, f.figures.composedPercent])).toEqual([['sla', 99.95]]);
  });

  it('names each dependency once when two edges lead to one agreement', () => {
    // Two objectives of one UC in series: 0.995 × 0.998 = 0.99301 → 99.301 %.
    const r = run([
      ag(
        'sla',
        'SLA',
        [avail(99.9)],
        [
          { agreementId: 'uc', dependencyObjectiveId: 'web' },
          { agreementId: 'uc', dependencyObjectiveId: 'api' },
        ],
      ),
      ag('uc', 'UC', [avail(99.5, { id: 'web' }), avail(99.8, { id: 'api' })]),
    ]);
    expect(r.findings[0]!.dependencyIds).toEqual(['uc']);
    expect(r.findings[0]!.figures.composedPercent).toBe(99.301);
  });

  it('reads an OLA met again around a cycle as its own target, and still ends', () => {
    // sla rests on ola1 and ola2 in series; ola1 (99.7 %) → ola2 (99.8 %) → ola1. Composing ola1 reaches ola2, whose
    // ola1 term is read as ola1's target 0.997: ola2 carries min(0.998, 0.997) = 0.997, ola1 min(0.997, 0.997).
    // sla: 0.997 × 0.997 = 0.994009 → 99.4009 %; ola2 is short (99.7 under 99.8); ola1 is not (99.7 = 99.7).
    const r = run([
      ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'ola1' }, { agreementId: 'ola2' }]),
      ag('ola1', 'OLA', [avail(99.7)], [{ agreementId: 'ola2' }]),
      ag('ola2', 'OLA', [avail(99.8)], [{ agreementId: 'ola1' }]),
    ]);
    expect(r.findings.map((f) => [f.agreementId, f.figures.composedPercent])).toEqual([
      ['ola2', 99.7],
      ['sla', 99.4009],
    ]);
  });
});

describe('incomparable windows', () => {
  const sliced = (minutes: number, target: number) =>
    avail(99.9, {
      budgetingMethod: 'timeslices',
      timeSlice: { minutes, target } as ChainObjective['timeSlice'],
    });

  it('says each window in words and does not judge the composition', () => {
    const r = run([
      ag('sla', 'SLA', [avail(99.99, { window: { type: 'rolling', days: 28 } })], [{ agreementId: 'uc' }]),
      ag('uc', 'UC', [sliced(5, 95)]),
    ]);
    expect(r.findings).toStrictEqual([
      {
        rule: 'incomparable',
        severity: 'info',
        blocksActivation: false,
        agreementId: 'sla',
        objectiveId: 'availability',
        dependencyIds: ['uc'],
        message:
          'sla "availability" is measured over rolling 28 days, occurrences; uc "availability" over calendar month, timeslices (5-minute slices at 95): the two cannot be compared, so the composition is not judged',
        figures: {
          window: 'rolling 28 days, occurrences',
          dependencyWindow: 'calendar month, timeslices (5-minute slices at 95)',
        },
      },
    ]);
  });

  it('composes objectives alike in window, method and slices, and only those', () => {
    const roll = (days: number) => avail(99, { window: { type: 'rolling', days } });
    const cal = (unit: 'week' | 'month') => avail(99, { window: { type: 'calendar', unit } });
    expect(comparable(roll(28), roll(28))).toBe(true);
    expect(comparable(roll(28), roll(30))).toBe(false);
    expect(comparable(roll(28), cal('month'))).toBe(false);
    expect(comparable(cal('month'), roll(28))).toBe(false);
    expect(comparable(cal('month'), cal('month'))).toBe(true);
    expect(comparable(cal('month'), cal('week'))).toBe(false);
    expect(comparable(avail(99), avail(99, { budgetingMethod: 'ratio-timeslices' }))).toBe(false);
    expect(comparable(sliced(5, 95), sliced(5, 95))).toBe(true);
    expect(comparable(sliced(5, 95), sliced(10, 95))).toBe(false);
    expect(comparable(sliced(5, 95), sliced(5, 99))).toBe(false);
    const noSlice = avail(99, { budgetingMethod: 'timeslices' });
    expect(comparable(sliced(5, 95), noSlice)).toBe(false);
    expect(comparable(noSlice, sliced(5, 95))).toBe(false);
    expect(comparable(noSlice, noSlice)).toBe(true);
  });
});

describe('unmatched and unsupported objectives', () => {
  it('names the missing SLI type or the missing named objective, once per objective', () => {
    const r = run([
      ag(
        'sla',
        'SLA',
        [avail(99.9), resolution('fix', 240)],
        [
          { agreementId: 'uc1' },
          { agreementId: 'uc2' },
          { agreementId: 'uc2', objectiveId: 'fix', dependencyObjectiveId: 'repair' },
          { agreementId: 'uc1', objectiveId: 'fix', dependencyObjectiveId: 'repair' },
        ],
      ),
      ag('uc1', 'UC', [resolution('other', 60)]),
      ag('uc2', 'UC', [resolution('other', 60)]),
    ]);
    expect(
      r.findings.map((f) => [f.rule, f.severity, f.objectiveId, f.dependencyIds, f.message, f.figures]),
    ).toEqual([
      [
        'unmatched-objective',
        'major',
        'availability',
        ['uc1'],
        'uc1 has no availability objective to carry sla "availability"',
        { sliType: 'availability' },
      ],
      [
        'unmatched-objective',
        'major',
        'fix',
        ['uc1'],
        'uc1 has no objective "repair" to carry sla "fix"',
        { sliType: 'resolution-time' },
      ],
    ]);
  });

  it('names an SLA objective nothing underpins, saying why when it has links, and not an OLA one', () => {
    const linked = run([
      ag('sla', 'SLA', [avail(99.9), resolution('fix', 60)], [{ agreementId: 'ola' }]),
      ag('ola', 'OLA', [avail(99.95), resolution('other', 30)]),
    ]);
    expect(linked.findings).toStrictEqual([
      {
        rule: 'unsupported-objective',
        severity: 'minor',
        blocksActivation: true,
        agreementId: 'sla',
        objectiveId: 'fix',
        dependencyIds: [],
        message:
          'sla objective "fix" (resolved within 60 min) is underpinned by nothing: its linked agreements do not say which objective they support',
        figures: { linkedAgreements: 1 },
      },
    ]);
    const alone = run([ag('sla', 'SLA', [avail(99.9)])]);
    expect(alone.findings.map((f) => [f.message, f.figures])).toEqual([
      ['sla objective "availability" (Availability) is underpinned by nothing', { linkedAgreements: 0 }],
    ]);
  });

  it('analyses nothing under a UC, and counts an unknown root as analysed', () => {
    const r = run([ag('uc', 'UC', [avail(99)], [{ agreementId: 'x' }])], ['uc', 'ghost', 'uc']);
    expect(r).toEqual({ analysed: 2, findings: [] });
  });
});

describe('time paths', () => {
  it('finds no gap when the slowest path takes exactly the window, and one a minute over', () => {
    // 15 min hand-off + 45 min resolution = 60 min against 60 min: none; 16 + 45 = 61 > 60: 1 min over.
    const at = (handoff: number) =>
      run([
        ag('sla', 'SLA', [resolution('fix', 60)], [{ agreementId: 'ola', handoffMinutes: handoff }]),
        ag('ola', 'OLA', [resolution('fix', 45)]),
      ]).findings;
    expect(at(15)).toEqual([]);
    expect(at(16)).toStrictEqual([
      {
        rule: 'time-path',
        severity: 'major',
        blocksActivation: true,
        agreementId: 'sla',
        objectiveId: 'fix',
        dependencyIds: ['ola'],
        message: 'sla "fix" allows 1 h; the slowest path under it (ola) takes 1 h 1 min, 1 min over',
        figures: {
          windowMinutes: 60,
          pathMinutes: 61,
          overrunMinutes: 1,
          path: [{ agreementId: 'ola', objectiveId: 'fix', handoffMinutes: 16, minutes: 45 }],
        },
      },
    ]);
  });

  it('adds the levels down the slowest serial path and takes the fastest of a redundant group', () => {
    // Serial ola (10 + 30) then uc (5 + 20): 65 min. Redundant pair: 0 + 100 and 0 + 80 → 80 min, the fastest.
    // Slowest of 65 and 80 = 80 min against 70.5 min (4,230,000 ms): 9.5 min over; 70.5 min reads "1 h 10.5 min".
    const r = run([
      ag(
        'sla',
        'SLA',
        [{ ...resolution('fix', 0), sli: { type: 'resolution-time', thresholdMs: 4_230_000 } }],
        [
          { agreementId: 'ola', handoffMinutes: 10 },
          { agreementId: 'p1', mode: 'redundant', group: 'pair' },
          { agreementId: 'p2', mode: 'redundant', group: 'pair' },
        ],
      ),
      ag('ola', 'OLA', [resolution('fix', 30)], [{ agreementId: 'uc', handoffMinutes: 5 }]),
      ag('uc', 'UC', [resolution('fix', 20)]),
      ag('p1', 'UC', [resolution('fix', 100)]),
      ag('p2', 'UC', [resolution('fix', 80)]),
    ]);
    const f = r.findings.find((x) => x.rule === 'time-path')!;
    expect(f.message).toBe(
      'sla "fix" allows 1 h 10.5 min; the slowest path under it (p2) takes 1 h 20 min, 9.5 min over',
    );
    expect(f.figures).toEqual({
      windowMinutes: 70.5,
      pathMinutes: 80,
      overrunMinutes: 9.5,
      path: [{ agreementId: 'p2', objectiveId: 'fix', handoffMinutes: 0, minutes: 80 }],
    });
  });

  it('names a multi-level path with its arrows, and minutes under an hour alone', () => {
    // 2 + 25 + 3 + 20.25 = 50.25 min against 40 min: 10.25 over.
    const r = run([
      ag('sla', 'SLA', [resolution('fix', 40)], [{ agreementId: 'ola', handoffMinutes: 2 }]),
      ag('ola', 'OLA', [resolution('fix', 25)], [{ agreementId: 'uc', handoffMinutes: 3 }]),
      ag('uc', 'UC', [resolution('fix', 20.25)]),
    ]);
    const f = r.findings.find((x) => x.agreementId === 'sla')!;
    expect(f.message).toBe(
      'sla "fix" allows 40 min; the slowest path under it (ola → uc) takes 50.25 min, 10.25 min over',
    );
    expect(f.dependencyIds).toEqual(['ola', 'uc']);
    expect(r.findings.filter((x) => x.rule === 'time-path').map((x) => x.agreementId)).toEqual(['sla']);
  });

  it('skips a dependency objective without a threshold and an upper objective without one', () => {
    const noThreshold = { ...resolution('fix', 1), sli: { type: 'resolution-time' as const } };
    expect(
      run([ag('sla', 'SLA', [resolution('fix', 10)], [{ agreementId: 'uc' }]), ag('uc', 'UC', [noThreshold])])
        .findings,
    ).toEqual([]);
    expect(
      run([
        ag('sla', 'SLA', [noThreshold], [{ agreementId: 'uc' }]),
        ag('uc', 'UC', [resolution('fix', 600)]),
      ]).findings,
    ).toEqual([]);
  });
});

describe('supported hours', () => {
  // The SLA: Monday to Friday, all day; the UC: Tuesday to Thursday, all day, with holidays on Sunday 4 July, Wednesday
  // 7 July, Saturday 10 July and Wednesday 14 July. Over 14 days from Monday 5 July: uncovered Mon 5, Wed 7 (holiday),
  // Fri 9, Mon 12, Wed 14 (holiday), Fri 16: 6 × 24 = 144 h, 72 h a week. The Sunday and Saturday holidays only touch
  // a gap's ends: not listed.
  const weekdays = (days: string[], holidays: string[] = []) =>
    ({
      kind: 'calendar',
      windows: [{ days, start: '00:00', end: '24:00' }],
      holidays,
    }) as ChainAgreement['supportedHours'];
  const sla = ag('sla', 'SLA', [avail(99)], [{ agreementId: 'uc' }], {
    supportedHours: weekdays(['mon', 'tue', 'wed', 'thu', 'fri']),
  });
  const uc = ag('uc', 'UC', [avail(99.5)], [], {
    supportedHours: weekdays(['tue', 'wed', 'thu'], ['2027-07-04', '2027-07-07', '2027-07-10', '2027-07-14']),
  });

  it('gives the uncovered hours, the weekly average, the holidays and the first three gaps', () => {
    expect(run([sla, uc]).findings).toStrictEqual([
      {
        rule: 'hours-coverage',
        severity: 'minor',
        blocksActivation: false,
        agreementId: 'sla',
        dependencyIds: ['uc'],
        message:
          'uc supports fewer hours than sla promises: 72 h a week uncovered on average, and its holidays 2027-07-07, 2027-07-14',
        figures: {
          horizonDays: 14,
          uncoveredHours: 144,
          uncoveredHoursPerWeek: 72,
          holidaysUncovered: ['2027-07-07', '2027-07-14'],
          examples: [
            { from: '2027-07-05T00:00:00.000Z', to: '2027-07-06T00:00:00.000Z' },
            { from: '2027-07-07T00:00:00.000Z', to: '2027-07-08T00:00:00.000Z' },
            { from: '2027-07-09T00:00:00.000Z', to: '2027-07-10T00:00:00.000Z' },
          ],
        },
      },
    ]);
  });

  it('says nothing of holidays when none falls in a gap, and compares an SLA always supported', () => {
    // Always against Tue–Thu with no holidays: 14 × 24 = 336 h less 6 days × 24 = 144 h: 192 h, 96 h a week.
    const always = ag('sla', 'SLA', [avail(99)], [{ agreementId: 'uc' }]);
    const plain = ag('uc', 'UC', [avail(99.5)], [], { supportedHours: weekdays(['tue', 'wed', 'thu']) });
    const [f] = run([always, plain]).findings;
    expect(f!.message).toBe('uc supports fewer hours than sla promises: 96 h a week uncovered on average');
    expect(f!.figures.uncoveredHours).toBe(192);
  });

  it('finds nothing when the dependency supports at least the same hours, or always', () => {
    const same = ag('uc', 'UC', [avail(99.5)], [], {
      supportedHours: weekdays(['mon', 'tue', 'wed', 'thu', 'fri']),
    });
    expect(run([sla, same]).findings).toEqual([]);
    expect(run([sla, ag('uc', 'UC', [avail(99.5)])]).findings).toEqual([]);
  });

  it('reports the same gap for each upper agreement that rests on the dependency', () => {
    const sla2 = { ...sla, id: 'sla2' };
    const r = run([sla, uc, sla2], ['sla', 'sla2']);
    expect(r.findings.map((f) => [f.agreementId, f.figures.uncoveredHours])).toEqual([
      ['sla', 144],
      ['sla2', 144],
    ]);
  });
});

describe('the corners of the walk', () => {
  it('judges a response-time objective as a time path too', () => {
    const respond = (id: string, minutes: number) => ({
      ...resolution(id, minutes),
      sli: { type: 'response-time' as const, thresholdMs: minutes * 60_000 },
    });
    // 5 + 20 = 25 min against 15 min: 10 min over.
    const r = run([
      ag('sla', 'SLA', [respond('ack', 15)], [{ agreementId: 'uc', handoffMinutes: 5 }]),
      ag('uc', 'UC', [respond('ack', 20)]),
    ]);
    expect(r.findings.map((f) => [f.rule, f.figures.overrunMinutes])).toEqual([['time-path', 10]]);
  });

  it('counts a link listed twice once, in the composition and in the hours', () => {
    // uc listed twice in underpinnedBy: 99.5 % once (not 99.5 % × 99.5 %), and one hours finding.
    const sla = ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'uc' }], { underpinnedBy: ['uc', 'uc'] });
    const uc = ag('uc', 'UC', [avail(99.5)], [], {
      supportedHours: {
        kind: 'calendar',
        windows: [{ days: ['mon'], start: '00:00', end: '24:00' }],
        holidays: [],
      },
    });
    const r = run([sla, uc]);
    expect(r.findings.map((f) => [f.rule, f.figures.composedPercent ?? f.figures.uncoveredHours])).toEqual([
      // Always against Mondays only over 14 days: 336 − 48 = 288 h.
      ['hours-coverage', 288],
      ['availability-composition', 99.5],
    ]);
  });

  it('names a link to an agreement not in the set as unmatched, and checks no hours for it', () => {
    const r = run([ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'ghost' }])]);
    expect(r.findings.map((f) => f.message)).toEqual([
      'ghost has no availability objective to carry sla "availability"',
    ]);
  });

  it('reads an agreement without edge terms as supporting nothing', () => {
    const r = run([
      ag('sla', 'SLA', [avail(99.9)], [], { underpinnedBy: ['uc'], underpinning: undefined }),
      ag('uc', 'UC', [avail(99)]),
    ]);
    expect(r.findings.map((f) => f.rule)).toEqual(['unsupported-objective']);
  });

  it('carries an OLA whose own dependency is incomparable or unmatched at its target', () => {
    // The OLA (calendar month, 99.95 %) rests on a rolling-28-day UC of 99 %: not composed, so the OLA carries 99.95 %
    // and the SLA's 99.9 % is met; the finding is the OLA's.
    const r = run([
      ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'ola' }]),
      ag('ola', 'OLA', [avail(99.95)], [{ agreementId: 'uc' }]),
      ag('uc', 'UC', [avail(99, { window: { type: 'rolling', days: 28 } })]),
    ]);
    expect(r.findings.map((f) => [f.agreementId, f.rule])).toEqual([['ola', 'incomparable']]);
    const unmatched = run([
      ag('sla', 'SLA', [avail(99.9)], [{ agreementId: 'ola' }]),
      ag('ola', 'OLA', [avail(99.95)], [{ agreementId: 'uc' }]),
      ag('uc', 'UC', [resolution('fix', 60)]),
    ]);
    expect(unmatched.findings.map((f) => [f.agreementId, f.rule])).toEqual([['ola', 'unmatched-objective']]);
  });

  it('finds the overrun of an OLA whose path was already walked for the SLA above it', () => {
    // sla 120 min → ola (10 + 60) → uc (5 + 70): 145 min, 25 over; the ola itself allows 60 min, its path takes 75.
    const r = run([
      ag('sla', 'SLA', [resolution('fix', 120)], [{ agreementId: 'ola', handoffMinutes: 10 }]),
      ag('ola', 'OLA', [resolution('fix', 60)], [{ agreementId: 'uc', handoffMinutes: 5 }]),
      ag('uc', 'UC', [resolution('fix', 70)]),
    ]);
    expect(r.findings.map((f) => [f.agreementId, f.figures.pathMinutes, f.figures.overrunMinutes])).toEqual([
      ['ola', 75, 15],
      ['sla', 145, 25],
    ]);
  });

  it('ends on a cycle of time objectives, stopping below the level met again', () => {
    // sla 30 → ola1 (0 + 20) → ola2 (0 + 15) → ola1 again (a cycle, refused at save): the walk counts ola1's own
    // 20 min a second time and stops below it: 20 + 15 + 20 = 55 min.
    const r = run([
      ag('sla', 'SLA', [resolution('fix', 30)], [{ agreementId: 'ola1' }]),
      ag('ola1', 'OLA', [resolution('fix', 20)], [{ agreementId: 'ola2' }]),
      ag('ola2', 'OLA', [resolution('fix', 15)], [{ agreementId: 'ola1' }]),
    ]);
    const sla = r.findings.find((f) => f.agreementId === 'sla')!;
    expect(sla.figures.pathMinutes).toBe(55);
  });

  it('takes the slowest of several serial paths, and of equal ones the first', () => {
    // Serial a (50), b (90), c (90): 90 via b, 30 over 60.
    const r = run([
      ag(
        'sla',
        'SLA',
        [resolution('fix', 60)],
        [{ agreementId: 'a' }, { agreementId: 'b' }, { agreementId: 'c' }],
      ),
      ag('a', 'UC', [resolution('fix', 50)]),
      ag('b', 'UC', [resolution('fix', 90)]),
      ag('c', 'UC', [resolution('fix', 90)]),
    ]);
    expect(r.findings[0]!.figures.pathMinutes).toBe(90);
    expect(r.findings[0]!.dependencyIds).toEqual(['b']);
  });

  it('takes the first of equally fast members of a redundant group', () => {
    const r = run([
      ag(
        'sla',
        'SLA',
        [resolution('fix', 60)],
        [
          { agreementId: 'p1', mode: 'redundant', group: 'g' },
          { agreementId: 'p2', mode: 'redundant', group: 'g' },
        ],
      ),
      ag('p1', 'UC', [resolution('fix', 80)]),
      ag('p2', 'UC', [resolution('fix', 80)]),
    ]);
    expect(r.findings[0]!.dependencyIds).toEqual(['p1']);
  });

  it('keeps a dependency without a threshold out of the path, whatever its place among the serial ones', () => {
    const noThreshold = { ...resolution('fix', 1), sli: { type: 'resolution-time' as const } };
    const r = run([
      ag('sla', 'SLA', [resolution('fix', 60)], [{ agreementId: 'blind' }, { agreementId: 'slow' }]),
      ag('blind', 'UC', [noThreshold]),
      ag('slow', 'UC', [resolution('fix', 70)]),
    ]);
    expect(r.findings.map((f) => [f.dependencyIds, f.figures.pathMinutes])).toEqual([[['slow'], 70]]);
    const deep = run([
      ag('sla', 'SLA', [resolution('fix', 60)], [{ agreementId: 'ola' }]),
      ag('ola', 'OLA', [resolution('fix', 50)], [{ agreementId: 'uc', objectiveId: 'fix' }]),
      ag('uc', 'UC', [avail(99)]),
    ]);
    expect(deep.findings.map((f) => [f.agreementId, f.rule])).toEqual([['ola', 'unmatched-objective']]);
  });

  it('compares each upper agreement with its own hours, not those of another resting on the same dependency', () => {
    const uc = ag('uc', 'UC', [avail(99.5)], [], {
      supportedHours: {
        kind: 'calendar',
        windows: [{ days: ['mon'], start: '00:00', end: '24:00' }],
        holidays: [],
      },
    });
    const weekdays = ag('wk', 'SLA', [avail(99)], [{ agreementId: 'uc' }], {
      supportedHours: {
        kind: 'calendar',
        windows: [{ days: ['mon', 'tue'], start: '00:00', end: '24:00' }],
        holidays: [],
      },
    });
    const always = ag('all', 'SLA', [avail(99)], [{ agreementId: 'uc' }]);
    // Mon–Tue less Mondays: 2 Tuesdays, 48 h; always less Mondays: 336 − 48 = 288 h.
    const r = run([weekdays, always, uc], ['wk', 'all']);
    expect(r.findings.map((f) => [f.agreementId, f.figures.uncoveredHours])).toEqual([
      ['all', 288],
      ['wk', 48],
    ]);
  });
});

describe('orphans and the order of findings', () => {
  it('names an active OLA or UC that no active agreement rests on', () => {
    const r = run(
      [
        ag('sla', 'SLA', [avail(99)], [{ agreementId: 'used' }]),
        ag('used', 'UC', [avail(99.5)]),
        ag('draft-sla', 'SLA', [avail(99)], [{ agreementId: 'lonely' }], { status: 'draft' }),
        ag('lonely', 'OLA', [avail(99.5)]),
        ag('retired', 'UC', [avail(99.5)], [], { status: 'expired' }),
        ag('sla-alone', 'SLA', [avail(99)]),
      ],
      [],
      ['used', 'lonely', 'retired', 'sla-alone', 'ghost'],
    );
    expect(r).toStrictEqual({
      analysed: 0,
      findings: [
        {
          rule: 'underpins-nothing',
          severity: 'info',
          blocksActivation: true,
          agreementId: 'lonely',
          dependencyIds: [],
          message: 'OLA lonely ("OLA lonely") is active and underpins no active agreement',
          figures: { kind: 'OLA' },
        },
      ],
    });
  });

  it('orders findings by agreement, then objective, then rule, whatever order they were found in', () => {
    const r = run(
      [
        ag('b-sla', 'SLA', [avail(99.9), resolution('a-fix', 60)], [{ agreementId: 'uc' }]),
        ag('uc', 'UC', [avail(99)]),
        ag('a-sla', 'SLA', [avail(99)]),
      ],
      ['b-sla', 'a-sla'],
    );
    expect(r.findings.map((f) => `${f.agreementId} ${f.objectiveId} ${f.rule}`)).toEqual([
      'a-sla availability unsupported-objective',
      'b-sla a-fix unsupported-objective',
      'b-sla availability availability-composition',
    ]);
  });
  it('keeps findings of one agreement, objective, rule and dependency in the order they were found', () => {
    // Two edges to one UC, both over other windows: two incomparable findings with the same sort key.
    const r = run([
      ag(
        'sla',
        'SLA',
        [avail(99.9)],
        [
          { agreementId: 'uc', dependencyObjectiveId: 'web' },
          { agreementId: 'uc', dependencyObjectiveId: 'api' },
        ],
      ),
      ag('uc', 'UC', [
        avail(99, { id: 'api', window: { type: 'rolling', days: 7 } }),
        avail(99, { id: 'web', window: { type: 'rolling', days: 28 } }),
      ]),
    ]);
    expect(r.findings.map((f) => f.figures.dependencyWindow)).toEqual([
      'rolling 28 days, occurrences',
      'rolling 7 days, occurrences',
    ]);
  });
});

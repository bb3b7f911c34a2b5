import { describe, expect, it } from 'vitest';
import {
  type BreachLike,
  type ChainCandidate,
  chainCandidates,
  rankContributors,
} from '../../../shared/domain/chain/breach.js';
import type { ChainAgreement } from '../../../shared/domain/chain/graph.js';

// The breached objective's window: 1 March 00:00 to 2 March 00:00 UTC, 1440 minutes.
const DAY = { start: '2027-03-01T00:00:00.000Z', end: '2027-03-02T00:00:00.000Z' };

function vio(id: string, start: string, end: string, compliance: number | null, target = 99.9): BreachLike {
  return {
    id,
    agreementId: 'x',
    objectiveId: 'availability',
    severity: 'major',
    status: 'open',
    evidence: { target, compliance, window: { start, end } },
  };
}

function cand(
  agreementId: string,
  violations: BreachLike[],
  extra: Partial<Omit<ChainCandidate, 'violations'>> = {},
): ChainCandidate {
  return {
    agreementId,
    kind: 'UC',
    objectiveId: 'availability',
    depth: 1,
    path: [],
    mode: 'serial',
    violations,
    ...extra,
  };
}

describe('rankContributors: which underpinning breach overlapped the upper one, and how much', () => {
  it('clips the overlap to the breach window on both sides and gives its minutes and share of the window', () => {
    // Violation 28 Feb 18:00 – 2 Mar 06:00 covers the whole day: overlap 00:00–24:00 = 1440 min, ratio 1.
    const [c] = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-02-28T18:00:00.000Z', '2027-03-02T06:00:00.000Z', 99.25)]),
    ]);
    expect(c).toStrictEqual({
      rank: 1,
      agreementId: 'agr_a',
      kind: 'UC',
      objectiveId: 'availability',
      depth: 1,
      mode: 'serial',
      violationId: 'v1',
      severity: 'major',
      status: 'open',
      targetPercent: 99.9,
      compliancePercent: 99.25,
      // 99.9 − 99.25 = 0.65 points (rounded to 6 places, the float noise gone).
      marginPoints: 0.65,
      overlap: { from: '2027-03-01T00:00:00.000Z', to: '2027-03-02T00:00:00.000Z', minutes: 1440 },
      overlapRatio: 1,
      path: [],
    });
  });

  it('rounds a partial overlap to 2 places in minutes and 4 places as a ratio', () => {
    // 08:00:00 – 08:08:20 = 500 s = 8.333… min → 8.33; 500 s / 86 400 s = 0.005787… → 0.0058.
    const [c] = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-03-01T08:00:00.000Z', '2027-03-01T08:08:20.000Z', 98.125)]),
    ]);
    expect(c!.overlap).toEqual({
      from: '2027-03-01T08:00:00.000Z',
      to: '2027-03-01T08:08:20.000Z',
      minutes: 8.33,
    });
    expect(c!.overlapRatio).toBe(0.0058);
    // 99.9 − 98.125 = 1.775 points.
    expect(c!.marginPoints).toBe(1.775);
  });

  it('gives a third of the window as 0.3333 and 480 minutes', () => {
    // 16:00–24:00 of a 24-hour window: 8 h = 480 min, ratio 1/3 → 0.3333.
    const [c] = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-03-01T16:00:00.000Z', '2027-03-03T00:00:00.000Z', 99.5)]),
    ]);
    expect(c!.overlap.minutes).toBe(480);
    expect(c!.overlapRatio).toBe(0.3333);
    expect(c!.overlap.to).toBe('2027-03-02T00:00:00.000Z');
  });

  it('leaves out a violation that only touches the window at its start or its end, or misses it', () => {
    const out = rankContributors(DAY, [
      cand('agr_before', [vio('v1', '2027-02-28T00:00:00.000Z', '2027-03-01T00:00:00.000Z', 99)]),
      cand('agr_after', [vio('v2', '2027-03-02T00:00:00.000Z', '2027-03-03T00:00:00.000Z', 99)]),
      cand('agr_far', [vio('v3', '2027-04-02T00:00:00.000Z', '2027-04-03T00:00:00.000Z', 99)]),
      cand('agr_none', []),
    ]);
    expect(out).toEqual([]);
  });

  it('counts a one-millisecond overlap at the window start', () => {
    const out = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-02-28T00:00:00.000Z', '2027-03-01T00:00:00.001Z', 99)]),
    ]);
    expect(out.map((c) => [c.violationId, c.overlap.from, c.overlap.to])).toEqual([
      ['v1', '2027-03-01T00:00:00.000Z', '2027-03-01T00:00:00.001Z'],
    ]);
  });

  it('gives a null margin when the compliance is unknown', () => {
    const [c] = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-03-01T06:00:00.000Z', '2027-03-01T12:00:00.000Z', null)]),
    ]);
    expect(c!.marginPoints).toBeNull();
    expect(c!.compliancePercent).toBeNull();
    // 6 h of 24 = 0.25.
    expect(c!.overlapRatio).toBe(0.25);
  });

  it('carries the redundant group of a candidate, and no group key when it has none', () => {
    const out = rankContributors(DAY, [
      cand('agr_a', [vio('v1', '2027-03-01T00:00:00.000Z', '2027-03-01T12:00:00.000Z', 99)], {
        mode: 'redundant',
        group: 'dns',
      }),
      cand('agr_b', [vio('v2', '2027-03-01T00:00:00.000Z', '2027-03-01T12:00:00.000Z', 99)]),
    ]);
    expect(out[0]!.agreementId).toBe('agr_b');
    expect('group' in out[0]!).toBe(false);
    expect(out[1]!.group).toBe('dns');
    expect(out[1]!.mode).toBe('redundant');
  });

  describe("a candidate's own violations: the one overlapping most, ties to the larger margin", () => {
    const w = (h1: number, h2: number) =>
      [
        `2027-03-01T${String(h1).padStart(2, '0')}:00:00.000Z`,
        `2027-03-01T${String(h2).padStart(2, '0')}:00:00.000Z`,
      ] as const;

    it('takes a later violation that overlaps more', () => {
      const [c] = rankContributors(DAY, [
        cand('agr_a', [vio('small', ...w(1, 3), 90), vio('big', ...w(4, 10), 99.5)]),
      ]);
      expect(c!.violationId).toBe('big');
      expect(c!.overlapRatio).toBe(0.25);
    });

    it('keeps an earlier violation that overlaps more, even when a later one has a larger margin', () => {
      const [c] = rankContributors(DAY, [
        cand('agr_a', [vio('big', ...w(4, 10), 99.5), vio('small', ...w(1, 3), 90)]),
      ]);
      expect(c!.violationId).toBe('big');
    });

    it('on an equal overlap takes the later violation with the larger margin', () => {
      const [c] = rankContributors(DAY, [
        cand('agr_a', [vio('mild', ...w(1, 3), 99.5), vio('deep', ...w(4, 6), 97.3)]),
      ]);
      expect(c!.violationId).toBe('deep');
      // 99.9 − 97.3 = 2.6 points.
      expect(c!.marginPoints).toBe(2.6);
    });

    it('on an equal overlap keeps the earlier violation with the larger margin', () => {
      const [c] = rankContributors(DAY, [
        cand('agr_a', [vio('deep', ...w(4, 6), 97.3), vio('mild', ...w(1, 3), 99.5)]),
      ]);
      expect(c!.violationId).toBe('deep');
    });

    it('on an equal overlap and an equal margin keeps the first', () => {
      const [c] = rankContributors(DAY, [
        cand('agr_a', [vio('first', ...w(4, 6), 99.5), vio('second', ...w(1, 3), 99.5)]),
      ]);
      expect(c!.violationId).toBe('first');
    });

    it('prefers a known margin over an unknown one, whichever comes first', () => {
      const a = rankContributors(DAY, [
        cand('agr_a', [vio('unknown', ...w(4, 6), null), vio('known', ...w(1, 3), 99.7)]),
      ]);
      const b = rankContributors(DAY, [
        cand('agr_a', [vio('known', ...w(1, 3), 99.7), vio('unknown', ...w(4, 6), null)]),
      ]);
      expect(a[0]!.violationId).toBe('known');
      expect(b[0]!.violationId).toBe('known');
    });
  });

  describe('the ranking', () => {
    const v = (id: string, h2: number, compliance: number | null) =>
      vio(id, '2027-03-01T00:00:00.000Z', `2027-03-01T${String(h2).padStart(2, '0')}:00:00.000Z`, compliance);

    it('puts serial members before redundant ones, even when the redundant one overlaps more', () => {
      const out = rankContributors(DAY, [
        cand('agr_r', [v('vr', 12, 90)], { mode: 'redundant', group: 'g' }),
        cand('agr_s', [v('vs', 6, 99.5)]),
      ]);
      expect(out.map((c) => [c.rank, c.agreementId])).toEqual([
        [1, 'agr_s'],
        [2, 'agr_r'],
      ]);
    });

    it('then by the larger overlap, then the larger margin, then the shallower depth, then the id', () => {
      const out = rankContributors(DAY, [
        cand('agr_c', [v('v_c', 6, 99.5)], { depth: 1 }), // 0.25, margin 0.4, depth 1
        cand('agr_b', [v('v_b', 6, 99.5)], { depth: 1 }), // same as agr_c: the id decides
        cand('agr_deep', [v('v_d', 6, 99.5)], { depth: 2 }), // same figures, deeper
        cand('agr_null', [v('v_n', 6, null)], { depth: 1 }), // unknown margin sorts as −1
        cand('agr_neg', [v('v_g', 6, 99.95)], { depth: 3 }), // margin −0.05, above −1
        cand('agr_margin', [v('v_m', 6, 98.4)], { depth: 3 }), // margin 1.5
        cand('agr_overlap', [v('v_o', 18, 99.8)], { depth: 3 }), // 0.75
      ]);
      expect(out.map((c) => [c.rank, c.agreementId])).toEqual([
        [1, 'agr_overlap'],
        [2, 'agr_margin'],
        [3, 'agr_b'],
        [4, 'agr_c'],
        [5, 'agr_deep'],
        [6, 'agr_neg'],
        [7, 'agr_null'],
      ]);
    });

    it('orders equal contributors by id whichever order they come in', () => {
      const mk = (id: string) => cand(id, [v(`v_${id}`, 6, 99.5)]);
      const ids = (cs: ChainCandidate[]) => rankContributors(DAY, cs).map((c) => c.agreementId);
      expect(ids([mk('agr_3'), mk('agr_1'), mk('agr_2')])).toEqual(['agr_1', 'agr_2', 'agr_3']);
      expect(ids([mk('agr_1'), mk('agr_3'), mk('agr_2')])).toEqual(['agr_1', 'agr_2', 'agr_3']);
      expect(ids([mk('agr_2'), mk('agr_3'), mk('agr_1')])).toEqual(['agr_1', 'agr_2', 'agr_3']);
    });

    it('keeps equal contributors of one agreement in the order they came', () => {
      const out = rankContributors(DAY, [
        cand('agr_a', [v('v1', 6, 99.5)], { objectiveId: 'latency' }),
        cand('agr_a', [v('v2', 6, 99.5)], { objectiveId: 'availability' }),
        cand('agr_a', [v('v3', 6, 99.5)], { objectiveId: 'errors' }),
      ]);
      expect(out.map((c) => c.objectiveId)).toEqual(['latency', 'availability', 'errors']);
    });
  });
});

/** A chain agreement with the fields chainCandidates reads. */
function ag(
  id: string,
  kind: 'SLA' | 'OLA' | 'UC',
  objectives: [string, string][],
  edges: {
    agreementId: string;
    objectiveId?: string;
    dependencyObjectiveId?: string;
    mode?: 'serial' | 'redundant';
    group?: string;
  }[] = [],
): ChainAgreement {
  return {
    id,
    kind,
    underpinnedBy: edges.map((e) => e.agreementId),
    underpinning: edges.map((e) => ({ objectiveId: 'availability', mode: 'serial', ...e })),
    objectives: objectives.map(([oid, type]) => ({ id: oid, sli: { type } })),
  } as unknown as ChainAgreement;
}
const map = (...as: ChainAgreement[]) => new Map(as.map((a) => [a.id, a]));

describe('chainCandidates: the objectives under a breached one, at any depth', () => {
  it('walks down two levels with depth and path, naming the redundant group only where there is one', () => {
    const byId = map(
      ag(
        'sla',
        'SLA',
        [['availability', 'availability']],
        [{ agreementId: 'ola', mode: 'redundant', group: 'edge' }],
      ),
      ag('ola', 'OLA', [['availability', 'availability']], [{ agreementId: 'uc' }]),
      ag('uc', 'UC', [['availability', 'availability']]),
    );
    const out = chainCandidates(byId, 'sla', 'availability');
    const step1 = { agreementId: 'ola', objectiveId: 'availability', mode: 'redundant', group: 'edge' };
    const step2 = { agreementId: 'uc', objectiveId: 'availability', mode: 'serial' };
    expect(out).toStrictEqual([
      {
        agreementId: 'ola',
        kind: 'OLA',
        objectiveId: 'availability',
        depth: 1,
        path: [step1],
        mode: 'redundant',
        group: 'edge',
      },
      {
        agreementId: 'uc',
        kind: 'UC',
        objectiveId: 'availability',
        depth: 2,
        path: [step1, step2],
        mode: 'serial',
        group: undefined,
      },
    ]);
    expect('group' in out[1]!.path[1]!).toBe(false);
  });

  it("follows the edge's named objective, else the linked agreement's first objective of the same SLI type", () => {
    const byId = map(
      ag(
        'sla',
        'SLA',
        [
          ['availability', 'availability'],
          ['speed', 'latency'],
        ],
        [
          { agreementId: 'uc1' },
          { agreementId: 'uc2', dependencyObjectiveId: 'api-up' },
          { agreementId: 'uc1', objectiveId: 'speed' },
        ],
      ),
      ag('uc1', 'UC', [
        ['p99', 'latency'],
        ['up', 'availability'],
        ['up-2', 'availability'],
      ]),
      ag('uc2', 'UC', [
        ['web-up', 'availability'],
        ['api-up', 'availability'],
      ]),
    );
    expect(
      chainCandidates(byId, 'sla', 'availability').map((c) => `${c.agreementId}/${c.objectiveId}`),
    ).toEqual(['uc1/up', 'uc2/api-up']);
    expect(chainCandidates(byId, 'sla', 'speed').map((c) => `${c.agreementId}/${c.objectiveId}`)).toEqual([
      'uc1/p99',
    ]);
  });

  it('skips links to unknown agreements, to SLAs and to objectives the linked agreement lacks', () => {
    const byId = map(
      ag(
        'sla',
        'SLA',
        [['availability', 'availability']],
        [
          { agreementId: 'gone' },
          { agreementId: 'other-sla' },
          { agreementId: 'uc', dependencyObjectiveId: 'missing' },
          { agreementId: 'uc2' },
        ],
      ),
      ag('other-sla', 'SLA', [['availability', 'availability']]),
      ag('uc', 'UC', [['availability', 'availability']]),
      ag('uc2', 'UC', [['p99', 'latency']]),
    );
    expect(chainCandidates(byId, 'sla', 'availability')).toEqual([]);
  });

  it('answers nothing for an unknown agreement or an objective it does not have', () => {
    const byId = map(
      ag(
        'sla',
        'SLA',
        [['availability', 'availability']],
        [{ agreementId: 'uc', objectiveId: 'ghost', dependencyObjectiveId: 'availability' }],
      ),
      ag('uc', 'UC', [['availability', 'availability']]),
    );
    expect(chainCandidates(byId, 'nope', 'availability')).toEqual([]);
    expect(chainCandidates(byId, 'sla', 'ghost')).toEqual([]);
  });

  it('lists an objective reached twice once, by its shallowest path, and never the breached one itself', () => {
    // ola-a rests on ola-b and on uc; ola-b rests on ola-a (a cycle back to the top) and on uc.
    const byId = map(
      ag(
        'ola-a',
        'OLA',
        [['availability', 'availability']],
        [{ agreementId: 'ola-b' }, { agreementId: 'uc' }],
      ),
      ag(
        'ola-b',
        'OLA',
        [['availability', 'availability']],
        [{ agreementId: 'ola-a' }, { agreementId: 'uc' }],
      ),
      ag('uc', 'UC', [['availability', 'availability']]),
    );
    const out = chainCandidates(byId, 'ola-a', 'availability');
    expect(out.map((c) => [c.agreementId, c.depth, c.path.map((p) => p.agreementId)])).toEqual([
      ['ola-b', 1, ['ola-b']],
      ['uc', 1, ['uc']],
    ]);
  });

  it('finds the shallowest path breadth first, not the first branch all the way down', () => {
    // sla → a, b; a → d; b → c → d: d is at depth 2 through a, at depth 3 through b and c (which a last-in-first-out
    // walk would reach first, as b is queued after a).
    const one = (id: string, kind: 'SLA' | 'UC' | 'OLA', to: string[]) =>
      ag(
        id,
        kind,
        [['availability', 'availability']],
        to.map((agreementId) => ({ agreementId })),
      );
    const byId = map(
      one('sla', 'SLA', ['a', 'b']),
      one('a', 'OLA', ['d']),
      one('b', 'OLA', ['c']),
      one('c', 'OLA', ['d']),
      one('d', 'UC', []),
    );
    const d = chainCandidates(byId, 'sla', 'availability').find((c) => c.agreementId === 'd');
    expect(d!.depth).toBe(2);
    expect(d!.path.map((p) => p.agreementId)).toEqual(['a', 'd']);
  });
});

import { describe, expect, it } from 'vitest';
import { type ChainAgreement, chainView, edgesOf, findCycle } from '../../../shared/domain/chain/graph.js';

const WINDOW = { kind: 'rolling', days: 28 };

/** A full agreement version carries more than the chain reads: `description`, `owner`, SLI queries. */
function full(over: Record<string, unknown> = {}) {
  return {
    id: 'agr_sla',
    kind: 'SLA',
    title: 'Payments',
    status: 'active',
    serviceId: 'svc_pay',
    businessUnit: 'payments',
    parties: { provider: 'ops', customer: 'shop' },
    timeZone: 'Europe/Paris',
    supportedHours: { kind: 'always' },
    underpinnedBy: ['agr_uc'],
    underpinning: [{ objectiveId: 'up', agreementId: 'agr_uc', mode: 'serial' }],
    description: 'not read by the chain',
    owner: 'someone',
    objectives: [
      {
        id: 'up',
        name: 'Availability',
        description: 'not read',
        sli: { type: 'availability', query: 'sum(rate(x[5m]))' },
        target: 99.95,
        window: WINDOW,
        budgetingMethod: 'occurrences',
      },
      {
        id: 'fast',
        name: 'Latency',
        sli: { type: 'latency', thresholdMs: 300, query: 'q' },
        target: 99,
        window: WINDOW,
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 5, goodAbovePercent: 95 },
      },
    ],
    ...over,
  } as unknown as ChainAgreement;
}

describe('chainView: the chain keeps only the fields it reads', () => {
  it('keeps the agreement fields and cuts objectives to what composes and times a path', () => {
    expect(chainView(full())).toStrictEqual({
      id: 'agr_sla',
      kind: 'SLA',
      title: 'Payments',
      status: 'active',
      serviceId: 'svc_pay',
      businessUnit: 'payments',
      parties: { provider: 'ops', customer: 'shop' },
      timeZone: 'Europe/Paris',
      supportedHours: { kind: 'always' },
      underpinnedBy: ['agr_uc'],
      underpinning: [{ objectiveId: 'up', agreementId: 'agr_uc', mode: 'serial' }],
      objectives: [
        {
          id: 'up',
          name: 'Availability',
          sli: { type: 'availability' },
          target: 99.95,
          window: WINDOW,
          budgetingMethod: 'occurrences',
        },
        {
          id: 'fast',
          name: 'Latency',
          sli: { type: 'latency', thresholdMs: 300 },
          target: 99,
          window: WINDOW,
          budgetingMethod: 'timeslices',
          timeSlice: { minutes: 5, goodAbovePercent: 95 },
        },
      ],
    });
  });

  it('has no underpinning key when the agreement has none', () => {
    const v = chainView(full({ underpinning: undefined }));
    expect('underpinning' in v).toBe(false);
    expect('timeSlice' in v.objectives[0]!).toBe(false);
    expect('thresholdMs' in v.objectives[0]!.sli).toBe(false);
  });
});

describe('edgesOf: one edge per linked agreement with the terms that say how it supports the upper one', () => {
  it('lists each linked agreement once, in underpinnedBy order, with its own supports only', () => {
    const a = {
      id: 'agr_sla',
      underpinnedBy: ['agr_b', 'agr_a', 'agr_b'],
      underpinning: [
        {
          objectiveId: 'up',
          agreementId: 'agr_a',
          mode: 'redundant' as const,
          group: 'dns',
          handoffMinutes: 15,
        },
        { objectiveId: 'up', agreementId: 'agr_b', mode: 'serial' as const, dependencyObjectiveId: 'api-up' },
        { objectiveId: 'fast', agreementId: 'agr_a', mode: 'serial' as const },
      ],
    };
    const edges = edgesOf(a);
    expect(edges).toStrictEqual([
      {
        from: 'agr_sla',
        to: 'agr_b',
        supports: [{ objectiveId: 'up', mode: 'serial', dependencyObjectiveId: 'api-up' }],
      },
      {
        from: 'agr_sla',
        to: 'agr_a',
        supports: [
          { objectiveId: 'up', mode: 'redundant', group: 'dns', handoffMinutes: 15 },
          { objectiveId: 'fast', mode: 'serial' },
        ],
      },
    ]);
    const bare = edges[1]!.supports[1]!;
    expect(Object.keys(bare)).toEqual(['objectiveId', 'mode']);
  });

  it('gives empty supports when the upper agreement does not say how it rests on the link', () => {
    expect(edgesOf({ id: 'agr_sla', underpinnedBy: ['agr_x'], underpinning: undefined })).toStrictEqual([
      { from: 'agr_sla', to: 'agr_x', supports: [] },
    ]);
  });
});

describe('findCycle: the cycle a new link would close', () => {
  const graph: Record<string, string[]> = {
    a: ['b', 'c'],
    b: ['d'],
    c: ['s'],
    d: [],
    loop1: ['loop2'],
    loop2: ['loop1'],
  };
  const links = (id: string) => graph[id];

  it('answers the path around the cycle without the dead ends it tried first', () => {
    // s → a → b → d is a dead end; s → a → c → s closes the cycle.
    expect(findCycle('s', ['a'], links)).toEqual(['s', 'a', 'c', 's']);
  });

  it('answers a link straight back to the start as a two-step cycle', () => {
    expect(findCycle('s', ['d', 's'], links)).toEqual(['s', 's']);
  });

  it('answers undefined when no path leads back, even through a cycle that does not include the start', () => {
    expect(findCycle('s', ['d', 'loop1', 'unknown'], links)).toBeUndefined();
  });

  it('visits each agreement once, so a diamond is walked once', () => {
    const calls: string[] = [];
    const diamond: Record<string, string[]> = { top: ['l', 'r'], l: ['bottom'], r: ['bottom'], bottom: [] };
    findCycle('s', ['top'], (id) => {
      calls.push(id);
      return diamond[id];
    });
    expect(calls).toEqual(['top', 'l', 'bottom', 'r']);
  });
});

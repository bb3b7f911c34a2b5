import { describe, expect, it } from 'vitest';
import { analyseGaps, type GapPolicy } from '../../../shared/domain/chain/gaps.js';
import type { ChainAgreement, ChainObjective } from '../../../shared/domain/chain/graph.js';
import { passThroughClaims } from '../../../shared/domain/chain/indemnity.js';
import { scorePeriods } from '../../../shared/domain/chain/vendors.js';

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
const MONTH = { type: 'calendar', unit: 'month' } as const;
const objective = (id: string, type: ChainObjective['sli']['type']): ChainObjective => ({
  id,
  name: id,
  sli: { type },
  target: 95,
  window: MONTH,
  budgetingMethod: 'occurrences',
});
const agreement = (
  id: string,
  kind: 'SLA' | 'OLA',
  objectives: ChainObjective[],
  edges: { agreementId: string; objectiveId: string }[] = [],
): ChainAgreement =>
  ({
    id,
    kind,
    title: `${kind} ${id}`,
    status: 'active',
    serviceId: 'svc_pay',
    businessUnit: 'payments',
    timeZone: 'UTC',
    supportedHours: { kind: 'always' },
    underpinnedBy: edges.map((e) => e.agreementId),
    underpinning: edges.map((e) => ({ mode: 'serial' as const, ...e })),
    objectives,
  }) as ChainAgreement;

describe('gap analysis of a custom SLI', () => {
  it('counts a custom objective as supported when an edge names it, even if the linked OLA has no custom objective', () => {
    // docs/chain.md: custom SLIs are counted as supported when an edge names them; no composition rule applies.
    // The OLA has only an availability objective, so a matching check would report "unmatched-objective".
    const sla = agreement(
      'agr_SLA0000001',
      'SLA',
      [objective('csat', 'custom')],
      [{ agreementId: 'agr_OLA0000001', objectiveId: 'csat' }],
    );
    const ola = agreement('agr_OLA0000001', 'OLA', [objective('availability', 'availability')]);
    const r = analyseGaps(
      new Map([sla, ola].map((a) => [a.id, a])),
      [sla.id],
      POLICY,
      new Date('2027-07-05T00:00:00Z'),
    );
    expect(r.findings).toEqual([]);
  });
});

describe('pass-through claim steps', () => {
  it('states the cap step as min(share, cap) = capped', () => {
    // 40 % of 500 EUR = 200, capped at 150 → 150.
    const r = passThroughClaims(
      {
        amount: 500,
        currency: 'EUR',
        periodStart: '2027-03-01T00:00:00.000Z',
        periodEnd: '2027-04-01T00:00:00.000Z',
      },
      [{ agreementId: 'agr_UC00000001', objectiveId: 'availability', violationId: 'vio_1' }],
      () => [{ id: 'c1', objectiveId: 'availability', sharePercent: 40, currency: 'EUR', capAmount: 150 }],
    );
    expect(r.claims[0]!.steps[2]).toEqual({
      step: 3,
      what: 'cap of the clause',
      calculation: 'min(200, cap 150) = 150',
      result: 150,
    });
  });
});

describe("vendor scorecard: a period's compliance", () => {
  const MAR = {
    label: '2027-03',
    start: Date.parse('2027-03-01T00:00:00Z'),
    end: Date.parse('2027-04-01T00:00:00Z'),
  };
  const APR = { label: '2027-04', start: MAR.end, end: Date.parse('2027-05-01T00:00:00Z') };

  it('takes no point from before the period: a month without evaluations and without violations is unknown', () => {
    // The only point is 15 March (99.2 %): March reads it; April has none of its own, so null.
    const out = scorePeriods([MAR, APR], [], [{ at: Date.parse('2027-03-15T12:00:00Z'), compliance: 99.2 }]);
    expect(out.map((p) => [p.period, p.compliancePercent])).toEqual([
      ['2027-03', 99.2],
      ['2027-04', null],
    ]);
  });
});

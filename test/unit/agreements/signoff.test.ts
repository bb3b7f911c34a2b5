import { describe, expect, it } from 'vitest';
import {
  mayActInCapacity,
  missingSignOffs,
  requiredSignOffs,
} from '../../../shared/domain/agreements/signoff.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

const rules = loadSignOffRules();
const credits = {
  currency: 'EUR',
  monthlyCharge: 1000,
  tiers: [{ belowPercent: 99, creditPercent: 10 }],
  capPercent: 100,
};

describe('who must sign an agreement (rules are data)', () => {
  const cases: {
    name: string;
    agreement: Parameters<typeof requiredSignOffs>[1];
    tier: number;
    expected: string[];
  }[] = [
    {
      name: 'a tier-3 SLA without credits needs the service owner and the customer business owner',
      agreement: { kind: 'SLA', complianceTags: [] },
      tier: 3,
      expected: ['business-owner', 'service-owner'],
    },
    {
      name: 'an SLA with credits adds legal and procurement',
      agreement: { kind: 'SLA', complianceTags: [], credits },
      tier: 3,
      expected: ['business-owner', 'legal', 'procurement', 'service-owner'],
    },
    {
      name: 'a tier-1 SLA with credits also goes to the governance board and finance',
      agreement: { kind: 'SLA', complianceTags: [], credits },
      tier: 1,
      expected: ['business-owner', 'finance', 'governance-board', 'legal', 'procurement', 'service-owner'],
    },
    {
      name: 'an underpinning contract needs procurement even without credits',
      agreement: { kind: 'UC', complianceTags: [] },
      tier: 4,
      expected: ['procurement', 'service-owner'],
    },
    {
      name: 'an OLA covering GDPR data needs security',
      agreement: { kind: 'OLA', complianceTags: ['GDPR'] },
      tier: 2,
      expected: ['security', 'service-owner'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(
        requiredSignOffs(rules, c.agreement, c.tier)
          .map((r) => r.capacity)
          .sort(),
      ).toEqual(c.expected);
    });
  }

  it('says which rules made a capacity required', () => {
    const r = requiredSignOffs(rules, { kind: 'UC', complianceTags: [], credits }, 3);
    expect(r.find((x) => x.capacity === 'procurement')?.rules).toEqual([
      'credits-and-penalties-need-legal-and-procurement',
      'vendor-contracts-need-procurement',
    ]);
  });

  it('refuses a rules file with an unknown capacity when it is loaded', () => {
    expect(() =>
      loadSignOffRules({
        version: 1,
        rules: [{ id: 'x', description: 'x', when: {}, require: ['janitor'] }],
      }),
    ).toThrow(/signoff-rules.json is invalid: rules.0.require.0/);
  });
});

describe('acting in a sign-off capacity', () => {
  it('lets an approver sign only in the capacities it holds', () => {
    const legal = principal({ roles: ['approver'], signOffCapacities: ['legal'] });
    expect(mayActInCapacity(legal, 'legal', 'svc_a')).toBe(true);
    expect(mayActInCapacity(legal, 'finance', 'svc_a')).toBe(false);
  });

  it('lets a service owner sign as service owner for its own services only', () => {
    const owner = principal({ roles: ['service-owner'], services: ['svc_a'] });
    expect(mayActInCapacity(owner, 'service-owner', 'svc_a')).toBe(true);
    expect(mayActInCapacity(owner, 'service-owner', 'svc_b')).toBe(false);
  });

  it('counts only approvals, not rejections, towards the required sign-offs', () => {
    const a = agreementVersion({
      requiredSignOffs: [
        { capacity: 'legal', rules: ['r'] },
        { capacity: 'finance', rules: ['r'] },
      ],
      signOffs: [
        { capacity: 'legal', decision: 'approved', by: 'l', at: '2026-11-01T00:00:00Z' },
        { capacity: 'finance', decision: 'rejected', by: 'f', at: '2026-11-01T00:00:00Z' },
      ],
    });
    expect(missingSignOffs(a)).toEqual(['finance']);
  });
});

// Sign-off rules at their edges: what the rules file may say, and who may sign in which capacity
// (issue 16: an SLA manager given the right to sign off went unnoticed).
import { describe, expect, it } from 'vitest';
import {
  mayActInCapacity,
  missingSignOffs,
  requiredSignOffs,
  SignOffRules,
} from '../../../shared/domain/agreements/signoff.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

const rule = (over: Record<string, unknown> = {}) => ({
  id: 'r-1',
  description: 'a rule',
  when: {},
  require: ['legal'],
  ...over,
});
const problems = (value: unknown) => {
  const r = SignOffRules.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the sign-off rules file', () => {
  it('accepts a rule with lower-case, digit and dash ids and a tier between 1 and 4', () => {
    expect(problems({ version: 1, rules: [rule({ id: 'tier-1-x', when: { tiers: [1, 4] } })] })).toEqual([]);
  });

  it('refuses an id with capitals or spaces, naming the rule', () => {
    expect(problems({ version: 1, rules: [rule({ id: 'legal Review' })] })).toEqual([
      expect.stringMatching(/^rules\.0\.id: /),
    ]);
  });

  it('refuses a tier outside 1 to 4 and a fractional tier', () => {
    expect(problems({ version: 1, rules: [rule({ when: { tiers: [0] } })] })).toHaveLength(1);
    expect(problems({ version: 1, rules: [rule({ when: { tiers: [5] } })] })).toHaveLength(1);
    expect(problems({ version: 1, rules: [rule({ when: { tiers: [1.5] } })] })).toHaveLength(1);
  });

  it('refuses a rule that requires nobody, a file without rules, and two rules with the same id', () => {
    expect(problems({ version: 1, rules: [rule({ require: [] })] })).toEqual([
      expect.stringMatching(/^rules\.0\.require: /),
    ]);
    expect(problems({ version: 1, rules: [] })).toEqual([expect.stringMatching(/^rules: /)]);
    expect(problems({ version: 1, rules: [rule(), rule()] })).toEqual(['rules: rule ids must be unique']);
  });

  it('refuses an unknown condition and another version', () => {
    expect(problems({ version: 1, rules: [rule({ when: { region: 'eu' } })] })).toHaveLength(1);
    expect(problems({ version: 2, rules: [rule()] })).toHaveLength(1);
  });
});

describe('conditions of a sign-off rule', () => {
  const rules = SignOffRules.parse({
    version: 1,
    rules: [
      rule({ id: 'no-credits-ops', when: { hasCredits: false }, require: ['business-owner'] }),
      rule({ id: 'ola-tier-2', when: { kinds: ['OLA'], tiers: [2] }, require: ['governance-board'] }),
      rule({ id: 'pci', when: { complianceTagsAny: ['PCI-DSS'] }, require: ['security', 'legal'] }),
      rule({ id: 'legal-again', when: { kinds: ['SLA'] }, require: ['legal'] }),
    ],
  });
  const credits = { currency: 'EUR', monthlyCharge: 1, tiers: [], capPercent: 100 };

  it('applies a "no credits" rule only to agreements without credits', () => {
    expect(requiredSignOffs(rules, { kind: 'UC', complianceTags: [] }, 3)).toEqual([
      { capacity: 'business-owner', rules: ['no-credits-ops'] },
    ]);
    expect(requiredSignOffs(rules, { kind: 'UC', complianceTags: [], credits }, 3)).toEqual([]);
  });

  it('needs every condition of a rule to hold: kind and tier', () => {
    const caps = (kind: 'OLA' | 'UC', tier: number) =>
      requiredSignOffs(rules, { kind, complianceTags: [], credits }, tier).map((r) => r.capacity);
    expect(caps('OLA', 2)).toEqual(['governance-board']);
    expect(caps('OLA', 3)).toEqual([]);
    expect(caps('UC', 2)).toEqual([]);
  });

  it('applies a compliance-tag rule when any one tag matches, and lists every rule behind a capacity', () => {
    expect(requiredSignOffs(rules, { kind: 'SLA', complianceTags: ['GDPR', 'PCI-DSS'], credits }, 3)).toEqual(
      [
        { capacity: 'security', rules: ['pci'] },
        { capacity: 'legal', rules: ['pci', 'legal-again'] },
      ],
    );
    expect(requiredSignOffs(rules, { kind: 'OLA', complianceTags: ['GDPR'], credits }, 3)).toEqual([]);
  });
});

describe('who may sign in a capacity', () => {
  it('does not let an SLA manager sign, even holding a capacity and the service', () => {
    const manager = principal({ roles: ['sla-manager'], services: ['svc_a'], signOffCapacities: ['legal'] });
    expect(mayActInCapacity(manager, 'legal', 'svc_a')).toBe(false);
    expect(mayActInCapacity(manager, 'service-owner', 'svc_a')).toBe(false);
  });

  it('does not let a service owner sign in another capacity for its own service', () => {
    const owner = principal({ roles: ['service-owner'], services: ['svc_a'] });
    expect(mayActInCapacity(owner, 'legal', 'svc_a')).toBe(false);
  });

  it('lets an approver holding the service-owner capacity sign as service owner', () => {
    const approver = principal({ roles: ['approver'], signOffCapacities: ['service-owner'] });
    expect(mayActInCapacity(approver, 'service-owner', 'svc_z')).toBe(true);
  });

  it('lists the capacities still missing in the order they are required', () => {
    const a = agreementVersion({
      requiredSignOffs: [
        { capacity: 'service-owner', rules: ['r'] },
        { capacity: 'legal', rules: ['r'] },
        { capacity: 'finance', rules: ['r'] },
      ],
      signOffs: [{ capacity: 'legal', decision: 'approved', by: 'l', at: '2026-11-01T00:00:00Z' }],
    });
    expect(missingSignOffs(a)).toEqual(['service-owner', 'finance']);
  });
});

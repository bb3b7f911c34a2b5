import { describe, expect, it } from 'vitest';
import {
  type ChangeControlPolicy,
  changedSince,
  changeSignOffs,
  classifyChange,
} from '../../../shared/domain/workflows/change-control.js';

// An agreement's terms in force, with a renewal block (material terms autoRenew and noticeDays, administrative date).
const current = {
  title: 'Cards API SLA',
  description: 'the card authorisation API',
  objectives: [{ id: 'availability', target: 99.9 }],
  credits: { capPercent: 30 },
  renewal: { renewalDate: '2027-01-01', noticeDays: 90, autoRenew: true },
};

describe('classifyChange: which proposed fields are administrative, material or unchanged', () => {
  it('sorts a mixed proposal: the same value is unchanged, a new title administrative, targets and auto-renewal material', () => {
    const proposed = {
      title: 'Cards API SLA', // the value in force: unchanged
      objectives: [{ id: 'availability', target: 99.5 }], // a material field
      description: 'card authorisation and capture', // not material: administrative
      renewal: { ...current.renewal, autoRenew: false }, // only the renewal term autoRenew moves
      credits: { capPercent: 30 }, // equal by value (a new object): unchanged
    };
    expect(classifyChange(current, proposed)).toEqual({
      administrative: ['description'],
      material: ['objectives', 'renewal.autoRenew'],
      unchanged: ['title', 'credits'],
    });
  });

  it('ignores a field proposed as undefined: it is not a change, nor unchanged', () => {
    expect(classifyChange(current, { title: undefined, description: 'new words' })).toEqual({
      administrative: ['description'],
      material: [],
      unchanged: [],
    });
  });

  it('counts a field the terms in force lack as a change when it is given a value', () => {
    expect(
      classifyChange(current, { scope: { included: ['api'] }, supportUrl: 'https://help.example' }),
    ).toEqual({
      administrative: ['supportUrl'],
      material: ['scope'],
      unchanged: [],
    });
  });

  it('keeps a renewal whose notice period moves out of the administrative list, naming the term', () => {
    const c = classifyChange(current, { renewal: { ...current.renewal, noticeDays: 60 } });
    expect(c).toEqual({ administrative: [], material: ['renewal.noticeDays'], unchanged: [] });
  });

  it('proposes nothing and gets three empty lists', () => {
    expect(classifyChange(current, {})).toEqual({ administrative: [], material: [], unchanged: [] });
  });
});

// A policy written for these tests (independent of the shipped one): one rule per condition kind.
const policy: ChangeControlPolicy = {
  rules: [
    { id: 'all', when: {}, require: ['service-owner', 'business-owner'] },
    { id: 'money', when: { fieldsAny: ['credits', 'renewal'] }, require: ['finance', 'business-owner'] },
    { id: 'tier-1-targets', when: { tiers: [1], fieldsAny: ['objectives'] }, require: ['cto'] },
    { id: 'uc', when: { kinds: ['UC'] }, require: ['procurement'] },
  ],
};

describe('changeSignOffs: the capacities the change control path asks for, each with the rules that asked', () => {
  it('asks nothing of an administrative change, even of a rule without conditions', () => {
    expect(changeSignOffs(policy, [], 1, 'UC')).toEqual([]);
  });

  it('matches a rule on a renewal term by its top-level field, and names every rule behind a capacity', () => {
    expect(changeSignOffs(policy, ['renewal.noticeDays'], 2, 'SLA')).toEqual([
      { capacity: 'service-owner', rules: ['all'] },
      { capacity: 'business-owner', rules: ['all', 'money'] },
      { capacity: 'finance', rules: ['money'] },
    ]);
  });

  it('matches a rule on a field named exactly', () => {
    expect(changeSignOffs(policy, ['credits'], 3, 'OLA').map((s) => s.capacity)).toEqual([
      'service-owner',
      'business-owner',
      'finance',
    ]);
  });

  it('matches a rule when any one of several changed fields is among its fields', () => {
    expect(
      changeSignOffs(policy, ['objectives', 'renewal.autoRenew'], 2, 'SLA').map((s) => s.capacity),
    ).toEqual(['service-owner', 'business-owner', 'finance']);
  });

  it('does not match a rule whose fields the change does not touch', () => {
    expect(changeSignOffs(policy, ['objectives'], 2, 'SLA')).toEqual([
      { capacity: 'service-owner', rules: ['all'] },
      { capacity: 'business-owner', rules: ['all'] },
    ]);
  });

  it('does not take a field that merely starts with a rule field’s name as that field', () => {
    expect(changeSignOffs(policy, ['creditsNote'], 2, 'SLA').map((s) => s.capacity)).toEqual([
      'service-owner',
      'business-owner',
    ]);
  });

  it('applies a tier rule at its tier only', () => {
    expect(changeSignOffs(policy, ['objectives'], 1, 'SLA').map((s) => s.capacity)).toEqual([
      'service-owner',
      'business-owner',
      'cto',
    ]);
  });

  it('applies a kind rule to its kind only', () => {
    expect(changeSignOffs(policy, ['scope'], 3, 'UC')).toEqual([
      { capacity: 'service-owner', rules: ['all'] },
      { capacity: 'business-owner', rules: ['all'] },
      { capacity: 'procurement', rules: ['uc'] },
    ]);
    expect(changeSignOffs(policy, ['scope'], 3, 'OLA').map((s) => s.capacity)).not.toContain('procurement');
  });
});

describe('changedSince: the terms a request would override that changed after its base version', () => {
  it('names each proposed field whose value moved between the base and the current version, in the request’s order', () => {
    const base = { title: 'A', description: 'same', credits: { capPercent: 10 } };
    const now = {
      title: 'A',
      description: 'moved',
      credits: { capPercent: 10 },
      scope: { included: ['api'] },
    };
    // description moved; scope was added since the base; credits is equal by value; owner is in neither version.
    expect(changedSince(base, now, { scope: 1, credits: 2, title: 3, description: 4, owner: 5 })).toEqual([
      'scope',
      'description',
    ]);
  });

  it('names nothing when the agreement did not change since the base', () => {
    const base = { title: 'A', credits: { capPercent: 10 } };
    expect(changedSince(base, { ...base, credits: { capPercent: 10 } }, { title: 'B', credits: 1 })).toEqual(
      [],
    );
  });
});

// The agreement lifecycle as a whole table, and which changes count as material (issue 16: mutation testing).
import { describe, expect, it } from 'vitest';
import type { AgreementStatus } from '../../../shared/domain/agreements/lifecycle.js';
import {
  canTake,
  LIFECYCLE,
  type LifecycleStep,
  MATERIAL_FIELDS,
  materialChanges,
  RENEWAL_TERMS,
  shapersOfSubmission,
} from '../../../shared/domain/agreements/lifecycle.js';

const STATUSES: AgreementStatus[] = [
  'draft',
  'submitted',
  'approved',
  'active',
  'expired',
  'sunset',
  'retired',
];

describe('every step of the agreement lifecycle from every status', () => {
  // step → the statuses it may be taken from (written out by hand from docs/agreements.md), and where it leads.
  const expected: Record<LifecycleStep, [AgreementStatus[], AgreementStatus | null]> = {
    update: [['draft', 'submitted', 'approved', 'active', 'expired', 'sunset'], null],
    submit: [['draft'], 'submitted'],
    withdraw: [['submitted', 'approved'], 'draft'],
    signoff: [['submitted'], null],
    activate: [['approved'], 'active'],
    expire: [['active'], 'expired'],
    sunset: [['active'], 'sunset'],
    retire: [['draft', 'submitted', 'approved', 'expired', 'sunset'], 'retired'],
  };
  for (const [step, [from, to]] of Object.entries(expected) as [LifecycleStep, typeof expected.update][]) {
    it(`allows ${step} from ${from.join(', ')} only${to ? `, leading to ${to}` : ''}`, () => {
      expect(STATUSES.filter((s) => canTake(step, s))).toEqual(from);
      expect(LIFECYCLE[step].to).toBe(to);
    });
  }

  it('has no other step', () => {
    expect(Object.keys(LIFECYCLE).sort()).toEqual(Object.keys(expected).sort());
  });
});

describe('material changes', () => {
  it('counts every commitment field as material, and the renewal terms by value', () => {
    expect([...MATERIAL_FIELDS].sort()).toEqual(
      [
        'complianceTags',
        'credits',
        'customerResponsibilities',
        'dataResidency',
        'effectiveFrom',
        'effectiveTo',
        'escalation',
        'indemnification',
        'jurisdiction',
        'objectives',
        'parties',
        'scope',
        'supportedHours',
        'timeZone',
        'underpinnedBy',
        'underpinning',
      ].sort(),
    );
    expect(RENEWAL_TERMS).toEqual(['autoRenew', 'noticeDays']);
  });

  it('ignores a field given as undefined, and names both renewal terms when both change', () => {
    const current = { renewal: { autoRenew: false, noticeDays: 90 } };
    expect(materialChanges(current, { objectives: undefined, title: 'x' })).toEqual([]);
    expect(materialChanges(current, { credits: null, renewal: { autoRenew: true, noticeDays: 30 } })).toEqual(
      ['credits', 'renewal.autoRenew', 'renewal.noticeDays'],
    );
  });

  it('sees renewal terms added to an agreement that had none, and removed from one that had them', () => {
    expect(materialChanges({}, { renewal: { autoRenew: true } })).toEqual(['renewal.autoRenew']);
    expect(materialChanges({ renewal: { noticeDays: 30 } }, { renewal: undefined })).toEqual([]);
  });
});

describe('who shaped a submitted version', () => {
  const v = (change: string, changedBy: string, over: Record<string, unknown> = {}) => ({
    change,
    changedBy,
    title: 'T',
    objectives: [{ target: 99.9 }],
    ...over,
  });

  it('names nobody before the first submission', () => {
    expect(shapersOfSubmission([v('create', 'ann'), v('update', 'bob', { objectives: [] })])).toEqual([]);
  });

  it('names the creator of the first version once, and not an author whose update changed nothing material', () => {
    const versions = [
      v('create', 'ann'),
      v('update', 'ann', { objectives: [{ target: 99 }] }),
      v('update', 'cat', { objectives: [{ target: 99 }], title: 'New' }),
      v('submit', 'ann', { objectives: [{ target: 99 }], title: 'New' }),
    ];
    expect(shapersOfSubmission(versions)).toEqual(['ann']);
  });

  it('names an author who changed a renewal term, and does not count the submission itself', () => {
    const versions = [
      v('create', 'ann', { renewal: { autoRenew: false } }),
      v('submit', 'ann', { renewal: { autoRenew: false } }),
      v('withdraw', 'bob', { renewal: { autoRenew: false } }),
      v('update', 'cat', { renewal: { autoRenew: true } }),
      v('submit', 'dan', { renewal: { autoRenew: true } }),
    ];
    expect(shapersOfSubmission(versions)).toEqual(['cat']);
  });

  it('reads the shapers of the latest submission when there are three', () => {
    const versions = [
      v('create', 'ann'),
      v('submit', 'ann'),
      v('update', 'bob', { objectives: [{ target: 98 }] }),
      v('submit', 'bob', { objectives: [{ target: 98 }] }),
      v('update', 'cat', { objectives: [{ target: 97 }] }),
      v('submit', 'cat', { objectives: [{ target: 97 }] }),
    ];
    expect(shapersOfSubmission(versions)).toEqual(['cat']);
  });
});

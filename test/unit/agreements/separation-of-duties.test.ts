import { describe, expect, it } from 'vitest';
import { materialChanges, shapersOfSubmission } from '../../../shared/domain/agreements/lifecycle.js';

const v = (change: string, changedBy: string, over: Record<string, unknown> = {}) => ({
  change,
  changedBy,
  title: 'T',
  objectives: [{ target: 99.9 }],
  ...over,
});

describe('separation of duties over every hand that shaped a version', () => {
  it('names the creator and every author of a material change since the previous submission', () => {
    const versions = [
      v('create', 'ann'),
      v('update', 'bob', { objectives: [{ target: 99.5 }] }), // material
      v('update', 'cat', { objectives: [{ target: 99.5 }], title: 'T2' }), // title only
      v('submit', 'ann', { objectives: [{ target: 99.5 }], title: 'T2' }),
    ];
    expect(shapersOfSubmission(versions).sort()).toEqual(['ann', 'bob']);
  });

  it('counts only the changes made after the previous submission', () => {
    const versions = [
      v('create', 'ann'),
      v('submit', 'ann'),
      v('withdraw', 'ann'),
      v('update', 'dan', { objectives: [{ target: 99 }] }),
      v('submit', 'eve', { objectives: [{ target: 99 }] }),
    ];
    expect(shapersOfSubmission(versions)).toEqual(['dan']);
  });

  it('treats renewal terms and the escalation matrix as material, the renewal date as administrative', () => {
    const current = { renewal: { renewalDate: '2027-01-01', noticeDays: 90, autoRenew: false } };
    expect(materialChanges(current, { renewal: { ...current.renewal, autoRenew: true } })).toEqual([
      'renewal.autoRenew',
    ]);
    expect(materialChanges(current, { renewal: { ...current.renewal, noticeDays: 30 } })).toEqual([
      'renewal.noticeDays',
    ]);
    expect(materialChanges(current, { renewal: { ...current.renewal, renewalDate: '2027-02-01' } })).toEqual(
      [],
    );
    expect(materialChanges(current, { escalation: [] })).toEqual(['escalation']);
    expect(materialChanges(current, { title: 'x' })).toEqual([]);
  });
});

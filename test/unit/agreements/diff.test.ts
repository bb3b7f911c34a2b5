import { describe, expect, it } from 'vitest';
import { diff } from '../../../shared/domain/agreements/diff.js';

describe('the field-level diff of two versions', () => {
  it('names a changed nested field by its path', () => {
    expect(diff({ a: { b: 1 } }, { a: { b: 2 } })).toEqual([
      { path: 'a.b', op: 'changed', before: 1, after: 2 },
    ]);
  });

  it('reports added and removed fields', () => {
    expect(diff({ a: 1 }, { b: 2 })).toEqual([
      { path: 'a', op: 'removed', before: 1 },
      { path: 'b', op: 'added', after: 2 },
    ]);
  });

  it('matches records in arrays by id, so reordering objectives is not a change', () => {
    const x = { id: 'x', target: 99 };
    const y = { id: 'y', target: 95 };
    expect(diff({ objectives: [x, y] }, { objectives: [y, x] })).toEqual([]);
    expect(diff({ objectives: [x, y] }, { objectives: [y, { ...x, target: 99.5 }] })).toEqual([
      { path: 'objectives[id=x].target', op: 'changed', before: 99, after: 99.5 },
    ]);
  });

  it('compares plain arrays by position', () => {
    expect(diff({ tags: ['GDPR'] }, { tags: ['GDPR', 'SOX'] })).toEqual([
      { path: 'tags[1]', op: 'added', after: 'SOX' },
    ]);
  });

  it('leaves bookkeeping fields out when asked', () => {
    expect(diff({ version: 1, title: 'a' }, { version: 2, title: 'b' }, new Set(['version']))).toEqual([
      { path: 'title', op: 'changed', before: 'a', after: 'b' },
    ]);
  });
});

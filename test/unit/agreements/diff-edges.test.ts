import { describe, expect, it } from 'vitest';
import { diff } from '../../../shared/domain/agreements/diff.js';

// The edges of the field-level diff the audit trail shows between two versions of a record (found open by mutation
// testing, docs/mutation.md "Measured in wave 6").

describe('the field-level diff of two versions, at its edges', () => {
  it('lists changed fields in name order, whatever order either version holds them in', () => {
    expect(diff({ b: 1, a: 1 }, { a: 2, b: 2 }).map((c) => c.path)).toEqual(['a', 'b']);
  });

  it('reports a field that becomes null, or stops being null, as changed (null is a value, not a record)', () => {
    expect(diff({ a: null }, { a: { b: 1 } })).toEqual([
      { path: 'a', op: 'changed', before: null, after: { b: 1 } },
    ]);
    expect(diff({ a: { b: 1 } }, { a: null })).toEqual([
      { path: 'a', op: 'changed', before: { b: 1 }, after: null },
    ]);
  });

  it('reports a list that becomes a record, or a record that becomes a list, as one change of the field', () => {
    expect(diff({ a: [1] }, { a: { x: 1 } })).toEqual([
      { path: 'a', op: 'changed', before: [1], after: { x: 1 } },
    ]);
    expect(diff({ a: { x: 1 } }, { a: [1] })).toEqual([
      { path: 'a', op: 'changed', before: { x: 1 }, after: [1] },
    ]);
  });

  it('reports elements removed from the end of a plain list by position', () => {
    expect(diff({ tags: ['GDPR', 'SOX', 'PCI'] }, { tags: ['GDPR'] })).toEqual([
      { path: 'tags[1]', op: 'removed', before: 'SOX' },
      { path: 'tags[2]', op: 'removed', before: 'PCI' },
    ]);
  });

  it('names records added to or removed from an id-keyed list by their id, the old ones first', () => {
    const x = { id: 'x', target: 99 };
    const y = { id: 'y', target: 95 };
    const z = { id: 'z', target: 90 };
    expect(diff({ objectives: [x, y] }, { objectives: [z, x] })).toEqual([
      { path: 'objectives[id=y]', op: 'removed', before: y },
      { path: 'objectives[id=z]', op: 'added', after: z },
    ]);
  });

  it('compares by position a list whose records repeat an id (matching by id would lose one of them)', () => {
    expect(
      diff(
        {
          l: [
            { id: 'x', v: 1 },
            { id: 'x', v: 2 },
          ],
        },
        {
          l: [
            { id: 'x', v: 2 },
            { id: 'x', v: 1 },
          ],
        },
      ),
    ).toEqual([
      { path: 'l[0].v', op: 'changed', before: 1, after: 2 },
      { path: 'l[1].v', op: 'changed', before: 2, after: 1 },
    ]);
  });

  it('compares by position a list whose ids are not strings, or whose elements are not all records', () => {
    expect(diff({ l: [{ id: 1 }, { id: 2 }] }, { l: [{ id: 2 }, { id: 1 }] })).toEqual([
      { path: 'l[0].id', op: 'changed', before: 1, after: 2 },
      { path: 'l[1].id', op: 'changed', before: 2, after: 1 },
    ]);
    expect(diff({ l: [{ id: 'a' }, 'b'] }, { l: ['b', { id: 'a' }] })).toEqual([
      { path: 'l[0]', op: 'changed', before: { id: 'a' }, after: 'b' },
      { path: 'l[1]', op: 'changed', before: 'b', after: { id: 'a' } },
    ]);
  });

  it('compares by position when only one of the two lists is keyed by id', () => {
    expect(diff({ l: [{ id: 'a' }] }, { l: ['a'] })).toEqual([
      { path: 'l[0]', op: 'changed', before: { id: 'a' }, after: 'a' },
    ]);
    expect(diff({ l: ['a'] }, { l: [{ id: 'a' }] })).toEqual([
      { path: 'l[0]', op: 'changed', before: 'a', after: { id: 'a' } },
    ]);
  });

  it('leaves bookkeeping fields out at the top only: a nested field of the same name is a change', () => {
    expect(
      diff({ version: 1, x: { version: 1 } }, { version: 2, x: { version: 2 } }, new Set(['version'])),
    ).toEqual([{ path: 'x.version', op: 'changed', before: 1, after: 2 }]);
  });

  it('sees no change in NaN kept as NaN, and a change from 0 to -0', () => {
    expect(diff({ a: Number.NaN }, { a: Number.NaN })).toEqual([]);
    expect(diff({ a: 0 }, { a: -0 })).toEqual([{ path: 'a', op: 'changed', before: 0, after: -0 }]);
  });

  it('names a change of a whole value, at the top, by the empty path', () => {
    expect(diff(1, 2)).toEqual([{ path: '', op: 'changed', before: 1, after: 2 }]);
    expect(diff(undefined, 2)).toEqual([{ path: '', op: 'added', after: 2 }]);
    expect(diff(1, undefined)).toEqual([{ path: '', op: 'removed', before: 1 }]);
  });
});

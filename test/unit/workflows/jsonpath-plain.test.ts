import { JSONPath } from 'jsonpath-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../shared/adapters/local-sfn/engine.js';

// The embedded engine answers plain paths (`$`, `$.a.b`) itself instead of through jsonpath-plus's trace
// (shared/adapters/local-sfn/jsonpath.ts). A callback option sends the same query through jsonpath-plus's own trace
// (the shortcut takes only the library's plain `{path, json, wrap: false}` form), so each case below is checked
// against what jsonpath-plus itself answers.

const viaShortcut = (path: string, json: unknown) => JSONPath({ path, json: json as object, wrap: false });
const viaLibrary = (path: string, json: unknown) =>
  JSONPath({ path, json: json as object, wrap: false, callback: () => undefined });

const doc = {
  agreementId: 'agr-1',
  version: 2,
  zero: 0,
  empty: '',
  no: false,
  nothing: null,
  list: [{ capacity: 'service-owner' }, { capacity: 'business-owner' }],
  text: 'abc',
  nested: { deeper: { value: 1.5, obj: { k: [1, 2] } } },
  Execution: { Id: 'local:approval:agr-1-v2', Name: 'agr-1-v2' },
};

const cases: [string, unknown][] = [
  ['$', doc],
  ['$.agreementId', doc],
  ['$.version', doc],
  ['$.zero', doc],
  ['$.empty', doc],
  ['$.no', doc],
  ['$.nothing', doc],
  ['$.list', doc],
  ['$.list.length', doc],
  ['$.text.length', doc],
  ['$.nested.deeper.value', doc],
  ['$.nested.deeper.obj', doc],
  ['$.nested.missing.value', doc],
  ['$.missing', doc],
  ['$.zero.toFixed', doc],
  ['$.nothing.x', doc],
  ['$.empty.length', doc],
  ['$.toString', doc],
  ['$.constructor', doc],
  ['$.Execution.Id', doc],
  ['$.a', null],
  ['$.a', undefined],
  ['$.a', 0],
  ['$', ''],
  ['$.length', 'text'],
  ['$.length', [1, 2, 3]],
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('plain JSONPath paths answered by the embedded engine itself', () => {
  it.each(cases)('gives for %s what jsonpath-plus gives', (path, json) => {
    const expected = viaLibrary(path, json);
    const got = viaShortcut(path, json);
    expect(got).toEqual(expected);
    expect(typeof got).toBe(typeof expected);
  });

  it('answers with the hand-worked values of the approval workflow’s own paths', () => {
    // Read off `doc` above: a name present gives its value (0, '', false and null included); absent gives undefined.
    expect(viaShortcut('$.agreementId', doc)).toBe('agr-1');
    expect(viaShortcut('$.zero', doc)).toBe(0);
    expect(viaShortcut('$.nothing', doc)).toBeNull();
    expect(viaShortcut('$.missing', doc)).toBeUndefined();
    expect(viaShortcut('$.toString', doc)).toBeUndefined(); // inherited, not an own property
    expect(viaShortcut('$.list', doc)).toBe(doc.list); // the same array, as jsonpath-plus returns it
    expect(viaShortcut('$.nested.deeper.value', doc)).toBe(1.5);
  });

  it('does not run jsonpath-plus’s trace for a plain path, and still does for any other', () => {
    const trace = vi.spyOn(JSONPath.prototype as unknown as { _trace: () => unknown }, '_trace');
    viaShortcut('$.nested.deeper.value', doc);
    expect(trace).not.toHaveBeenCalled();
    expect(JSONPath({ path: '$.list[1].capacity', json: doc, wrap: false })).toBe('business-owner');
    expect(JSONPath({ path: "$['agreementId']", json: doc, wrap: false })).toBe('agr-1');
    expect(JSONPath({ path: '$.list[*].capacity', json: doc, wrap: false })).toEqual([
      'service-owner',
      'business-owner',
    ]);
    expect(trace).toHaveBeenCalled();
  });
});

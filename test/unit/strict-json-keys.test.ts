import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import {
  colonsOutsideStrings,
  findDuplicateKey,
  keysIn,
  parseJsonStrict,
} from '../../shared/domain/strict-json.js';

/**
 * Strict JSON, rule by rule: the errors a caller gets (class, words and details), the values it passes through,
 * and where the key scan finds a repeated key (strict-json.test.ts holds the first cases).
 */

/** What parseJsonStrict throws for a text, or undefined. */
const thrown = (text: string): unknown => {
  try {
    parseJsonStrict(text);
  } catch (e) {
    return e;
  }
  return undefined;
};

/** The key names of an object of n keys: k0, k1, … */
const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
const objectOf = (names: string[]) => `{${names.map((k, i) => `"${k}": ${i}`).join(', ')}}`;

describe('parsing JSON strictly', () => {
  it('refuses malformed JSON as a validation error naming the body, with the parser’s words', () => {
    const words = (() => {
      try {
        JSON.parse('{"a": ');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const e = thrown('{"a": ');
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toMatchObject({
      message: 'malformed JSON',
      details: [{ path: '(body)', problem: `is not valid JSON: ${words}` }],
    });
    expect((e as ValidationError).details).toEqual([
      { path: '(body)', problem: `is not valid JSON: ${words}` },
    ]);
  });

  it('refuses a repeated key as a validation error naming its path', () => {
    const e = thrown('{"items": [{"id": 1, "id": 2}]}');
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe('duplicate key in JSON');
    expect((e as ValidationError).details).toEqual([
      { path: 'items[0].id', problem: 'appears more than once in the same object' },
    ]);
  });

  it('gives back what JSON.parse gives: scalars, null, arrays and objects', () => {
    for (const text of [
      '42',
      '"a:b"',
      'null',
      'true',
      '[1, {"a": [2]}]',
      '{"a": {"b": [null, {"c": "d:e"}]}}',
    ])
      expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
  });

  it('finds a repeated key after a string holding an escaped quote and a colon', () => {
    expect(thrown('{"a": "\\"", "a": 1}')).toMatchObject({
      details: [{ path: 'a', problem: 'appears more than once in the same object' }],
    });
    expect(thrown('{"a\\\\": "x", "a\\\\": ":"}')).toMatchObject({
      details: [{ path: 'a\\', problem: 'appears more than once in the same object' }],
    });
  });

  it('finds a repeated key whose values are arrays', () => {
    expect(thrown('{"a": [0], "a": [0]}')).toMatchObject({
      details: [{ path: 'a', problem: 'appears more than once in the same object' }],
    });
    expect(thrown('{"a": [[{"b": 1}]], "a": 2}')).toMatchObject({
      details: [{ path: 'a', problem: 'appears more than once in the same object' }],
    });
    expect(thrown('{"a": {"b": {"c": 1}}, "a": 2}')).toMatchObject({
      details: [{ path: 'a', problem: 'appears more than once in the same object' }],
    });
  });

  it('finds a key repeated in a large object (more keys than a small object holds)', () => {
    expect(thrown(objectOf([...keys(40), 'k0']))).toMatchObject({ details: [{ path: 'k0' }] });
    expect(thrown(objectOf([...keys(40), 'k39']))).toMatchObject({ details: [{ path: 'k39' }] });
  });
});

describe('the repeated-key scan', () => {
  it('finds none where every object has distinct keys, whatever strings the arrays hold', () => {
    expect(
      findDuplicateKey('{"a": [{}, "a", {"b": 1}, "b"], "c": ["a", "c"], "d": {"a": "a"}}'),
    ).toBeUndefined();
    expect(findDuplicateKey('[{"a": 1}, {"a": 1}, "a"]')).toBeUndefined();
    expect(findDuplicateKey('{"Stryker was here": 1, "": 2}')).toBeUndefined();
    expect(findDuplicateKey(objectOf(keys(40)))).toBeUndefined();
  });

  it('names the key by its path of keys and indices', () => {
    expect(findDuplicateKey('[{"a": 1}, {"a": 1, "a": 2}]')).toBe('[1].a');
    expect(findDuplicateKey('{"m": [[1], [{"k": 1, "k": 2}]]}')).toBe('m[1][0].k');
    expect(findDuplicateKey('{"a": {"x": 1}, "b": [1, 2], "a": 3}')).toBe('a');
    expect(findDuplicateKey('{"a": {"x": [1, {"y": 1}], "z": {"w": 1, "w": 2}}}')).toBe('a.z.w');
  });

  it('reads a text that is a lone string as holding no key at all', () => {
    expect(findDuplicateKey('"a:b"')).toBeUndefined();
    expect(findDuplicateKey('  "k"  ')).toBeUndefined();
  });

  it('reads a key by its value, escapes decoded', () => {
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')).toBe('a');
  });

  it('finds a key repeated in a large object, before and after it grows past small', () => {
    expect(findDuplicateKey(objectOf([...keys(20), 'k3']))).toBe('k3');
    expect(findDuplicateKey(objectOf([...keys(20), 'k19']))).toBe('k19');
    expect(findDuplicateKey(objectOf([...keys(16), 'k15']))).toBe('k15');
    expect(findDuplicateKey(objectOf([...keys(17), 'k16']))).toBe('k16');
  });
});

describe('the counts that spare most texts the key scan', () => {
  it('count the colons outside strings, an escaped quote or backslash inside a string ending nothing', () => {
    expect(colonsOutsideStrings('{"a:b": "c\\":d", "e\\\\": ":", "f": [1, {"g": 2}]}')).toBe(4);
    expect(colonsOutsideStrings('":"')).toBe(0);
    expect(colonsOutsideStrings('[1, 2]')).toBe(0);
  });

  it('count the keys of every object of a value, inside arrays and objects, and none of arrays or scalars', () => {
    expect(keysIn({ a: 1, b: { c: [1, 'x', null, { d: 2, e: null }] }, f: [[{ g: 1 }]], h: 'ij' })).toBe(8);
    expect(keysIn([1, [2, 3], 'ab'])).toBe(0);
    expect(keysIn('ab')).toBe(0);
    expect(keysIn(null)).toBe(0);
  });
});

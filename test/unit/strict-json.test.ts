import { describe, expect, it } from 'vitest';
import { parseJsonStrict } from '../../shared/domain/strict-json.js';

const problem = (text: string) => {
  try {
    parseJsonStrict(text);
    return undefined;
  } catch (e) {
    return (e as { details: { path: string; problem: string }[] }).details[0];
  }
};

describe('JSON bodies with a key twice', () => {
  it.each([
    ['at the top', '{"reason": "a", "reason": "b"}', 'reason'],
    ['in a nested object', '{"a": 1, "b": {"c": 1, "c": 2}}', 'b.c'],
    ['in an object inside an array', '{"s": [{"x": 1}, {"x": 1, "y": 2, "x": 3}]}', 's[1].x'],
    ['with escapes and colons inside the strings', '{"a:b": "c:\\"d", "a:b": 1}', 'a:b'],
    ['named __proto__', '{"__proto__": 1, "__proto__": 2}', '__proto__'],
  ])('is refused %s, naming the key', (_where, text, path) => {
    expect(problem(text)).toEqual({ path, problem: 'appears more than once in the same object' });
  });

  it.each([
    ['the same key in two objects', '{"a": {"k": 1}, "b": {"k": 1}}'],
    ['colons and quotes inside strings', '{"a:b": "c:d", "e\\\\": "\\":"}'],
    ['a deeply nested array (no stack overflow)', `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ['a scalar', '42'],
  ])('accepts %s', (_what, text) => {
    expect(problem(text)).toBeUndefined();
  });

  it('still refuses malformed JSON as such', () => {
    expect(problem('{"a": ')).toMatchObject({ path: '(body)' });
  });
});

import { describe, expect, it } from 'vitest';
import { nestingExceeds } from '../../shared/http/handler.js';

describe('the nesting pre-check on oversize bodies', () => {
  const deep = (n: number) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);

  it('finds arrays and objects nested past the limit, and not at it', () => {
    expect(nestingExceeds(deep(3), 3)).toBe(false);
    expect(nestingExceeds(deep(4), 3)).toBe(true);
    expect(nestingExceeds(Buffer.from('{"a":{"b":[{"c":1}]}}'), 4)).toBe(false);
    expect(nestingExceeds(Buffer.from('{"a":{"b":[{"c":[1]}]}}'), 4)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestingExceeds(Buffer.from('{"a":"[[[[[[[["}'), 2)).toBe(false);
    expect(nestingExceeds(Buffer.from('{"a":"\\"[[[[[[[[\\""}'), 2)).toBe(false);
    expect(nestingExceeds(Buffer.from('{"a":"\\\\","b":[[[1]]]}'), 2)).toBe(true);
  });
});

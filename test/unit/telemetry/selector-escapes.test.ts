import { describe, expect, it } from 'vitest';
import { parseSelector, SelectorError } from '../../../shared/domain/telemetry/selector.js';

// A label value whose escapes the reader cannot decode is a selector that cannot be read (a SelectorError naming
// the string), not a JSON SyntaxError escaping to the caller: an OpenSLO import with such a query used to throw.
const HINT = "(Go's \\x, octal, \\a, \\v and \\U are not read: write the character itself)";

describe('a string value whose escapes cannot be read', () => {
  it.each([
    {
      behaviour: 'refuses a Go hexadecimal escape, naming the string',
      text: 'x{path="\\x2f"}',
      literal: '"\\x2f"',
    },
    {
      behaviour: 'refuses a Go octal escape, naming the string',
      text: 'x{path="\\057"}',
      literal: '"\\057"',
    },
    { behaviour: 'refuses an escape Go does not know either', text: 'x{path="\\q"}', literal: '"\\q"' },
    { behaviour: 'refuses such an escape in single quotes too', text: "x{path='\\x2f'}", literal: "'\\x2f'" },
  ])('$behaviour', ({ text, literal }) => {
    expect(() => parseSelector(text)).toThrow(SelectorError);
    expect(() => parseSelector(text)).toThrow(
      new SelectorError(`has a string whose escapes cannot be read: ${literal} ${HINT}`),
    );
  });

  it('still reads the escapes JSON shares with Go', () => {
    expect(parseSelector('x{path="\\u002fa\\tb\\\\"}').labels.map((m) => m.value)).toEqual(['/a\tb\\']);
  });
});

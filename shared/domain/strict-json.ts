import { createScanner } from 'jsonc-parser';
import { ValidationError } from './errors.js';

/** jsonc-parser's SyntaxKind values (a const enum its types declare ambiently, so not importable here). */
const SyntaxKind = {
  OpenBraceToken: 1,
  CloseBraceToken: 2,
  OpenBracketToken: 3,
  CloseBracketToken: 4,
  CommaToken: 5,
  StringLiteral: 10,
  EOF: 17,
} as const;

/**
 * JSON.parse that also refuses an object with the same key twice (RFC 8259 §4 leaves the meaning of duplicate
 * names undefined; JSON.parse silently keeps the last, so `{"target": 99.9, "target": 10}` would pass as 10).
 * The duplicate scan runs jsonc-parser's scanner over text JSON.parse has already accepted.
 *
 * @param text a JSON text
 * @returns the parsed value
 * @throws ValidationError "malformed JSON" naming `(body)` for invalid JSON, or the duplicated key's path
 *   (`samples[2].value`) for a repeated key
 */
export function parseJsonStrict(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ValidationError('malformed JSON', [
      { path: '(body)', problem: `is not valid JSON: ${(e as Error).message}` },
    ]);
  }
  // Only objects can repeat a key. A cheap count first: every key of the text is followed by exactly one colon
  // outside strings, so the text repeats a key exactly when it has more such colons than the parsed value has keys.
  // Only then does jsonc-parser's scanner look for where.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut: a scalar's text has no colon outside strings and the value no key, so the counts below agree and return it too
  if (typeof value !== 'object' || value === null) return value;
  // Stryker disable next-line ConditionalExpression: a shortcut: scanning every object's text finds no repeated key where the counts agree, and returns the same value
  if (colonsOutsideStrings(text) === keysIn(value)) return value;
  const duplicate = findDuplicateKey(text);
  // Stryker disable next-line ConditionalExpression: the counts differ only when a key repeats, so the scan then always finds one
  if (duplicate) {
    throw new ValidationError('duplicate key in JSON', [
      { path: duplicate, problem: 'appears more than once in the same object' },
    ]);
  }
  return value;
}

/**
 * The path of the first key repeated within one object (`a.b[2].c`), or undefined. Runs jsonc-parser's scanner
 * (tokens only, no tree) over text that JSON.parse has accepted, keeping the keys of each open object.
 */
export function findDuplicateKey(text: string): string | undefined {
  // Stryker disable next-line BooleanLiteral: trivia tokens (whitespace, line breaks) match no case below: kept or skipped, the same keys are read
  const scanner = createScanner(text, true);
  // One frame per open object or array: its keys so far (objects) or its next index (arrays).
  const keys: (string[] | Set<string> | null)[] = [];
  const index: number[] = [];
  const current: (string | number)[] = [];
  let expectKey = false;
  for (let t: number = scanner.scan(); t !== SyntaxKind.EOF; t = scanner.scan()) {
    switch (t) {
      case SyntaxKind.OpenBraceToken:
        keys.push([]);
        index.push(0);
        // Stryker disable next-line StringLiteral: a placeholder: the object's first key replaces it before any path is written
        current.push('');
        expectKey = true;
        break;
      case SyntaxKind.OpenBracketToken:
        keys.push(null);
        index.push(0);
        current.push(0);
        expectKey = false;
        break;
      case SyntaxKind.CloseBraceToken:
      case SyntaxKind.CloseBracketToken:
        keys.pop();
        index.pop();
        current.pop();
        expectKey = false;
        break;
      case SyntaxKind.CommaToken: {
        const top = keys.length - 1;
        if (keys[top] === null) current[top] = ++index[top]!;
        else expectKey = true;
        break;
      }
      case SyntaxKind.StringLiteral:
        if (expectKey) {
          const top = keys.length - 1;
          const own = keys[top]!;
          const key = scanner.getTokenValue();
          if (Array.isArray(own) ? own.includes(key) : own.has(key)) {
            current[top] = key;
            return pathOf(current);
          }
          // Small objects (most) keep an array; a large one (a big labels map) switches to a set.
          // Stryker disable next-line ConditionalExpression: a set that is not added to is rebuilt with the key by the last branch: the same keys
          if (!Array.isArray(own)) own.add(key);
          else {
            // (A block, not `else if`: Stryker does not honour a disable comment placed before an `else if`.)
            // Stryker disable next-line ConditionalExpression,EqualityOperator: performance only: an array and a set of the same keys find the same repeats
            if (own.length < 16) own.push(key);
            else keys[top] = new Set([...own, key]);
          }
          current[current.length - 1] = key;
          expectKey = false;
        }
        break;
    }
  }
  return undefined;
}

function pathOf(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** The colons outside string literals of a JSON text (one per key of an object). */
export function colonsOutsideStrings(text: string): number {
  let n = 0;
  let inString = false;
  // Stryker disable next-line EqualityOperator: one step past the end reads NaN, which is no quote, backslash or colon
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 58) n++;
  }
  return n;
}

/** The keys of every object in a parsed JSON value (iteratively: a deeply nested body must not overflow the stack). */
export function keysIn(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    // Stryker disable next-line ConditionalExpression: null is no array and for…in over null enumerates nothing: 0 keys either way
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      // Stryker disable next-line ConditionalExpression,LogicalOperator: performance only: what is pushed and is not an object is skipped when popped
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    for (const k in v) {
      n++;
      const x = (v as Record<string, unknown>)[k];
      // Stryker disable next-line ConditionalExpression,LogicalOperator: performance only: what is pushed and is not an object is skipped when popped
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  return n;
}

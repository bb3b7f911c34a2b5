import { describe, expect, it } from 'vitest';
import {
  documentPath,
  MAX_DOCUMENTS,
  nestingDepth,
  parseOpenSlo,
  writeOpenSlo,
} from '../../../shared/domain/openslo/yaml.js';

// parseOpenSlo's problems compared whole (path, text, line), nestingDepth's count, writeOpenSlo's exact text.

const KINDS = 'Service, SLI, SLO, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget';
const SERVICE = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: pay\nspec: {}\n';

describe('nestingDepth', () => {
  it('counts flow collections, and block items until the end of their line', () => {
    expect(nestingDepth('a: [x, {y: [z]}]\n', 64)).toEqual({ depth: 3, line: 2 });
    expect(nestingDepth('- - a\n- b\n', 64)).toEqual({ depth: 2, line: 3 });
    expect(nestingDepth('? - - a\n: b\n', 64)).toEqual({ depth: 3, line: 3 });
    expect(nestingDepth('a: b\n', 64)).toEqual({ depth: 0, line: 2 });
  });

  it('counts a flow collection across lines', () => {
    expect(nestingDepth('a: [\n  [x],\n  y\n]\n', 64)).toEqual({ depth: 2, line: 5 });
  });

  it('closes each flow collection at its bracket, so siblings do not add up', () => {
    expect(nestingDepth('a: [{x: 1}, {y: 1}]\n', 64)).toEqual({ depth: 2, line: 2 });
    expect(nestingDepth('a: [[x], [y]]\n', 64)).toEqual({ depth: 2, line: 2 });
  });

  it('never counts below zero for a stray closing bracket', () => {
    expect(nestingDepth('a: ]]\nb: [x]\n', 64)).toEqual({ depth: 1, line: 3 });
  });

  it('stops at the line where it goes past the limit, and counts to the end at the limit itself', () => {
    expect(nestingDepth('a: 1\nb: [[[x]]]\nc: 2\n', 2)).toEqual({ depth: 3, line: 2 });
    expect(nestingDepth('a: 1\nb: [[x]]\nc: 2\n', 2)).toEqual({ depth: 2, line: 4 });
  });
});

describe('parseOpenSlo', () => {
  it('reads each valid document with its index in the stream, skipping empty documents', () => {
    const r = parseOpenSlo(`# a comment\n---\n${SERVICE}---\n---\n${SERVICE.replace('pay', 'other')}---\n`);
    expect(r).toStrictEqual({
      docs: [
        { index: 0, doc: { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'pay' }, spec: {} } },
        {
          index: 1,
          doc: { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'other' }, spec: {} },
        },
      ],
      problems: [],
    });
  });

  it('reads an empty stream as no documents and no problems', () => {
    expect(parseOpenSlo('')).toStrictEqual({ docs: [], problems: [] });
  });

  it('refuses a stream nested more than 64 levels deep, and reads one nested 64 levels', () => {
    const nested = (n: number) => `a: 1\nb: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    expect(parseOpenSlo(nested(65))).toStrictEqual({
      docs: [],
      problems: [
        {
          path: 'documents',
          problem: 'YAML: nested more than 64 levels deep (line 2); an OpenSLO document needs fewer than ten',
        },
      ],
    });
    expect(parseOpenSlo(nested(64)).problems).toEqual([
      {
        path: 'documents[0].kind',
        problem: `null is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 1)`,
      },
    ]);
  });

  it('names a document that is not of a kind Accord reads, by its kind’s line or the document’s', () => {
    const r = parseOpenSlo(
      '# first\nkind: Budget\n---\n# second\n\na: 1\n---\nkind: 5\n---\nkind: toString\n---\nplain\n',
    );
    expect(r).toStrictEqual({
      docs: [],
      problems: [
        {
          path: 'documents[0].kind',
          problem: `"Budget" is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 2)`,
        },
        {
          path: 'documents[1].kind',
          problem: `null is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 6)`,
        },
        {
          path: 'documents[2].kind',
          problem: `5 is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 8)`,
        },
        {
          path: 'documents[3].kind',
          problem: `"toString" is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 10)`,
        },
        {
          path: 'documents[4].kind',
          problem: `null is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 12)`,
        },
      ],
    });
  });

  it('names each field a kind does not have, one problem per field, at its line', () => {
    const r = parseOpenSlo(
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: x\n  foo: 1\n  bar: 2\nspec: {}\n',
    );
    expect(r).toStrictEqual({
      docs: [],
      problems: [
        { path: 'documents[0].metadata.foo', problem: 'is not an OpenSLO v1 field of this kind (line 5)' },
        { path: 'documents[0].metadata.bar', problem: 'is not an OpenSLO v1 field of this kind (line 6)' },
      ],
    });
  });

  it('names a missing field at the line of its nearest parent that is there', () => {
    const r = parseOpenSlo(
      'apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  budgetingMethod: Occurrences\n',
    );
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.service',
        problem: 'Invalid input: expected string, received undefined (line 5)',
      },
      {
        path: 'documents[0].spec.timeWindow',
        problem: 'Invalid input: expected array, received undefined (line 5)',
      },
      {
        path: 'documents[0].spec.objectives',
        problem: 'Invalid input: expected array, received undefined (line 5)',
      },
    ]);
  });

  it('names a schema problem at its own path and line', () => {
    const r = parseOpenSlo(
      `${SERVICE}---\napiVersion: openslo/v2\nkind: Service\nmetadata:\n  name: Bad_Name\nspec: {}\n`,
    );
    expect(r).toStrictEqual({
      docs: [
        { index: 0, doc: { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'pay' }, spec: {} } },
      ],
      problems: [
        { path: 'documents[1].apiVersion', problem: 'must be openslo/v1 (line 7)' },
        {
          path: 'documents[1].metadata.name',
          problem: 'must be a lower-case RFC 1123 label (a-z, 0-9, -) (line 10)',
        },
      ],
    });
  });

  it('names a YAML syntax error by its document and line, and still reads the next document', () => {
    const r = parseOpenSlo(`a: [1, 2\n---\n${SERVICE}`);
    expect(r).toStrictEqual({
      docs: [
        { index: 1, doc: { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'pay' }, spec: {} } },
      ],
      problems: [
        {
          path: 'documents[0]',
          problem:
            'YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 2)',
        },
      ],
    });
  });

  it('refuses a document whose aliases exceed the alias count, as too many aliases, and reads one just under it', () => {
    const aliases = (n: number) => `${SERVICE}---\na: &a x\nb: [${Array(n).fill('*a').join(', ')}]\n`;
    expect(parseOpenSlo(aliases(50)).problems).toEqual([
      {
        path: 'documents[1]',
        problem:
          'YAML: too many aliases (at most 50 alias expansions per document): Excessive alias count indicates a resource exhaustion attack (line 6)',
      },
    ]);
    expect(parseOpenSlo(aliases(49)).problems).toEqual([
      {
        path: 'documents[1].kind',
        problem: `null is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 7)`,
      },
    ]);
  });

  it('names any YAML error but a duplicated key by its document alone, even where a key starts', () => {
    expect(parseOpenSlo('a: 1\nb\n').problems).toEqual([
      { path: 'documents[0]', problem: 'YAML: Implicit map keys need to be followed by map values (line 2)' },
    ]);
  });

  it('names at most five YAML errors of a document', () => {
    const r = parseOpenSlo('a: 1\na: 2\na: 3\na: 4\na: 5\na: 6\na: 7\n');
    expect(r.problems).toEqual(
      [2, 3, 4, 5, 6].map((line) => ({
        path: 'documents[0].a',
        problem: `YAML: Map keys must be unique (line ${line})`,
      })),
    );
  });

  it('names a duplicated key under any key, in a sequence of sequences, and under a key with no value', () => {
    expect(parseOpenSlo('? [a]\n: {b: 1, b: 2}\n').problems).toEqual([
      { path: 'documents[0].["a"].b', problem: 'YAML: Map keys must be unique (line 2)' },
    ]);
    expect(parseOpenSlo('- [x, {b: 1, b: 2}]\n').problems).toEqual([
      { path: 'documents[0][0][1].b', problem: 'YAML: Map keys must be unique (line 1)' },
    ]);
    expect(parseOpenSlo('? \n: {b: 1, b: 2}\n').problems).toEqual([
      { path: 'documents[0].null.b', problem: 'YAML: Map keys must be unique (line 2)' },
    ]);
    expect(parseOpenSlo('x: 1\n: 1\na: 2\na: 3\n').problems).toEqual([
      { path: 'documents[0].a', problem: 'YAML: Map keys must be unique (line 4)' },
    ]);
  });

  it('reads a document whose aliases stay few, and refuses one with an alias of no anchor, saying so (not that it has too many)', () => {
    expect(parseOpenSlo('x: &x 1\nkind: *x\n').problems).toEqual([
      { path: 'documents[0].kind', problem: `1 is not an OpenSLO v1 kind Accord reads (${KINDS}) (line 2)` },
    ]);
    expect(parseOpenSlo(`${SERVICE}---\n\na: *x\n`).problems).toEqual([
      {
        path: 'documents[1]',
        problem: 'YAML: Unresolved alias (the anchor must be set before the alias): x (line 6)',
      },
    ]);
  });

  it(`reads at most ${MAX_DOCUMENTS} documents, naming the first one over`, () => {
    // documents of one scalar each, one a line: two more than the limit
    const over = parseOpenSlo(`1\n${'--- 1\n'.repeat(MAX_DOCUMENTS + 1)}`);
    expect(over.docs).toEqual([]);
    expect(over.problems).toHaveLength(MAX_DOCUMENTS + 1);
    expect(over.problems.slice(-2)).toEqual([
      {
        path: `documents[${MAX_DOCUMENTS - 1}].kind`,
        problem: `null is not an OpenSLO v1 kind Accord reads (${KINDS}) (line ${MAX_DOCUMENTS})`,
      },
      {
        path: `documents[${MAX_DOCUMENTS}]`,
        problem: `a stream may hold at most ${MAX_DOCUMENTS} documents`,
      },
    ]);
    // 5,001 documents parsed and checked: about a second on a quiet machine, five under a mutation run beside it.
  }, 30_000);
});

describe('writeOpenSlo', () => {
  const service = { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'pay' }, spec: {} } as const;

  it('writes each document after ---, under a comment whose every line is marked', () => {
    expect(writeOpenSlo([service, service], 'Exported by Accord\n\nagr_1 ')).toBe(
      '# Exported by Accord\n#\n# agr_1\n---\napiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: pay\nspec: {}\n---\napiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: pay\nspec: {}\n',
    );
  });

  it('writes no comment when given none, and never folds a long line', () => {
    const long = 'word '.repeat(40).trim();
    expect(writeOpenSlo([{ ...service, spec: { description: long } }])).toBe(
      `---\napiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: pay\nspec:\n  description: ${long}\n`,
    );
    expect(writeOpenSlo([])).toBe('');
  });
});

describe('documentPath', () => {
  it('writes a path in the stream with keys after dots and indexes in brackets', () => {
    expect(documentPath(3, ['spec', 'timeWindow', 0, 'duration'])).toBe(
      'documents[3].spec.timeWindow[0].duration',
    );
    expect(documentPath(0, [])).toBe('documents[0]');
  });
});

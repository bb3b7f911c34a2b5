import { describe, expect, it } from 'vitest';
import { exportOpenSlo, importOpenSlo } from '../../../shared/domain/openslo/convert.js';
import {
  MAX_STREAM_DOCUMENTS,
  nestingDepth,
  parseOpenSlo,
  writeOpenSlo,
} from '../../../shared/domain/openslo/yaml.js';
import { DEFAULT_BURN_WINDOWS } from '../../../shared/policy/objectives.js';
import { Objective } from '../../../shared/schemas/agreement.js';

/** A "billion laughs" document: each alias level repeats the previous one nine times (9^9 strings when expanded). */
function aliasBomb(levels = 9): string {
  const lines = ['apiVersion: openslo/v1', 'kind: SLO', 'metadata:', '  name: bomb', '  annotations:'];
  lines.push('    a: &a ["x","x","x","x","x","x","x","x","x"]');
  for (let i = 1; i < levels; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`    ${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('hostile OpenSLO streams', () => {
  it('reports an alias bomb as a problem of its document instead of throwing', () => {
    const r = parseOpenSlo(aliasBomb());
    expect(r.docs).toEqual([]);
    expect(r.problems).toEqual([
      { path: 'documents[0]', problem: expect.stringMatching(/^YAML: too many aliases.*\(line 1\)$/) },
    ]);
  });

  it('still reads the other documents of a stream holding an alias bomb, and reports each', () => {
    const good = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: payments-gateway\nspec: {}\n';
    const r = parseOpenSlo(`${good}---\n${aliasBomb()}---\n${good}`);
    expect(r.docs.map((d) => d.index)).toEqual([0, 2]);
    expect(r.problems.map((p) => p.path)).toEqual(['documents[1]']);
  });

  it('takes a document that uses a few aliases, as YAML allows', () => {
    const r = parseOpenSlo(
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: &n payments-gateway\n  displayName: *n\nspec: {}\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.docs[0]?.doc.metadata).toMatchObject({ displayName: 'payments-gateway' });
  });
});

describe('OpenSLO streams of many empty documents (red team, wave 32)', () => {
  // 5 MB of `---` lines is 1.3 million empty documents, none counted by MAX_DOCUMENTS: parseAllDocuments composed them
  // all before the first was looked at, holding the server for 26 s, and the answer named no problem at all.
  it(`stops reading after ${MAX_STREAM_DOCUMENTS} documents, empty ones included, with one problem naming the stream`, () => {
    const r = parseOpenSlo('---\n'.repeat(MAX_STREAM_DOCUMENTS * 2));
    expect(r.docs).toEqual([]);
    expect(r.problems).toEqual([
      {
        path: 'documents',
        problem: `a stream may hold at most ${MAX_STREAM_DOCUMENTS} documents, empty ones (a lone ---) included`,
      },
    ]);
  });

  it(`reads a stream of exactly ${MAX_STREAM_DOCUMENTS} documents and refuses one more`, () => {
    const good = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: payments-gateway\nspec: {}\n';
    // The valid document is the first; each `---` line after it starts one more (empty) document.
    const atLimit = parseOpenSlo(`${good}${'---\n'.repeat(MAX_STREAM_DOCUMENTS - 1)}`);
    expect(atLimit.problems).toEqual([]);
    expect(atLimit.docs.map((d) => d.index)).toEqual([0]);
    const over = parseOpenSlo(`${good}${'---\n'.repeat(MAX_STREAM_DOCUMENTS)}`);
    expect(over.problems).toEqual([
      {
        path: 'documents',
        problem: `a stream may hold at most ${MAX_STREAM_DOCUMENTS} documents, empty ones (a lone ---) included`,
      },
    ]);
  });

  it('still reads a valid document followed by a few empty ones', () => {
    const good = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: payments-gateway\nspec: {}\n';
    const r = parseOpenSlo(`${good}${'---\n'.repeat(100)}`);
    expect(r.problems).toEqual([]);
    expect(r.docs.map((d) => d.index)).toEqual([0]);
  });
});

describe('deeply nested OpenSLO streams', () => {
  // Each of these is under the route's 5 MB limit. Before the nesting limit, the flow sequence ran the process out
  // of memory (a fatal crash no handler catches) and the compact block sequence took about 16 s of CPU.
  it.each([
    ['flow sequences', `a: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`],
    ['flow mappings', `a: ${'{a: '.repeat(500_000)}1${'}'.repeat(500_000)}`],
    ['compact block sequences', `a:\n  ${'- '.repeat(1_000_000)}x\n`],
  ])('refuses %s nested a million levels deep with one problem naming the line', (_kind, text) => {
    const r = parseOpenSlo(`apiVersion: openslo/v1\nkind: Service\n${text}`);
    expect(r.docs).toEqual([]);
    expect(r.problems).toEqual([
      {
        path: 'documents',
        problem: expect.stringMatching(/^YAML: nested more than 64 levels deep \(line [34]\)/),
      },
    ]);
  });

  it('does not count brackets inside quoted strings, block scalars or comments', () => {
    const text = `apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: payments-gateway\n  displayName: "${'['.repeat(100)}"\n  # ${'{'.repeat(100)}\nspec:\n  description: |\n    ${'['.repeat(100)}\n`;
    expect(nestingDepth(text, 64).depth).toBe(0);
    expect(parseOpenSlo(text).problems).toEqual([]);
  });

  it('counts flow collections and compact block items together', () => {
    expect(nestingDepth('a: [x, {y: [z]}]\nb:\n  - - - w\n', 64).depth).toBe(3);
  });
});

describe('SLO names Accord cannot take as objective ids', () => {
  it('says the id would be too long, not that it must start with a letter, for a 63-character SLO with two objectives', () => {
    const name = 'a'.repeat(63);
    const text = `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: ${name}\nspec:\n  service: payments-gateway\n  indicator:\n    metadata: {name: requests}\n    spec:\n      ratioMetric:\n        counter: true\n        good: {metricSource: {type: Accord, spec: {}}}\n        total: {metricSource: {type: Accord, spec: {}}}\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{target: 0.99}, {target: 0.9}]\n`;
    const parsed = parseOpenSlo(text);
    expect(parsed.problems).toEqual([]);
    const r = importOpenSlo(parsed.docs, {
      serviceId: 'svc_payments-gateway',
      timeZone: 'Europe/London',
      defaultOwner: { name: 'Pat Owner', email: 'pat@example.com' },
      defaultCustomerContact: { name: 'Cus Tomer', email: 'cus@example.com' },
    });
    expect(r.problems).toContainEqual({
      path: 'documents[0].metadata.name',
      problem: expect.stringMatching(/objective id a{63}-1, 65 characters: an id holds at most 63/),
    });
    expect(r.problems.map((p) => p.problem).join('\n')).not.toMatch(/start with a letter/);
  });
});

describe('exporting ids OpenSLO cannot name', () => {
  it('leaves out, and reports, an objective whose id or SLI name ends with a hyphen, so the stream stays valid', () => {
    const base = {
      name: 'Availability',
      target: 99.9,
      window: { type: 'rolling', days: 28 },
      owner: { name: 'Pat Owner', email: 'pat@example.com' },
      customerContact: { name: 'Cus Tomer', email: 'cus@example.com' },
    } as const;
    const objectives = [
      Objective.parse({ ...base, id: 'availability', sli: { type: 'availability' } }),
      Objective.parse({ ...base, id: 'avail-', sli: { type: 'availability' } }),
      Objective.parse({ ...base, id: 'requests', sli: { type: 'availability', name: 'req-' } }),
    ];
    const out = exportOpenSlo({
      agreementId: 'agr_01TESTTESTTEST',
      serviceId: 'svc_payments-gateway',
      timeZone: 'Europe/London',
      objectives,
      burnWindows: DEFAULT_BURN_WINDOWS,
      agreementOnly: [],
    });
    expect(parseOpenSlo(writeOpenSlo(out.docs)).problems).toEqual([]);
    expect(out.notExpressed).toEqual(
      expect.arrayContaining([
        { path: 'objectives[1].id', problem: expect.stringMatching(/^"avail-" is not an OpenSLO name/) },
        { path: 'objectives[2].sli.name', problem: expect.stringMatching(/^"req-" is not an OpenSLO name/) },
      ]),
    );
    expect(out.docs.filter((d) => d.kind === 'SLO').map((d) => d.metadata.name)).toEqual(['availability']);
  });
});

describe('a duplicated key in an OpenSLO stream', () => {
  it("is reported at the key's own path with the line of its second occurrence", () => {
    const r = parseOpenSlo(
      'apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec:\n  budgetingMethod: Occurrences\n  service: a\n  budgetingMethod: Timeslices\n',
    );
    expect(r.docs).toEqual([]);
    expect(r.problems).toEqual([
      { path: 'documents[0].spec.budgetingMethod', problem: 'YAML: Map keys must be unique (line 8)' },
    ]);
  });

  it('is named inside a list and in a later document of the stream', () => {
    const service = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: y\nspec: {}\n';
    const r = parseOpenSlo(
      `${service}---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec:\n  objectives:\n    - target: 0.9\n      target: 0.99\n`,
    );
    expect(r.problems).toEqual([
      { path: 'documents[1].spec.objectives[0].target', problem: 'YAML: Map keys must be unique (line 14)' },
    ]);
  });

  it('is named at the top level of a document too', () => {
    expect(parseOpenSlo('kind: SLO\nkind: Service\n').problems).toEqual([
      { path: 'documents[0].kind', problem: 'YAML: Map keys must be unique (line 2)' },
    ]);
  });
});

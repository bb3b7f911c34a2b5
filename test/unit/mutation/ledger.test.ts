import { describe, expect, it } from 'vitest';
import {
  addScores,
  gitBlobId,
  type IncrementalReport,
  keepCompileErrors,
  layerScores,
  score,
  toEntry,
  toIncremental,
} from '../../mutation/ledger.js';

const SOURCE_V1 = 'export const f = (a: number) => a > 1;\n';
const SOURCE_V2 = '// a comment\nexport const f = (a: number) => a > 1;\n';
const TEST_A = "it('f says 2 is above 1', () => expect(f(2)).toBe(true));\n";
const TEST_B = "it('f says 1 is not above 1', () => expect(f(1)).toBe(false));\n";

/** Stryker's incremental report after mutating f.ts: one mutant killed by a.test.ts, one survivor, one static. */
function report(): IncrementalReport {
  return {
    schemaVersion: '2',
    files: {
      'shared/domain/f.ts': {
        language: 'typescript',
        source: SOURCE_V1,
        mutants: [
          {
            id: '0',
            mutatorName: 'EqualityOperator',
            replacement: 'a >= 1',
            status: 'Survived',
            statusReason: 'no test failed',
            coveredBy: ['t0', 't1'],
            location: { start: { line: 1, column: 33 }, end: { line: 1, column: 38 } },
          },
          {
            id: '1',
            mutatorName: 'BooleanLiteral',
            replacement: 'true',
            status: 'Killed',
            statusReason: 'expected true to be false',
            coveredBy: ['t0', 't1'],
            killedBy: ['t1'],
            testsCompleted: 2,
            location: { start: { line: 1, column: 33 }, end: { line: 1, column: 38 } },
          },
          {
            id: '2',
            mutatorName: 'StringLiteral',
            replacement: '""',
            status: 'Ignored',
            statusReason: 'Static mutant (and "ignoreStatic" was enabled)',
            static: true,
            location: { start: { line: 1, column: 1 }, end: { line: 1, column: 7 } },
          },
        ],
      },
    },
    testFiles: {
      'test/unit/a.test.ts': { source: TEST_A, tests: [{ id: 't0', name: 'f says 2 is above 1' }] },
      'test/unit/b.test.ts': { source: TEST_B, tests: [{ id: 't1', name: 'f says 1 is not above 1' }] },
    },
  };
}

const META = {
  measuredAt: '2026-11-30T20:00:00.000Z',
  commit: 'c0ffee',
  dirty: false,
  ignoreStatic: true,
};

/** The working tree and git as a map of paths and a map of blobs. */
function access(tree: Record<string, string>, blobs: string[] = []) {
  const byId = new Map(blobs.map((b) => [gitBlobId(b), b]));
  return { current: (p: string) => tree[p], blob: (id: string) => byId.get(id) };
}

describe('the mutation ledger', () => {
  it('names a text by the blob id git gives it, so an entry can find its source again in any clone', () => {
    // `printf 'hello\n' | git hash-object --stdin`, and so on: git counts bytes, not characters.
    expect(gitBlobId('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId('é\n')).toBe('c6003325155f475bd7c87731607525dce73be9cf');
    expect(gitBlobId('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('records a file with its source blob, each test file blob, and tests by file and name rather than by report id', () => {
    const entry = toEntry(report(), 'shared/domain/f.ts', META);
    expect(entry.blob).toBe(gitBlobId(SOURCE_V1));
    expect(entry.tests).toEqual([
      'test/unit/a.test.ts\nf says 2 is above 1',
      'test/unit/b.test.ts\nf says 1 is not above 1',
    ]);
    expect(entry.testFiles).toEqual({
      'test/unit/a.test.ts': gitBlobId(TEST_A),
      'test/unit/b.test.ts': gitBlobId(TEST_B),
    });
    const killed = entry.mutants.find((m) => m.status === 'Killed')!;
    expect(killed).toMatchObject({ location: [1, 33, 1, 38], coveredBy: [0, 1], killedBy: [1] });
    expect(killed.statusReason).toBeUndefined();
    expect(entry.mutants.find((m) => m.status === 'Survived')!.statusReason).toBe('no test failed');
  });

  it('scores an entry as Stryker does: one killed and one survivor is 50 %, the untested static mutant counted apart', () => {
    expect(toEntry(report(), 'shared/domain/f.ts', META).score).toEqual({
      score: 50,
      killed: 1,
      timeout: 0,
      survived: 1,
      noCoverage: 0,
      ignored: 0,
      staticNotRun: 1,
      invalid: 0,
    });
  });

  it('gives Stryker back the same mutants, statuses and killing tests when neither the source nor a test changed', () => {
    const entry = toEntry(report(), 'shared/domain/f.ts', META);
    const { report: back, notes } = toIncremental(
      [entry],
      access({
        'shared/domain/f.ts': SOURCE_V1,
        'test/unit/a.test.ts': TEST_A,
        'test/unit/b.test.ts': TEST_B,
      }),
    );
    expect(notes).toEqual({ lost: [], gone: [], changedTestFiles: [] });
    const file = back.files['shared/domain/f.ts']!;
    expect(file.source).toBe(SOURCE_V1);
    const name = (id: string) =>
      Object.values(back.testFiles!)
        .flatMap((t) => t.tests)
        .find((t) => t.id === id)?.name;
    const killed = file.mutants.find((m) => m.status === 'Killed')!;
    expect(killed.killedBy!.map(name)).toEqual(['f says 1 is not above 1']);
    expect(killed.coveredBy!.map(name)).toEqual(['f says 2 is above 1', 'f says 1 is not above 1']);
    expect(killed.location).toEqual({ start: { line: 1, column: 33 }, end: { line: 1, column: 38 } });
    expect(file.mutants.map((m) => m.status)).toEqual(['Ignored', 'Killed', 'Survived']);
    expect(back.testFiles!['test/unit/b.test.ts']!.source).toBe(TEST_B);
  });

  it('drops the tests of a test file changed since the entry, so Stryker re-tests the mutant they killed', () => {
    const entry = toEntry(report(), 'shared/domain/f.ts', META);
    const { report: back, notes } = toIncremental(
      [entry],
      access({
        'shared/domain/f.ts': SOURCE_V1,
        'test/unit/a.test.ts': TEST_A,
        'test/unit/b.test.ts': `${TEST_B}// edited\n`,
      }),
    );
    expect(notes.changedTestFiles).toEqual(['test/unit/b.test.ts']);
    const killed = back.files['shared/domain/f.ts']!.mutants.find((m) => m.status === 'Killed')!;
    expect(killed.killedBy).toEqual([]);
    expect(killed.coveredBy).toHaveLength(1);
    expect(back.testFiles!['test/unit/b.test.ts']).toBeUndefined();
  });

  it('hands Stryker the source as it was mutated, from git, when the file changed since, so Stryker diffs mutant by mutant', () => {
    const entry = toEntry(report(), 'shared/domain/f.ts', META);
    const tree = {
      'shared/domain/f.ts': SOURCE_V2,
      'test/unit/a.test.ts': TEST_A,
      'test/unit/b.test.ts': TEST_B,
    };
    const fromGit = toIncremental([entry], access(tree, [SOURCE_V1]));
    expect(fromGit.report.files['shared/domain/f.ts']!.source).toBe(SOURCE_V1);
    const lost = toIncremental([entry], access(tree));
    expect(lost.report.files).toEqual({});
    expect(lost.notes.lost).toEqual(['shared/domain/f.ts']);
  });

  it('leaves out the entry of a file that no longer exists', () => {
    const entry = toEntry(report(), 'shared/domain/f.ts', META);
    const { report: back, notes } = toIncremental([entry], access({}));
    expect(back.files).toEqual({});
    expect(notes.gone).toEqual(['shared/domain/f.ts']);
  });

  it('sums a layer over the entries it has, names the files with none as unscored and those whose source changed as stale', () => {
    const f = toEntry(report(), 'shared/domain/f.ts', META);
    const g = { ...f, file: 'shared/domain/g.ts', blob: 'old', score: score([{ status: 'Killed' }]) };
    const blobs: Record<string, string> = { 'shared/domain/f.ts': f.blob, 'shared/domain/g.ts': 'new' };
    const layers = layerScores(
      [f, g],
      { domain: ['shared/domain/f.ts', 'shared/domain/g.ts', 'shared/domain/h.ts'], usecases: [] },
      (p) => blobs[p],
    );
    // f: 1 killed, 1 survived; g: 1 killed → 2 of 3 detected.
    expect(layers.domain).toMatchObject({
      score: 66.67,
      killed: 2,
      survived: 1,
      files: 3,
      scored: 1,
      stale: ['shared/domain/g.ts'],
      unscored: ['shared/domain/h.ts'],
      oldest: META.measuredAt,
    });
    expect(layers.usecases).toMatchObject({ score: null, files: 0, scored: 0, unscored: [] });
  });

  it('adds scores by their counts, not by averaging percentages', () => {
    const big = score([
      ...Array.from({ length: 99 }, () => ({ status: 'Killed' as const })),
      { status: 'Survived' as const },
    ]);
    const small = score([{ status: 'Survived' }]);
    expect(big.score).toBe(99);
    expect(small.score).toBe(0);
    // 99 of 101, not (99 + 0) / 2.
    expect(addScores([big, small]).score).toBe(98.02);
  });
});

describe('an entry measured without the type checker', () => {
  /** The entry of report() (its mutants sorted by place), and the same with its a >= 1 mutant a compile error. */
  const measured = () => toEntry(report(), 'shared/domain/f.ts', { ...META, runSeconds: 1, load: 1 });
  const isGe = (m: { replacement: string }) => m.replacement === 'a >= 1';
  const wasCompileError = () => {
    const e = measured();
    return { ...e, mutants: e.mutants.map((m) => (isGe(m) ? { ...m, status: 'CompileError' as const } : m)) };
  };

  it('keeps as a compile error a mutant the checked entry of the same source had as one, its tests and reason dropped', () => {
    const e = keepCompileErrors(measured(), wasCompileError());
    expect(e.mutants.find(isGe)).toEqual({
      mutatorName: 'EqualityOperator',
      replacement: 'a >= 1',
      location: [1, 33, 1, 38],
      status: 'CompileError',
    });
    expect(e.mutants.filter((m) => !isGe(m))).toEqual(measured().mutants.filter((m) => !isGe(m)));
    expect(e.score).toEqual({ ...measured().score, survived: 0, invalid: 1, score: 100 });
  });

  it('keeps the new results when the earlier entry measured another source, had no compile error, or is missing', () => {
    expect(keepCompileErrors(measured(), { ...wasCompileError(), blob: gitBlobId(SOURCE_V2) })).toEqual(
      measured(),
    );
    expect(keepCompileErrors(measured(), measured())).toEqual(measured());
    expect(keepCompileErrors(measured(), undefined)).toEqual(measured());
  });

  it('matches a mutant by its mutator, replacement and place, not by its place alone', () => {
    const other = wasCompileError();
    other.mutants = other.mutants.map((m) => (isGe(m) ? { ...m, replacement: 'a < 1' } : m));
    expect(keepCompileErrors(measured(), other).mutants.find(isGe)!.status).toBe('Survived');
  });
});

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkerNeeded, checkerTsconfig, scopedTsconfig } from '../../mutation/checker.js';

describe('the tsconfig the mutation checker compiles', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the domain-only program when every mutated file is a domain file', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    expect(
      checkerTsconfig(['shared/domain/objectives/credits.ts', 'shared/domain/agreements/rules.ts']),
    ).toBe('tsconfig.mutate-domain.json');
  });

  it('is the use cases + domain program as soon as one use-case file is in scope, since the domain one would not compile it', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    expect(checkerTsconfig(['shared/domain/objectives/credits.ts', 'shared/usecases/audit.ts'])).toBe(
      'tsconfig.mutate.json',
    );
    expect(checkerTsconfig([])).toBe('tsconfig.mutate.json');
  });

  it('is whatever ACCORD_MUTATION_TSCONFIG names when it is set', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', 'tsconfig.json');
    expect(checkerTsconfig(['shared/domain/objectives/credits.ts'])).toBe('tsconfig.json');
  });
});

describe('the checker program of a run over a few files', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('compiles the mutated files and what they import, named after the run, with the shared ambient types', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    const t = scopedTsconfig(['shared/usecases/workflows/remediation.ts'], 'mutation-u3');
    expect(t?.path).toBe('test/mutation/scope/mutation-u3.json');
    expect(JSON.parse(t!.json)).toEqual({
      extends: '../../../tsconfig.json',
      files: ['../../../shared/usecases/workflows/remediation.ts'],
      include: ['../../../shared/types'],
    });
  });

  it('resolves, from where it is written, to the project tsconfig and the mutated file', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    const t = scopedTsconfig(['shared/domain/objectives/credits.ts'], 'mutation');
    const json = JSON.parse(t!.json) as { extends: string; files: string[] };
    const at = (p: string) => resolve(dirname(resolve(t!.path)), p);
    expect(at(json.extends)).toBe(resolve('tsconfig.json'));
    expect(at(json.files[0]!)).toBe(resolve('shared/domain/objectives/credits.ts'));
    expect(existsSync(at(json.files[0]!))).toBe(true);
  });

  it('keeps a run name that could leave its folder out of the path', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    expect(scopedTsconfig(['shared/usecases/audit.ts'], '../x y')?.path).toBe(
      'test/mutation/scope/___x_y.json',
    );
  });

  it('is no program of its own for more files than the limit, for none, or when ACCORD_MUTATION_TSCONFIG is set', () => {
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', '');
    const five = ['a', 'b', 'c', 'd', 'e'].map((x) => `shared/usecases/${x}.ts`);
    expect(scopedTsconfig(five, 'm')).toBeUndefined();
    expect(scopedTsconfig(five.slice(0, 4), 'm')).toBeDefined();
    expect(scopedTsconfig([], 'm')).toBeUndefined();
    vi.stubEnv('ACCORD_MUTATION_TSCONFIG', 'tsconfig.json');
    expect(scopedTsconfig(['shared/usecases/audit.ts'], 'm')).toBeUndefined();
  });
});

describe('whether a mutation run needs the type checker', () => {
  const ledger: Record<string, string> = { 'a.ts': 'blob-a', 'b.ts': 'blob-b' };
  const measured = (f: string) => ledger[f];

  it('does not when every file is the source its ledger entry measured (only tests changed)', () => {
    expect(checkerNeeded(['a.ts', 'b.ts'], measured, (f) => ledger[f])).toBe(false);
  });

  it('does as soon as one file changed since its entry, has no entry, or is gone', () => {
    const now: Record<string, string | undefined> = { 'a.ts': 'blob-a', 'b.ts': 'blob-b2', 'c.ts': 'blob-c' };
    expect(checkerNeeded(['a.ts', 'b.ts'], measured, (f) => now[f])).toBe(true);
    expect(checkerNeeded(['a.ts', 'c.ts'], measured, (f) => now[f])).toBe(true);
    expect(checkerNeeded(['a.ts'], measured, () => undefined)).toBe(true);
  });

  it('does for a run over no named file (the whole layers)', () => {
    expect(checkerNeeded([], measured, (f) => ledger[f])).toBe(true);
  });
});

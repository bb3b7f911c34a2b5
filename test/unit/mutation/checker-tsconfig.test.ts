import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkerTsconfig } from '../../mutation/checker.js';

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

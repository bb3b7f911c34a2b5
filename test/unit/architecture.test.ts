import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const strip = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('the architecture boundaries', () => {
  it('keeps the domain pure: no I/O, no AWS SDK, no clock, no randomness, no environment', () => {
    const offences: string[] = [];
    for (const f of files('shared/domain')) {
      const src = strip(readFileSync(f, 'utf8'));
      const checks: [RegExp, string][] = [
        [
          /from ['"](node:)?(fs|fs\/promises|http|https|net|child_process|crypto)['"]/,
          'imports I/O or crypto',
        ],
        [/from ['"]@aws-sdk\//, 'imports the AWS SDK'],
        [/from ['"]better-sqlite3['"]/, 'imports a database'],
        [/from ['"]\.\.\/(\.\.\/)*(adapters|usecases|http|runtime)\//, 'imports an outer layer'],
        [/Date\.now\(\)/, 'reads the clock'],
        [/new Date\(\)/, 'reads the clock'],
        [/Math\.random\(/, 'uses randomness'],
        [/process\.env/, 'reads the environment'],
      ];
      for (const [re, what] of checks) if (re.test(src)) offences.push(`${f} ${what}`);
    }
    expect(offences).toEqual([]);
  });

  it('keeps handlers thin: no handler module is longer than 40 lines', () => {
    const long = files('functions')
      .map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 40);
    expect(long).toEqual([]);
  });

  it('keeps the embedded default out of Lambda code', () => {
    const offences = [...files('functions'), ...files('shared')].filter((f) =>
      /from ['"][./]*infra\/local\//.test(readFileSync(f, 'utf8')),
    );
    expect(offences).toEqual([]);
  });
});

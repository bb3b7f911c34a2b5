import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `npm run mutate`'s script with the given arguments (tsx, no Stryker reached for these). */
function mutate(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'test/mutation/run.ts', ...args], {
    encoding: 'utf8',
  });
}

describe('npm run mutate: its command line', () => {
  it('prints its usage for --help and exits 0 without running Stryker', () => {
    const r = mutate('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('npm run mutate [-- --force]');
    expect(r.stdout).not.toMatch(/Usage: stryker|INFO/);
  });

  it('refuses an option it does not know with exit 2, naming it, before anything runs', () => {
    const r = mutate('--ignoreStatic', '--bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stdout).toBe('');
  });
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../shared/runtime/project-root.js';

describe('npm start -- --help', () => {
  it('names every ACCORD_ setting the embedded default reads from its environment (red team, wave 6)', () => {
    // The README promises `npm start -- --help` lists the environment variables; ACCORD_DATA_SOURCES (the pull data
    // sources, docs/backfill.md) was read by shared/runtime/config.ts and named nowhere in the help.
    const config = readFileSync(fromRoot('shared/runtime/config.ts'), 'utf8');
    const schema = config.slice(config.indexOf('const ConfigSchema'));
    const read = [...schema.matchAll(/^ {2}(ACCORD_[A-Z_]+):/gm)]
      .map((m) => m[1]!)
      .filter((n) => n !== 'ACCORD_VERSION');
    expect(read).toContain('ACCORD_DATA_SOURCES');
    const out = spawnSync(process.execPath, ['--import', 'tsx', fromRoot('infra/local/main.ts'), '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status, out.stderr).toBe(0);
    for (const name of read) expect(out.stdout, name).toContain(`  ${name} `);
  }, 60_000);
});

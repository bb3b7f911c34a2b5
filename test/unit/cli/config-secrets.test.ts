import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../infra/cli/main.js';

async function accord(args: string[], env: NodeJS.ProcessEnv, stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env,
    ...(stdin === undefined ? {} : { stdin: async () => stdin }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the saved token stays private', () => {
  it('makes an existing, world-readable config file 0600 when it writes a token into it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-cfg-')), 'config.json');
    writeFileSync(path, '{}\n', { mode: 0o644 });
    const r = await accord(['config', 'set', '--token', 'tok-1'], { ACCORD_CONFIG: path });
    expect(r.code, r.err).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('tok-1');
  });

  it('never writes the token into the old world-readable file: a new 0600 file replaces it, and no temporary is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-cfg-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{}\n', { mode: 0o644 });
    const before = statSync(path).ino;
    const r = await accord(['config', 'set', '--token', 'tok-2'], { ACCORD_CONFIG: path });
    expect(r.code, r.err).toBe(0);
    // Another inode: the token went into a file created 0600 and renamed into place, not into the 0644 one.
    expect(statSync(path).ino).not.toBe(before);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('reads the token from standard input with --token-stdin, so it is in no process list or shell history', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-cfg-')), 'config.json');
    const r = await accord(['config', 'set', '--token-stdin'], { ACCORD_CONFIG: path }, 'tok-from-stdin\n');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('tok-from-stdin');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses --token-stdin with an empty input, and with --token as well (usage, exit 2)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-cfg-')), 'config.json');
    expect((await accord(['config', 'set', '--token-stdin'], { ACCORD_CONFIG: path }, '\n')).code).toBe(2);
    expect(
      (await accord(['config', 'set', '--token', 'a', '--token-stdin'], { ACCORD_CONFIG: path }, 'b')).code,
    ).toBe(2);
  });
});

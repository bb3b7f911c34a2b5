import { describe, expect, it } from 'vitest';
import { run } from '../../../infra/cli/main.js';

const accord = async (args: string[]) => {
  const err: string[] = [];
  const code = await run(args, {
    out: () => {},
    err: (s) => err.push(s),
    env: { ACCORD_CONFIG: '/nonexistent/c.json' },
  });
  return { code, err: err.join('\n') };
};

describe('accord without a command', () => {
  it('exits 2 (usage) with the help on stderr, so a script calling `accord $EMPTY` does not pass silently', async () => {
    const r = await accord([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^Usage: accord/);
  });

  it('exits 2 for a command group given no subcommand', async () => {
    expect((await accord(['agreements'])).code).toBe(2);
    expect((await accord(['config'])).code).toBe(2);
  });

  it('exits 0 when help is asked for', async () => {
    expect((await accord(['--help'])).code).toBe(0);
    expect((await accord(['agreements', '--help'])).code).toBe(0);
    expect((await accord(['help', 'agreements'])).code).toBe(0);
  });
});

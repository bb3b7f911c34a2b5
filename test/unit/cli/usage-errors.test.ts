import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../infra/cli/main.js';
import { backupDatabase, type CopyProgress } from '../../../infra/cli/sqlite-backup.js';

/** A server that counts the requests it is sent: a usage error must send none. */
let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const accord = async (args: string[], env: Record<string, string> = {}) => {
  const err: string[] = [];
  const out: string[] = [];
  const code = await run(args, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env: { ACCORD_CONFIG: '/nonexistent/c.json', ACCORD_ENDPOINT: endpoint, ACCORD_TOKEN: 't', ...env },
  });
  return { code, err: err.join('\n'), out: out.join('\n') };
};

describe('accord usage errors are caught before anything is sent', () => {
  it('exits 2 naming --limit for a limit that is not a whole number from 1 to 200, sending nothing', async () => {
    for (const limit of ['abc', '0', '201', '1.5', '-3', '']) {
      const before = requests;
      const r = await accord(['agreements', 'list', '--limit', limit]);
      expect(r.code, `--limit ${JSON.stringify(limit)}`).toBe(2);
      expect(r.err).toContain("option '--limit <n>' argument");
      expect(r.err).toContain('must be a whole number from 1 to 200');
      expect(requests).toBe(before);
    }
  });

  it('sends a good --limit, and the default of 50 when none is given', async () => {
    const before = requests;
    expect((await accord(['agreements', 'list', '--limit', '200'])).code).toBe(0);
    expect((await accord(['agreements', 'list'])).code).toBe(0);
    expect(requests).toBe(before + 2);
  });

  it('exits 2 naming ACCORD_ENDPOINT when it is not an http(s) URL, sending nothing', async () => {
    for (const bad of ['ftp://accord.example.com', 'accord.example.com', 'file:///etc/passwd']) {
      const r = await accord(['agreements', 'list'], { ACCORD_ENDPOINT: bad });
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain('ACCORD_ENDPOINT must be an http(s) URL');
    }
  });

  it('exits 2 for config set --endpoint with an ftp URL', async () => {
    const home = mkdtempSync(join(tmpdir(), 'accord-usage-'));
    const r = await accord(['config', 'set', '--endpoint', 'ftp://x.example'], {
      ACCORD_CONFIG: join(home, 'c.json'),
      ACCORD_ENDPOINT: '',
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--endpoint must be an http(s) URL');
  });
});

describe('accord backup progress', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-backup-progress-'));
  const make = (file: string, rows: number) => {
    const db = new Database(file);
    db.exec('CREATE TABLE t (x TEXT)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < rows; i++) ins.run('x'.repeat(1000));
    })();
    db.close();
  };

  it('reports the last step, so the progress reaches 100 % with every page copied', async () => {
    const file = join(dir, 'big.db');
    make(file, 3000); // about 750 pages: several steps of 256
    const seen: CopyProgress[] = [];
    const r = await backupDatabase(file, join(dir, 'big-backup.db'), (p) => seen.push(p));
    expect(r.pages).toBeGreaterThan(512);
    expect(seen.at(-1)).toEqual({ totalPages: r.pages, remainingPages: 0 });
    expect(seen.length).toBeGreaterThan(2);
  });

  it('reports 100 % and the page count for a database copied in one step', async () => {
    const file = join(dir, 'small.db');
    make(file, 1);
    const seen: CopyProgress[] = [];
    const r = await backupDatabase(file, join(dir, 'small-backup.db'), (p) => seen.push(p));
    expect(r.pages).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ totalPages: r.pages, remainingPages: 0 });
  });

  it('prints 100 % on the last progress line of `accord backup`', async () => {
    const file = join(dir, 'cli.db');
    make(file, 3000);
    const r = await accord(['backup', join(dir, 'cli-backup.db'), '--db', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.trim().split('\n').at(-1)).toMatch(/^\r100% of \d+ pages$/);
  });
});

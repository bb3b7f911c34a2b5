import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { program, run } from '../../infra/cli/main.js';
import { SCHEMA_VERSION } from '../../shared/adapters/sqlite/db.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

/** The `accord` binary (package.json "bin"), run as a user runs it, against the embedded default. */
const BIN = new URL('../../infra/cli/accord.mjs', import.meta.url).pathname;
const EVERY_KIND = new URL('../fixtures/openslo/every-kind.yaml', import.meta.url).pathname;
let app: TestApp;
let agreementId = '';
const home = mkdtempSync(join(tmpdir(), 'accord-cli-'));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}
function accord(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH, HOME: home, ACCORD_CONFIG: join(home, 'config.json'), ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody(datesFromToday()),
  });
  expect(a.status).toBe(201);
  agreementId = a.body.id;
}, 60_000);
afterAll(() => app.close());

describe('the accord binary', () => {
  it('saves the endpoint and token in a file only its owner can read, and never prints the token', async () => {
    const token = app.credentials.tokens['sla-manager']!.token;
    const set = await accord(['config', 'set', '--endpoint', app.url, '--token', token]);
    expect(set.code, set.stderr).toBe(0);
    expect(statSync(join(home, 'config.json')).mode & 0o777).toBe(0o600);
    const show = await accord(['--output', 'json', 'config', 'show']);
    expect(JSON.parse(show.stdout)).toEqual({
      path: join(home, 'config.json'),
      endpoint: app.url,
      token: 'set',
    });
    expect(show.stdout).not.toContain(token);
  });

  it('lists agreements as a table by default and as JSON for scripts', async () => {
    const human = await accord(['agreements', 'list']);
    expect(human.code, human.stderr).toBe(0);
    const [header, row] = human.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+KIND\s+STATUS\s+VERSION\s+SERVICEID\s+TITLE$/);
    expect(row).toMatch(
      new RegExp(`^${agreementId}\\s+SLA\\s+draft\\s+1\\s+svc_payments-gateway\\s+Payments gateway`),
    );
    const json = await accord(['-o', 'json', 'agreements', 'list']);
    expect(JSON.parse(json.stdout).items.map((a: { id: string }) => a.id)).toEqual([agreementId]);
  });

  it('exits 4 for an agreement that does not exist, 3 without a valid token, 6 when Accord is unreachable, 2 on a usage error', async () => {
    const missing = await accord(['agreements', 'show', 'agr_01NOSUCHAGREEMENT0']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^accord: 404/);
    expect((await accord(['agreements', 'list'], { ACCORD_TOKEN: 'not-a-token' })).code).toBe(3);
    expect((await accord(['agreements', 'list'], { ACCORD_ENDPOINT: 'http://127.0.0.1:1' })).code).toBe(6);
    expect((await accord(['agreements', 'list', '--bogus'])).code).toBe(2);
  });

  it('imports an OpenSLO file into the draft, exports it back, and writes Prometheus rules', async () => {
    const dry = await accord(['openslo', 'import', agreementId, EVERY_KIND, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: nothing written/);
    const imported = await accord([
      '-o',
      'json',
      'openslo',
      'import',
      agreementId,
      EVERY_KIND,
      '--reason',
      'adopt our SLOs',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).agreement.version).toBe(2);
    const out = join(home, 'exported.yaml');
    const exported = await accord(['openslo', 'export', agreementId, '-f', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/kind: SLO/);
    expect(exported.stderr).toMatch(/not expressed in OpenSLO: .*parties/);
    const again = await accord(['-o', 'json', 'openslo', 'import', agreementId, out]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).replaced).toHaveLength(8);
    const rules = join(home, 'rules.yaml');
    const r = await accord(['rules', agreementId, '-f', rules]);
    expect(r.code, r.stderr).toBe(0);
    // five objectives come from Prometheus; the Datadog latency SLI and the agreement's own availability do not
    expect(parse(readFileSync(rules, 'utf8')).groups.length).toBe(5);
    const bad = join(home, 'bad.yaml');
    writeFileSync(bad, readFileSync(EVERY_KIND, 'utf8').replace('duration: 28d', 'duration: 28x'));
    const refused = await accord(['openslo', 'import', agreementId, bad]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(
      /documents\[6\]\.spec\.timeWindow\[0\]\.duration: must be a duration shorthand/,
    );
    // Six processes one after another, each a cold Node start: past the project's 60 s on a loaded machine.
  }, 180_000);

  it('backs up the live database, restores it, and refuses a backup from a newer schema with exit 7', async () => {
    const backup = join(home, 'accord-backup.db');
    const versions = (app.db.prepare('SELECT count(*) AS n FROM agreement_versions').get() as { n: number })
      .n;
    const b = await accord(['-o', 'json', 'backup', backup, '--db', join(app.dir, 'accord.db')]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).schemaVersion).toBe(SCHEMA_VERSION);
    const copy = new Database(backup, { readonly: true });
    expect((copy.prepare('SELECT count(*) AS n FROM agreement_versions').get() as { n: number }).n).toBe(
      versions,
    );
    copy.close();
    expect((await accord(['backup', backup, '--db', join(app.dir, 'accord.db')])).code).toBe(5); // never overwrites
    const target = join(home, 'restored.db');
    const r = await accord(['restore', backup, '--db', target]);
    expect(r.code, r.stderr).toBe(0);
    const restored = new Database(target, { readonly: true });
    expect((restored.prepare('SELECT count(*) AS n FROM agreement_versions').get() as { n: number }).n).toBe(
      versions,
    );
    restored.close();
    const newer = join(home, 'newer.db');
    copyFileSync(backup, newer);
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const refused = await accord(['restore', newer, '--db', target]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain(
      `schema version ${SCHEMA_VERSION + 1}; this Accord reads up to ${SCHEMA_VERSION}`,
    );
  });

  it('refuses to restore over the database of a running Accord with exit 5, and leaves that database as it was', async () => {
    const backup = join(home, 'backup-while-running.db');
    const db = join(app.dir, 'accord.db');
    expect((await accord(['backup', backup, '--db', db])).code).toBe(0);
    const r = await accord(['restore', backup, '--db', db]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain(`Accord is running on ${app.dir}: stop it before restoring over its database`);
    const live = await app.call('GET', '/v1/services', { as: 'sla-manager' });
    expect(live.status).toBe(200);
  });

  it("shows an active agreement's status as a table of its objectives", async () => {
    const a = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody(datesFromToday()),
    });
    expect(a.status).toBe(201);
    const id = a.body.id as string;
    const step = (path: string, v: number, as: string, body: object) =>
      app.call('POST', `/v1/agreements/${id}/${path}`, { as, body, headers: { 'if-match': `"${v}"` } });
    const submitted = await step('submit', 1, 'sla-manager', { reason: 'ready' });
    let v = submitted.body.version as number;
    const signer: Record<string, string> = {
      'service-owner': 'service-owner',
      'business-owner': 'approver-business',
      'governance-board': 'approver-board',
    };
    for (const { capacity } of submitted.body.requiredSignOffs as { capacity: string }[])
      v = (await step('signoffs', v, signer[capacity]!, { capacity, decision: 'approved', reason: 'fine' }))
        .body.version;
    expect((await step('activate', v, 'sla-manager', { reason: 'go live' })).status).toBe(200);
    expect((await app.call('POST', `/v1/agreements/${id}/evaluate`, { as: 'sla-manager' })).status).toBe(200);
    const s = await accord(['status', id]);
    expect(s.code, s.stderr).toBe(0);
    const lines = s.stdout.trim().split('\n');
    expect(lines[0]).toBe(`agreement ${id}: unknown`);
    expect(lines[1]).toMatch(/^OBJECTIVE\s+STATUS\s+COMPLIANCE\s+TARGET\s+BUDGETLEFT$/);
    expect(lines[2]).toMatch(/^availability\s+unknown\s+unknown\s+99\.9%\s+-$/);
  });

  it('answers --help on every command with exit 0', async () => {
    const names: string[][] = [];
    const walk = (c: ReturnType<typeof program>, path: string[]) => {
      for (const s of c.commands) {
        names.push([...path, s.name()]);
        walk(s, [...path, s.name()]);
      }
    };
    walk(program({ out: () => {}, err: () => {}, env: {} }), []);
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const n of names) {
      const lines: string[] = [];
      const code = await run([...n, '--help'], {
        out: (s) => lines.push(s),
        err: (s) => lines.push(s),
        env: {},
      });
      expect(code, n.join(' ')).toBe(0);
      expect(lines.join('\n'), n.join(' ')).toMatch(new RegExp(`Usage: accord ${n.join(' ')}`));
    }
    const bin = await accord(['reports', 'download', '--help']);
    expect(bin.code).toBe(0);
    expect(bin.stdout).toMatch(/--format <format>/);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CMDB_CLEAN_CSV,
  CMDB_CSV_EXPORT,
  CMDB_JSON_EXPORT,
  servicesBeforeCmdbSync,
} from '../helpers/cmdb.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;

const sync = (body: string, type: string, query: string, as = 'sla-manager') =>
  app.call('POST', `/v1/cmdb/sync${query}`, { as, rawBody: body, headers: { 'content-type': type } });
const get = async (id: string) => (await app.call('GET', `/v1/services/${id}`, { as: 'admin' })).body;

beforeAll(async () => {
  app = await startTestApp();
  for (const body of servicesBeforeCmdbSync()) {
    const r = await app.call('POST', '/v1/services', { as: 'admin', body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(() => app.close());

describe('CMDB sync over HTTP', () => {
  it('refuses a body that is neither JSON nor CSV with 415 naming Content-Type', async () => {
    const r = await sync('sys_id,name', 'text/plain', '');
    expect(r.status).toBe(415);
    expect(r.body.error.details[0].path).toBe('Content-Type');
  });

  it('reports drift of each kind and the bad row on a dry run, writing nothing', async () => {
    const r = await sync(CMDB_JSON_EXPORT, 'application/json', '?file=cmdb_ci_service.json');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(r.body.drift.map((d: { kind: string; serviceId: string }) => `${d.kind} ${d.serviceId}`)).toEqual([
      'owner svc_fraud-scoring',
      'tier svc_statement-printing',
      'businessUnit svc_payment-gateway',
      'in-cmdb-not-accord svc_mobile-wallet',
      'in-accord-not-cmdb svc_branch-kiosk',
    ]);
    expect(r.body.problems.map((p: { path: string }) => p.path)).toEqual([
      'result[5].busines_criticality',
      'result[5].owned_by.email',
    ]);
    expect(r.body.create).toEqual([{ serviceId: 'svc_mobile-wallet', path: 'result[4]' }]);
    expect((await app.call('GET', '/v1/services/svc_mobile-wallet', { as: 'admin' })).status).toBe(404);
    expect((await get('svc_statement-printing')).version).toBe(1);
  });

  it('refuses an apply of a file with a bad row (400, each problem by path) and writes nothing', async () => {
    const r = await sync(CMDB_CSV_EXPORT, 'text/csv', '?apply=true');
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'line 7.sys_id', problem: 'is empty: cmdbCi is required' },
    ]);
    expect((await app.call('GET', '/v1/services/svc_mobile-wallet', { as: 'admin' })).status).toBe(404);
  });

  it('applies a clean file: creates the new service, writes CMDB-owned fields, never a governed one, audited with the file and hash', async () => {
    const r = await sync(CMDB_CLEAN_CSV, 'text/csv', '?apply=true&file=cmdb_ci_service.csv');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.applied).toEqual({
      created: ['svc_mobile-wallet'],
      updated: ['svc_fraud-scoring', 'svc_statement-printing'],
    });
    expect(r.body.reason).toMatch(/^CMDB sync cmdb_ci_service\.csv sha256:[0-9a-f]{16}$/);
    const wallet = await get('svc_mobile-wallet');
    expect(wallet).toMatchObject({
      tier: 2,
      businessUnit: 'payments',
      cmdbCi: '5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
      reason: r.body.reason,
    });
    const printing = await get('svc_statement-printing');
    expect(printing).toMatchObject({
      name: 'Statement Printing',
      tier: 2,
      version: 2,
      reason: r.body.reason,
    });
    const fraud = await get('svc_fraud-scoring');
    expect(fraud).toMatchObject({
      cmdbCi: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
      owner: { email: 'fay@old.example' },
    });
    expect((await get('svc_payment-gateway')).businessUnit).toBe('retail-banking');
    const audit = await app.call('GET', '/v1/services/svc_statement-printing/audit', { as: 'admin' });
    expect(JSON.stringify(audit.body)).toContain(r.body.reason);
    // Applied again, the same file writes nothing more and still reports the governed drift.
    const again = await sync(CMDB_CLEAN_CSV, 'text/csv', '?apply=true&file=cmdb_ci_service.csv');
    expect(again.body.applied).toEqual({ created: [], updated: [] });
    expect(again.body.drift.map((d: { kind: string }) => d.kind)).toEqual([
      'owner',
      'tier',
      'businessUnit',
      'in-accord-not-cmdb',
    ]);
  });

  it("lets an SLA manager sync only its own units: another unit's rows are listed apart and never written", async () => {
    const r = await sync(CMDB_CLEAN_CSV, 'text/csv', '?apply=true', 'sla-manager-retail');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.applied).toEqual({ created: [], updated: [] });
    expect(r.body.drift).toEqual([
      expect.objectContaining({
        kind: 'businessUnit',
        serviceId: 'svc_payment-gateway',
        cmdb: 'payments',
        accord: 'retail-banking',
      }),
    ]);
    expect(r.body.problems).toHaveLength(0);
    // The payments rows are another manager's: listed apart, not created, not blocking the apply.
    expect(r.body.outOfScope.map((o: { path: string }) => o.path)).toEqual([
      'line 2',
      'line 3',
      'line 4',
      'line 6',
    ]);
    expect(r.body.create).toEqual([]);
  });

  it('runs as `accord cmdb sync <file>`: a dry run by default, a table of drift, exit 0; a bad row on --apply exits 5', async () => {
    const home = mkdtempSync(join(tmpdir(), 'accord-cmdb-'));
    const bin = new URL('../../infra/cli/accord.mjs', import.meta.url).pathname;
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      ACCORD_ENDPOINT: app.url,
      ACCORD_TOKEN: app.credentials.tokens['sla-manager']!.token,
    };
    const accord = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
        );
      });
    const file = join(home, 'cmdb_ci_service.csv');
    writeFileSync(file, CMDB_CSV_EXPORT);
    const dry = await accord(['cmdb', 'sync', file]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: nothing written/);
    expect(dry.stdout).toMatch(/tier\s+svc_statement-printing\s+line 4\s+3\s+2/);
    expect(dry.stdout).toMatch(/line 7\.sys_id\s+is empty: cmdbCi is required/);
    const apply = await accord(['cmdb', 'sync', file, '--apply']);
    expect(apply.code).toBe(5);
    expect(apply.stderr).toContain('line 7.sys_id');
    const json = await accord(['--output', 'json', 'cmdb', 'sync', join(home, 'missing.json')]);
    expect(json.code).toBe(2);
  });

  it('refuses to apply a file planning more than 500 writes in one request (413 naming the cap and the rows) and `accord cmdb sync --apply` applies it in pages to 100 %', async () => {
    const rows = Array.from(
      { length: 1001 },
      (_, i) =>
        `${(0xf0000000 + i).toString(16).padStart(32, 'e')},Bulk Service ${i},3 - less critical,Bo Bulk,bo@accord.local,retail-banking`,
    );
    const big = ['sys_id,name,busines_criticality,owned_by,owned_by.email,u_business_unit', ...rows].join(
      '\n',
    );
    const whole = await sync(big, 'text/csv', '?apply=true', 'admin');
    expect(whole.status).toBe(413);
    expect(whole.body.error.message).toContain("export's 1001 rows plan 1001 writes");
    expect(whole.body.error.message).toContain('at most 500');
    const dry = await sync(big, 'text/csv', '', 'admin');
    expect(dry.status).toBe(200);
    expect(dry.body.create).toHaveLength(1001);
    expect((await app.call('GET', '/v1/services/svc_bulk-service-0', { as: 'admin' })).status).toBe(404);

    const home = mkdtempSync(join(tmpdir(), 'accord-cmdb-big-'));
    const file = join(home, 'big.csv');
    writeFileSync(file, big);
    const bin = new URL('../../infra/cli/accord.mjs', import.meta.url).pathname;
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      ACCORD_ENDPOINT: app.url,
      ACCORD_TOKEN: app.credentials.tokens.admin!.token,
    };
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, 'cmdb', 'sync', file, '--apply'],
        { env, timeout: 120_000 },
        (err, stdout, stderr) =>
          resolve({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
      );
    });
    expect(r.code, r.stderr).toBe(0);
    // One progress line a page (stderr is a pipe here): 500, 1000, then 1001 of 1001.
    expect(r.stderr.match(/\d+% applied: \d+ of 1001 writes/g)).toEqual([
      '49% applied: 500 of 1001 writes',
      '99% applied: 1000 of 1001 writes',
      '100% applied: 1001 of 1001 writes',
    ]);
    expect(r.stdout).toMatch(/^applied: created 1001, updated 0/);
    for (const id of ['svc_bulk-service-0', 'svc_bulk-service-1000'])
      expect((await app.call('GET', `/v1/services/${id}`, { as: 'admin' })).status).toBe(200);
  });
});

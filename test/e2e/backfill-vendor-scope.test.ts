import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../helpers/clock.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { createVendor } from '../helpers/vendors.js';

/**
 * Backfill as a vendor, over HTTP on the embedded default (issue 9 items 5 and 6, docs/backfill.md "Vendor scope"): the
 * vendor a backfill names must exist (else 400 naming `vendor`, before the chunk is read), and its bindings limit what
 * the file writes exactly as they limit what it sends live: another service's samples are rejected one by one as
 * `not_your_service`, counted in the job, and stored nowhere (raw store, rollups, activity). The CLI shows them.
 */
let app: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'accord-backfill-scope-'));
const NOW = Date.parse('2026-05-01T09:00:00.000Z');
const MIN = 60_000;
const HOUR = 3_600_000;
/** Ten days before the server's clock: beyond the lateness limit, inside the backfill's 400 days. */
const H0 = NOW - 10 * 24 * HOUR;
const SVC = 'svc_payments-gateway';
const OTHER = 'svc_core-ledger';

/**
 * One sample a minute from H0 − 1 min (the baseline) to H0 + 59 min, of a good and a bad counter per service: good adds
 * 100 a minute, bad 1. Per service: 61 samples per counter, 122 in all; over [H0, H0 + 1 h) good 6,000 of 6,060.
 */
function twoServices(): string {
  const lines = ['# TYPE accord_sli_good_total counter', '# TYPE accord_sli_bad_total counter'];
  for (const svc of [SVC, OTHER])
    for (const [name, base, step] of [
      ['accord_sli_good_total', 10_000, 100],
      ['accord_sli_bad_total', 200, 1],
    ] as const)
      for (let i = -1; i < 60; i++)
        lines.push(
          `${name}{service="${svc}",sli="checkout"} ${base + (i + 1) * step} ${(H0 + i * MIN) / 1000}`,
        );
  return [...lines, '# EOF', ''].join('\n');
}

const post = (query: string, body: string, type = 'application/openmetrics-text') =>
  app.call('POST', `/v1/telemetry/backfills?${query}`, {
    as: 'admin',
    rawBody: body,
    headers: { 'content-type': type },
  });

/** The baseline route's figures over [from, to): good and total events from the 5-minute rollups. */
async function figures(serviceId: string, from: number, to: number) {
  const r = await app.call('POST', `/v1/services/${serviceId}/baseline`, {
    as: 'admin',
    body: {
      sliName: 'checkout',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      sliceMinutes: 60,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { good: r.body.data.goodEvents as number, total: r.body.data.totalEvents as number };
}

beforeAll(async () => {
  app = await startTestApp({}, { clock: new TestClock(NOW) });
  for (const body of [serviceBody(), serviceBody({ id: OTHER, name: 'Core ledger' })])
    expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body })).status).toBe(201);
  // Bound to the payments gateway only: the core ledger is registered but not this vendor's to write.
  await createVendor(app, 'apm-payments', [{ serviceId: SVC }]);
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a backfill naming a vendor', () => {
  it('is refused with a 400 naming the `vendor` query parameter when no vendor has that id, and stores nothing', async () => {
    const r = await post('vendor=apm-payment&reason=typo', twoServices());
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'validation_failed',
      message: 'there is no vendor apm-payment',
      details: [{ path: 'vendor', problem: expect.stringContaining('names no vendor') }],
    });
    // Refused before the chunk is read: an unreadable body gets the same answer.
    const unread = await post('vendor=apm-payment', 'not OpenMetrics at all');
    expect(unread.status).toBe(400);
    expect(unread.body.error.details).toEqual([{ path: 'vendor', problem: expect.any(String) }]);
    const slis = await app.call('GET', `/v1/services/${SVC}/slis`, { as: 'admin' });
    expect(slis.status).toBe(200);
    expect(slis.body.items).toEqual([]);
  });

  it('is refused with a 400 naming the `vendor` body field when a backfill run names no vendor', async () => {
    const r = await app.call('POST', '/v1/telemetry/backfill-runs', {
      as: 'admin',
      body: { vendor: 'apm-payment', prefix: 'imports/q3/', reason: 'typo' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'vendor', problem: expect.stringContaining('names no vendor') },
    ]);
  });

  it('writes only the services the vendor is bound to: the other service’s samples are rejected not_your_service, in the job, and absent from the store and the rollups', async () => {
    const r = await post('vendor=apm-payments&reason=last%20quarter', twoServices());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // 244 samples: the payments gateway's 122 accepted, the core ledger's 122 rejected one by one.
    expect(r.body).toMatchObject({
      vendorId: 'apm-payments',
      chunks: 1,
      submitted: 244,
      accepted: 122,
      duplicates: 0,
      rejected: 122,
      rejectedByReason: { not_your_service: 122 },
    });
    // Lines 1–2 are the # TYPE lines, the payments gateway's 122 samples lines 3–124: the core ledger's first is 125.
    expect(r.body.rejections[0]).toMatchObject({ chunk: 1, path: 'line 125', reason: 'not_your_service' });
    expect(r.body.rejections[0].message).toContain(`vendor apm-payments is not bound to ${OTHER}`);
    const job = await app.call('GET', `/v1/telemetry/backfills/${r.body.id}`, { as: 'admin' });
    expect(job.body).toMatchObject({ rejected: 122, rejectedByReason: { not_your_service: 122 } });

    // Rollups are written behind the raw store: wait for the bound service's hour, then look at the other.
    const deadline = Date.now() + 30_000;
    let f = await figures(SVC, H0, H0 + HOUR);
    while (f.total !== 6_060 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 250));
      f = await figures(SVC, H0, H0 + HOUR);
    }
    expect(f).toEqual({ good: 6_000, total: 6_060 });
    expect(await figures(OTHER, H0, H0 + HOUR)).toEqual({ good: 0, total: 0 });
    const other = await app.call('GET', `/v1/services/${OTHER}/slis`, { as: 'admin' });
    expect(other.body.items).toEqual([]);
    const mine = await app.call('GET', `/v1/services/${SVC}/slis`, { as: 'admin' });
    expect(mine.body.items).toEqual([
      expect.objectContaining({ sliKey: `${SVC}/checkout`, samples: 122, vendors: ['apm-payments'] }),
    ]);
  });

  it('rejects the same samples from a CSV file (the live path, with no fast path to take)', async () => {
    // Two rows per service of one good counter, 30 minutes later than the OpenMetrics file: the core ledger's 2 rows
    // are rejected, the payments gateway's 2 accepted (a new series: its first row is its baseline).
    const t = (m: number) => (H0 + 2 * HOUR + m * MIN) / 1000;
    const csv = [
      'timestamp,metric,value,type,service,sli',
      `${t(0)},accord_sli_good_total,1,counter,${SVC},csv-sli`,
      `${t(1)},accord_sli_good_total,5,counter,${SVC},csv-sli`,
      `${t(0)},accord_sli_good_total,1,counter,${OTHER},csv-sli`,
      `${t(1)},accord_sli_good_total,5,counter,${OTHER},csv-sli`,
      '',
    ].join('\n');
    const r = await post('vendor=apm-payments', csv, 'text/csv');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ submitted: 4, accepted: 2, rejectedByReason: { not_your_service: 2 } });
  });

  it('shows the rejection in `accord backfill`, which exits 5', async () => {
    const file = join(dir, 'two-services.om');
    writeFileSync(file, twoServices().replaceAll('sli="checkout"', 'sli="cli"'));
    const bin = new URL('../../infra/cli/accord.mjs', import.meta.url).pathname;
    const accord = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          {
            env: {
              PATH: process.env.PATH,
              HOME: dir,
              ACCORD_ENDPOINT: app.url,
              ACCORD_TOKEN: app.credentials.tokens.admin!.token,
            },
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
    const r = await accord(['backfill', file, '--vendor', 'apm-payments', '--reason', 'history']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toContain('rejected by reason: {"not_your_service":122}');
    expect(r.stdout).toContain(`not_your_service (vendor apm-payments is not bound to ${OTHER}`);
    expect(r.stderr).toContain('122 samples were rejected');
    const unknown = await accord(['backfill', file, '--vendor', 'apm-payment']);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('400: there is no vendor apm-payment');
    expect(unknown.stderr).toContain('vendor: names no vendor');
  }, 90_000);
});

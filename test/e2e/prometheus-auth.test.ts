import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * A real Prometheus (Debian's 2.42) remote-writing into the embedded default with the two ways it can
 * authenticate: `authorization: {type: Bearer, credentials: K}` and `basic_auth` (the password is the key), and a
 * third queue with a key Accord never issued. Prometheus's own counters say what happened to its samples.
 */
let app: TestApp;
let prometheus: ChildProcess | undefined;
let exporter: Server;
let promUrl = '';
const dir = mkdtempSync(join(tmpdir(), 'accord-prom-auth-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function vendorKey(id: string): Promise<string> {
  const r = await app.call('POST', '/v1/vendors', {
    as: 'admin',
    body: {
      id,
      name: id,
      tier: 'premium',
      bindings: [{ serviceId: 'svc_payments-gateway' }],
      reason: 'prometheus',
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.apiKey;
}

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const bearerKey = await vendorKey('prom-bearer');
  const basicKey = await vendorKey('prom-basic');
  // A small exporter: one ratio per scrape, by the default naming convention (an SLI with one source: the policy's
  // two-source SLI feeds rollups from its authoritative vendor only).
  exporter = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# TYPE accord_sli_ratio gauge\naccord_sli_ratio{service="svc_payments-gateway",sli="checkout"} 1\n',
    );
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
  const exporterPort = (exporter.address() as { port: number }).port;
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const queue = '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }\n';
  const config = `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: exporter
    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]
remote_write:
  - name: bearer
    url: ${app.url}/v1/telemetry
    authorization: { type: Bearer, credentials: '${bearerKey}' }
${queue}  - name: basic
    url: ${app.url}/v1/telemetry
    basic_auth: { username: prom-basic, password: '${basicKey}' }
${queue}  - name: wrongkey
    url: ${app.url}/v1/telemetry
    authorization: { type: Bearer, credentials: 'ak_a_key_accord_never_issued_00000' }
${queue}`;
  writeFileSync(join(dir, 'prometheus.yml'), config);
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
}, 60_000);

afterAll(async () => {
  if (prometheus?.pid && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => exporter?.close(r));
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Prometheus's remote-storage counters by queue name, from its own /metrics. */
async function remoteCounters(): Promise<Record<string, Record<string, number>>> {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  const out: Record<string, Record<string, number>> = {};
  const re =
    /^prometheus_remote_storage_samples_(total|failed_total|retried_total|dropped_total)\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(re)) {
    const name = /remote_name="([^"]+)"/.exec(m[2]!)?.[1];
    if (!name) continue;
    out[name] ??= {};
    out[name]![m[1]!] = Number(m[3]);
  }
  return out;
}

describe('a real Prometheus 2.42 remote-writing with its own authentication settings', () => {
  it('is let in with Bearer and with basic_auth, and refused (401, dropped, not retried) with an unknown key', async () => {
    const deadline = Date.now() + 45_000;
    let c: Record<string, Record<string, number>> = {};
    while (Date.now() < deadline) {
      try {
        c = await remoteCounters();
      } catch {
        // Prometheus is still starting.
      }
      if ((c.bearer?.total ?? 0) >= 3 && (c.basic?.total ?? 0) >= 3 && (c.wrongkey?.failed_total ?? 0) >= 3)
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(c.bearer?.total, JSON.stringify(c)).toBeGreaterThanOrEqual(3);
    expect(c.basic?.total, JSON.stringify(c)).toBeGreaterThanOrEqual(3);
    for (const q of ['bearer', 'basic']) {
      expect(c[q]!.failed_total ?? 0, `${q}: ${JSON.stringify(c)}`).toBe(0);
      expect(c[q]!.retried_total ?? 0, `${q}: ${JSON.stringify(c)}`).toBe(0);
    }
    // A 401 is permanent to Prometheus: the samples are failed, never retried.
    expect(c.wrongkey?.failed_total, JSON.stringify(c)).toBeGreaterThanOrEqual(3);
    expect(c.wrongkey?.retried_total ?? 0).toBe(0);

    // Accord saw each queue as its own vendor: the series Prometheus adds itself (up, scrape_*) are unmapped
    // and recorded under the vendor whose key carried them; the exporter's ratio was accepted.
    for (const vendorId of ['prom-bearer', 'prom-basic']) {
      const u = await app.call('GET', `/v1/telemetry/unmapped?vendorId=${vendorId}`, { as: 'admin' });
      expect(u.status).toBe(200);
      expect(u.body.items.map((s: { metric: string }) => s.metric)).toContain('up');
    }
    const buckets = await new SqliteRollupStore(app.db).read(
      'svc_payments-gateway/checkout',
      Date.now() - 600_000,
      // Whole 5-minute buckets only: reach past the end of the current one.
      Date.now() + 600_000,
    );
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBeGreaterThan(0);
  });
});

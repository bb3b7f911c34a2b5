import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * GET /metrics: the exposition text a user scrapes, its authorisation (admin and auditor; Prometheus with a Bearer
 * token), and a real Prometheus (Debian's 2.42) scraping it: what Prometheus stores is what Accord computed.
 */
let app: TestApp;
let agreementId = '';
let prometheus: ChildProcess | undefined;
let promUrl = '';
let evaluations = 0;
const dir = mkdtempSync(join(tmpdir(), 'accord-metrics-'));

const step = (path: string, version: number, as: string, body: object) =>
  app.call('POST', `/v1/agreements/${agreementId}/${path}`, {
    as,
    body,
    headers: { 'if-match': `"${version}"` },
  });

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

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      ...datesFromToday(),
      objectives: [
        {
          ...agreementBody().objectives[0]!,
          target: 99,
          window: { type: 'rolling', days: 7 },
          sli: { type: 'availability', name: 'checkout' },
        },
      ],
    }),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  agreementId = a.body.id;
  const submitted = await step('submit', 1, 'sla-manager', { reason: 'ready' });
  let v = submitted.body.version;
  const signer: Record<string, string> = {
    'service-owner': 'service-owner',
    'business-owner': 'approver-business',
    'governance-board': 'approver-board',
  };
  for (const { capacity } of submitted.body.requiredSignOffs as { capacity: string }[]) {
    const r = await step('signoffs', v, signer[capacity]!, {
      capacity,
      decision: 'approved',
      reason: 'fine',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = r.body.version;
  }
  expect((await step('activate', v, 'sla-manager', { reason: 'go live' })).status).toBe(200);
  // A vendor pushes 20 samples (to an SLI with one source: the policy's two-source availability SLI takes its
  // rollups from its authoritative vendor only): 19 good probes, 1 failed, and one sample for a service it is not bound to (rejected).
  const vendor = await app.call('POST', '/v1/vendors', {
    as: 'admin',
    body: {
      id: 'probe-vendor',
      name: 'Probes',
      tier: 'premium',
      bindings: [{ serviceId: 'svc_payments-gateway' }],
      reason: 'probes',
    },
  });
  expect(vendor.status, JSON.stringify(vendor.body)).toBe(201);
  // Inside complete 5-minute buckets (the current, incomplete one does not count yet)
  const base = Math.floor(Date.now() / 300_000) * 300_000 - 30 * 60_000;
  const samples = Array.from({ length: 20 }, (_, i) => ({
    service: 'svc_payments-gateway',
    sli: 'checkout',
    measure: 'ratio',
    value: i === 7 ? 0 : 1,
    time: new Date(base + i * 60_000).toISOString(),
  }));
  samples.push({
    service: 'svc_nowhere',
    sli: 'availability',
    measure: 'ratio',
    value: 1,
    time: new Date(base).toISOString(),
  });
  const ingest = await app.call('POST', '/v1/telemetry', {
    token: vendor.body.apiKey,
    body: { version: 1, samples },
  });
  expect(ingest.status, JSON.stringify(ingest.body)).toBeLessThan(300);
  expect(ingest.body.accepted).toBe(20);
  // Rollups are written behind the raw store (the local change stream): evaluate until the data is seen.
  const deadline = Date.now() + 30_000;
  let status = 'unknown';
  while (status === 'unknown' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const e = await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'sla-manager' });
    expect(e.status).toBe(200);
    status = e.body.objectives[0].status;
    evaluations++;
  }
  expect(status).toBe('breached');
}, 60_000);

afterAll(async () => {
  if (prometheus?.pid && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (text: string, name: string, ...labels: string[]) =>
  text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)));
const value = (l: string | undefined) =>
  l === undefined ? undefined : Number(l.slice(l.lastIndexOf(' ') + 1));

describe('GET /metrics', () => {
  it("exposes requests, ingest outcomes by reason, evaluation time and each objective's figures to an auditor", async () => {
    const r = await app.call('GET', '/metrics', { as: 'auditor' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text: string = typeof r.body === 'string' ? r.body : '';
    expect(value(line(text, 'accord_telemetry_samples_total', 'outcome="accepted"'))).toBe(20);
    expect(value(line(text, 'accord_telemetry_rejections_total', 'reason="not_your_service"'))).toBe(1);
    expect(value(line(text, 'accord_evaluation_duration_seconds_count', 'kind="on-demand"'))).toBe(
      evaluations,
    );
    expect(
      value(line(text, 'accord_http_requests_total', 'route="agreements.activate"', 'status="200"')),
    ).toBe(1);
    const o = [`agreement="${agreementId}"`, 'objective="availability"'];
    expect(value(line(text, 'accord_objective_compliance_ratio', ...o))).toBeCloseTo(19 / 20, 12);
    expect(value(line(text, 'accord_objective_target_ratio', ...o))).toBe(0.99);
    // 1 bad of 20 against 1% of 20 allowed (0.2): spent five times over
    expect(value(line(text, 'accord_objective_error_budget_consumed_ratio', ...o))).toBeCloseTo(5, 6);
    expect(value(line(text, 'accord_objective_status', ...o, 'status="breached"'))).toBe(1);
    expect(value(line(text, 'accord_objective_status', ...o, 'status="healthy"'))).toBe(0);
    expect(line(text, 'accord_objective_burn_rate', ...o, 'window="page-fast"', 'span="long"')).toBeDefined();
  });

  it('is refused without a token (401) and to roles that do not read everything (403)', async () => {
    expect((await app.call('GET', '/metrics')).status).toBe(401);
    expect((await app.call('GET', '/metrics', { as: 'viewer' })).status).toBe(403);
    expect((await app.call('GET', '/metrics', { as: 'sla-manager' })).status).toBe(403);
  });

  it("is scraped by a real Prometheus with a Bearer token, which then holds Accord's figures", async () => {
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const token = app.credentials.tokens.auditor!.token;
    const viewer = app.credentials.tokens.viewer!.token;
    const target = app.url.replace(/^https?:\/\//, '');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: accord
    metrics_path: /metrics
    static_configs: [{ targets: ['${target}'] }]
    authorization: { type: Bearer, credentials: '${token}' }
  - job_name: accord-as-viewer
    metrics_path: /metrics
    static_configs: [{ targets: ['${target}'] }]
    authorization: { type: Bearer, credentials: '${viewer}' }
`,
    );
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
    const query = async (q: string) => {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      return (
        (await res.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        }
      ).data.result;
    };
    const deadline = Date.now() + 45_000;
    let target99: Awaited<ReturnType<typeof query>> = [];
    let up: Awaited<ReturnType<typeof query>> = [];
    while (Date.now() < deadline) {
      try {
        target99 = await query(`accord_objective_target_ratio{agreement="${agreementId}",job="accord"}`);
        up = await query('up');
      } catch {
        // Prometheus is still starting.
      }
      if (target99.length && up.length === 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(target99[0]?.value[1]).toBe('0.99');
    const upBy = Object.fromEntries(up.map((u) => [u.metric.job, u.value[1]]));
    expect(upBy).toEqual({ accord: '1', 'accord-as-viewer': '0' });
    const compliance = await query(`accord_objective_compliance_ratio{agreement="${agreementId}"}`);
    expect(Number(compliance[0]?.value[1])).toBeCloseTo(0.95, 12);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, exited, startChildServer } from '../helpers/child-server.js';
import { serviceBody } from '../helpers/fixtures.js';
import {
  type RunningPrometheus,
  remoteCounters,
  requirePrometheus,
  startPrometheus,
} from '../helpers/prometheus.js';

/**
 * The whole path as a user runs it: `npm start`'s server (infra/local/main.ts as its own process, a fresh data
 * directory, a free port), a vendor key issued through the API, and Debian's real Prometheus scraping an exporter
 * this test steps through known counter values (with a counter reset) and remote-writing them with
 * `authorization: {type: Bearer}`. Prometheus's own remote-storage counters say it lost nothing; Accord's SLI
 * totals (GET /v1/services/{id}/slis) must equal the increases the exporter produced.
 */

const SERVICE = 'svc_payments-gateway';
const VENDOR = 'prometheus-main';

/**
 * What the exporter serves at each scrape (the last step is served again once the steps run out).
 * - the naming convention's counters, the example: good 1000, 1060, 1120, 30 (a reset) and bad 5, 5, 6, 0:
 *   good = 60 + 60 + 30 = 150, total = 150 + (0 + 1 + 0) = 151;
 * - `http_requests_total` by code, summed by the vendor's selector rules (code!~"5.." good, code=~"5.." bad):
 *   200: 100, 150, 190, 190; 500: 7, 9, 10, 10; 503: 1, 1, 3, 3 → good 90, total 90 + 3 + 2 = 95;
 * - a classic histogram `http_request_duration_seconds` read by the vendor's rule at 300 ms: le="0.3" 10, 25, 25, 4
 *   and _count 12, 30, 30, 5 (a reset at step 3) → good 15 + 0 + 4 = 19, total 18 + 0 + 5 = 23.
 */
const STEPS = [
  { good: 1000, bad: 5, ok: 100, e500: 7, e503: 1, fast: 10, count: 12 },
  { good: 1060, bad: 5, ok: 150, e500: 9, e503: 1, fast: 25, count: 30 },
  { good: 1120, bad: 6, ok: 190, e500: 10, e503: 3, fast: 25, count: 30 },
  { good: 30, bad: 0, ok: 190, e500: 10, e503: 3, fast: 4, count: 5 },
];
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10];

function exposition(step: (typeof STEPS)[number]): string {
  const lines = [
    '# HELP accord_sli_good_total Good events.',
    '# TYPE accord_sli_good_total counter',
    `accord_sli_good_total{service="${SERVICE}",sli="checkout"} ${step.good}`,
    '# HELP accord_sli_bad_total Bad events.',
    '# TYPE accord_sli_bad_total counter',
    `accord_sli_bad_total{service="${SERVICE}",sli="checkout"} ${step.bad}`,
    '# HELP http_requests_total Requests by status code.',
    '# TYPE http_requests_total counter',
    `http_requests_total{code="200"} ${step.ok}`,
    `http_requests_total{code="500"} ${step.e500}`,
    `http_requests_total{code="503"} ${step.e503}`,
    '# HELP http_request_duration_seconds Request latency.',
    '# TYPE http_request_duration_seconds histogram',
  ];
  for (const le of BOUNDS) {
    // Cumulative buckets: half the fast requests below 0.3 s, all of them at 0.3 s, every request from 0.5 s.
    const v = le < 0.3 ? Math.floor(step.fast / 2) : le === 0.3 ? step.fast : step.count;
    lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${v}`);
  }
  lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${step.count}`);
  lines.push(`http_request_duration_seconds_sum ${(step.count * 0.21).toFixed(2)}`);
  lines.push(`http_request_duration_seconds_count ${step.count}`);
  return `${lines.join('\n')}\n`;
}

let server: ChildServer | undefined;
let prometheus: RunningPrometheus | undefined;
let exporter: Server | undefined;
let scrapes = 0;
let adminToken = '';
let managerToken = '';
const dir = mkdtempSync(join(tmpdir(), 'accord-prom-rw-'));

async function api(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  requirePrometheus();
  server = await startChildServer(join(dir, 'accord'));
  const creds = JSON.parse(readFileSync(join(dir, 'accord', 'dev-credentials.json'), 'utf8')) as {
    tokens: Record<string, { token: string }>;
  };
  adminToken = creds.tokens.admin!.token;
  managerToken = creds.tokens['sla-manager']!.token;
  const svc = await api('POST', '/v1/services', managerToken, serviceBody());
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);

  // A key issued through the API: the development vendor prometheus-main (whose mapping rules read
  // http_requests_total and the latency histogram) gets a new key, the old one ending at once.
  const vendor = await api('GET', `/v1/vendors/${VENDOR}`, adminToken);
  expect(vendor.status, JSON.stringify(vendor.body)).toBe(200);
  const issued = await api(
    'POST',
    `/v1/vendors/${VENDOR}/keys`,
    adminToken,
    { previousKeysValidUntil: new Date().toISOString(), reason: 'key for the Prometheus end-to-end test' },
    { 'if-match': `"${vendor.body.version}"` },
  );
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const key = issued.body.apiKey as string;

  exporter = createHttpServer((_req, res) => {
    const step = STEPS[Math.min(scrapes, STEPS.length - 1)]!;
    scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition(step));
  });
  await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', () => r()));
  const exporterPort = (exporter.address() as { port: number }).port;
  // The job name is the service slug: the vendor's rules take the service from `job`.
  prometheus = await startPrometheus(
    dir,
    `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: payments-gateway
    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]
remote_write:
  - name: accord
    url: ${server.url}/v1/telemetry
    authorization: { type: Bearer, credentials: '${key}' }
    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }
`,
  );
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
  if (server && server.proc.exitCode === null) {
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }
  rmSync(dir, { recursive: true, force: true });
});

type Totals = Record<string, { good: number; total: number; samples: number }>;

async function sliTotals(): Promise<Totals> {
  const r = await api('GET', `/v1/services/${SERVICE}/slis`, adminToken);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const out: Totals = {};
  for (const s of r.body.items as { sli: string; good: number; total: number; samples: number }[])
    out[s.sli] = { good: s.good, total: s.total, samples: s.samples };
  return out;
}

describe('a real Prometheus 2.42 scraping counters and a histogram and remote-writing them to npm start', () => {
  it('loses no sample and Accord stores the increases the exporter produced, across a counter reset', async () => {
    const want = {
      checkout: { good: 150, total: 151 },
      requests: { good: 90, total: 95 },
      'response-time': { good: 19, total: 23 },
    };
    const deadline = Date.now() + 45_000;
    let totals: Totals = {};
    let counters: Record<string, number> = {};
    const reached = () =>
      Object.entries(want).every(
        ([sli, w]) => totals[sli]?.good === w.good && totals[sli]?.total === w.total,
      );
    while (Date.now() < deadline) {
      totals = await sliTotals();
      if (scrapes > STEPS.length + 2 && reached()) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Two more scrapes of the last step, sent: a counter that stays put adds nothing.
    const seen = scrapes;
    while (Date.now() < deadline + 10_000 && scrapes < seen + 2) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2_000));
    totals = await sliTotals();
    counters = await remoteCounters(prometheus!.url, 'accord');

    expect(scrapes, 'the exporter was scraped through every step').toBeGreaterThan(STEPS.length);
    for (const [sli, w] of Object.entries(want)) {
      expect({ sli, good: totals[sli]?.good, total: totals[sli]?.total }, JSON.stringify(totals)).toEqual({
        sli,
        ...w,
      });
    }
    // Prometheus sent the exporter's series of every scrape (and its own up/scrape_* series) and lost none.
    const perScrape = exposition(STEPS[0]!)
      .split('\n')
      .filter((l) => l && !l.startsWith('#')).length;
    expect(counters.samples_total, JSON.stringify(counters)).toBeGreaterThanOrEqual((seen - 1) * perScrape);
    for (const name of ['samples_failed_total', 'samples_retried_total', 'samples_dropped_total']) {
      expect(counters[name], `${name}: ${JSON.stringify(counters)}`).toBe(0);
    }
  }, 70_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';
import {
  freePort,
  type RunningPrometheus,
  requirePrometheus,
  startPrometheus,
} from '../helpers/prometheus.js';

/**
 * Prometheus as a pull data source (issue 14 item 3): a real Prometheus (Debian's) scrapes a test exporter every
 * second; Accord, configured with it as the data source `prom-test`, pulls the SLI's raw counters with query_range
 * and feeds them through live ingest's semantics. The exporter's counters move in known steps, one of them resets,
 * and Accord's good and total events are the hand-computed ones and PromQL's.
 */
const SVC = 'svc_payments-gateway';
const dir = mkdtempSync(join(tmpdir(), 'accord-pull-'));
let app: TestApp;
let prom: RunningPrometheus;
let exporter: Server;
const counts = { ok: 0, failed: 0, exposed: false };
let agreementId = '';
let t0 = 0;

/**
 * An instant query, evaluated now or at `atMs` (epoch ms). A range selector `[span]` reaches back from the evaluation
 * instant: a check over the pulled range [t0, to] is evaluated at `to`, not when it runs, which can be many seconds
 * later on a loaded machine and would let the range slide past the first steps.
 */
async function promQuery(q: string, atMs?: number): Promise<number | undefined> {
  const at = atMs === undefined ? '' : `&time=${atMs / 1000}`;
  const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}${at}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const v = r.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/** Sets the exporter's counters and waits until Prometheus has scraped them (at least twice, so each step is seen). */
async function expose(ok: number, failed: number) {
  counts.ok = ok;
  counts.failed = failed;
  counts.exposed = true;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      (await promQuery('http_requests_total{job="exporter", code="200"}')) === ok &&
      (await promQuery('http_requests_total{job="exporter", code="500"}')) === failed
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await promQuery('http_requests_total{job="exporter", code="200"}')).toBe(ok);
  await new Promise((r) => setTimeout(r, 2_500));
}

const baselineSpan = () => {
  const from = Math.floor(t0 / 3_600_000) * 3_600_000 - 3_600_000;
  return { from: new Date(from).toISOString(), to: new Date(from + 3 * 3_600_000).toISOString() };
};

async function figures() {
  const r = await app.call('POST', `/v1/services/${SVC}/baseline`, {
    as: 'admin',
    body: { sliName: 'checkout', ...baselineSpan(), sliceMinutes: 60 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { good: r.body.data.goodEvents as number, total: r.body.data.totalEvents as number };
}

/** Rollups are written behind the raw store (the local change stream): polls until the total settles. */
async function settled(total: number) {
  const deadline = Date.now() + 30_000;
  let f = await figures();
  while (f.total !== total && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    f = await figures();
  }
  return f;
}

beforeAll(async () => {
  requirePrometheus();
  const port = await freePort();
  exporter = createServer((_req, res) => {
    if (!counts.exposed) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# HELP http_requests_total Requests answered.',
        '# TYPE http_requests_total counter',
        `http_requests_total{code="200"} ${counts.ok}`,
        `http_requests_total{code="500"} ${counts.failed}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((r) => exporter.listen(port, '127.0.0.1', r));
  prom = await startPrometheus(
    dir,
    `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: exporter\n    static_configs: [{targets: ['127.0.0.1:${port}']}]\n`,
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${prom.url}/-/ready`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  app = await startTestApp({
    ACCORD_DATA_SOURCES: JSON.stringify([
      { name: 'prom-test', type: 'Prometheus', url: prom.url, stepSeconds: 1, lookbackMinutes: 5 },
    ]),
  });
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const base = agreementBody().objectives[0]!;
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      ...datesFromToday(),
      objectives: [
        {
          ...base,
          id: 'checkout-availability',
          sli: {
            type: 'availability',
            name: 'checkout',
            source: {
              type: 'Prometheus',
              dataSource: 'prom-test',
              counter: true,
              good: { query: 'sum(rate(http_requests_total{job="exporter", code!~"5.."}[5m]))' },
              total: { query: 'sum(rate(http_requests_total{job="exporter"}[5m]))' },
            },
          },
        },
      ],
    }),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  agreementId = a.body.id;
}, 90_000);

afterAll(async () => {
  await app?.close();
  await prom?.stop();
  await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

const pull = (from: number, to: number, as = 'admin') =>
  app.call('POST', '/v1/telemetry/pulls', {
    as,
    body: {
      agreementId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      reason: 'history for the baseline',
    },
  });

describe('Prometheus as a pull data source', () => {
  it("reads the SLI's counters from a real Prometheus and counts good and bad events as live ingest would, resets included", async () => {
    t0 = Date.now() - 5_000;
    // 1,000 good and 10 failed requests (the baseline), then +500 good and +5 failed, then the good counter resets
    // (the exporter restarted) and reads 300 while failed moves on to 17.
    await expose(1_000, 10);
    await expose(1_500, 15);
    await expose(300, 17);
    const to = Date.now();
    const r = await pull(t0, to);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.skipped).toEqual([]);
    const [sli] = r.body.pulled;
    expect(sli).toMatchObject({ sliKey: `${SVC}/checkout`, dataSource: 'prom-test', series: 2, rejected: 0 });
    expect(sli.error).toBeUndefined();
    expect(sli.accepted).toBeGreaterThan(10);
    // Good: 500 before the reset, 300 after it; bad: 7. Total 807.
    expect(await settled(807)).toEqual({ good: 800, total: 807 });
    // PromQL agrees: one reset of the good counter, and the failed counter moved by 7 over the pulled range.
    const span = `${Math.ceil((to - t0) / 1000)}s`;
    expect(await promQuery(`resets(http_requests_total{job="exporter", code="200"}[${span}])`, to)).toBe(1);
    expect(
      await promQuery(
        `max_over_time(http_requests_total{job="exporter", code="500"}[${span}]) - min_over_time(http_requests_total{job="exporter", code="500"}[${span}])`,
        to,
      ),
    ).toBe(7);
  }, 120_000);

  it('pulling the same range again counts nothing twice', async () => {
    const r = await pull(t0, Date.now());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [sli] = r.body.pulled;
    expect(sli.duplicates).toBeGreaterThan(0);
    expect(await figures()).toEqual({ good: 800, total: 807 });
  }, 60_000);

  it('refuses a range beyond 400 days or ending in the future, naming the field', async () => {
    const r = await pull(Date.now() - 401 * 86_400_000, Date.now() + 3_600_000);
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['from', 'to']);
  });

  it('is refused to anyone but an administrator', async () => {
    expect((await pull(t0, Date.now(), 'sla-manager')).status).toBe(403);
  });
});

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillFile } from '../../infra/cli/backfill.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { createVendor } from '../helpers/vendors.js';

/**
 * Backfill import (issue 14 item 3): history older than the 72-hour lateness limit, from an OpenMetrics file and a
 * CSV file, admin-only and audited, counters becoming increases as in live ingest; Accord's figures over the
 * backfilled hours are the hand-computed ones, and the same file loaded into a real Prometheus with
 * `promtool tsdb create-blocks-from openmetrics` gives the same figures with PromQL's increase().
 */
let app: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'accord-backfill-'));
let prometheus: ChildProcess | undefined;
const MIN = 60_000;
const HOUR = 3_600_000;
/** The first backfilled hour starts at H0, ten days ago (far beyond the 72-hour lateness limit). */
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 10 * 24 * HOUR;
const SVC = 'svc_payments-gateway';

/**
 * One sample a minute from H0 − 1 min (the counters' baseline) to H0 + 119 min. Sample i (at H0 + i min) adds, over
 * its minute: good 100 in the first hour, 50 in the second; bad 1, then 5; the bad counter resets at i = 90 (its
 * value restarts from 0 and reads 5). Hour 1: good 6,000, bad 60. Hour 2: good 3,000, bad 300.
 */
function openMetricsFile(): string {
  const lines = ['# HELP accord_sli_good_total Good requests.', '# TYPE accord_sli_good_total counter'];
  const good: string[] = [];
  const bad: string[] = [];
  let g = 10_000;
  let b = 200;
  for (let i = -1; i < 120; i++) {
    if (i >= 0) {
      g += i < 60 ? 100 : 50;
      b = i === 90 ? 5 : b + (i < 60 ? 1 : 5);
    }
    const t = (H0 + i * MIN) / 1000;
    good.push(`accord_sli_good_total{service="${SVC}",sli="checkout"} ${g} ${t}`);
    bad.push(`accord_sli_bad_total{service="${SVC}",sli="checkout"} ${b} ${t}`);
  }
  return [
    ...lines,
    ...good,
    '# HELP accord_sli_bad_total Failed requests.',
    '# TYPE accord_sli_bad_total counter',
    ...bad,
    '# EOF',
    '',
  ].join('\n');
}

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

/** The baseline route's figures over [from, to): good and total events from the 5-minute rollups. */
async function figures(sli: string, from: number, to: number) {
  const r = await app.call('POST', `/v1/services/${SVC}/baseline`, {
    as: 'admin',
    body: {
      sliName: sli,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      sliceMinutes: 60,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { good: r.body.data.goodEvents as number, total: r.body.data.totalEvents as number };
}

/** Rollups are written behind the raw store (the local change stream): polls until the figures settle. */
async function settled(sli: string, from: number, to: number, total: number) {
  const deadline = Date.now() + 30_000;
  let f = await figures(sli, from, to);
  while (f.total !== total && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    f = await figures(sli, from, to);
  }
  return f;
}

let jobId = '';

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  // The vendor the files are imported as, bound to the payments gateway (an unknown vendor is refused).
  await createVendor(app, 'prometheus');
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

const post = (as: string, body: string, type: string, query = 'vendor=prometheus&reason=last%20quarter') =>
  app.call('POST', `/v1/telemetry/backfills?${query}`, {
    as,
    rawBody: body,
    headers: { 'content-type': type },
  });

describe('backfill import', () => {
  it('is refused to anyone but an administrator', async () => {
    const file = openMetricsFile();
    for (const as of ['sla-manager', 'auditor', 'approver-business', 'viewer']) {
      const r = await post(as, file, 'application/openmetrics-text');
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
  });

  it('imports an OpenMetrics file ten days old: counters become increases, the figures are the hand-computed ones', async () => {
    const r = await post('admin', openMetricsFile(), 'application/openmetrics-text; version=1.0.0');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // 121 samples of each counter, all accepted (the first of each is the counter's baseline: it counts nothing)
    expect(r.body).toMatchObject({ chunks: 1, submitted: 242, accepted: 242, duplicates: 0, rejected: 0 });
    jobId = r.body.id;
    const hour1 = await settled('checkout', H0, H0 + HOUR, 6060);
    expect(hour1).toEqual({ good: 6000, total: 6060 });
    // Hour 2 with the bad counter's reset at minute 90: 30 × 5 before it, 5 at it (from 0), 29 × 5 after
    expect(await settled('checkout', H0 + HOUR, H0 + 2 * HOUR, 3300)).toEqual({ good: 3000, total: 3300 });
    expect(await figures('checkout', H0, H0 + 2 * HOUR)).toEqual({ good: 9000, total: 9360 });
  });

  it('answers the job with its counts when polled, and sending the same file again adds nothing', async () => {
    const again = await post(
      'admin',
      openMetricsFile(),
      'application/openmetrics-text',
      `vendor=prometheus&job=${jobId}`,
    );
    expect(again.status).toBe(200);
    // As in live ingest, a duplicate is accepted (and counted as one): it adds nothing to the figures
    expect(again.body).toMatchObject({
      id: jobId,
      chunks: 2,
      submitted: 484,
      accepted: 484,
      duplicates: 242,
    });
    const polled = await app.call('GET', `/v1/telemetry/backfills/${jobId}`, { as: 'admin' });
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({
      id: jobId,
      vendorId: 'prometheus',
      reason: 'last quarter',
      chunks: 2,
    });
    expect(await figures('checkout', H0, H0 + 2 * HOUR)).toEqual({ good: 9000, total: 9360 });
    expect((await app.call('GET', `/v1/telemetry/backfills/${jobId}`, { as: 'auditor' })).status).toBe(403);
    expect((await app.call('GET', '/v1/telemetry/backfills/bf_nope', { as: 'admin' })).status).toBe(404);
  });

  it('imports a CSV file with RFC 3339 and epoch-second times, and refuses samples older than 400 days by line', async () => {
    const t = (m: number) => new Date(H0 + m * MIN).toISOString();
    const csv = [
      'timestamp,metric,value,type,service,sli',
      `${t(0)},accord_sli_good_total,500,counter,${SVC},search`,
      `${(H0 + 5 * MIN) / 1000},accord_sli_good_total,800,counter,${SVC},search`,
      `${t(10)},accord_sli_good_total,1000,counter,${SVC},search`,
      `${t(0)},accord_sli_bad_total,7,counter,${SVC},search`,
      `${t(10)},accord_sli_bad_total,9,counter,${SVC},search`,
      `${new Date(Date.now() - 401 * 24 * HOUR).toISOString()},accord_sli_bad_total,1,counter,${SVC},search`,
    ].join('\n');
    const r = await post('admin', csv, 'text/csv');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      submitted: 6,
      accepted: 5,
      rejected: 1,
      rejectedByReason: { timestamp_too_old: 1 },
    });
    expect(r.body.rejections[0]).toMatchObject({
      chunk: 1,
      path: 'line 7.time',
      reason: 'timestamp_too_old',
    });
    // good: +300 then +200 (the first sample is the baseline); bad: +2
    expect(await settled('search', H0, H0 + HOUR, 502)).toEqual({ good: 500, total: 502 });
  });

  it('reads +Inf and NaN samples as Prometheus writes them and refuses each by its line and reason, keeping the rest', async () => {
    const t = (m: number) => (H0 + m * MIN) / 1000;
    const series = `accord_sli_good_total{service="${SVC}",sli="infinite"}`;
    const file = [
      '# TYPE accord_sli_good_total counter',
      `${series} 1 ${t(0)}`,
      `${series} +Inf ${t(1)}`,
      `${series} NaN ${t(2)}`,
      `${series} 4 ${t(3)}`,
      '# EOF',
      '',
    ].join('\n');
    const r = await post('admin', file, 'application/openmetrics-text');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      submitted: 4,
      accepted: 2,
      rejected: 2,
      rejectedByReason: { value_infinite: 1, value_nan: 1 },
    });
    expect(r.body.rejections.map((x: { path: string; reason: string }) => [x.path, x.reason])).toEqual([
      ['line 3.value', 'value_infinite'],
      ['line 4.value', 'value_nan'],
    ]);
  });

  it('names every unreadable line with a 400, and refuses other content types with a 415', async () => {
    const bad = `accord_sli_good_total{service="${SVC}",sli="x"} 1\naccord_sli_good_total{service="${SVC}" 2 3\n# EOF\n`;
    const r = await post('admin', bad, 'application/openmetrics-text');
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'line 1', problem: 'the sample has no timestamp: a backfill sample needs its time' },
      { path: 'line 2', problem: 'the label set is not closed' },
    ]);
    const noEof = await post('admin', `up 1 ${H0 / 1000}\n`, 'application/openmetrics-text');
    expect(noEof.body.error.details).toEqual([
      { path: 'line 2', problem: 'an OpenMetrics file ends with # EOF' },
    ]);
    const csv = await post('admin', 'time,metric,value\n', 'text/csv');
    expect(csv.body.error.details).toEqual([
      { path: 'line 1', problem: 'the header has no timestamp column' },
    ]);
    expect((await post('admin', '{}', 'application/json')).status).toBe(415);
  });

  it('refuses a gzip-encoded chunk with a 415 naming Content-Encoding (not a 400 about line 1 of the compressed bytes)', async () => {
    const r = await app.call('POST', '/v1/telemetry/backfills?vendor=prometheus&reason=last%20quarter', {
      as: 'admin',
      rawBody: gzipSync(openMetricsFile()),
      headers: { 'content-type': 'application/openmetrics-text', 'content-encoding': 'gzip' },
    });
    expect(r.status).toBe(415);
    expect(r.body.error.details).toEqual([
      { path: 'Content-Encoding', problem: `"gzip" is not accepted: send the file's bytes as they are` },
    ]);
  });

  it("gives the figures PromQL's increase() gives over the same hours on the same file loaded by promtool", async () => {
    const file = join(dir, 'history.om');
    writeFileSync(file, openMetricsFile());
    const data = join(dir, 'tsdb');
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, data], { stdio: 'pipe' });
    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    /** One PromQL value at an instant (seconds). */
    const query = async (q: string, at: number): Promise<number | undefined> => {
      const res = await fetch(
        `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`,
      );
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      const v = body.data.result[0]?.value[1];
      return v === undefined ? undefined : Number(v);
    };
    const deadline = Date.now() + 45_000;
    let ready: number | undefined;
    while (ready === undefined && Date.now() < deadline) {
      try {
        ready = await query('count(accord_sli_good_total)', H0);
      } catch {
        // Prometheus is still starting.
      }
      if (ready === undefined) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ready).toBe(1);
    // Accord gives a sample's increase to the minute it closes, in the 5-minute bucket of its time: the hour
    // [H, H + 1 h) holds the samples at H … H + 59 min, whose increases run from H − 1 min to H + 59 min: PromQL's
    // increase() over that range, evaluated at H + 59 min.
    for (const [from, to] of [
      [H0, H0 + HOUR],
      [H0 + HOUR, H0 + 2 * HOUR],
      [H0, H0 + 2 * HOUR],
    ] as const) {
      const range = `${(to - from) / MIN}m`;
      const at = to - MIN;
      const good = await query(`sum(increase(accord_sli_good_total[${range}]))`, at);
      const bad = await query(`sum(increase(accord_sli_bad_total[${range}]))`, at);
      const accord = await figures('checkout', from, to);
      expect(accord.good).toBeCloseTo(good!, 6);
      expect(accord.total - accord.good).toBeCloseTo(bad!, 6);
    }
  }, 90_000);

  it('is run by `accord backfill` in chunks of one job, with a progress bar and an ETA, and exit codes that mean something', async () => {
    const file = join(dir, 'orders.om');
    // 41 samples of one counter, 10 good a minute: 400 good events over [H0, H0 + 40 min)
    const rows = Array.from(
      { length: 41 },
      (_, i) =>
        `accord_sli_good_total{service="${SVC}",sli="orders"} ${1000 + i * 10} ${(H0 + (i - 1) * MIN) / 1000}`,
    );
    writeFileSync(file, ['# TYPE accord_sli_good_total counter', ...rows, '# EOF', ''].join('\n'));
    const bin = new URL('../../infra/cli/accord.mjs', import.meta.url).pathname;
    const accord = (args: string[], token: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          {
            env: { PATH: process.env.PATH, HOME: dir, ACCORD_ENDPOINT: app.url, ACCORD_TOKEN: token },
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
    const admin = app.credentials.tokens.admin!.token;
    const r = await accord(
      ['backfill', file, '--vendor', 'prometheus', '--chunk', '10', '--reason', 'orders history'],
      admin,
    );
    expect(r.code, r.stderr).toBe(0);
    // five requests (10, 10, 10, 10, 1 samples), the bar reaching 100% with an ETA on each line
    expect(r.stderr).toContain('[##############################] 100%  41/41 samples');
    expect(r.stderr.split('\r').filter((l) => /ETA \d+s|ETA \?/.test(l))).toHaveLength(5);
    expect(r.stdout).toMatch(/^ID\s+CHUNKS\s+SUBMITTED\s+ACCEPTED/);
    expect(r.stdout).toMatch(/bf_[0-9a-f-]{36}\s+5\s+41\s+41\s+0\s+0/);
    expect(await settled('orders', H0, H0 + HOUR, 400)).toEqual({ good: 400, total: 400 });
    const json = await accord(['--output', 'json', 'backfill', file, '--vendor', 'prometheus'], admin);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ chunks: 1, submitted: 41, duplicates: 41 });
    const denied = await accord(
      ['backfill', file, '--vendor', 'prometheus'],
      app.credentials.tokens['sla-manager']!.token,
    );
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('403');
  }, 90_000);

  it('sends a file written series by series by time range (both counters of the same minutes in one request): the same figures, and a resent file adds nothing', async () => {
    const file = join(dir, 'by-time.om');
    writeFileSync(file, openMetricsFile().replaceAll('sli="checkout"', 'sli="by-time"'));
    const config = { endpoint: app.url, token: app.credentials.tokens.admin!.token };
    const options = {
      vendor: 'prometheus',
      format: 'openmetrics' as const,
      reason: 'by time',
      perChunk: 50,
      progress: () => {},
    };
    // 121 minutes × 2 counters, 2 samples a minute, 50 a request: ranges of 25 minutes (25, 25, 25, 25, 21)
    const job = await backfillFile(config, file, options);
    expect(job).toMatchObject({ chunks: 5, submitted: 242, accepted: 242, duplicates: 0, rejected: 0 });
    expect(await settled('by-time', H0, H0 + HOUR, 6060)).toEqual({ good: 6000, total: 6060 });
    expect(await settled('by-time', H0 + HOUR, H0 + 2 * HOUR, 3300)).toEqual({ good: 3000, total: 3300 });
    const again = await backfillFile(config, file, options);
    expect(again).toMatchObject({ chunks: 5, submitted: 242, duplicates: 242, rejected: 0 });
    expect(await figures('by-time', H0, H0 + 2 * HOUR)).toEqual({ good: 9000, total: 9360 });
  }, 60_000);

  it('cuts a file into chunks by bytes as well as by samples (CRLF lines, comments between samples)', async () => {
    const file = join(dir, 'sized.om');
    // 10 samples of one counter, 10 good a minute: 90 good events over [H0, H0 + 10 min); every line is as long.
    const line = (i: number) =>
      `accord_sli_good_total{service="${SVC}",sli="sized"} ${1000 + i * 10} ${(H0 + i * MIN) / 1000}`;
    const header = '# TYPE accord_sli_good_total counter';
    const lines = [header];
    for (let i = 0; i < 10; i++) {
      lines.push(line(i));
      if (i === 4) lines.push('# a comment between samples');
    }
    writeFileSync(file, `${[...lines, '# EOF'].join('\r\n')}`);
    // Room for the header, `# EOF`'s margin and three sample lines (each with its CRLF), not four.
    const maxBytes = header.length + 1 + 8 + 3 * (line(0).length + 2) + 5;
    const job = await backfillFile({ endpoint: app.url, token: app.credentials.tokens.admin!.token }, file, {
      vendor: 'prometheus',
      format: 'openmetrics',
      reason: 'sized',
      perChunk: 200_000,
      progress: () => {},
      maxBytes,
    });
    expect(job).toMatchObject({ chunks: 4, submitted: 10, accepted: 10, rejected: 0 });
    expect(await settled('sized', H0, H0 + HOUR, 90)).toEqual({ good: 90, total: 90 });
  }, 60_000);
});

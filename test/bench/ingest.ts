/**
 * Ingestion benchmark: 1,000,000 samples in batches of 1,000 over HTTP from 4 concurrent clients into the
 * embedded default running as a child process (Prometheus remote write, as Prometheus sends it), beside the
 * raw SQLite insert rate of the same rows measured in the same run, and the server's peak resident memory.
 * Runnable alone: `npx tsx test/bench/ingest.ts` (BENCH_INGEST_SAMPLES to change the total).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress } from 'snappyjs';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { type PromSeries, writeRequestBytes } from '../helpers/telemetry.js';
import { testService } from '../helpers/telemetry-app.js';
import { startServerProcess } from './api.js';
import { type BenchEntry, percentile, report, round } from './report.js';

const TOTAL = Number(process.env.BENCH_INGEST_SAMPLES ?? 1_000_000);
const BATCH = 1000;
const CLIENTS = 4;
const SERIES_PER_BATCH = 10;

function vmHwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Batch n: 10 series of 100 samples each; every (series, time) is unique across the run. */
function batchSeries(n: number, base: number): PromSeries[] {
  const per = BATCH / SERIES_PER_BATCH;
  return Array.from({ length: SERIES_PER_BATCH }, (_, s) => ({
    labels: {
      __name__: 'accord_sli_duration_milliseconds',
      service: `svc_bench-${s}`,
      sli: 'latency',
      instance: `host-${n % 8}`,
    },
    samples: Array.from({ length: per }, (_, i) => ({
      value: 5 + ((n * 7 + i * 13) % 400),
      timestampMs: base + n * per + i,
    })),
  }));
}

/** The raw insert ceiling: the same rows, prepared INSERT, one transaction per batch of 1,000. */
function rawSqliteRate(dir: string, base: number, batches: number): number {
  const db = openDatabase(join(dir, 'raw.db'));
  db.exec(`CREATE TABLE telemetry_sample (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
           PRIMARY KEY (series_id, ts)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR IGNORE INTO telemetry_sample (series_id, ts, value) VALUES (?, ?, ?)');
  const tx = db.transaction((series: PromSeries[], n: number) => {
    series.forEach((s, si) => {
      for (const p of s.samples) insert.run(si * 8 + (n % 8), p.timestampMs, p.value);
    });
  });
  const all = Array.from({ length: batches }, (_, n) => batchSeries(n, base));
  const t0 = performance.now();
  for (const [n, s] of all.entries()) tx(s, n);
  const dt = (performance.now() - t0) / 1000;
  db.close();
  return (batches * BATCH) / dt;
}

/** Batch n as Accord JSON: 1,000 duration samples over 10 SLIs, times as RFC 3339 with an offset. */
function accordJson(n: number, base: number): Buffer {
  const samples = Array.from({ length: BATCH }, (_, i) => ({
    service: `svc_bench-${i % SERIES_PER_BATCH}`,
    sli: 'latency-json',
    measure: 'duration',
    value: 5 + ((n * 7 + i * 13) % 400),
    unit: 'ms',
    time: new Date(base + n * BATCH + i).toISOString().replace('Z', '+00:00'),
    thresholdMs: 300,
  }));
  return Buffer.from(JSON.stringify({ version: 1, samples }));
}

/** Four closed-loop keep-alive clients send every body once; 429s are waited out and not timed. */
async function load(url: string, bodies: Buffer[], headers: Record<string, string>) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/v1/telemetry',
          agent,
          headers: { ...headers, 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const latencies: number[] = [];
  let accepted = 0;
  let throttled = 0;
  let next = 0;
  const client = async () => {
    for (;;) {
      const n = next++;
      if (n >= bodies.length) return;
      for (;;) {
        const t0 = performance.now();
        const r = await post(bodies[n]!);
        if (r.status === 429) {
          throttled++;
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        latencies.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`batch ${n}: ${r.status} ${r.text.slice(0, 300)}`);
        accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
        break;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (accepted !== bodies.length * BATCH) throw new Error(`accepted ${accepted} of ${bodies.length * BATCH}`);
  latencies.sort((a, b) => a - b);
  return {
    samplesPerSecond: accepted / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    throttled,
  };
}

export async function benchIngest(): Promise<BenchEntry[]> {
  const dir = join(tmpdir(), `accord-bench-ingest-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A premium vendor (200 requests/s, bursts of 400): the standard tier's 50/s would cap the run at 50k samples/s.
  const apiKey = `ak_${randomBytes(24).toString('base64url')}`;
  writeFileSync(
    join(dir, 'dev-credentials.json'),
    // Bound to the services its batches name: a vendor writes only what it is bound to.
    JSON.stringify({
      vendor: {
        vendorId: 'bench-vendor',
        tier: 'premium',
        apiKey,
        services: Array.from({ length: SERIES_PER_BATCH }, (_, s) => `svc_bench-${s}`),
      },
    }),
  );
  const batches = Math.ceil(TOTAL / BATCH);
  const base = Date.now() - 3_600_000;
  const bodies = Array.from({ length: batches }, (_, n) =>
    Buffer.from(compress(writeRequestBytes(batchSeries(n, base)))),
  );
  // Samples for a service that does not exist are rejected: register the bench's services first.
  const db = openDatabase(join(dir, 'accord.db'));
  const services = new SqliteServiceStore(db);
  for (let s = 0; s < SERIES_PER_BATCH; s++) await services.create(testService(`svc_bench-${s}`));
  db.close();

  const { child, url } = await startServerProcess(dir);
  const entries: BenchEntry[] = [];
  try {
    const remote = await load(url, bodies, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': 'Prometheus/2.42.0',
      'x-api-key': apiKey,
    });
    // Let the vendor's token bucket refill (400 at 200/s) so the JSON pass starts as the first did.
    await new Promise((r) => setTimeout(r, 2500));
    // The same kind of rows as Accord JSON batches (a fifth of the volume): the JSON path's own figure.
    const jsonBase = base + batches * BATCH;
    const jsonBodies = Array.from({ length: Math.ceil(batches / 5) }, (_, n) => accordJson(n, jsonBase));
    const json = await load(url, jsonBodies, { 'content-type': 'application/json', 'x-api-key': apiKey });
    const peak = vmHwmMb(child.pid!);
    const e2e = remote.samplesPerSecond;
    const raw = rawSqliteRate(dir, base, batches);
    entries.push(
      { name: 'ingest.e2e.samples_per_s', value: round(e2e), unit: 'samples/s' },
      { name: 'ingest.request.p99_ms', value: round(remote.p99), unit: 'ms' },
      { name: 'ingest.request.p50_ms', value: round(remote.p50), unit: 'ms' },
      { name: 'ingest.e2e.json.samples_per_s', value: round(json.samplesPerSecond), unit: 'samples/s' },
      { name: 'ingest.request.json.p99_ms', value: round(json.p99), unit: 'ms' },
      { name: 'ingest.raw_sqlite.rows_per_s', value: round(raw), unit: 'rows/s' },
      { name: 'ingest.e2e_to_raw_ratio', value: Math.round((e2e / raw) * 1000) / 1000, unit: 'ratio' },
      { name: 'ingest.server.peak_rss_mb', value: round(peak), unit: 'MB' },
      { name: 'ingest.throttled_requests', value: remote.throttled + json.throttled, unit: 'requests' },
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return entries;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  report(await benchIngest());
}

/**
 * Ingestion benchmark: 1,000,000 samples shaped like real scrapes, sent over HTTP by 4 concurrent clients to the
 * embedded default running as a child process (Prometheus remote write, as Prometheus sends it), beside the raw
 * INSERT ceiling of the same rows into the same table of the same database, measured in the same run.
 *
 * The data: 2,000 series (250 services × 8 instances), each scraped every 15, 30 or 60 s from its own phase, so
 * the run covers about 3.6 hours of scrapes; batches of 1,000 samples in time order, as Prometheus' remote-write
 * shards send them (each batch holds the latest scrapes of many series).
 *
 * The vendor throttle is LIFTED for the bench vendor, not removed: the server runs its usage-plan limiter with a
 * bench tier file (a million requests per second, bursts of a million), so the figure is Accord's and not the
 * plan's (the premium tier's 200 requests/s capped the old figure). On AWS, API Gateway throttles before Lambda.
 * A throttled request would be a fault of the bench: the run fails on one.
 *
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
import { type BenchEntry, percentile, prng, report, round } from './report.js';

const TOTAL = Number(process.env.BENCH_INGEST_SAMPLES ?? 1_000_000);
const BATCH = 1000;
const CLIENTS = 4;
const SERVICES = 250;
const INSTANCES = 8;
const INTERVALS_S = [15, 30, 60];
export const TARGET = { samplesPerSecond: 150_000, peakRssMb: 400 } as const;

function vmHwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface Scrape {
  series: number;
  timestampMs: number;
  value: number;
}

/** `total` scrape samples of SERVICES × INSTANCES series in time order, from `start`. */
export function scrapes(total: number, start: number): Scrape[] {
  const rand = prng(7);
  const n = SERVICES * INSTANCES;
  const interval = Array.from({ length: n }, (_, s) => INTERVALS_S[s % INTERVALS_S.length]! * 1000);
  const next = interval.map((iv) => start + Math.floor(rand() * iv));
  // A binary heap on the next scrape time of each series.
  const heap = Array.from({ length: n }, (_, s) => s).sort((a, b) => next[a]! - next[b]!);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && next[heap[l]!]! < next[heap[m]!]!) m = l;
      if (r < n && next[heap[r]!]! < next[heap[m]!]!) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const out: Scrape[] = new Array(total);
  for (let k = 0; k < total; k++) {
    const s = heap[0]!;
    // Request durations in ms: mostly tens, a long tail.
    out[k] = { series: s, timestampMs: next[s]!, value: Math.round(5 + 40 * -Math.log(1 - rand() * 0.999)) };
    next[s]! += interval[s]!;
    down(0);
  }
  return out;
}

const labelsOf = (s: number) => ({
  __name__: 'accord_sli_duration_milliseconds',
  service: `svc_bench-${Math.floor(s / INSTANCES)}`,
  sli: 'latency',
  instance: `host-${s % INSTANCES}:9100`,
  job: 'bench',
});

/** One remote-write batch: the batch's samples grouped by series, each series' samples in time order. */
function remoteWriteBody(batch: Scrape[]): Buffer {
  const bySeries = new Map<number, PromSeries>();
  for (const x of batch) {
    let p = bySeries.get(x.series);
    if (!p) {
      p = { labels: labelsOf(x.series), samples: [] };
      bySeries.set(x.series, p);
    }
    p.samples.push({ value: x.value, timestampMs: x.timestampMs });
  }
  return Buffer.from(compress(writeRequestBytes([...bySeries.values()])));
}

/** The same kind of batch as Accord JSON, times as RFC 3339 with an offset. */
function accordJsonBody(batch: Scrape[]): Buffer {
  const samples = batch.map((x) => ({
    service: `svc_bench-${Math.floor(x.series / INSTANCES)}`,
    sli: 'latency-json',
    measure: 'duration',
    value: x.value,
    unit: 'ms',
    time: new Date(x.timestampMs).toISOString().replace('Z', '+00:00'),
    thresholdMs: 300,
    labels: { instance: `host-${x.series % INSTANCES}:9100` },
  }));
  return Buffer.from(JSON.stringify({ version: 1, samples }));
}

/**
 * The raw ceiling on the same table: the server stopped, its own database opened, and the same rows (moved past
 * the run's last scrape so none collides) inserted into telemetry_sample by a prepared INSERT, one transaction
 * per batch of 1,000, the server's series ids.
 */
function rawInsertRate(dbFile: string, all: Scrape[]): number {
  const db = openDatabase(dbFile);
  const ids = db.prepare('SELECT id FROM telemetry_series ORDER BY id').pluck().all() as number[];
  if (ids.length === 0) throw new Error('the server stored no series');
  const shift = all[all.length - 1]!.timestampMs - all[0]!.timestampMs + 60_000;
  const insert = db.prepare('INSERT OR IGNORE INTO telemetry_sample (series_id, ts, value) VALUES (?, ?, ?)');
  const tx = db.transaction((batch: Scrape[]) => {
    for (const x of batch) insert.run(ids[x.series % ids.length], x.timestampMs + shift, x.value);
  });
  const t0 = performance.now();
  for (let i = 0; i < all.length; i += BATCH) tx(all.slice(i, i + BATCH));
  const dt = (performance.now() - t0) / 1000;
  db.close();
  return all.length / dt;
}

/** Four closed-loop keep-alive clients send every body once; a throttled (429) or failed request fails the run. */
async function load(url: string, bodies: Buffer[], headers: Record<string, string>, perBody: number) {
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
  let next = 0;
  const client = async () => {
    for (;;) {
      const n = next++;
      if (n >= bodies.length) return;
      const t0 = performance.now();
      const r = await post(bodies[n]!);
      latencies.push(performance.now() - t0);
      if (r.status === 429)
        throw new Error(`batch ${n} was throttled: the bench tier did not lift the limit`);
      if (r.status !== 200) throw new Error(`batch ${n}: ${r.status} ${r.text.slice(0, 300)}`);
      accepted += (JSON.parse(r.text) as { accepted: number }).accepted;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (accepted !== bodies.length * perBody)
    throw new Error(`accepted ${accepted} of ${bodies.length * perBody}`);
  latencies.sort((a, b) => a - b);
  return {
    samplesPerSecond: accepted / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export async function benchIngest(): Promise<BenchEntry[]> {
  const dir = join(tmpdir(), `accord-bench-ingest-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const apiKey = `ak_${randomBytes(24).toString('base64url')}`;
  writeFileSync(
    join(dir, 'dev-credentials.json'),
    // Bound to the services its batches name: a vendor writes only what it is bound to.
    JSON.stringify({
      vendor: {
        vendorId: 'bench-vendor',
        tier: 'bench',
        apiKey,
        services: Array.from({ length: SERVICES }, (_, s) => `svc_bench-${s}`),
      },
    }),
  );
  // The limiter still runs on every request; only the bench tier's limits are out of reach.
  const tiersFile = join(dir, 'bench-tiers.json');
  writeFileSync(
    tiersFile,
    JSON.stringify({
      version: 1,
      tiers: {
        bench: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
        standard: { rateLimit: 50, burstLimit: 100 },
      },
    }),
  );
  const start = Date.now() - 4 * 3_600_000;
  const all = scrapes(TOTAL, start);
  const bodies: Buffer[] = [];
  for (let i = 0; i < all.length; i += BATCH) bodies.push(remoteWriteBody(all.slice(i, i + BATCH)));
  const hours = (all[all.length - 1]!.timestampMs - all[0]!.timestampMs) / 3_600_000;
  console.log(
    `${TOTAL} samples of ${SERVICES * INSTANCES} series scraped every ${INTERVALS_S.join('/')} s over ${hours.toFixed(1)} h; vendor throttle lifted (bench tier)`,
  );
  // Samples for a service that does not exist are rejected: register the bench's services first.
  const db = openDatabase(join(dir, 'accord.db'));
  const services = new SqliteServiceStore(db);
  for (let s = 0; s < SERVICES; s++) await services.create(testService(`svc_bench-${s}`));
  db.close();

  const { child, url } = await startServerProcess(dir, ['--vendor-tiers', tiersFile]);
  const entries: BenchEntry[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  try {
    const remote = await load(
      url,
      bodies,
      {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
        'x-prometheus-remote-write-version': '0.1.0',
        'user-agent': 'Prometheus/2.42.0',
        'x-api-key': apiKey,
      },
      BATCH,
    );
    // The JSON path's own figure on a fifth of the volume: the same scrapes, later, as another SLI.
    const jsonScrapes = scrapes(TOTAL / 5, start + 5 * 60_000);
    const jsonBodies: Buffer[] = [];
    for (let i = 0; i < jsonScrapes.length; i += BATCH)
      jsonBodies.push(accordJsonBody(jsonScrapes.slice(i, i + BATCH)));
    const json = await load(
      url,
      jsonBodies,
      { 'content-type': 'application/json', 'x-api-key': apiKey },
      BATCH,
    );
    const peak = vmHwmMb(child.pid!);
    await stop();
    const raw = rawInsertRate(join(dir, 'accord.db'), all);
    const e2e = remote.samplesPerSecond;
    entries.push(
      {
        name: 'ingest.e2e.samples_per_s',
        value: round(e2e),
        unit: 'samples/s (remote write, throttle lifted)',
        target: { op: '>=', limit: TARGET.samplesPerSecond },
      },
      { name: 'ingest.request.p99_ms', value: round(remote.p99), unit: 'ms' },
      { name: 'ingest.request.p50_ms', value: round(remote.p50), unit: 'ms' },
      { name: 'ingest.e2e.json.samples_per_s', value: round(json.samplesPerSecond), unit: 'samples/s' },
      { name: 'ingest.request.json.p99_ms', value: round(json.p99), unit: 'ms' },
      {
        name: 'ingest.raw_insert.same_table.rows_per_s',
        value: round(raw),
        unit: 'rows/s (telemetry_sample, same database)',
      },
      { name: 'ingest.e2e_to_raw_ratio', value: Math.round((e2e / raw) * 1000) / 1000, unit: 'ratio' },
      {
        name: 'ingest.server.peak_rss_mb',
        value: round(peak),
        unit: 'MB',
        target: { op: '<=', limit: TARGET.peakRssMb },
      },
      { name: 'ingest.series', value: SERVICES * INSTANCES, unit: 'series' },
      { name: 'ingest.span_hours', value: round(hours), unit: 'h of scrapes' },
    );
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return entries;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  report('ingest', await benchIngest());
}

/**
 * The ingest request path without HTTP, in this process, on a SQLite file: the `ingest` bench's remote-write bodies
 * (the same scrapes, batches of 1,000) through the stages of `POST /v1/telemetry` one after another, each stage's
 * CPU time per sample (user + system of this process, `process.cpuUsage`; steadier than wall time on a shared
 * machine):
 * - decode: snappy + protobuf into the decoded model, with the label-set cache a server keeps;
 * - decode + prepare: the same, then mapping, validation and normalisation (`prepareBatch`);
 * - store: the store side alone, on bodies decoded and prepared beforehand (untimed): `SqliteSampleStore.write` (one
 *   transaction: append record, heads, counter states, rollups) and `SqliteSliActivityStore.record`, as the use case
 *   calls them;
 * - use case: `TelemetryIngest.ingest` as the server calls it (vendor scope, the SQLite store's one transaction:
 *   append record, counter states, rollups; SLI activity), answered as the server answers;
 * - decode without the cache: every label decoded as an object (the reflective decoder), for comparison;
 * - what a worker pool for decode + prepare would cost the main thread: receiving each prepared batch as
 *   `postMessage` delivers it (V8's serializer: `v8.deserialize` of `v8.serialize`), and the byte-level part a
 *   worker could hand over without a copy (snappy inflate + the protobuf walk into flat arrays).
 * Each stage runs on a fresh database, after one warm-up pass over a tenth of the bodies.
 *
 * `npm run bench -- ingest-path [--samples N]` (default 200,000). Where the time goes in the whole server is the
 * `ingest` suite's figure; this one says which stage of the request path costs what.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { compress, uncompress } from 'snappyjs';
import { composeTelemetry } from '../../infra/local/telemetry.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { SqliteSampleStore, SqliteSliActivityStore } from '../../shared/adapters/sqlite/telemetry.js';
import { decodeTelemetry, LabelSetCache, snappyElementFault } from '../../shared/domain/telemetry/formats.js';
import type { PreparedBatch, Sample } from '../../shared/domain/telemetry/model.js';
import { prepareBatch } from '../../shared/domain/telemetry/prepare.js';
import { scanWriteRequest } from '../../shared/domain/telemetry/remote-write.js';
import { vendorScope } from '../../shared/domain/telemetry/scope.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { SliActivityRecord } from '../../shared/ports/telemetry.js';
import { type PromSeries, writeRequestBytes } from '../helpers/telemetry.js';
import { testService } from '../helpers/telemetry-app.js';
import { labelsOf, scrapes } from './ingest.js';
import { type BenchEntry, report, round } from './report.js';

const SERVICES = 250;
const VENDOR = 'bench-vendor';
const headers = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

function totalSamples(argv: readonly string[]): number {
  const i = argv.indexOf('--samples');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--samples='))?.slice(10);
  const n = Number(raw ?? 200_000);
  if (!Number.isInteger(n) || n < 10_000 || n % 1000 !== 0)
    throw new Error(`--samples must be a whole number of 1,000-sample batches, at least 10,000; got ${raw}`);
  return n;
}

export function bodiesOf(total: number): Buffer[] {
  const all = scrapes(total, Date.now() - 4 * 3_600_000);
  const bodies: Buffer[] = [];
  for (let i = 0; i < all.length; i += 1000) {
    const bySeries = new Map<number, PromSeries>();
    for (const x of all.slice(i, i + 1000)) {
      let p = bySeries.get(x.series);
      if (!p) {
        p = { labels: labelsOf(x.series), samples: [] };
        bySeries.set(x.series, p);
      }
      p.samples.push({ value: x.value, timestampMs: x.timestampMs });
    }
    bodies.push(Buffer.from(compress(writeRequestBytes([...bySeries.values()]))));
  }
  return bodies;
}

/** CPU microseconds per sample of `run` over every body, after a warm-up over the first tenth. */
async function cpuPerSample(
  bodies: Buffer[],
  run: (body: Buffer, warmUp: boolean) => unknown,
): Promise<number> {
  for (const b of bodies.slice(0, Math.ceil(bodies.length / 10))) await run(b, true);
  const c0 = process.cpuUsage();
  for (const b of bodies) {
    await run(b, false);
    // A turn of the event loop between requests, as in the server: timers that fell due run (the rollup journal's fold).
    await new Promise((resolve) => setImmediate(resolve));
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / (bodies.length * 1000);
}

/** A fresh database with the bench's services, and the telemetry use cases the server composes on it. */
async function freshStack(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'accord.db');
  const db = openDatabase(file);
  const services = new SqliteServiceStore(db);
  for (let s = 0; s < SERVICES; s++) await services.create(testService(`svc_bench-${s}`));
  const scope = vendorScope(
    VENDOR,
    Array.from({ length: SERVICES }, (_, s) => ({ serviceId: `svc_bench-${s}` })),
  );
  const telemetry = composeTelemetry(db, file, { now: () => new Date() }, async () => scope);
  return { db, telemetry };
}

/** The data of a prepared batch, as a worker would post it (structured clone carries no functions). */
function postable(p: PreparedBatch) {
  const { pathOf: _, ...data } = p;
  return data;
}

/** What the use case hands the SLI activity store for one write's new samples (one record per SLI). */
function activityOf(fresh: readonly Sample[], vendorId: string, nowMs: number): SliActivityRecord[] {
  const bySli = new Map<string, SliActivityRecord>();
  for (const s of fresh) {
    const r = bySli.get(s.sliKey);
    if (r) {
      r.samples++;
      r.firstSampleMs = Math.min(r.firstSampleMs, s.timestampMs);
      r.lastSampleMs = Math.max(r.lastSampleMs, s.timestampMs);
    } else
      bySli.set(s.sliKey, {
        sliKey: s.sliKey,
        vendorId,
        samples: 1,
        firstSampleMs: s.timestampMs,
        lastSampleMs: s.timestampMs,
        lastReceivedMs: nowMs,
      });
  }
  return [...bySli.values()];
}

/**
 * The store side alone: every body decoded and prepared first (untimed), then each batch's accepted samples written
 * through the SQLite sample store and the SLI activity store on a fresh database, as the use case calls them.
 */
export async function storeStage(
  bodies: Buffer[],
  policy: ReturnType<typeof loadTelemetryPolicy>,
  dir: string,
): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, 'accord.db'));
  const rollups = new SqliteRollupStore(db);
  const samples = new SqliteSampleStore(db, rollups);
  const activity = new SqliteSliActivityStore(db);
  const cache = new LabelSetCache();
  const nowMs = Date.now();
  const prepare = (body: Buffer, vendorId: string) =>
    prepareBatch(decodeTelemetry({ headers, body }, policy.limits, { labelSets: cache }), {
      vendorId,
      nowMs,
      policy,
    }).accepted;
  const warm = new Map(bodies.map((b) => [b, prepare(b, 'warm-up')]));
  const timed = new Map(bodies.map((b) => [b, prepare(b, VENDOR)]));
  let stored = 0;
  let writes = 0;
  const us = await cpuPerSample(bodies, async (body, warmUp) => {
    const vendorId = warmUp ? 'warm-up' : VENDOR;
    const out = await samples.write((warmUp ? warm : timed).get(body)!);
    await activity.record(activityOf(out.fresh, vendorId, nowMs));
    if (!warmUp) stored += out.stored;
    // The last write's rollups and activity are in their rows before the clock stops (a fold pending then is counted
    // too).
    if (!warmUp && ++writes === bodies.length) {
      rollups.foldJournal?.();
      activity.fold();
    }
  });
  db.close();
  if (stored !== bodies.length * 1000)
    throw new Error(`the store kept ${stored} of ${bodies.length * 1000} samples`);
  return us;
}

export async function benchIngestPath(): Promise<BenchEntry[]> {
  const total = totalSamples(process.argv.slice(2));
  const bodies = bodiesOf(total);
  const policy = loadTelemetryPolicy();
  const limits = policy.limits;
  const dir = join(tmpdir(), `accord-bench-ingest-path-${process.pid}`);
  try {
    const decodeCached = new LabelSetCache();
    const decode = await cpuPerSample(bodies, (body) =>
      decodeTelemetry({ headers, body }, limits, { labelSets: decodeCached }),
    );
    const decodeReflective = await cpuPerSample(bodies, (body) => decodeTelemetry({ headers, body }, limits));
    const prepareCache = new LabelSetCache();
    const prepare = await cpuPerSample(bodies, (body) =>
      prepareBatch(decodeTelemetry({ headers, body }, limits, { labelSets: prepareCache }), {
        vendorId: VENDOR,
        nowMs: Date.now(),
        policy,
      }),
    );
    // A worker pool would post each prepared batch back (its data: `pathOf` is a function and stays behind).
    const byteLevel = await cpuPerSample(bodies, (body) => {
      snappyElementFault(body, 0);
      scanWriteRequest(uncompress(body));
    });
    const cloneCache = new LabelSetCache();
    const posted = bodies.map((body) =>
      serialize(
        postable(
          prepareBatch(decodeTelemetry({ headers, body }, limits, { labelSets: cloneCache }), {
            vendorId: VENDOR,
            nowMs: Date.now(),
            policy,
          }),
        ),
      ),
    );
    const receive = await cpuPerSample(posted, (message) => deserialize(message));
    const store = await storeStage(bodies, policy, dir);
    const { db, telemetry } = await freshStack(dir);
    let accepted = 0;
    // The warm-up sends as another vendor (other series), so that every timed sample is new, as in the server bench.
    const useCase = await cpuPerSample(bodies, async (body, warmUp) => {
      const r = await telemetry.ingest.ingest({ vendorId: warmUp ? 'warm-up' : VENDOR, headers, body });
      if (!warmUp) accepted += r.body.accepted;
    });
    db.close();
    if (accepted !== total) throw new Error(`the use case accepted ${accepted} of ${total} samples`);
    const us = 'µs CPU per sample (this process, user + system)';
    return [
      { name: 'ingest.path.decode_us_per_sample', value: round(decode), unit: `${us}: snappy + protobuf` },
      {
        name: 'ingest.path.decode_reflective_us_per_sample',
        value: round(decodeReflective),
        unit: `${us}: the same without the label-set cache (an object per label)`,
      },
      {
        name: 'ingest.path.decode_prepare_us_per_sample',
        value: round(prepare),
        unit: `${us}: decode + mapping, validation, normalisation`,
      },
      {
        name: 'ingest.path.inflate_scan_us_per_sample',
        value: round(byteLevel),
        unit: `${us}: snappy inflate + the protobuf walk into flat arrays (what a worker could hand over without a copy)`,
      },
      {
        name: 'ingest.path.worker_receive_us_per_sample',
        value: round(receive),
        unit: `${us}: receiving a prepared batch from a worker (v8.deserialize, as postMessage does)`,
      },
      {
        name: 'ingest.path.store_us_per_sample',
        value: round(store),
        unit: `${us}: SampleStore.write (append record, heads, counter states, rollups) + SLI activity, on prepared samples`,
      },
      {
        name: 'ingest.path.usecase_us_per_sample',
        value: round(useCase),
        unit: `${us}: TelemetryIngest.ingest on SQLite (store, rollups, activity)`,
      },
      { name: 'ingest.path.samples', value: total, unit: 'samples per stage' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  report('ingest-path', await benchIngestPath());
}

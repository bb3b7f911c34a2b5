import Database from 'better-sqlite3';
import { compress } from 'snappyjs';
import { decodeTelemetry } from './shared/domain/telemetry/formats.js';
import { prepareBatch } from './shared/domain/telemetry/prepare.js';
import { SqliteRollupStore } from './shared/adapters/sqlite/rollups.js';
import { SqliteSampleStore } from './shared/adapters/sqlite/telemetry.js';
import { loadTelemetryPolicy } from './shared/policy/telemetry.js';
import { encodeWriteRequest as writeRequestBytes } from './shared/domain/telemetry/protobuf.js';
const policy = loadTelemetryPolicy();
const base = Date.now() - 3_600_000;
const batch = (n: number) => writeRequestBytes(Array.from({ length: 10 }, (_, s) => ({ labels: { __name__: 'accord_sli_duration_milliseconds', service: `svc_bench-${s}`, sli: 'latency', instance: `host-${n % 8}` }, samples: Array.from({ length: 100 }, (_, i) => ({ value: 5 + ((n * 7 + i * 13) % 400), timestampMs: base + n * 100 + i })) })));
const N = 200;
const bodies = Array.from({ length: N }, (_, n) => ({ headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body: Buffer.from(compress(batch(n))) }));
const db = new Database(':memory:'); const store = new SqliteSampleStore(db, new SqliteRollupStore(db));
let td = 0, tp = 0, tw = 0;
for (const b of bodies) {
  let t = performance.now(); const d = decodeTelemetry(b, policy.limits); td += performance.now() - t;
  t = performance.now(); const p = prepareBatch(d, { vendorId: 'bench-vendor', nowMs: Date.now(), policy }); tp += performance.now() - t;
  t = performance.now(); await store.write(p.accepted); tw += performance.now() - t;
}
console.log(`per batch of 1000: decode ${(td / N).toFixed(2)} ms, prepare ${(tp / N).toFixed(2)} ms, sqlite write ${(tw / N).toFixed(2)} ms`);

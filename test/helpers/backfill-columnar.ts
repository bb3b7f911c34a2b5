import { composeColumnarBackfill } from '../../infra/local/backfill.js';
import { composeTelemetry, sampleStoreIfComposed } from '../../infra/local/telemetry.js';
import { SqliteAuditStore } from '../../shared/adapters/sqlite/audit.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { SqliteSliActivityStore } from '../../shared/adapters/sqlite/telemetry.js';
import { SqliteVendorStore } from '../../shared/adapters/sqlite/vendors.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { Vendor, VendorBinding } from '../../shared/schemas/vendor.js';
import { BackfillUseCases } from '../../shared/usecases/backfill.js';
import { TestClock } from './clock.js';
import { service } from './fixtures.js';

/**
 * The harness of the backfill's columnar fast-path tests (test/unit/telemetry/backfill-columnar*.test.ts): an embedded
 * default in memory with one service, the e2e test's minute-by-minute counter history as OpenMetrics chunks, and a
 * run of the same chunks with the fast path on and off, read back store by store for comparison.
 */
export const admin: Principal = {
  subject: 'ada',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};
export const NOW = Date.parse('2026-05-01T09:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const H0 = Math.floor(NOW / HOUR) * HOUR - 10 * 24 * HOUR;
export const SVC = 'svc_payments-gateway';
export const OM = 'application/openmetrics-text';

/**
 * The e2e test's history (test/e2e/backfill.test.ts): one sample a minute from H0 − 1 min (the baseline) to H0 + 119
 * min; good adds 100 a minute in the first hour and 50 in the second, bad 1 then 5 and resets at minute 90 (reads 5).
 * Hour 1: good 6,000 of 6,060; hour 2: good 3,000 of 3,300. Minutes [from, to) of it, good series then bad.
 */
export function chunk(from: number, to: number, extra: string[] = []): Buffer {
  const good: string[] = [];
  const bad: string[] = [];
  let g = 10_000;
  let b = 200;
  for (let i = -1; i < 120; i++) {
    if (i >= 0) {
      g += i < 60 ? 100 : 50;
      b = i === 90 ? 5 : b + (i < 60 ? 1 : 5);
    }
    if (i < from || i >= to) continue;
    const t = (H0 + i * MIN) / 1000;
    good.push(`accord_sli_good_total{service="${SVC}",sli="checkout"} ${g} ${t}`);
    bad.push(`accord_sli_bad_total{service="${SVC}",sli="checkout"} ${b} ${t}`);
  }
  return Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      '# TYPE accord_sli_bad_total counter',
      ...extra,
      ...good,
      ...bad,
      '# EOF',
      '',
    ].join('\n'),
  );
}

/** The vendor the chunks are imported as (`prometheus`), as its record stands: active, with these bindings. */
export function vendorRecord(id: string, bindings: VendorBinding[]): Vendor {
  const at = new Date(NOW - 30 * 24 * HOUR).toISOString();
  return {
    id,
    name: `Vendor ${id}`,
    tier: 'standard',
    status: 'active',
    bindings,
    keys: [],
    version: 1,
    createdAt: at,
    createdBy: 'ada',
    changedAt: at,
    changedBy: 'ada',
    change: 'create',
    reason: 'the backfill tests import as this vendor',
  };
}

/**
 * An embedded default in memory with the service (and `otherServices`), the vendor `prometheus` (bound to the whole
 * service unless `bindings` says otherwise) and the backfill use cases, the columnar fast path on or off.
 */
export async function compose(
  columnar: boolean,
  bindings: VendorBinding[] = [{ serviceId: SVC }],
  otherServices: readonly string[] = [],
) {
  const db = openDatabase(':memory:');
  const clock = new TestClock(NOW);
  const telemetry = composeTelemetry(db, ':memory:', clock);
  await new SqliteServiceStore(db).create(service());
  for (const id of otherServices)
    await new SqliteServiceStore(db).create(service({ id, name: `Service ${id}` }));
  const vendors = new SqliteVendorStore(db);
  await vendors.create(vendorRecord('prometheus', bindings), []);
  const fast = composeColumnarBackfill(db);
  const taken: boolean[] = [];
  const uc = new BackfillUseCases({
    ingest: () => telemetry.ingest,
    audit: new SqliteAuditStore(db),
    clock,
    vendors,
    ...(columnar
      ? {
          columnar: () => ({
            tryImport: async (...a: Parameters<typeof fast.tryImport>) => {
              const r = await fast.tryImport(...a);
              taken.push(r !== undefined);
              return r;
            },
          }),
        }
      : {}),
  });
  let job: string | undefined;
  const send = async (body: Buffer) => {
    const j = await uc.importChunk(admin, {
      vendorId: 'prometheus',
      contentType: OM,
      body,
      reason: 'history',
      jobId: job,
    });
    job = j.id;
    return j;
  };
  /** Everything the stores hold, read back. */
  const snapshot = async () => {
    new SqliteRollupStore(db).foldJournal();
    new SqliteSliActivityStore(db).fold();
    return {
      rollups: db
        .prepare(
          `SELECT s.sli_key, b.bucket, b.good, b.total, b.count, b.sum, b.min, b.max, b.c_good, b.c_total, b.c_count,
             b.c_sum, b.c_filled FROM rollup_bucket b JOIN rollup_series s ON s.id = b.series_id ORDER BY 1, 2`,
        )
        .raw()
        .all(),
      states: db.prepare('SELECT * FROM telemetry_counter_state ORDER BY series').raw().all(),
      raw: await sampleStoreIfComposed(db)!.read(`${SVC}/checkout`, 0, Number.MAX_SAFE_INTEGER),
      activity: db
        .prepare('SELECT sli_key, vendor_id, samples, first_sample, last_sample FROM telemetry_sli_activity')
        .raw()
        .all(),
    };
  };
  const totals = () => {
    new SqliteRollupStore(db).foldJournal();
    return db.prepare('SELECT SUM(good) AS good, SUM(total) AS total FROM rollup_bucket').get() as {
      good: number;
      total: number;
    };
  };
  return { send, snapshot, totals, taken, db, uc, vendors };
}

/** Runs the same chunks through both paths: answers both sides' job counts and stores. */
export async function bothWays(
  chunks: Buffer[],
  bindings?: VendorBinding[],
  otherServices?: readonly string[],
) {
  const out = [];
  for (const on of [true, false]) {
    const c = await compose(on, bindings, otherServices);
    const jobs = [];
    for (const body of chunks) jobs.push(await c.send(body));
    const counts = jobs.map((j) => ({
      submitted: j.submitted,
      accepted: j.accepted,
      duplicates: j.duplicates,
      rejected: j.rejectedByReason,
    }));
    out.push({ counts, store: await c.snapshot(), totals: c.totals(), taken: c.taken });
  }
  return { fast: out[0]!, live: out[1]! };
}

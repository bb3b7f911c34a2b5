import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBackfillObjects } from '../../shared/adapters/memory/backfill-objects.js';
import { SqliteAuditStore } from '../../shared/adapters/sqlite/audit.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import { BackfillRunUseCases } from '../../shared/usecases/backfill-runs.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { localBackfillStarter } from '../helpers/local-distributed-map.js';
import { createVendor } from '../helpers/vendors.js';

/**
 * Backfill runs (issue 14 item 3, "on AWS the backfill of a large file runs as a Step Functions Distributed Map over
 * S3 objects"): infra/workflows/backfill.asl.json run by aws-local-stepfunctions (its Distributed Map features
 * stood in for: test/helpers/local-distributed-map.ts) over chunk objects in memory, each object imported by the
 * item processor through the embedded default's own stores (SQLite: series state, rollups, audit); the run's
 * progress and report read back over HTTP. The figures are the backfill e2e test's hand-computed ones.
 */
let app: TestApp;
const MIN = 60_000;
const HOUR = 3_600_000;
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 10 * 24 * HOUR;
const SVC = 'svc_payments-gateway';
const BUCKET = 'accord-backfill-test';
const admin: Principal = {
  subject: 'admin-runner',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

/**
 * Minutes [from, to) of the backfill e2e file, as one OpenMetrics object: good adds 100 a minute in hour 1, 50 in
 * hour 2; bad 1, then 5, resetting at minute 90. Minute −1 is the counters' baseline. Hour 1: good 6,000, bad 60;
 * hour 2: good 3,000, bad 300.
 */
function chunk(from: number, to: number): string {
  const good: string[] = [];
  const bad: string[] = [];
  let g = 10_000;
  let b = 200;
  for (let i = -1; i < to; i++) {
    if (i >= 0) {
      g += i < 60 ? 100 : 50;
      b = i === 90 ? 5 : b + (i < 60 ? 1 : 5);
    }
    if (i < from) continue;
    const t = (H0 + i * MIN) / 1000;
    good.push(`accord_sli_good_total{service="${SVC}",sli="checkout"} ${g} ${t}`);
    bad.push(`accord_sli_bad_total{service="${SVC}",sli="checkout"} ${b} ${t}`);
  }
  return [
    '# TYPE accord_sli_good_total counter',
    ...good,
    '# TYPE accord_sli_bad_total counter',
    ...bad,
    '# EOF',
    '',
  ].join('\n');
}

async function figures(from: number, to: number) {
  const r = await app.call('POST', `/v1/services/${SVC}/baseline`, {
    as: 'admin',
    body: {
      sliName: 'checkout',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      sliceMinutes: 60,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { good: r.body.data.goodEvents as number, total: r.body.data.totalEvents as number };
}

let runs: BackfillRunUseCases;
let starter: ReturnType<typeof localBackfillStarter>;
const objects = new MemoryBackfillObjects();

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  // The vendor the files are imported as, bound to the payments gateway (an unknown vendor is refused).
  await createVendor(app, 'prometheus');
  // S3 as the item processor meets it: one object keeps failing (throttled), as a dependency that is down would.
  const reader = {
    read: async (bucket: string, key: string) => {
      if (key.endsWith('e-throttled.om'))
        throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' });
      return objects.read(bucket, key);
    },
  };
  starter = localBackfillStarter(() => runs, objects, BUCKET);
  runs = new BackfillRunUseCases({
    backfill: app.container.ecosystem!.backfill,
    audit: new SqliteAuditStore(app.db),
    clock: { now: () => new Date() },
    starter,
    objects: reader,
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('a backfill run over chunk objects (the Distributed Map, run locally)', () => {
  let runId = '';

  it('imports every object under the prefix in key order into one job, a counter spanning two objects, and reports each object that failed', async () => {
    objects.put(BUCKET, 'imports/q3/a-hour1.om', chunk(-1, 60));
    objects.put(BUCKET, 'imports/q3/b-hour2.om', chunk(60, 120));
    objects.put(
      BUCKET,
      'imports/q3/c-broken.csv',
      'timestamp,metric,value\nyesterday,accord_sli_good_total,1\n',
    );
    objects.put(BUCKET, 'imports/q3/d-notes.json', '{"not": "a backfill file"}', 'application/json');
    objects.put(BUCKET, 'imports/q3/e-throttled.om', chunk(-1, 1));
    // Outside the prefix: never read.
    objects.put(BUCKET, 'imports/q4/a.om', chunk(-1, 120));

    const started = await runs.start(admin, {
      vendorId: 'prometheus',
      prefix: 'imports/q3/',
      reason: 'baseline from last quarter',
      declaredTotal: 242,
    });
    expect(started).toMatchObject({
      state: 'running',
      concurrency: 1,
      prefix: 'imports/q3/',
      by: 'admin-runner',
    });
    expect(started.id).toMatch(/^bf_[0-9a-f-]{36}$/);
    expect(started.executionId).toBe(`local:${started.id}`);
    runId = started.id;
    await Promise.all(starter.executions);

    const r = await app.call('GET', `/v1/telemetry/backfill-runs/${runId}`, { as: 'admin' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      id: runId,
      state: 'finished',
      objects: { imported: 2, failed: 3, pending: 0 },
      error: null,
      by: 'admin-runner',
      reason: 'baseline from last quarter',
    });
    const failures = r.body.failures as { key: string; code: string; message: string }[];
    expect(failures.map((f) => [f.key, f.code])).toEqual([
      ['imports/q3/c-broken.csv', 'validation_failed'],
      ['imports/q3/d-notes.json', 'unsupported_media_type'],
      ['imports/q3/e-throttled.om', 'execution_failed'],
    ]);
    expect(failures[2]!.message).toContain('Please reduce your request rate.');
    // Two chunks, 121 samples of each counter, all accepted: hour 2's first sample continues hour 1's counter.
    expect(r.body.job).toMatchObject({
      id: runId,
      chunks: 2,
      declaredTotal: 242,
      submitted: 242,
      accepted: 242,
      duplicates: 0,
      rejected: 0,
      by: 'admin-runner',
    });
  });

  it('gives the hand-computed figures, as the same file sent over HTTP does', async () => {
    const deadline = Date.now() + 30_000;
    let f = await figures(H0, H0 + 2 * HOUR);
    while (f.total !== 9360 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      f = await figures(H0, H0 + 2 * HOUR);
    }
    expect(f).toEqual({ good: 9000, total: 9360 });
    expect(await figures(H0, H0 + HOUR)).toEqual({ good: 6000, total: 6060 });
  });

  it('counts objects run again as duplicates, never twice', async () => {
    const again = await runs.start(admin, {
      vendorId: 'prometheus',
      prefix: 'imports/q3/a-',
      reason: 'run again by mistake',
    });
    await Promise.all(starter.executions);
    const r = await app.call('GET', `/v1/telemetry/backfill-runs/${again.id}`, { as: 'admin' });
    expect(r.body).toMatchObject({ state: 'finished', objects: { imported: 1, failed: 0 } });
    // Every sample is a duplicate of one stored by the first run (accepted, as live ingest counts them, and not added).
    expect(r.body.job).toMatchObject({ submitted: 122, accepted: 122, duplicates: 122, rejected: 0 });
    expect(await figures(H0, H0 + 2 * HOUR)).toEqual({ good: 9000, total: 9360 });
  });

  it('records a run whose map failed as a whole as failed, with the reason', async () => {
    // A starter that starts nothing: the map's own report never comes, only the failure recorded here.
    const idle = new BackfillRunUseCases({
      backfill: app.container.ecosystem!.backfill,
      audit: new SqliteAuditStore(app.db),
      clock: { now: () => new Date() },
      starter: { start: async () => ({ executionId: 'idle' }) },
    });
    const started = await idle.start(admin, {
      vendorId: 'prometheus',
      prefix: 'imports/q3/',
      reason: 'listing',
    });
    await idle.finish({ jobId: started.id, error: { Error: 'S3.AccessDenied', Cause: 'listing refused' } });
    const r = await app.call('GET', `/v1/telemetry/backfill-runs/${started.id}`, { as: 'admin' });
    expect(r.body).toMatchObject({
      state: 'failed',
      objects: null,
      error: 'S3.AccessDenied: listing refused',
    });
  });

  it('is refused to anyone but an administrator, and the embedded default starts no run over HTTP (a 422 naming the chunk route, not a 5xx)', async () => {
    expect(
      (await app.call('GET', `/v1/telemetry/backfill-runs/${runId}`, { as: 'sla-manager' })).status,
    ).toBe(403);
    const r = await app.call('POST', '/v1/telemetry/backfill-runs', {
      as: 'admin',
      body: { vendor: 'prometheus', prefix: 'imports/q3/', reason: 'try here' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('rule_violated');
    expect(r.body.error.message).toContain('POST /v1/telemetry/backfills');
    const bad = await app.call('POST', '/v1/telemetry/backfill-runs', {
      as: 'admin',
      body: { vendor: 'prometheus', prefix: 'results/x', reason: 'a mistaken prefix', concurrency: 41 },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.error.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      'concurrency',
      'prefix',
    ]);
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTelemetry } from '../../infra/local/telemetry.js';
import { SqliteRollupStore, storedRollupTotals } from '../../shared/adapters/sqlite/rollups.js';
import { systemClock } from '../../shared/ports/clock.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const r = await app.call('POST', '/v1/services', {
    as: 'sla-manager',
    body: serviceBody({ id: 'svc_payments-gateway' }),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(async () => app.close());

describe('one raw sample store per database on the embedded default', () => {
  it('answers a retry through the API as a duplicate when the first copy came through another composition of telemetry on the same database (npm start -- --demo)', async () => {
    // The demo loader composes telemetry a second time on the server's database and ingests 30 days through it; a
    // vendor re-sending one of those samples to the server must get "duplicate", not have it counted twice.
    const loader = composeTelemetry(app.db, join(app.dir, 'accord.db'), systemClock).ingest;
    const body = JSON.stringify({
      version: 1,
      samples: [
        {
          service: 'svc_payments-gateway',
          sli: 'availability',
          measure: 'good',
          value: 97,
          time: new Date(Math.floor(Date.now() / 60_000) * 60_000 - 600_000).toISOString(),
        },
      ],
    });
    const first = await loader.ingest({
      vendorId: app.credentials.vendor.vendorId,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    });
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const retry = await app.call('POST', '/v1/telemetry', {
      rawBody: body,
      headers: { 'content-type': 'application/json', 'x-api-key': app.credentials.vendor.apiKey },
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicates: 1, durability: 'stored' });
    // Read as the evaluator reads (the rollup store folds its journal first), and as stored (buckets + journal).
    const totals = await new SqliteRollupStore(app.db).cumulative([
      { sliKey: 'svc_payments-gateway/availability', instants: [Number.MAX_SAFE_INTEGER] },
    ]);
    expect(totals[0]![0]!.good).toBe(97);
    expect(storedRollupTotals(app.db, 'svc_payments-gateway/availability').good).toBe(97);
  });
});

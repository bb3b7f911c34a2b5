import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { PERMISSIONS, ROLES } from '../../shared/domain/access/policy.js';
import { ROUTES } from '../../shared/http/routes.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { accordSample, jsonRequest, promRequest } from '../helpers/telemetry.js';

let app: TestApp;
let key = '';

beforeAll(async () => {
  app = await startTestApp();
  key = app.credentials.vendor.apiKey;
  // Samples for a service that does not exist are rejected: register the ones these tests feed.
  for (const id of ['svc_payments-gateway', 'svc_core-ledger']) {
    const r = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(async () => app.close());

const push = (
  req: { headers: Record<string, string>; body: Buffer },
  extra: Record<string, string> = {},
  apiKey = key,
) =>
  app.call('POST', '/v1/telemetry', {
    rawBody: req.body,
    headers: { ...req.headers, 'x-api-key': apiKey, ...extra },
  });

describe('POST /v1/telemetry over HTTP on the embedded default', () => {
  it('takes a Prometheus remote write request exactly as Prometheus sends it and feeds the rollups', async () => {
    const now = Date.now();
    const r = await push(
      promRequest([
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway', instance: 'blackbox:9115' },
          samples: [
            { value: 1, timestampMs: now - 2000 },
            { value: 0, timestampMs: now - 1000 },
          ],
        },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ submitted: 2, accepted: 2, rejected: [], durability: 'stored' });
    const rollups = await new SqliteRollupStore(app.db).read(
      'svc_payments-gateway/availability',
      now - 600_000,
      now + 600_000,
    );
    const sum = rollups.reduce((a, b) => ({ good: a.good + b.good, total: a.total + b.total }), {
      good: 0,
      total: 0,
    });
    expect(sum).toEqual({ good: 1, total: 2 });
  });

  it('accepts a batch partially and names each rejected sample by index and reason', async () => {
    const t = new Date().toISOString();
    const r = await push(
      jsonRequest({
        version: 1,
        samples: [accordSample(t, 1), accordSample(t, 2), accordSample('yesterday-ish', 1)],
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ index: 1, path: 'samples[1].value', reason: 'ratio_out_of_range' }),
      expect.objectContaining({ index: 2, path: 'samples[2].time', reason: 'bad_timestamp' }),
    ]);
  });

  it('takes Datadog v2 series and reports the series nothing maps through the API', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const r = await push(
      jsonRequest({
        series: [
          {
            metric: 'system.load.1',
            type: 3,
            points: [{ timestamp: ts, value: 0.7 }],
            resources: [{ name: 'web-1', type: 'host' }],
          },
        ],
      }),
    );
    expect(r.body.rejected[0]).toMatchObject({
      index: 0,
      path: 'series[0].points[0]',
      reason: 'unmapped_series',
    });
    const list = await app.call('GET', '/v1/telemetry/unmapped', { as: 'auditor' });
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({
        vendorId: 'prometheus-main',
        metric: 'system.load.1',
        labels: { host: 'web-1' },
        samples: 1,
      }),
    );
    const d = await app.call('GET', '/v1/telemetry/discrepancies', { as: 'auditor' });
    expect(d.status).toBe(200);
  });

  it('answers a retry with the same Idempotency-Key with the first response and stores nothing twice', async () => {
    const req = jsonRequest({
      version: 1,
      samples: [{ ...accordSample(Date.now() - 5000, 1), sli: 'idem' }],
    });
    const a = await push(req, { 'idempotency-key': 'retry-1' });
    const b = await push(req, { 'idempotency-key': 'retry-1' });
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const c = await push(req);
    expect(c.body).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('refuses more than 10,000 samples or 5 MB with 413 and the limits', async () => {
    const samples = Array.from({ length: 10_001 }, (_, i) => accordSample(Date.now() - i, 1));
    const many = await push(jsonRequest({ version: 1, samples }));
    expect(many.status).toBe(413);
    expect(many.body.error.message).toMatch(/limit is 10000 samples or 5242880 bytes/);
    const huge = await push({
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(5 * 1024 * 1024 + 10, 32),
    });
    expect(huge.status).toBe(413);
  });

  it('refuses an unknown content type with 415 and a missing key with 401', async () => {
    expect((await push({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('x') })).status).toBe(
      415,
    );
    expect((await push(jsonRequest({ version: 1, samples: [] }), {}, 'ak_wrong')).status).toBe(401);
  });

  it('rate-limits a vendor beyond its tier with 429 and Retry-After, and leaves other vendors alone', async () => {
    const trialKey = 'ak_trial_vendor_for_tests';
    await app.container.vendors!.provision(
      { id: 'trial-vendor', name: 'Trial vendor', tier: 'trial', bindings: [], apiKey: trialKey },
      'test',
    );
    const req = jsonRequest({ version: 1, samples: [] });
    // The trial tier: bursts of 10, 5 requests/s. Requests go 20 at a time, so that a slow, loaded machine (where 14
    // requests one after another took 1.2 s and the bucket refilled as fast as it drained) still exceeds the tier.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let round = 0; round < 10 && retryAfter === null; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => push(req, {}, trialKey)));
      for (const r of answers) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
    }
    expect(statuses.slice(0, 20).filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await push(req)).status).toBe(200);
  });

  it('documents the Accord batch format in the OpenAPI document', async () => {
    const doc = await app.call('GET', '/openapi.json');
    const op = doc.body.paths['/v1/telemetry'].post;
    expect(JSON.stringify(op.requestBody)).toContain('samples');
    expect(op.responses['200']).toBeDefined();
  });

  it('never answers a 5xx to random bytes in any declared format', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('application/json', 'application/x-protobuf', 'application/octet-stream'),
        async (bytes, type) => {
          const r = await push({
            headers: {
              'content-type': type,
              ...(type === 'application/x-protobuf' ? { 'content-encoding': 'snappy' } : {}),
            },
            body: Buffer.from(bytes),
          });
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('what the service owner sees', () => {
  it('lists the service’s SLIs with data at GET /v1/services/{serviceId}/slis, each with its last sample and readers', async () => {
    const now = Date.now();
    const r = await push(
      jsonRequest({
        version: 1,
        samples: [
          { service: 'svc_core-ledger', sli: 'postings', measure: 'good', value: 4, time: now - 5000 },
        ],
      }),
    );
    expect(r.body.slis).toEqual([
      { sliKey: 'svc_core-ledger/postings', accepted: 1, readByObjective: false },
    ]);
    const list = await app.call('GET', '/v1/services/svc_core-ledger/slis', { as: 'service-owner' });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        sliKey: 'svc_core-ledger/postings',
        samples: 1,
        lastSampleAt: new Date(now - 5000).toISOString(),
        good: 4,
        total: 4,
        readBy: [],
      }),
    ]);
  });
});

describe('duplicate keys in a JSON body', () => {
  // Every route that takes a JSON body, called by a role allowed to: the repeated key is named before anything else.
  const routes = ROUTES.filter((r) => r.body && r.auth === 'user' && r.action);
  it.each(routes.map((r) => [r.method, r.path, r] as const))(
    '%s %s answers 400 naming the repeated key',
    async (method, path, route) => {
      const role = ROLES.find((x) => x !== 'vendor' && PERMISSIONS[x].actions.includes(route.action!))!;
      const res = await app.call(
        method,
        path
          .replace('{agreementId}', 'agr_01J0000000000000')
          .replace('{serviceId}', 'svc_core-ledger')
          .replace(/\{(\w+)\}/g, 'x1'),
        {
          as: role === 'approver' ? 'approver-legal' : role,
          rawBody: '{"reason": "first", "nested": {"a": 1}, "reason": "second"}',
          headers: { 'content-type': 'application/json', 'if-match': '"1"' },
        },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.details).toEqual([
        { path: 'reason', problem: 'appears more than once in the same object' },
      ]);
    },
  );

  it('POST /v1/telemetry answers 400 naming a key repeated deep in a sample', async () => {
    const r = await push({
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        '{"version": 1, "samples": [{"service": "svc_core-ledger", "value": 1, "value": 2}]}',
      ),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'samples[0].value', problem: 'appears more than once in the same object' },
    ]);
  });
});

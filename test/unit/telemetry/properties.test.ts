import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors.js';
import { errorResponse } from '../../../shared/http/errors.js';
import type { IngestResponse } from '../../../shared/schemas/telemetry.js';
import { principal } from '../../helpers/fixtures.js';
import { jsonRequest, promRequest } from '../../helpers/telemetry.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

const AUDITOR = principal({ roles: ['auditor'] });

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const HOUR = 3_600_000;

// Times: mostly acceptable, some in the future, too old, unparsable or local without a zone.
const epochMs = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: NOW - 70 * HOUR, max: NOW }) },
  { weight: 1, arbitrary: fc.integer({ min: NOW + HOUR, max: NOW + 100 * HOUR }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: NOW - 80 * HOUR }) },
);
const timeValue = fc.oneof(
  epochMs,
  epochMs.map((ms) => new Date(ms).toISOString()),
  epochMs.map((ms) => new Date(ms).toISOString().replace('Z', '+00:00')),
  epochMs.map((ms) => new Date(ms).toISOString().slice(0, 19)),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'Infinity', '-Infinity', 'x', null) },
);
const accordSample = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        service: fc.constantFrom('svc_payments-gateway', 'svc_core-ledger', 'svc_Bad', 'nope'),
        sli: fc.constantFrom('availability', 'response-time', 'x'),
        measure: fc.constantFrom('ratio', 'good', 'bad', 'duration', 'value', 'weird'),
        value,
        unit: fc.constantFrom('ms', 's', 'ns', 'µs', 'percent', 'ratio', 'count', 'furlongs'),
        time: timeValue,
        timeZone: fc.constantFrom('Europe/Paris', 'Asia/Kolkata', 'Nowhere/Town'),
      },
      { requiredKeys: ['service', 'sli', 'measure', 'value', 'time'] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);
const accordBatch = fc.record({
  version: fc.constant(1),
  timeZone: fc.constantFrom('UTC', 'America/New_York'),
  samples: fc.array(accordSample, { maxLength: 40 }),
});

const ddSeries = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      metric: fc.constantFrom(
        'synthetics.api.uptime',
        'trace.http.request.duration',
        'accord_sli_ratio',
        'unknown.metric',
      ),
      unit: fc.constantFrom('percent', 'second', 'millisecond', 'byte', 'parsec'),
      tags: fc.subarray([
        'service:payments-gateway',
        'service:card-authorisation',
        'sli:availability',
        'env:prod',
      ]),
      points: fc.array(
        fc.oneof(
          {
            weight: 8,
            arbitrary: fc.record({ timestamp: epochMs.map((ms) => Math.floor(ms / 1000)), value }),
          },
          { weight: 1, arbitrary: fc.anything() },
        ),
        { maxLength: 8 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.anything() },
);
const ddBatch = fc.record({ series: fc.array(ddSeries, { maxLength: 8 }) });

const promSeries = fc.record({
  labels: fc.oneof(
    fc.constant({ __name__: 'probe_success', job: 'payments-gateway' }),
    fc.constant({ __name__: 'core-ledger_request_latency_seconds' }),
    fc.constant({ __name__: 'accord_sli_good_total', service: 'svc_core-ledger', sli: 'postings' }),
    fc.constant({ __name__: 'node_load1', instance: 'a' }),
    fc.constant({ job: 'no-name' }),
  ),
  samples: fc.array(
    fc.record({
      value: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double()),
      timestampMs: epochMs,
    }),
    { maxLength: 8 },
  ),
});
const promBatch = fc.array(promSeries, { maxLength: 8 });

const request = fc.oneof(
  accordBatch.map((b) => jsonRequest(b)),
  ddBatch.map((b) => jsonRequest(b)),
  promBatch.map((b) => promRequest(b)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    body: Buffer.from(bytes),
  })),
  fc
    .string({ maxLength: 200 })
    .map((s) => ({ headers: { 'content-type': 'application/json' }, body: Buffer.from(s) })),
);

function checkAnswer(r: IngestResponse): void {
  expect(r.accepted + r.rejected.length).toBe(r.submitted);
  const indexes = new Set(r.rejected.map((x) => x.index));
  expect(indexes.size).toBe(r.rejected.length);
  for (const x of r.rejected) {
    expect(x.index).toBeGreaterThanOrEqual(0);
    expect(x.index).toBeLessThan(r.submitted);
    expect(x.reason).not.toBe('');
    expect(x.message).not.toBe('');
    expect(x.path).not.toBe('');
  }
}

describe.each(['memory', 'sqlite'] as const)('random and malformed batches in every format (%s)', (kind) => {
  it('never answer a 5xx, explain every rejection, and store every accepted sample exactly once', async () => {
    const seen = { accepted: 0, rejected: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (requests) => {
        const t = await telemetryFixture(kind, NOW);
        for (const req of requests) {
          const before = await t.samples.count();
          let first: IngestResponse;
          try {
            first = (await t.ingest.ingest({ vendorId: 'prometheus-main', ...req })).body;
          } catch (err) {
            expect(err).toBeInstanceOf(DomainError);
            expect(errorResponse(err, 'x').statusCode).toBeLessThan(500);
            seen.refused++;
            continue;
          }
          checkAnswer(first);
          seen.accepted += first.accepted;
          seen.rejected += first.rejected.length;
          const after = await t.samples.count();
          expect(after - before).toBe(first.accepted - first.duplicates);
          // The same batch again stores nothing more: every accepted sample is a duplicate now.
          const again = (await t.ingest.ingest({ vendorId: 'prometheus-main', ...req })).body;
          expect(again.accepted).toBe(first.accepted);
          expect(again.duplicates).toBe(first.accepted);
          expect(await t.samples.count()).toBe(after);
        }
      }),
      { numRuns: kind === 'memory' ? 150 : 100 },
    );
    // The generators must exercise all three outcomes, or the property proves little.
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(5);
    // A property over hundreds of requests: its time depends on the machine's load, not on a target.
  }, 120_000);
});

describe('idempotency and the fallback spool', () => {
  it('answers a retried batch with the same Idempotency-Key with the first response and stores nothing twice', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    const req = jsonRequest({
      version: 1,
      samples: [{ service: 'svc_core-ledger', sli: 'availability', measure: 'ratio', value: 1, time: NOW }],
    });
    const headers = { ...req.headers, 'idempotency-key': 'batch-1' };
    const first = await t.ingest.ingest({ vendorId: 'v', headers, body: req.body });
    const second = await t.ingest.ingest({ vendorId: 'v', headers, body: req.body });
    expect(second).toEqual({ ...first, replayed: true });
    expect(await t.samples.count()).toBe(1);
    await expect(
      t.ingest.ingest({
        vendorId: 'v',
        headers,
        body: Buffer.from(JSON.stringify({ version: 1, samples: [] })),
      }),
    ).rejects.toThrow(/different body/);
  });

  it('refuses another body sent under an Idempotency-Key whose first request is still running, instead of answering it with the first report (red team, wave 6)', async () => {
    // The second body's samples were never written, yet it was answered 2xx with the first body's report.
    const t = await telemetryFixture('sqlite', NOW);
    const body = (value: number) =>
      jsonRequest({
        version: 1,
        samples: [{ service: 'svc_core-ledger', sli: 'availability', measure: 'ratio', value, time: NOW }],
      });
    const a = body(1);
    const b = body(0.5);
    const headers = { ...a.headers, 'idempotency-key': 'racing-batch' };
    const [first, second] = await Promise.allSettled([
      t.ingest.ingest({ vendorId: 'v', headers, body: a.body }),
      t.ingest.ingest({ vendorId: 'v', headers, body: b.body }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
    expect((second as PromiseRejectedResult).reason.message).toMatch(/different body/);
    // The same body racing its first attempt is still a replay.
    const [x, y] = await Promise.all([
      t.ingest.ingest({ vendorId: 'v', headers: { ...headers, 'idempotency-key': 'same' }, body: b.body }),
      t.ingest.ingest({ vendorId: 'v', headers: { ...headers, 'idempotency-key': 'same' }, body: b.body }),
    ]);
    expect(y).toEqual({ ...x, replayed: true });
  });

  it('acknowledges into the spool when the raw store is down and replays it once the store is back, once', async () => {
    const t = await telemetryFixture('memory', NOW);
    t.memory!.failing = true;
    const req = promRequest([
      {
        labels: { __name__: 'probe_success', job: 'payments-gateway' },
        samples: [{ value: 1, timestampMs: NOW }],
      },
    ]);
    const r = await t.ingest.ingest({ vendorId: 'prometheus-main', ...req });
    expect(r.status).toBe(202);
    expect(r.body.durability).toBe('spooled');
    expect(await t.ingest.replaySpool()).toBe(0);
    t.memory!.failing = false;
    expect(await t.ingest.replaySpool()).toBe(1);
    expect(await t.ingest.replaySpool()).toBe(0);
    expect(await t.samples.count()).toBe(1);
    const rollup = await t.rollups.read('svc_payments-gateway/availability', NOW - HOUR, NOW + HOUR);
    expect(rollup).toEqual([expect.objectContaining({ good: 1, total: 1 })]);
  });
});

describe('two sources of one SLI', () => {
  it('records a discrepancy beyond the tolerance and clears it when the sources agree again', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    const bucketMid = Math.floor(NOW / 300_000) * 300_000 + 1000;
    await t.ingest.ingest({
      vendorId: 'prometheus-main',
      ...promRequest([
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway' },
          samples: [
            { value: 1, timestampMs: bucketMid },
            { value: 1, timestampMs: bucketMid + 1 },
          ],
        },
      ]),
    });
    const dd = (value: number, ts: number) =>
      jsonRequest({
        series: [
          {
            metric: 'synthetics.api.uptime',
            unit: 'percent',
            tags: ['service:payments-gateway'],
            points: [{ timestamp: ts, value }],
          },
        ],
      });
    await t.ingest.ingest({ vendorId: 'datadog-eu', ...dd(90, Math.floor(bucketMid / 1000)) });
    const found = await t.queries.discrepancies(AUDITOR, { limit: 10 });
    expect(found).toEqual([
      expect.objectContaining({
        sliKey: 'svc_payments-gateway/availability',
        primaryValue: 1,
        secondaryValue: 0.9,
        authoritative: 'prometheus-main',
        tolerance: 0.01,
      }),
    ]);
    // The secondary's next sample brings its bucket to 0.95 mean... still off; a 100 % pair brings it close.
    await t.ingest.ingest({ vendorId: 'datadog-eu', ...dd(100, Math.floor(bucketMid / 1000) + 1) });
    expect((await t.queries.discrepancies(AUDITOR, { limit: 10 }))[0]!.secondaryValue).toBeCloseTo(0.95);
    for (let i = 2; i < 12; i++)
      await t.ingest.ingest({ vendorId: 'datadog-eu', ...dd(100, Math.floor(bucketMid / 1000) + i) });
    expect(await t.queries.discrepancies(AUDITOR, { limit: 10 })).toEqual([]);
    // The rollups hold the authoritative source only.
    const rollup = await t.rollups.read('svc_payments-gateway/availability', NOW - HOUR, NOW + HOUR);
    expect(rollup).toEqual([expect.objectContaining({ good: 2, total: 2 })]);
  });
});

describe('compressed JSON', () => {
  it('inflates gzip and deflate JSON as Datadog agents send it, and refuses a bomb with 413', async () => {
    const { gzipSync, deflateSync } = await import('node:zlib');
    const t = await telemetryFixture('memory', NOW);
    const dd = JSON.stringify({
      series: [
        {
          metric: 'synthetics.api.uptime',
          unit: 'percent',
          tags: ['service:payments-gateway'],
          points: [{ timestamp: NOW / 1000, value: 99 }],
        },
      ],
    });
    for (const [encoding, body] of [
      ['gzip', gzipSync(dd)],
      ['deflate', deflateSync(dd)],
    ] as const) {
      const r = await t.ingest.ingest({
        vendorId: 'datadog-eu',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body,
      });
      expect(r.body.accepted + r.body.duplicates).toBeGreaterThan(0);
    }
    await expect(
      t.ingest.ingest({
        vendorId: 'datadog-eu',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(Buffer.alloc(6 * 1024 * 1024, 32)),
      }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(
      t.ingest.ingest({
        vendorId: 'datadog-eu',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Buffer.from('not gzip'),
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

import { createHash } from 'node:crypto';
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../../shared/adapters/memory/telemetry.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  PayloadTooLargeError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { encodeDatadogPayload } from '../../../shared/domain/telemetry/datadog-proto.js';
import { encodeOtlpRequest } from '../../../shared/domain/telemetry/otlp.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import telemetryJson from '../../../shared/policy/telemetry-mapping.json' with { type: 'json' };
import type { IdempotentRecord } from '../../../shared/ports/telemetry.js';
import { ingestFixture, reader } from '../../helpers/ingest-usecase.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T = NOW - 60_000;
const HOUR = 3_600_000;

type Fixture = Awaited<ReturnType<typeof ingestFixture>>;
let f: Fixture;

beforeEach(async () => {
  f = await ingestFixture(NOW);
});

/** The shipped policy with other body limits. */
const limited = (maxCompressedBodyBytes: number, maxBodyBytes = 100_000) =>
  loadTelemetryPolicy({
    ...structuredClone(telemetryJson),
    limits: { ...telemetryJson.limits, maxCompressedBodyBytes, maxBodyBytes },
  });

const ratio = (value: number, time = T) => ({
  service: 'svc_payments-gateway',
  sli: 'availability',
  measure: 'ratio',
  value,
  time,
});
const json = (samples: unknown[], pad = 0) =>
  Buffer.from(JSON.stringify({ version: 1, samples }) + ' '.repeat(pad));
const JSON_TYPE = { 'content-type': 'application/json' };

async function errorOf(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

/** A zstd frame of raw blocks (no declared content size, an 8 KiB window), as a streaming compressor writes. */
function zstdRaw(content: Uint8Array): Buffer {
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x18];
  const BLOCK = 8192;
  for (let at = 0; at < content.length || at === 0; at += BLOCK) {
    const part = content.subarray(at, at + BLOCK);
    const last = at + BLOCK >= content.length ? 1 : 0;
    const header = (part.length << 3) | last;
    out.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, ...part);
  }
  return Buffer.from(out);
}

describe('Idempotency-Key', () => {
  const keyed = (key: string, body = json([ratio(1)]), vendorId = 'prometheus-main') =>
    f.ingest.ingest({ vendorId, headers: { ...JSON_TYPE, 'idempotency-key': key }, body });

  it('refuses a key that is not 1 to 200 visible ASCII characters, naming the header', async () => {
    for (const key of ['', 'has space', 'é', 'k'.repeat(201)]) {
      const e = await errorOf(keyed(key));
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.message).toBe('bad Idempotency-Key');
      expect(e.details).toEqual([
        { path: 'Idempotency-Key', problem: 'must be 1 to 200 visible ASCII characters' },
      ]);
    }
    expect((await keyed('k'.repeat(200))).replayed).toBe(false);
    expect(await f.samples.count()).toBe(1);
  });

  it('stores the first answer under the key and sends it again for a retry, storing nothing twice', async () => {
    const first = await keyed('retry-1');
    expect(first.replayed).toBe(false);
    const body = json([ratio(1)]);
    expect(await f.deps.idempotency.get('prometheus-main', 'retry-1')).toEqual({
      requestHash: createHash('sha256').update(body).digest('hex'),
      status: 200,
      body: JSON.stringify(first.body),
      createdAtMs: NOW,
    });
    f.clock.ms = NOW + 1000;
    const again = await keyed('retry-1');
    expect(again).toEqual({ ...first, replayed: true });
    expect(await f.samples.count()).toBe(1);
  });

  it('refuses the same key with another body, stored or still in flight', async () => {
    await keyed('k-1');
    const e = await errorOf(keyed('k-1', json([ratio(0)])));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe('this Idempotency-Key was used with a different body');
    expect(e.details).toEqual([
      { path: 'Idempotency-Key', problem: 'was first used with another request body: use a new key' },
    ]);
    const racing = keyed('k-2');
    const other = await errorOf(keyed('k-2', json([ratio(0)])));
    expect(other).toBeInstanceOf(ConflictError);
    expect(other.details).toEqual(e.details);
    expect((await racing).body.accepted).toBe(1);
  });

  it('lets a retry racing the first attempt wait for its answer', async () => {
    const [a, b] = await Promise.all([keyed('race'), keyed('race')]);
    expect(a.replayed).toBe(false);
    expect(b).toEqual({ ...a, replayed: true });
    expect(await f.samples.count()).toBe(1);
  });

  it('keeps the keys of different vendors apart, in flight too', async () => {
    const [a, b] = await Promise.all([
      keyed('shared', json([ratio(1)]), 'prometheus-main'),
      keyed('shared', json([ratio(0, T + 1000)]), 'datadog-eu'),
    ]);
    expect([a.replayed, b.replayed]).toEqual([false, false]);
    expect(await f.samples.count()).toBe(2);
  });

  it('forgets a finished request in flight: once its stored answer expires the key is new again', async () => {
    f = await ingestFixture(NOW, { idempotencyTtlMs: 1000 });
    await keyed('old');
    f.clock.ms = NOW + HOUR + 1;
    await keyed('purges-the-old-one', json([ratio(1, T + 1000)]));
    expect(await f.deps.idempotency.get('prometheus-main', 'old')).toBeUndefined();
    const r = await keyed('old');
    expect(r.replayed).toBe(false);
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('purges expired keys at most once an hour, keeping them 24 hours by default', async () => {
    const purged: number[] = [];
    const store = new MemoryIdempotencyStore();
    store.purge = async (before) => {
      purged.push(before);
      return 0;
    };
    f = await ingestFixture(NOW, { idempotency: store });
    await keyed('a');
    expect(purged).toEqual([NOW - 86_400_000]);
    f.clock.ms = NOW + HOUR;
    await keyed('b');
    expect(purged).toEqual([NOW - 86_400_000]);
    f.clock.ms = NOW + HOUR + 1;
    await keyed('c');
    expect(purged).toEqual([NOW - 86_400_000, NOW + HOUR + 1 - 86_400_000]);
  });

  it('sends a spooled answer again as 202', async () => {
    f.samples.failing = true;
    expect((await keyed('spooled')).status).toBe(202);
    f.samples.failing = false;
    const again = await keyed('spooled');
    expect(again.status).toBe(202);
    expect(again.replayed).toBe(true);
    expect(again.body.durability).toBe('spooled');
  });

  it('replays a stored answer as it was stored', async () => {
    const stored: IdempotentRecord = {
      requestHash: createHash('sha256')
        .update(json([ratio(1)]))
        .digest('hex'),
      status: 202,
      body: JSON.stringify({ submitted: 9 }),
      createdAtMs: NOW,
    };
    await f.deps.idempotency.put('prometheus-main', 'seen', stored);
    expect(await keyed('seen')).toEqual({ status: 202, body: { submitted: 9 }, replayed: true });
  });
});

describe('compressed JSON bodies', () => {
  const send = (encoding: string, body: Uint8Array) =>
    f.ingest.ingest({
      vendorId: 'prometheus-main',
      headers: { ...JSON_TYPE, 'content-encoding': encoding },
      body,
    });

  it('inflates gzip, deflate and zstd, whatever the case and spaces of the header', async () => {
    expect((await send(' GZip ', gzipSync(json([ratio(1)])))).body.accepted).toBe(1);
    expect((await send('deflate', deflateSync(json([ratio(1, T + 1000)])))).body.accepted).toBe(1);
    expect((await send('zstd', zstdRaw(json([ratio(1, T + 2000)])))).body.accepted).toBe(1);
    expect(await f.samples.count()).toBe(3);
  });

  it('takes a compressed body of exactly the limit as sent, and refuses one byte more with a 413', async () => {
    const gz = gzipSync(json([ratio(1)]));
    f = await ingestFixture(NOW, { policy: limited(gz.length) });
    expect((await send('gzip', gz)).body.accepted).toBe(1);
    f = await ingestFixture(NOW, { policy: limited(gz.length - 1) });
    for (const [encoding, body] of [
      [' GZIP ', gz],
      ['deflate', deflateSync(json([ratio(1)]), { level: 0 })],
      ['zstd', zstdRaw(json([ratio(1)]))],
    ] as const) {
      const e = await errorOf(send(encoding, body));
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e.message).toBe(
        `the body is ${body.length} bytes as sent; the limit for compressed bodies is ${gz.length - 1}`,
      );
      expect(e.details).toEqual([{ path: '(body)', problem: `exceeds ${gz.length - 1} bytes as sent` }]);
    }
  });

  it('takes a plain JSON body larger than the compressed limit', async () => {
    f = await ingestFixture(NOW, { policy: limited(10) });
    const r = await f.ingest.ingest({
      vendorId: 'prometheus-main',
      headers: JSON_TYPE,
      body: json([ratio(1)]),
    });
    expect(r.body.accepted).toBe(1);
  });

  it('refuses a body that inflates beyond the body limit with a 413, and takes one inflating to exactly it', async () => {
    const exact = json([ratio(1)], 300);
    f = await ingestFixture(NOW, { policy: limited(100_000, exact.length) });
    expect((await send('zstd', zstdRaw(exact))).body.accepted).toBe(1);
    expect((await send('gzip', gzipSync(json([ratio(1, T + 1000)], 300)))).body.accepted).toBe(1);
    for (const [encoding, body] of [
      ['gzip', gzipSync(json([ratio(1)], 301))],
      ['deflate', deflateSync(json([ratio(1)], 301))],
      ['zstd', zstdRaw(json([ratio(1)], 301))],
    ] as const) {
      const e = await errorOf(send(encoding, body));
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e.message).toBe(`the inflated body exceeds ${exact.length} bytes`);
      expect(e.details).toEqual([{ path: '(body)', problem: `inflates beyond ${exact.length} bytes` }]);
    }
  });

  it('refuses a zstd frame cut short, even when what came through is a whole JSON body', async () => {
    const whole = zstdRaw(json([ratio(1)]));
    // The same frame with the last-block flag off: the frame never ends.
    const cut = Buffer.from(whole);
    cut[6] = cut[6]! & ~1;
    const e = await errorOf(send('zstd', cut));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the body is not valid zstd data');
    expect(await f.samples.count()).toBe(0);
  });

  it('refuses a body that is not what its Content-Encoding says, naming the decoder’s complaint', async () => {
    const notGzip = Buffer.from('{"version":1,"samples":[]}');
    let complaint = '';
    try {
      gunzipSync(notGzip);
    } catch (x) {
      complaint = (x as Error).message;
    }
    const e = await errorOf(send('gzip', notGzip));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the body is not valid gzip data');
    expect(e.details).toEqual([{ path: 'Content-Encoding', problem: `gzip: ${complaint}` }]);
    // Bytes that happen to open like a zstd frame asking for a 2 GB window are still judged as gzip.
    const zstdLike = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa7, 0x09, 0x00, 0x00, 0x7b]);
    const g = await errorOf(send('gzip', zstdLike));
    expect(g.message).toBe('the body is not valid gzip data');
  });
});

describe('the Datadog Agent’s path', () => {
  it('reads a protobuf body as the Agent’s MetricPayload', async () => {
    const body = encodeDatadogPayload({
      series: [
        {
          metric: 'synthetics.api.uptime',
          type: 3,
          points: [{ timestamp: T / 1000, value: 100 }],
          tags: ['service:payments-gateway'],
          resources: [],
        },
      ],
    });
    const r = await f.ingest.ingest({
      vendorId: 'datadog-eu',
      datadog: true,
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    expect(r.body).toMatchObject({ submitted: 1, accepted: 1, rejected: [] });
  });

  it('answers a key that no longer authenticates with Datadog’s 403, and the other paths with 401', async () => {
    f = await ingestFixture(NOW, {
      admit: async () => {
        throw new UnauthenticatedError('the API key was revoked or has expired');
      },
    });
    const req = { vendorId: 'datadog-eu', headers: JSON_TYPE, body: json([ratio(1)]) };
    const dd = await errorOf(f.ingest.ingest({ ...req, datadog: true }));
    expect(dd).toBeInstanceOf(ForbiddenError);
    expect(dd.details).toEqual([{ path: 'DD-API-KEY', problem: 'is not a valid API key' }]);
    expect(await errorOf(f.ingest.ingest(req))).toBeInstanceOf(UnauthenticatedError);
  });
});

describe('OTLP/HTTP', () => {
  const kv = (attrs: Record<string, string>) =>
    Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
  const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  /** An export request of ratio gauges: one data point per value, each for its own SLI of the gateway. */
  const gauges = (points: { sli: string; value: number }[]) => ({
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            scope: { name: 't' },
            metrics: [
              {
                name: 'accord.sli.ratio',
                gauge: {
                  dataPoints: points.map((p, i) => ({
                    attributes: kv({ service: 'svc_payments-gateway', sli: p.sli }),
                    timeUnixNano: ns(T + i),
                    asDouble: p.value,
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });
  const otlp = (body: unknown, headers: Record<string, string> = JSON_TYPE) =>
    f.ingest.ingestOtlp({
      vendorId: 'prometheus-main',
      headers,
      body: Buffer.from(JSON.stringify(body)),
    });
  const answer = async (body: unknown) => JSON.parse((await otlp(body)).body as string);
  const point = (i: number) => `resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[${i}]`;

  it('refuses a request without a Content-Type it takes, on either entry', async () => {
    const none = [
      { path: 'Content-Type', problem: '"(none)" is not application/x-protobuf or application/json' },
    ];
    const a = await errorOf(otlp(gauges([]), {}));
    expect(a).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(a.details).toEqual(none);
    const b = await errorOf(
      f.ingest.ingest({ vendorId: 'prometheus-main', headers: {}, body: Buffer.from('{}'), otlp: true }),
    );
    expect(b).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(b.details).toEqual(none);
  });

  it('takes identity, gzip and deflate bodies and refuses another Content-Encoding, naming it', async () => {
    const body = Buffer.from(JSON.stringify(gauges([{ sli: 'availability', value: 1 }])));
    const send = (encoding: string, bytes: Uint8Array) =>
      f.ingest.ingestOtlp({
        vendorId: 'prometheus-main',
        headers: { ...JSON_TYPE, 'content-encoding': encoding },
        body: bytes,
      });
    expect((await send('identity', body)).status).toBe(200);
    expect((await send(' gzip ', gzipSync(body))).status).toBe(200);
    expect((await send('deflate', deflateSync(body))).status).toBe(200);
    const e = await errorOf(send(' BR ', body));
    expect(e).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(e.message).toBe('OTLP/HTTP bodies may be gzip or deflate compressed');
    expect(e.details).toEqual([{ path: 'Content-Encoding', problem: '"br" is not gzip or deflate' }]);
    expect(await f.samples.count()).toBe(1);
  });

  it('limits binary bodies as sent, and not plain JSON ones', async () => {
    const doc = gauges([{ sli: 'availability', value: 1 }]);
    const proto = encodeOtlpRequest(doc);
    const gz = gzipSync(Buffer.from(JSON.stringify(doc)));
    f = await ingestFixture(NOW, { policy: limited(proto.length) });
    const protoType = { 'content-type': 'application/x-protobuf' };
    expect(
      (await f.ingest.ingestOtlp({ vendorId: 'prometheus-main', headers: protoType, body: proto })).status,
    ).toBe(200);
    f = await ingestFixture(NOW, { policy: limited(Math.min(proto.length, gz.length) - 1) });
    const max = Math.min(proto.length, gz.length) - 1;
    expect((await otlp(doc)).status).toBe(200);
    for (const [headers, body] of [
      [protoType, proto],
      [{ ...JSON_TYPE, 'content-encoding': 'gzip' }, gz],
    ] as const) {
      const e = await errorOf(f.ingest.ingestOtlp({ vendorId: 'prometheus-main', headers, body }));
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e.message).toBe(
        `the body is ${body.length} bytes as sent; the limit for binary bodies is ${max}`,
      );
      expect(e.details).toEqual([{ path: '(body)', problem: `exceeds ${max} bytes as sent` }]);
    }
  });

  it('answers full success with an empty response when every SLI is read', async () => {
    f.readerLists.set('svc_payments-gateway', [reader('availability')]);
    const r = await otlp(gauges([{ sli: 'availability', value: 1 }]));
    expect(r).toEqual({ status: 200, body: '{}', contentType: 'application/json', replayed: false });
  });

  it('warns of SLIs no objective reads, naming five and counting the others', async () => {
    const slis = (n: number) => Array.from({ length: n }, (_, i) => ({ sli: `s${i}`, value: 1 }));
    const key = (i: number) => `svc_payments-gateway/s${i}`;
    expect(await answer(gauges(slis(5)))).toEqual({
      partialSuccess: {
        rejectedDataPoints: '0',
        errorMessage: `No objective reads ${[0, 1, 2, 3, 4].map(key).join(', ')} yet.`,
      },
    });
    f.readerLists.set('svc_payments-gateway', [reader('s0')]);
    f.clock.ms = NOW + HOUR;
    expect(await answer(gauges(slis(8)))).toEqual({
      partialSuccess: {
        rejectedDataPoints: '0',
        errorMessage: `No objective reads ${[1, 2, 3, 4, 5].map(key).join(', ')} and 2 more yet.`,
      },
    });
  });

  it('counts the rejected data points and names the first five reasons, then the warning', async () => {
    const bad = (i: number) => `${point(i)}.value: ratio_out_of_range (a ratio must lie in [0, 1], got 7)`;
    const five = [0, 1, 2, 3, 4].map((i) => ({ sli: `s${i}`, value: 7 }));
    expect(await answer(gauges([...five, { sli: 'ok', value: 1 }]))).toEqual({
      partialSuccess: {
        rejectedDataPoints: '5',
        errorMessage: `5 of 6 data points rejected: ${[0, 1, 2, 3, 4].map(bad).join('; ')}. No objective reads svc_payments-gateway/ok yet.`,
      },
    });
    f.readerLists.set('svc_payments-gateway', [reader('ok')]);
    f.clock.ms = NOW + HOUR;
    const seven = [...five, { sli: 's5', value: 7 }, { sli: 's6', value: 7 }, { sli: 'ok', value: 1 }];
    expect(await answer(gauges(seven))).toEqual({
      partialSuccess: {
        rejectedDataPoints: '7',
        errorMessage: `7 of 8 data points rejected: ${[0, 1, 2, 3, 4].map(bad).join('; ')}; and 2 more.`,
      },
    });
  });
});

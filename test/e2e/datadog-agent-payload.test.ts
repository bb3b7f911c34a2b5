import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATADOG_DESCRIPTOR, datadogDescriptorJson } from '../../infra/tools/proto-json.js';
import { encodeDatadogPayload } from '../../shared/domain/telemetry/datadog-proto.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * What the Datadog Agent (v7) sends to /api/v2/series: a protobuf MetricPayload (DataDog/agent-payload), compressed
 * with zstd (its default serializer_compressor_kind) or zlib (`Content-Encoding: deflate`), `DD-API-KEY`. The
 * payloads are encoded from agent_payload.proto with protobufjs and compressed by the zstd command-line tool (the
 * reference implementation) and Node's zlib.
 */

let app: TestApp;
let key = '';
const agent = { 'user-agent': 'datadog-agent/7.52.0', 'dd-agent-version': '7.52.0' };
const NOW_S = Math.floor(Date.now() / 1000);
const SLI_TAGS = ['service:svc_payments-gateway', 'sli:dd-proto', 'env:prod'];

function zstd(bytes: Uint8Array): Buffer {
  const out = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (out.error || out.status !== 0) {
    throw new Error(
      `this test needs the zstd command (apt-get install zstd, or bash test/setup/system-deps.sh): ${out.error?.message ?? out.stderr}`,
    );
  }
  return out.stdout;
}

async function post(body: Uint8Array, encoding: string, apiKey = key) {
  return app.call('POST', '/api/v2/series', {
    rawBody: Buffer.from(body),
    headers: {
      ...agent,
      'content-type': 'application/x-protobuf',
      'content-encoding': encoding,
      'dd-api-key': apiKey,
    },
  });
}

async function totals(sli: string) {
  const r = await app.call('GET', '/v1/services/svc_payments-gateway/slis', { as: 'admin' });
  const s = (r.body.items as { sli: string; good: number; total: number }[]).find((x) => x.sli === sli);
  return s ? { good: s.good, total: s.total } : undefined;
}

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const v = await app.call('POST', '/v1/vendors', {
    as: 'admin',
    body: {
      id: 'dd-agent',
      name: 'Datadog Agent',
      tier: 'premium',
      bindings: [{ serviceId: 'svc_payments-gateway' }],
      reason: 'agent',
    },
  });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  key = v.body.apiKey;
});

afterAll(async () => {
  await app?.close();
});

describe('the Datadog Agent’s protobuf v2 series at /api/v2/series', () => {
  it('reads the committed descriptor generated from agent_payload.proto (run `npm run proto` after changing it)', () => {
    expect(JSON.parse(readFileSync(DATADOG_DESCRIPTOR, 'utf8'))).toEqual(JSON.parse(datadogDescriptorJson()));
  });

  it('takes zstd: a COUNT of 10 then 20 gives 30 good, a RATE of 0.5/s over 10 s gives 5 bad: 30 of 35', async () => {
    const payload = encodeDatadogPayload({
      series: [
        {
          metric: 'accord_sli_good_total',
          type: 1,
          interval: 10,
          points: [
            { timestamp: NOW_S - 20, value: 10 },
            { timestamp: NOW_S - 10, value: 20 },
          ],
          resources: [{ type: 'host', name: 'web-1' }],
          tags: SLI_TAGS,
          source_type_name: 'System',
          metadata: { origin: { origin_product: 10, origin_category: 11, origin_service: 0 } },
        },
        {
          metric: 'accord_sli_bad_total',
          type: 2,
          interval: 10,
          points: [{ timestamp: NOW_S - 10, value: 0.5 }],
          resources: [{ type: 'host', name: 'web-1' }],
          tags: SLI_TAGS,
        },
      ],
    });
    const r = await post(zstd(payload), 'zstd');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ submitted: 3, accepted: 3, rejected: [] });
    expect(await totals('dd-proto')).toEqual({ good: 30, total: 35 });
  });

  it('takes deflate (zlib) too, and a GAUGE of a ratio is a reading', async () => {
    const payload = encodeDatadogPayload({
      series: [
        {
          metric: 'accord_sli_ratio',
          type: 3,
          points: [
            { timestamp: NOW_S - 20, value: 1 },
            { timestamp: NOW_S - 10, value: 0 },
          ],
          tags: ['service:svc_payments-gateway', 'sli:dd-probe'],
        },
      ],
    });
    const r = await post(deflateSync(payload), 'deflate');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(await totals('dd-probe')).toEqual({ good: 1, total: 2 });
  });

  it('names the field of a payload sent with a wrong wire type (400) and refuses a zstd bomb (413)', async () => {
    // series (field 1) as a varint instead of a message.
    const bad = await post(zstd(Uint8Array.from([0x08, 0x01])), 'zstd');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'series[0]' });
    const bomb = await post(zstd(new Uint8Array(6 * 1024 * 1024)), 'zstd');
    expect(bomb.status).toBe(413);
  });

  it('still refuses a protobuf body on the Datadog path from a key Accord never issued (403, as Datadog answers)', async () => {
    const r = await post(
      zstd(encodeDatadogPayload({ series: [] })),
      'zstd',
      '0123456789abcdef0123456789abcdef',
    );
    expect(r.status).toBe(403);
  });
});

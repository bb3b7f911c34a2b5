import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../helpers/clock.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { createVendor } from '../helpers/vendors.js';

/**
 * The embedded server's read of a request body (backfill-5 round: a body with a declared length is copied into one
 * buffer as it arrives; one without is joined at its end): the handler gets the same bytes either way, however the
 * client cuts its writes.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, { clock: new TestClock(NOW) });
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  // The vendor the files are imported as, bound to the payments gateway (an unknown vendor is refused).
  await createVendor(app, 'prometheus');
});

afterAll(async () => {
  await app.close();
});

/** POSTs `pieces` as separate writes, with a content-length header or chunked; answers status and JSON body. */
function post(path: string, pieces: Buffer[], declared: boolean, contentType: string) {
  const url = new URL(path, app.url);
  const length = pieces.reduce((n, p) => n + p.length, 0);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${app.credentials.tokens.admin!.token}`,
          'content-type': contentType,
          ...(declared ? { 'content-length': String(length) } : {}),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

const NOW = Date.parse('2026-05-01T09:00:00.000Z');
const T = NOW - 10 * 86_400_000; // ten days before the server's clock

/** An OpenMetrics chunk of `n` good-counter samples a minute apart (every sample well formed). */
function chunk(n: number, from = 0): Buffer {
  const lines = ['# TYPE accord_sli_good_total counter'];
  for (let i = from; i < from + n; i++)
    lines.push(
      `accord_sli_good_total{service="svc_payments-gateway",sli="checkout"} ${100 + i} ${(T + i * 60_000) / 1000}`,
    );
  return Buffer.from(`${lines.join('\n')}\n# EOF\n`);
}

/** `b` cut into `k` writes of about equal size. */
const cut = (b: Buffer, k: number) =>
  Array.from({ length: k }, (_, i) =>
    b.subarray(Math.floor((i * b.length) / k), Math.floor(((i + 1) * b.length) / k)),
  );

describe('a request body read by the embedded server', () => {
  it('reaches the handler whole with a declared length, sent in one write or in 50', async () => {
    const q = '/v1/telemetry/backfills?vendor=prometheus&reason=body%20test';
    const one = await post(q, [chunk(3_000)], true, 'application/openmetrics-text');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ submitted: 3_000, accepted: 3_000, rejected: 0 });
    const many = await post(q, cut(chunk(3_000, 3_000), 50), true, 'application/openmetrics-text');
    expect(many.status).toBe(200);
    expect(many.body).toMatchObject({ submitted: 3_000, accepted: 3_000, rejected: 0 });
  });

  it('reaches the handler whole without a declared length (chunked transfer), in 50 writes', async () => {
    const q = '/v1/telemetry/backfills?vendor=prometheus&reason=body%20test';
    const r = await post(q, cut(chunk(3_000, 6_000), 50), false, 'application/openmetrics-text');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ submitted: 3_000, accepted: 3_000, rejected: 0 });
    // A cut in the middle of a line must not change a sample: the chunk re-sent whole counts only duplicates.
    const again = await post(q, [chunk(3_000, 6_000)], true, 'application/openmetrics-text');
    expect(again.body).toMatchObject({ submitted: 3_000, duplicates: 3_000, rejected: 0 });
  });
});

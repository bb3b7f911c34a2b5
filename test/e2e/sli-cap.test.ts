import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { jsonRequest, promRequest } from '../helpers/telemetry.js';
import { createVendor } from '../helpers/vendors.js';

/**
 * The red team's flood (wave 32) over HTTP on the embedded default, with the cap on SLIs per service set to 5: new
 * SLI names past the cap are rejected in the answer, sample by sample, and the owner's list of SLIs comes in pages.
 */
let app: TestApp;
const SVC = 'svc_payments-gateway';
const CAP = 5;

beforeAll(async () => {
  app = await startTestApp({}, { maxSlisPerService: CAP });
  const r = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id: SVC }) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(async () => app.close());

const push = (req: { headers: Record<string, string>; body: Buffer }) =>
  app.call('POST', '/v1/telemetry', {
    rawBody: req.body,
    headers: { ...req.headers, 'x-api-key': app.credentials.vendor.apiKey },
  });
const sample = (sli: string, time: number) => ({ service: SVC, sli, measure: 'ratio', value: 1, time });

describe('the cap on distinct SLIs per service over HTTP', () => {
  it('accepts the first 5 new SLIs of a flood and rejects the samples of the others with too_many_slis', async () => {
    const now = Date.now();
    const names = Array.from({ length: 8 }, (_, i) => `y0-${i}`);
    const r = await push(jsonRequest({ version: 1, samples: names.map((n) => sample(n, now - 5000)) }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ submitted: 8, accepted: 5, durability: 'stored' });
    expect(r.body.rejected).toEqual(
      [5, 6, 7].map((index) => ({
        index,
        path: `samples[${index}]`,
        reason: 'too_many_slis',
        message: `service ${SVC} already has data for ${CAP} SLIs (limits.maxSlisPerService): a new SLI is refused unless an objective reads it; correct the mapping or the SLI name`,
      })),
    );
    // The next request, in another format: the remote write of a new SLI is refused, an existing one accepted.
    const rw = await push(
      promRequest([
        {
          labels: { __name__: 'accord_sli_ratio', service: SVC, sli: 'y1-0' },
          samples: [{ value: 1, timestampMs: now - 4000 }],
        },
        {
          labels: { __name__: 'accord_sli_ratio', service: SVC, sli: 'y0-0' },
          samples: [{ value: 1, timestampMs: now - 4000 }],
        },
      ]),
    );
    expect(rw.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, reason: 'too_many_slis' }] });
  });

  it('holds on a backfill import (the columnar path leaves the chunk to the live path, which rejects each sample)', async () => {
    await createVendor(app, 'prometheus');
    const t0 = Math.floor(Date.now() / 60_000) * 60 - 10 * 86_400;
    const lines = [0, 1, 2].map(
      (i) => `accord_sli_good_total{service="${SVC}",sli="backfilled"} ${100 + i} ${t0 + i * 60}`,
    );
    const file = ['# TYPE accord_sli_good_total counter', ...lines, '# EOF', ''].join('\n');
    const r = await app.call('POST', '/v1/telemetry/backfills?vendor=prometheus&reason=history', {
      as: 'admin',
      rawBody: file,
      headers: { 'content-type': 'application/openmetrics-text' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ submitted: 3, accepted: 0, rejected: 3 });
  });

  it('pages GET /v1/services/{id}/slis by SLI key: limit, then nextCursor until the last page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const r = await app.call('GET', `/v1/services/${SVC}/slis?limit=2${q}`, { as: 'service-owner' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((a: { sli: string; readBy: unknown[] }) => a.sli));
      expect(r.body.items.every((a: { readBy: unknown[] }) => a.readBy.length === 0)).toBe(true);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['y0-0', 'y0-1', 'y0-2', 'y0-3', 'y0-4']);
    const all = await app.call('GET', `/v1/services/${SVC}/slis`, { as: 'service-owner' });
    expect(all.body.items.map((a: { sli: string }) => a.sli)).toEqual(seen);
    expect(all.body).not.toHaveProperty('nextCursor');
  });

  it('answers 400 naming the parameter for a limit outside 1 to 1000 or a cursor it did not issue', async () => {
    for (const [q, path] of [
      ['limit=0', 'query.limit'],
      ['limit=1001', 'query.limit'],
      ['limit=two', 'query.limit'],
      ['cursor=not-a-cursor', 'query.cursor'],
    ] as const) {
      const r = await app.call('GET', `/v1/services/${SVC}/slis?${q}`, { as: 'service-owner' });
      expect(r.status, q).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
  });
});

describe('the cap with the telemetry store in its worker thread (ACCORD_TELEMETRY_STORE=worker)', () => {
  let worker: TestApp;

  beforeAll(async () => {
    worker = await startTestApp({ ACCORD_TELEMETRY_STORE: 'worker' }, { maxSlisPerService: 2 });
    const r = await worker.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: SVC }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }, 60_000);
  afterAll(async () => worker.close());

  it('rejects the third new SLI, the store in the worker holding the first two only', async () => {
    const now = Date.now();
    const r = await worker.call('POST', '/v1/telemetry', {
      rawBody: jsonRequest({ version: 1, samples: ['w-0', 'w-1', 'w-2'].map((n) => sample(n, now - 5000)) })
        .body,
      headers: { 'content-type': 'application/json', 'x-api-key': worker.credentials.vendor.apiKey },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ accepted: 2, rejected: [{ index: 2, reason: 'too_many_slis' }] });
    const list = await worker.call('GET', `/v1/services/${SVC}/slis`, { as: 'service-owner' });
    expect(list.body.items.map((a: { sli: string }) => a.sli)).toEqual(['w-0', 'w-1']);
  });
});

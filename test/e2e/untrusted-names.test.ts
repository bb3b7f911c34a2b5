import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { daysFromToday, startTestApp, type TestApp, today } from '../helpers/local-app.js';

/**
 * Names a client chooses (query parameters, headers, JSON keys, telemetry labels) become object keys on the
 * way in. Names that Object.prototype already owns must be ordinary keys: never a 500.
 */
const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
  'isPrototypeOf',
];

let app: TestApp;
let agreementId = '';
beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      effectiveFrom: today(),
      effectiveTo: daysFromToday(365),
      reviewCycle: { everyMonths: 12, nextReviewDate: daysFromToday(200) },
    }),
  });
  expect(a.status).toBe(201);
  agreementId = a.body.id;
});
afterAll(async () => app.close());

const pathFor = (p: string) =>
  p
    .replace('{agreementId}', agreementId)
    .replace('{serviceId}', 'svc_payments-gateway')
    .replace('{version}', '1')
    .replace(/\{(\w+)\}/g, 'unknown');

describe('names that Object.prototype owns', () => {
  it('GET /health?constructor=1 answers 400 naming query.constructor, like any unknown parameter (it was a 500)', async () => {
    const res = await app.call('GET', '/health?constructor=1');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.constructor');
  });

  it('a header named constructor on the health route is ignored like any unknown header', async () => {
    const res = await fetch(`${app.url}/health`, { headers: { constructor: '1', __proto__: 'x' } as never });
    expect(res.status).toBe(200);
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: every such name as query parameter, header and body key answers below 500`, async () => {
      const auth: Record<string, string> =
        route.auth === 'vendor'
          ? { 'x-api-key': app.credentials.vendor.apiKey }
          : { authorization: `Bearer ${app.credentials.tokens.admin!.token}` };
      for (const name of PROTOTYPE_NAMES) {
        const q = await app.call(route.method, `${pathFor(route.path)}?${encodeURIComponent(name)}=1`, {
          headers: { ...auth, 'if-match': '"1"' },
          body: {},
        });
        expect(q.status, `query ${name}: ${JSON.stringify(q.body)}`).toBeLessThan(500);
        const h = await app.call(route.method, pathFor(route.path), {
          headers: { ...auth, [name]: '1', 'if-match': '"1"' },
          body: {},
        });
        expect(h.status, `header ${name}: ${JSON.stringify(h.body)}`).toBeLessThan(500);
        if (route.method === 'GET') continue;
        const b = await app.call(route.method, pathFor(route.path), {
          headers: { ...auth, 'if-match': '"1"', 'content-type': 'application/json' },
          rawBody: `{"${name}": {"${name}": 1}, "labels": {"${name}": "x"}}`,
        });
        expect(b.status, `body key ${name}: ${JSON.stringify(b.body)}`).toBeLessThan(500);
      }
    });
  }

  it('telemetry whose labels are named constructor or __proto__ is accepted or refused with a 4xx, never a 500', async () => {
    const now = new Date().toISOString();
    for (const name of PROTOTYPE_NAMES) {
      const res = await app.call('POST', '/v1/telemetry', {
        headers: { 'x-api-key': app.credentials.vendor.apiKey, 'content-type': 'application/json' },
        rawBody: JSON.stringify({
          version: 1,
          samples: [
            {
              metric: 'http_requests_total',
              value: 1,
              timestamp: now,
              labels: JSON.parse(`{"${name}": "x", "service": "svc_payments-gateway"}`),
            },
          ],
        }),
      });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
  });
});

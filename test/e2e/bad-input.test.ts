import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { daysFromToday, startTestApp, type TestApp, today } from '../helpers/local-app.js';

let app: TestApp;
let agreementId = '';

beforeAll(async () => {
  app = await startTestApp();
  await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() });
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      effectiveFrom: today(),
      reviewCycle: { everyMonths: 6, nextReviewDate: daysFromToday(90) },
      effectiveTo: daysFromToday(400),
    }),
  });
  agreementId = a.body.id;
});
afterAll(async () => app.close());

const post = (
  path: string,
  rawBody: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => app.call('POST', path, { as: 'admin', rawBody, headers });

describe('bad input gets a 4xx that names the field and the problem', () => {
  it('malformed JSON is a 400 that says so', async () => {
    const r = await post('/v1/services', '{"id": "svc_x",');
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]).toMatchObject({ path: '(body)' });
    expect(r.body.error.details[0].problem).toMatch(/not valid JSON/);
  });

  it('wrong types name each field path', async () => {
    const body = { ...agreementBody(), objectives: [{ ...agreementBody().objectives[0], target: '99.9' }] };
    const r = await post('/v1/agreements', JSON.stringify(body));
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'objectives[0].target' }));
  });

  it('unknown fields are refused by name, also nested ones', async () => {
    const body = {
      ...agreementBody(),
      colour: 'blue',
      scope: { inclusions: ['x'], exclusions: [], extra: 1 },
    };
    const r = await post('/v1/agreements', JSON.stringify(body));
    expect(r.status).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('colour');
    expect(paths).toContain('scope.extra');
  });

  it('impossible dates are refused', async () => {
    const r = await post(
      '/v1/agreements',
      JSON.stringify({ ...agreementBody(), effectiveFrom: '2027-02-30' }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'effectiveFrom' }));
  });

  it('an unknown IANA time zone is refused', async () => {
    const r = await post(
      '/v1/agreements',
      JSON.stringify({ ...agreementBody(), timeZone: 'Mars/Olympus_Mons' }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'timeZone' }));
  });

  it('an oversize body is a 413 with the limit, and the server keeps serving', async () => {
    const r = await post(
      '/v1/services',
      JSON.stringify({ ...serviceBody(), description: 'x'.repeat(600_000) }),
    );
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/limit|exceeds/);
    expect((await app.call('GET', '/health')).status).toBe(200);
  });

  it('a body that is not JSON is a 415', async () => {
    const r = await post('/v1/services', 'id=svc_x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.body.error.details[0].path).toBe('Content-Type');
  });

  it('unknown ids are a 404 naming the id', async () => {
    const r = await app.call('GET', '/v1/agreements/agr_01JNOSUCHAGREEMENT0000000', { as: 'admin' });
    expect(r.status).toBe(404);
    expect(r.body.error.details[0].path).toBe('agreementId');
    const v = await app.call('GET', `/v1/agreements/${agreementId}/versions/42`, { as: 'admin' });
    expect(v.status).toBe(404);
    const bad = await app.call('GET', `/v1/agreements/${agreementId}/versions/first`, { as: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('version');
  });

  it('bad, unknown and repeated query parameters are named', async () => {
    const r = await app.call('GET', '/v1/agreements?limit=5000&status=alive&colour=red', { as: 'admin' });
    expect(r.status).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['query.limit', 'query.status', 'query.colour']));
    const rep = await app.call('GET', '/v1/agreements?kind=SLA&kind=OLA', { as: 'admin' });
    expect(rep.status).toBe(400);
    expect(rep.body.error.details[0].path).toBe('query.kind');
  });

  it('an If-Match that is not an ETag is a 400', async () => {
    const r = await app.call('PATCH', `/v1/agreements/${agreementId}`, {
      as: 'admin',
      body: { title: 'Whatever title', reason: 'testing' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('If-Match');
  });

  it('a malformed percent-encoding in the path is a 400 naming the parameter', async () => {
    const r = await app.call('GET', '/v1/agreements/%E0%A4%A', { as: 'admin' });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('agreementId');
  });

  it('a malformed or oversized id in the path is a 400 naming it, before any store sees it', async () => {
    const long = await app.call('GET', `/v1/agreements/agr_${'A'.repeat(3000)}`, { as: 'admin' });
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].path).toBe('agreementId');
    const svc = await app.call('GET', '/v1/services/not-a-service', { as: 'admin' });
    expect(svc.status).toBe(400);
    expect(svc.body.error.details[0].path).toBe('serviceId');
  });

  it('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    expect((await app.call('GET', '/v1/nothing-here', { as: 'admin' })).status).toBe(404);
    const r = await app.call('PUT', '/v1/agreements', { as: 'admin', body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toContain('POST');
  });

  it('never answers 5xx to random bodies on any write route', async () => {
    const writes = ROUTES.filter((r) => r.method !== 'GET' && r.auth === 'user');
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify({ ...agreementBody(), objectives: v })),
      fc.jsonValue().map((v) => JSON.stringify({ ...serviceBody(), tier: v })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), jsonish, async (route, raw) => {
        const path = route.path
          .replace('{agreementId}', agreementId)
          .replace('{serviceId}', 'svc_payments-gateway');
        const r = await app.call(route.method, path, {
          as: 'admin',
          rawBody: raw,
          headers: { 'content-type': 'application/json', 'if-match': '"1"' },
        });
        expect(
          r.status,
          `${route.method} ${path} ${raw.slice(0, 200)} → ${JSON.stringify(r.body)}`,
        ).toBeLessThan(500);
        if (r.status >= 400) {
          expect(r.body.error.message).toBeTruthy();
        }
      }),
      { numRuns: 150 },
    );
  });
});

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

  it('a valid body over the route limit is a 413 with the limit, and the server keeps serving', async () => {
    // 200 strings of 500 four-byte characters: within every schema limit (which count characters), over
    // 256 KiB as bytes.
    const long = Array.from({ length: 100 }, () => '\u{1D4B3}'.repeat(500));
    const body = JSON.stringify({ ...agreementBody(), scope: { inclusions: long, exclusions: long } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(256 * 1024);
    const r = await post('/v1/agreements', body);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(413);
    expect(r.body.error.message).toMatch(/limit|exceeds/);
    expect((await app.call('GET', '/health')).status).toBe(200);
  });

  it('an oversize body that is also invalid is a 400: validation comes first, as on API Gateway', async () => {
    const r = await post(
      '/v1/services',
      JSON.stringify({ ...serviceBody(), description: 'x'.repeat(600_000) }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'description' }));
  });

  it("a body over API Gateway's 10 MB is a 413 before authentication, as on AWS", async () => {
    const r = await app.call('POST', '/v1/services', {
      rawBody: 'x'.repeat(10 * 1024 * 1024 + 1),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
  });

  it('megabytes of nested brackets are a 400 naming the nesting, not seconds of parsing', async () => {
    const n = 4 * 1024 * 1024;
    const r = await post('/v1/services', `${'['.repeat(n)}${']'.repeat(n)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].problem).toMatch(/nests deeper than/);
  });

  it('a body without Content-Type is read as JSON, as API Gateway does', async () => {
    // fetch labels a string body text/plain; a Buffer goes without a Content-Type.
    const bare = (raw: string) =>
      app.call('POST', '/v1/services', { as: 'admin', rawBody: Buffer.from(raw) });
    const ok = await bare(JSON.stringify(serviceBody({ id: 'svc_no-content-type' })));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const bad = await bare('id=svc_x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].problem).toMatch(/not valid JSON/);
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

  it('unknown routes and wrong methods are the same 404 no_such_route, as API Gateway answers them', async () => {
    const miss = await app.call('GET', '/v1/nothing-here', { as: 'admin' });
    const wrong = await app.call('PUT', '/v1/agreements', { as: 'admin', body: {} });
    for (const r of [miss, wrong]) {
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('no_such_route');
      expect(r.body.requestId).toEqual(expect.any(String));
    }
    expect({ ...wrong.body, requestId: '' }).toEqual({ ...miss.body, requestId: '' });
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

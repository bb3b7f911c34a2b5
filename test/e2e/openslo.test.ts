import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

const EVERY_KIND = readFileSync(new URL('../fixtures/openslo/every-kind.yaml', import.meta.url), 'utf8');
let app: TestApp;
let id = '';

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody(datesFromToday()),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  id = a.body.id;
});
afterAll(() => app.close());

const post = (body: string, version: number, type = 'application/yaml', extra = '') =>
  app.call('POST', `/v1/agreements/${id}/openslo?reason=import+from+OpenSLO${extra}`, {
    as: 'sla-manager',
    rawBody: body,
    headers: { 'content-type': type, 'if-match': `"${version}"` },
  });

describe('OpenSLO over the API', () => {
  it('refuses a JSON body with 415 and a stream with problems with 400 naming each path, changing nothing', async () => {
    const json = await post('{"kind":"SLO"}', 1, 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.error.details[0].path).toBe('Content-Type');
    const bad = await post(
      EVERY_KIND.replace('budgetingMethod: RatioTimeslices', 'budgetingMethod: Ratio'),
      1,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toContainEqual({
      path: 'documents[8].spec.budgetingMethod',
      problem: expect.stringMatching(/line \d+/),
    });
    expect((await app.call('GET', `/v1/agreements/${id}`, { as: 'sla-manager' })).body.version).toBe(1);
  });

  it('validates only on a dry run', async () => {
    const r = await post(EVERY_KIND, 1, 'application/yaml', '&dryRun=true');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, kept: ['availability'] });
    expect(r.body.added).toHaveLength(7);
    expect((await app.call('GET', `/v1/agreements/${id}`, { as: 'sla-manager' })).body.version).toBe(1);
  });

  it('imports into the draft as a new version, and exports what it holds as YAML that imports to the same objectives', async () => {
    const r = await post(EVERY_KIND, 1);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers.get('etag')).toBe('"2"');
    expect(r.body.agreement.objectives).toHaveLength(8);
    expect(r.body.mappingRules.length).toBeGreaterThanOrEqual(5);
    const ex = await app.call('GET', `/v1/agreements/${id}/openslo`, { as: 'viewer' });
    expect(ex.status).toBe(200);
    expect(ex.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(ex.headers.get('x-accord-not-expressed')).toMatch(/parties/);
    const text = typeof ex.body === 'string' ? ex.body : JSON.stringify(ex.body);
    expect(text).toMatch(/^# OpenSLO v1 export of Accord agreement/);
    const again = await post(text, 2);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.replaced).toHaveLength(8);
    expect(again.body.agreement.objectives).toEqual(r.body.agreement.objectives);
    const rules = await app.call('GET', `/v1/agreements/${id}/prometheus-rules`, { as: 'viewer' });
    expect(rules.status).toBe(200);
    const file = parse(typeof rules.body === 'string' ? rules.body : '');
    expect(file.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining([`accord/${id}/requests-rolling-28d`, `accord/${id}/availability-quarter`]),
    );
  });

  it('refuses an import into an agreement that is not a draft', async () => {
    const v = (await app.call('GET', `/v1/agreements/${id}`, { as: 'sla-manager' })).body.version;
    const s = await app.call('POST', `/v1/agreements/${id}/submit`, {
      as: 'sla-manager',
      body: { reason: 'ready' },
      headers: { 'if-match': `"${v}"` },
    });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const r = await post(EVERY_KIND, v + 1);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/draft/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

describe('the OpenAPI document', () => {
  it('is served without auth and describes every route of the table, generated from the schemas', async () => {
    const r = await app.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const op = r.body.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.operationId).toBe(route.id);
    }
    const create = r.body.paths['/v1/agreements'].post;
    const props = create.requestBody.content['application/json'].schema.properties;
    expect(Object.keys(props)).toEqual(
      expect.arrayContaining(['kind', 'objectives', 'credits', 'underpinnedBy', 'reason']),
    );
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('answers health without auth', async () => {
    expect((await app.call('GET', '/health')).body).toMatchObject({ status: 'ok' });
  });
});

describe('services', () => {
  it('registers, updates with If-Match, lists and audits a service', async () => {
    await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ reason: 'onboard gateway' }),
    });
    const created = await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: 'svc_ledger', cmdbCi: 'CI-42', reason: 'onboard ledger' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/services/svc_ledger');
    const dup = await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: 'svc_ledger' }),
    });
    expect(dup.status).toBe(409);
    const upd = await app.call('PATCH', '/v1/services/svc_ledger', {
      as: 'service-owner',
      body: { tier: 2, reason: 'downgraded after review' },
      headers: { 'if-match': '"1"' },
    });
    // The service owner owns other services, not this one.
    expect(upd.status).toBe(404); // another's service answers as one that does not exist
    const ok = await app.call('PATCH', '/v1/services/svc_ledger', {
      as: 'sla-manager',
      body: { tier: 2, reason: 'downgraded after review' },
      headers: { 'if-match': '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tier: 2, version: 2, cmdbCi: 'CI-42' });
    // A service owner keeps its service's details current but cannot change the tier, which decides sign-offs.
    const own = await app.call('PATCH', '/v1/services/svc_payments-gateway', {
      as: 'service-owner',
      body: { tier: 4, reason: 'fewer sign-offs please' },
      headers: { 'if-match': '"1"' },
    });
    expect(own.status).toBe(403);
    expect(own.body.error.details[0].path).toBe('tier');
    const desc = await app.call('PATCH', '/v1/services/svc_payments-gateway', {
      as: 'service-owner',
      body: { description: 'Card and wallet payments', reason: 'clearer description' },
      headers: { 'if-match': '"1"' },
    });
    expect(desc.status).toBe(200);
    const list = await app.call('GET', '/v1/services?businessUnit=payments&tier=2', { as: 'viewer' });
    expect(list.body.items).toEqual([]); // the viewer belongs to retail-banking
    const mine = await app.call('GET', '/v1/services?tier=2', { as: 'sla-manager' });
    expect(mine.body.items.map((s: { id: string }) => s.id)).toContain('svc_ledger');
    const audit = await app.call('GET', '/v1/services/svc_ledger/audit', { as: 'auditor' });
    expect(audit.body.items.map((e: { change: string; reason: string }) => [e.change, e.reason])).toEqual([
      ['register', 'onboard ledger'],
      ['update', 'downgraded after review'],
    ]);
    expect(audit.body.items[1].diff).toEqual([{ path: 'tier', op: 'changed', before: 1, after: 2 }]);
  });

  it('will not move a service to another region while agreements hold its data in the current one', async () => {
    await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id: 'svc_moving' }) });
    const empty = await app.call('PATCH', '/v1/services/svc_moving', {
      as: 'sla-manager',
      body: { residencyRegion: 'eu-central-1', reason: 'consolidating in Frankfurt' },
      headers: { 'if-match': '"1"' },
    });
    expect(empty.status).toBe(200);
    const held = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody({
        serviceId: 'svc_moving',
        ...datesFromToday(),
        dataResidency: { region: 'eu-central-1', processingRegions: [] },
      }),
    });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const move = await app.call('PATCH', '/v1/services/svc_moving', {
      as: 'sla-manager',
      body: { residencyRegion: 'eu-west-1', reason: 'back to Ireland' },
      headers: { 'if-match': '"2"' },
    });
    expect(move.status).toBe(409);
    expect(move.body.error.details[0].path).toBe('residencyRegion');
  });

  it('refuses a bad tier with a message that names the allowed values', async () => {
    const r = await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: 'svc_bad', tier: 7 as 1 }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual({ path: 'tier', problem: 'must be 1, 2, 3 or 4' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOneActiveSla } from '../helpers/active-sla.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * GET /v1/status (the portfolio) and GET /v1/services/{id}/status over HTTP on the embedded default. The fixture: the
 * service svc_payments-gateway of payments with one active SLA held by payments for retail-banking, evaluated once.
 */
let app: TestApp;
let agreementId = '';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  agreementId = await withOneActiveSla(app);
  const people = {
    'viewer@party': { 'cognito:groups': 'viewer', 'custom:business_units': 'retail-banking' },
    'viewer@other-unit': { 'cognito:groups': 'viewer', 'custom:business_units': 'wealth-management' },
    'owner@other-service': { 'cognito:groups': 'service-owner', 'custom:services': 'svc_elsewhere' },
  };
  for (const [name, claims] of Object.entries(people)) {
    tokens[name] = await app.tokens.sign({ sub: `portfolio-${name}`, ...claims }, 600);
  }
});
afterAll(async () => app?.close());

describe('GET /v1/status: the portfolio in one request', () => {
  it("gives each objective the agreement status route's own figures, with the agreement's title", async () => {
    const portfolio = await app.call('GET', '/v1/status', { as: 'admin' });
    expect(portfolio.status).toBe(200);
    const status = await app.call('GET', `/v1/agreements/${agreementId}/status`, { as: 'admin' });
    const agreement = await app.call('GET', `/v1/agreements/${agreementId}`, { as: 'admin' });
    const mine = portfolio.body.items.filter((i: { agreementId: string }) => i.agreementId === agreementId);
    expect(mine).toHaveLength(agreement.body.objectives.length);
    for (const e of status.body.objectives) {
      const row = mine.find((i: { objectiveId: string }) => i.objectiveId === e.objectiveId);
      expect(row).toMatchObject({
        title: agreement.body.title,
        kind: 'SLA',
        serviceId: 'svc_payments-gateway',
        status: e.status,
        compliance: e.compliance,
        target: e.target,
        evaluatedAt: e.evaluatedAt,
        timeToExhaustionMinutes: e.forecast?.timeToExhaustionMinutes ?? null,
        budget: e.budget ? { remainingRatio: e.budget.remainingRatio } : null,
      });
    }
    expect(portfolio.body.total).toBe(portfolio.body.items.length);
    expect(portfolio.body.outOfScope).toEqual({ agreements: 0, objectives: 0 });
  });

  it('gives a customer unit the SLA it consumes, and another unit only a count of what it may not read', async () => {
    const party = await app.call('GET', '/v1/status', { token: tokens['viewer@party'] });
    expect(party.body.items.map((i: { agreementId: string }) => i.agreementId)).toContain(agreementId);
    const other = await app.call('GET', '/v1/status', { token: tokens['viewer@other-unit'] });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    expect(other.body.outOfScope).toEqual({ agreements: 1, objectives: party.body.items.length });
    expect(JSON.stringify(other.body)).not.toMatch(/payments|retail-banking|agr_/);
  });

  it('pages with limit and cursor, and names a bad limit', async () => {
    const first = await app.call('GET', '/v1/status?limit=1', { as: 'admin' });
    const all = await app.call('GET', '/v1/status', { as: 'admin' });
    expect(first.body.items).toEqual(all.body.items.slice(0, 1));
    if (all.body.items.length > 1) expect(first.body.nextCursor).toEqual(expect.any(String));
    const bad = await app.call('GET', '/v1/status?limit=0', { as: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('query.limit');
  });
});

describe('GET /v1/services/{id}/status', () => {
  it('answers an unknown service with the same 404 as a service outside the caller’s scope, word for word', async () => {
    const unknown = await app.call('GET', '/v1/services/svc_nowhere/status', {
      token: tokens['viewer@other-unit'],
    });
    const hidden = await app.call('GET', '/v1/services/svc_payments-gateway/status', {
      token: tokens['viewer@other-unit'],
    });
    const asGet = await app.call('GET', '/v1/services/svc_payments-gateway', {
      token: tokens['viewer@other-unit'],
    });
    expect([unknown.status, hidden.status, asGet.status]).toEqual([404, 404, 404]);
    const shape = (body: { error: object }, id: string) => JSON.stringify(body.error).replaceAll(id, '<id>');
    expect(shape(hidden.body, 'svc_payments-gateway')).toBe(shape(unknown.body, 'svc_nowhere'));
    // The same words as reading the service itself.
    expect(shape(hidden.body, 'svc_payments-gateway')).toBe(shape(asGet.body, 'svc_payments-gateway'));
    expect(Object.keys(hidden.body)).toEqual(Object.keys(unknown.body));
    const admin = await app.call('GET', '/v1/services/svc_nowhere/status', { as: 'admin' });
    expect(admin.status).toBe(404);
    expect(shape(admin.body, 'svc_nowhere')).toBe(shape(unknown.body, 'svc_nowhere'));
  });

  it("answers a party the objectives of its agreements, and another service's owner the 404", async () => {
    const party = await app.call('GET', '/v1/services/svc_payments-gateway/status', {
      token: tokens['viewer@party'],
    });
    expect(party.status).toBe(200);
    expect(party.body.objectives.map((e: { agreementId: string }) => e.agreementId)).toContain(agreementId);
    const owner = await app.call('GET', '/v1/services/svc_payments-gateway/status', {
      token: tokens['owner@other-service'],
    });
    expect(owner.status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, PERMISSIONS, ROLES, type Role } from '../../shared/domain/access/policy.js';
import { ROUTES } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { daysFromToday, startTestApp, type TestApp, today } from '../helpers/local-app.js';

/**
 * Every route against every role. The route table is enumerated, so a route added without an action,
 * or whose action the matrix does not know, fails here.
 */
let app: TestApp;
let agreementId = '';
const serviceId = 'svc_payments-gateway';

/** A token per role, scoped so that the fixture records are inside every scope: only the role decides. */
const tokens = {} as Record<Exclude<Role, 'vendor'>, string>;

beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', {
    as: 'sla-manager',
    body: agreementBody({
      // Held by retail-banking, so the retail viewer's scope covers it.
      businessUnit: 'retail-banking',
      effectiveFrom: today(),
      effectiveTo: daysFromToday(365),
      reviewCycle: { everyMonths: 12, nextReviewDate: daysFromToday(200) },
    }),
  });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  agreementId = a.body.id;
  for (const role of ROLES) {
    if (role === 'vendor') continue;
    tokens[role] = app.tokens.sign(
      {
        sub: `matrix-${role}`,
        email: `${role}@matrix.test`,
        'cognito:groups': role,
        'custom:business_units': 'payments,retail-banking',
        'custom:services': serviceId,
        'custom:signoff': 'legal,procurement,security,finance,governance-board,business-owner',
      },
      600,
    );
  }
});
afterAll(async () => app.close());

function pathFor(path: string): string {
  return path
    .replace('{agreementId}', agreementId)
    .replace('{serviceId}', serviceId)
    .replace('{version}', '1')
    .replace(/\{(\w+)\}/g, 'unknown');
}

describe('the permission matrix', () => {
  it('gives every non-public route an action that the matrix knows', () => {
    for (const r of ROUTES) {
      if (r.auth === 'none') continue;
      expect(r.action, `${r.method} ${r.path} has no action`).toBeDefined();
      expect(ACTIONS as readonly string[], `${r.method} ${r.path}`).toContain(r.action);
    }
  });

  it('grants every action to at least one role, so none is dead', () => {
    for (const action of ACTIONS) {
      expect(
        ROLES.some((role) => PERMISSIONS[role].actions.includes(action)),
        action,
      ).toBe(true);
    }
  });

  const userRoutes = ROUTES.filter((r) => r.auth === 'user');
  for (const route of userRoutes) {
    it(`${route.method} ${route.path}: 401 without a token, 403 for roles without ${route.action}, allowed for the rest`, async () => {
      const path = pathFor(route.path);
      const anon = await app.call(route.method, path, { body: {} });
      expect(anon.status, 'anonymous').toBe(401);
      const forged = await app.call(route.method, path, {
        body: {},
        headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' },
      });
      expect(forged.status, 'forged token').toBe(401);
      for (const [role, token] of Object.entries(tokens) as [Exclude<Role, 'vendor'>, string][]) {
        // Writes use a stale If-Match: an allowed role is then stopped by optimistic locking (409) or
        // validation (400/422), never by authorisation, and nothing changes between cases.
        const res = await app.call(route.method, path, { token, body: {}, headers: { 'if-match': '"999"' } });
        const allowed = PERMISSIONS[role].actions.includes(route.action!);
        if (allowed) {
          expect([401, 403], `${role} should be allowed (${JSON.stringify(res.body)})`).not.toContain(
            res.status,
          );
          expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
        } else {
          expect(res.status, `${role} should be forbidden`).toBe(403);
        }
      }
    });
  }

  const vendorRoutes = ROUTES.filter((r) => r.auth === 'vendor');
  for (const route of vendorRoutes) {
    it(`${route.method} ${route.path}: only a vendor API key gets through; a person's token does not`, async () => {
      const path = pathFor(route.path);
      expect((await app.call(route.method, path, { body: {} })).status).toBe(401);
      expect((await app.call(route.method, path, { as: 'admin', body: {} })).status).toBe(401);
      const res = await app.call(route.method, path, {
        body: {},
        headers: { 'x-api-key': app.credentials.vendor.apiKey },
      });
      expect([401, 403]).not.toContain(res.status);
    });
  }

  // The same routes for scoped roles whose scope does not reach the fixture: a read of one thing is refused
  // (403, or 404 where existence itself is hidden), a list answers without the fixture. Never its data.
  const scoped = ['sla-manager', 'service-owner', 'viewer'] as const;
  // Only routes some scoped role may call: for the others this test would check nothing.
  const reads = ROUTES.filter(
    (r) =>
      r.auth === 'user' &&
      r.method === 'GET' &&
      scoped.some((role) => PERMISSIONS[role].actions.includes(r.action!)),
  );
  for (const route of reads) {
    it(`GET ${route.path}: scoped roles outside the fixture's scope never see it`, async () => {
      for (const role of scoped) {
        if (!PERMISSIONS[role].actions.includes(route.action!)) continue;
        const token = app.tokens.sign(
          {
            sub: `outsider-${role}`,
            email: `${role}@elsewhere.test`,
            'cognito:groups': role,
            'custom:business_units': 'elsewhere',
            'custom:services': 'svc_elsewhere',
          },
          600,
        );
        const res = await app.call('GET', pathFor(route.path), { token });
        expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
        if (res.status === 200) {
          const text = JSON.stringify(res.body);
          expect(text, `${role} saw the agreement`).not.toContain(agreementId);
          expect(text, `${role} saw the service`).not.toContain(serviceId);
        } else {
          expect([400, 403, 404], `${role}`).toContain(res.status);
        }
      }
    });
  }

  it('keeps scoped roles inside their scope with 403', async () => {
    // rita manages retail-banking only; the fixture service belongs to payments.
    const outside = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager-retail',
      body: agreementBody({
        effectiveFrom: today(),
        reviewCycle: { everyMonths: 12, nextReviewDate: daysFromToday(100) },
      }),
    });
    expect(outside.status).toBe(403);
    const svc = await app.call('GET', `/v1/services/${serviceId}`, { as: 'viewer' });
    expect(svc.status).toBe(403);
    const list = await app.call('GET', '/v1/agreements', { as: 'viewer' });
    expect(list.body.items.every((a: { businessUnit: string }) => a.businessUnit === 'retail-banking')).toBe(
      true,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import { slaInForceBody, withOneActiveSla } from '../helpers/active-sla.js';
import { serviceBody } from '../helpers/fixtures.js';
import { daysFromToday, startTestApp, type TestApp, today } from '../helpers/local-app.js';
import { exampleBody, exampleQuery } from '../helpers/route-examples.js';

/**
 * The permission matrix as an independent table: what each caller must get on each route, written by hand
 * from the access rules (README, "Access control"), never read from shared/domain/access/policy.ts. Scope
 * decides as much as the role: each caller stands in one relation to the fixture.
 *
 * The fixture: service svc_payments-gateway of business unit payments (tier 1); an active SLA on it, held by
 * payments (provider) for retail-banking (customer), evaluated once.
 *
 * Writes name a stale version (If-Match "999"), so an allowed caller stops at optimistic locking (409) and
 * nothing changes between callers; creations carry a valid body, so scope is what decides them.
 *
 * Adding a route: add one row to EXPECTED (and, if it takes a body, one entry to BODIES); the first test names
 * every route without a row.
 */

/** The callers, one per role × scope relation, in the order of the columns below. */
const CALLERS = {
  admin: { groups: 'admin' },
  approver: { groups: 'approver', signoff: 'legal,business-owner,governance-board' },
  auditor: { groups: 'auditor' },
  /** SLA manager of the service's own unit. */
  'manager@own-unit': { groups: 'sla-manager', units: 'payments' },
  /** SLA manager of the customer unit: party to the agreement, not holder of the service. */
  'manager@party': { groups: 'sla-manager', units: 'retail-banking' },
  /** SLA manager of an unrelated unit. */
  'manager@other-unit': { groups: 'sla-manager', units: 'wealth-management' },
  'viewer@own-unit': { groups: 'viewer', units: 'payments' },
  'viewer@party': { groups: 'viewer', units: 'retail-banking' },
  'viewer@other-unit': { groups: 'viewer', units: 'wealth-management' },
  'owner@own-service': { groups: 'service-owner', services: 'svc_payments-gateway' },
  'owner@other-service': { groups: 'service-owner', services: 'svc_elsewhere' },
  /** A valid token whose groups grant no role. */
  'no-role': { groups: 'contractors' },
} as const;
type Caller = keyof typeof CALLERS;
const ORDER = Object.keys(CALLERS) as Caller[];

/**
 * Route id → the status each caller gets, in ORDER:
 * admin approver auditor | mgr own party other | viewer own party other | owner own other | no-role.
 * 401 and the public routes are checked apart. 404 for an unknown child id (violation, dispute, window) says
 * the caller got past authorisation to the lookup.
 */
// biome-ignore format: a table reads best as a table
const EXPECTED: Record<string, string> = {
  'health':                         '200 200 200  200 200 200  200 200 200  200 200  200',
  'openapi':                        '200 200 200  200 200 200  200 200 200  200 200  200',
  'services.create':                '201 403 403  201 403 403  403 403 403  403 403  403',
  'services.list':                  '200 200 200  200 200 200  200 200 200  200 200  403',
  'services.get':                   '200 200 200  200 404 404  200 404 404  200 404  403',
  'services.update':                '409 403 403  409 404 404  403 403 403  409 404  403',
  'services.audit':                 '200 200 200  200 404 404  403 403 403  403 403  403',
  'agreements.create':              '201 403 403  201 422 422  403 403 403  403 403  403',
  'agreements.list':                '200 200 200  200 200 200  200 200 200  200 200  403',
  'agreements.get':                 '200 200 200  200 200 404  200 200 404  200 404  403',
  'agreements.update':              '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.retire':              '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.submit':              '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.withdraw':            '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.signoff':             '409 409 403  403 403 403  403 403 403  409 404  403',
  'agreements.activate':            '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.expire':              '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.sunset':              '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.versions':            '200 200 200  200 200 404  200 200 404  200 404  403',
  'agreements.version':             '200 200 200  200 200 404  200 200 404  200 404  403',
  'agreements.audit':               '200 200 200  200 403 404  403 403 403  403 403  403',
  'telemetry.unmapped':             '200 403 200  403 403 403  403 403 403  403 403  403',
  'telemetry.discrepancies':        '200 403 200  200 200 200  403 403 403  200 200  403',
  'telemetry.slis':                 '200 403 200  200 404 404  403 403 403  200 404  403',
  // A service's status: its unit and its owner read every objective, a party the objectives of its agreements; an
  // unknown service and one outside the caller's scope are the same 404 (test/e2e/portfolio-status.test.ts).
  'objectives.service-status':      '200 200 200  200 200 404  200 200 404  200 404  403',
  'objectives.agreement-status':    '200 200 200  200 200 404  200 200 404  200 404  403',
  'objectives.objective-status':    '200 200 200  200 200 404  200 200 404  200 404  403',
  'objectives.budget-history':      '200 200 200  200 200 404  200 200 404  200 404  403',
  'objectives.evaluate':            '200 403 403  200 403 404  403 403 403  403 403  403',
  'objectives.exceptions.list':     '200 200 200  200 200 404  200 200 404  200 404  403',
  'objectives.exceptions.create':   '201 403 403  201 403 404  403 403 403  201 404  403',
  'objectives.exceptions.decide':   '404 404 403  404 404 404  403 403 403  403 403  403',
  'objectives.exceptions.delete':   '404 404 403  404 404 404  403 403 403  404 404  403',
  'objectives.violations.list':     '200 200 200  200 200 200  200 200 200  200 200  403',
  'objectives.violations.get':      '404 404 404  404 404 404  404 404 404  404 404  403',
  'objectives.disputes.raise':      '404 403 403  404 404 404  403 403 403  404 404  403',
  'objectives.disputes.resolve':    '404 404 403  403 403 403  403 403 403  403 403  403',
  'objectives.baseline':            '200 200 200  200 200 404  200 200 404  200 404  403',
  'vendors.create':                 '201 403 403  403 403 403  403 403 403  403 403  403',
  'vendors.list':                   '200 403 200  403 403 403  403 403 403  403 403  403',
  'vendors.get':                    '404 403 404  403 403 403  403 403 403  403 403  403',
  'vendors.bind':                   '404 403 403  403 403 403  403 403 403  403 403  403',
  'vendors.rotate':                 '404 403 403  403 403 403  403 403 403  403 403  403',
  'vendors.revokeKey':              '404 403 403  403 403 403  403 403 403  403 403  403',
  'vendors.revoke':                 '404 403 403  403 403 403  403 403 403  403 403  403',
  'vendors.audit':                  '404 403 404  403 403 403  403 403 403  403 403  403',
  // The archive is for admins and auditors (README, "Access control"); an unknown key is a 404 past the role check.
  'archive.list':                   '200 403 200  403 403 403  403 403 403  403 403  403',
  'archive.download':               '404 403 404  403 403 403  403 403 403  403 403  403',
  'archive.verify':                 '200 403 200  403 403 403  403 403 403  403 403  403',
  'archive.access-log':             '200 403 200  403 403 403  403 403 403  403 403  403',
  // Reports are open to every reading role, scoped as their data (an empty report outside it); publishing is for
  // admins and the SLA managers of the business unit published for (payments here).
  'reports.get':                    '200 200 200  200 200 200  200 200 200  200 200  403',
  'reports.publish':                '201 403 403  201 403 403  403 403 403  403 403  403',
  // Tasks (docs/workflows.md): admin, sla-manager, approver and service-owner read and act; auditor and viewer
  // read. An unknown task is a 404 to whoever may reach it.
  'tasks.list':                     '200 200 200  200 200 200  200 200 200  200 200  403',
  'tasks.get':                      '404 404 404  404 404 404  404 404 404  404 404  403',
  'tasks.complete':                 '404 404 403  404 404 404  403 403 403  404 404  403',
  // Workflow executions of an agreement are read as the agreement is; of a violation, as the violation is.
  'agreements.workflows':           '200 200 200  200 200 404  200 200 404  200 404  403',
  'violations.remediation':         '404 404 404  404 404 404  404 404 404  404 404  403',
  'violations.workflows':           '404 404 404  404 404 404  404 404 404  404 404  403',
  // The change gate reads the service's objectives, in the service's scope (as the service itself is read).
  'services.change-gate':           '200 200 200  200 404 404  200 404 404  200 404  403',
  // A ticketing tool's webhook: no person's token counts, only the Standard Webhooks signature (none here: 401).
  'webhooks.tasks':                 '401 401 401  401 401 401  401 401 401  401 401  401',
  'chain.graph':                    '200 200 200  200 200 404  200 200 404  200 404  403',
  'chain.gaps':                     '200 200 200  200 200 404  200 200 404  200 404  403',
  'chain.portfolio-gaps':           '200 200 200  200 200 200  200 200 200  200 200  403',
  'chain.breach':                   '404 404 404  404 404 404  404 404 404  404 404  403',
  'chain.vendor-scorecard':         '200 200 200  200 200 200  200 200 200  200 200  403',
  'chain.vendor-triggers':          '200 403 403  200 200 200  403 403 403  200 200  403',
  'chain.pass-through':             '404 403 403  404 404 404  403 403 403  404 404  403',
  'chain.reviews.record':           '422 403 403  422 403 404  403 403 403  403 403  403',
  'chain.reviews.list':             '200 200 200  200 200 404  200 200 404  200 404  403',
  'agreements.change-requests.create': '201 403 403  201 201 404  201 201 404  403 403  403',
  'agreements.change-requests.list': '200 200 200  200 200 404  200 200 404  200 404  403',
  'change-requests.get':            '404 404 404  404 404 404  404 404 404  404 404  403',
  // Withdrawing: whoever may ask may withdraw their own (change.withdraw), an admin anyone's; past the role check an
  // unknown request is a 404. Who asked decides on a real request (the test "withdraws a change request ..." below).
  'change-requests.withdraw':       '404 403 403  404 404 404  404 404 404  403 403  403',
  'services.freeze-exceptions.create': '201 403 403  201 404 404  403 403 403  201 404  403',
  'services.freeze-exceptions.list': '200 200 200  200 404 404  200 404 404  200 404  403',
  'services.sunset':                '409 403 403  409 404 404  403 403 403  403 403  403',
  'templates.list':                 '200 200 200  200 200 200  200 200 200  200 200  403',
  'templates.get':                  '404 404 404  404 404 404  404 404 404  404 404  403',
  'templates.draft':                '404 403 403  404 404 404  403 403 403  403 403  403',
  'ecosystem.openslo-export':       '200 200 200  200 200 404  200 200 404  200 404  403',
  'ecosystem.openslo-import':       '409 403 403  409 403 404  403 403 403  403 403  403',
  'ecosystem.prometheus-rules':     '200 200 200  200 200 404  200 200 404  200 404  403',
  'ecosystem.metrics':              '200 403 200  403 403 403  403 403 403  403 403  403',
  // Modular agreements: a schedule is drafted where its master lives (agreement.create there); the fixture's SLA is
  // not a master (409). Effective terms are read as the agreement is.
  'agreements.schedules.create':    '409 403 403  409 403 404  403 403 403  403 403  403',
  'agreements.effective-terms':     '200 200 200  200 200 404  200 200 404  200 404  403',
  'ecosystem.backfill-import':      '415 403 403  403 403 403  403 403 403  403 403  403',
  'ecosystem.backfill-job':         '404 403 403  403 403 403  403 403 403  403 403  403',
  // The portfolio: every reading role gets its own scope (outside it counted, not named; portfolio-status.test.ts).
  'objectives.portfolio-status':    '200 200 200  200 200 200  200 200 200  200 200  403',
  'ecosystem.pull-history':         '404 403 403  403 403 403  403 403 403  403 403  403',
  // CMDB sync: admin and every SLA manager (a dry run over its own units' services); rows outside them are refused.
  'ecosystem.cmdb-sync':            '200 403 403  200 200 200  403 403 403  403 403  403',
  // Backfill runs over S3 objects are AWS's: past the admin check the embedded default answers 422 (no bucket).
  'ecosystem.backfill-run-start':   '422 403 403  403 403 403  403 403 403  403 403  403',
  'ecosystem.backfill-run-get':     '404 403 403  403 403 403  403 403 403  403 403  403',
};

/** Vendor routes: people's tokens never pass; a vendor key does (checked apart). */
const VENDOR_ROUTES = ['telemetry.ingest', 'datadog.series', 'datadog.validate', 'telemetry.otlpMetrics'];

let app: TestApp;
let agreementId = '';
const tokens = {} as Record<Caller, string>;
let seq = 0;
const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Valid bodies, so that the body never decides before the role and scope do (fresh per call). */
const BODIES: Record<string, () => unknown> = {
  'services.create': () =>
    serviceBody({
      id: `svc_matrix-${++seq}`,
      name: `Matrix ${seq}`,
      businessUnit: 'payments',
      reason: 'matrix',
    }),
  'services.update': () => ({ name: 'Renamed', reason: 'matrix rename' }),
  'agreements.create': () => slaInForceBody(),
  'agreements.update': () => ({ title: 'Renamed', reason: 'matrix rename' }),
  'agreements.signoff': () => ({ capacity: 'business-owner', decision: 'approved', reason: 'matrix sign' }),
  'objectives.exceptions.create': () => ({
    kind: 'planned-maintenance',
    start: at(40 * ++seq),
    end: at(40 * seq + 1 / 24),
    reason: 'matrix maintenance',
  }),
  'objectives.exceptions.decide': () => ({ decision: 'approved', reason: 'matrix decision' }),
  'objectives.disputes.raise': () => ({ reason: 'matrix dispute' }),
  'objectives.disputes.resolve': () => ({ decision: 'rejected', resolution: 'matrix resolution' }),
  'objectives.baseline': () => ({ sliName: 'availability', from: at(-2), to: at(-1) }),
  'vendors.create': () => ({
    id: `matrix-vendor-${++seq}`,
    name: 'Matrix vendor',
    tier: 'standard',
    reason: 'matrix vendor',
  }),
  'vendors.bind': () => ({ bindings: [], reason: 'matrix bindings' }),
};
const DEFAULT_BODY = () => ({ reason: 'matrix step' });
/**
 * A body that passes validation, which comes before the role check (API Gateway's order), so that only the role and
 * the scope decide: the matrix's own choice where it has one, else the route's example (test/helpers/route-examples.ts).
 */
const bodyFor = (route: RouteSpec): unknown =>
  (BODIES[route.id] ?? (() => exampleBody(route) ?? DEFAULT_BODY()))();

function pathFor(route: RouteSpec): string {
  // A required query parameter gets its example (validation comes before the role check).
  const query = exampleQuery(route) ? `?${exampleQuery(route)}` : '';
  return `${route.path
    .replace('{agreementId}', agreementId)
    .replace('{reportType}', 'monthly-compliance')
    .replace('{serviceId}', 'svc_payments-gateway')
    .replace('{version}', '1')
    .replace('{objectiveId}', 'availability')
    .replace(/\{(\w+)\}/g, 'unknown-id')}${query}`;
}

beforeAll(async () => {
  app = await startTestApp();
  agreementId = await withOneActiveSla(app);
  for (const [name, c] of Object.entries(CALLERS) as [Caller, (typeof CALLERS)[Caller]][]) {
    tokens[name] = await app.tokens.sign(
      {
        sub: `matrix-${name}`,
        'cognito:groups': c.groups,
        ...('units' in c ? { 'custom:business_units': c.units } : {}),
        ...('services' in c ? { 'custom:services': c.services } : {}),
        ...('signoff' in c ? { 'custom:signoff': c.signoff } : {}),
      },
      600,
    );
  }
});
afterAll(async () => app.close());

/** Every 4xx the matrix met without a detail that says where and what: `route caller status body`. */
const undetailed: string[] = [];

/**
 * The standard's "a clear 4xx that names what was wrong and where": an error body whose `details` hold at least one
 * `{ path, problem }`, both non-empty strings. Returns the one-line complaint when `res` falls short, else nothing.
 */
function withoutDetails(route: RouteSpec, caller: string, res: { status: number; body: unknown }): string[] {
  const details = (res.body as { error?: { details?: unknown } } | undefined)?.error?.details;
  const ok =
    Array.isArray(details) &&
    details.length > 0 &&
    details.every(
      (d: { path?: unknown; problem?: unknown }) =>
        typeof d.path === 'string' && d.path !== '' && typeof d.problem === 'string' && d.problem !== '',
    );
  return ok ? [] : [`${route.id} ${caller} ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`];
}

describe('the permission matrix, as an independent table', () => {
  it('has a row for every route in the route table, and none for a route that does not exist', () => {
    const ids = ROUTES.map((r) => r.id);
    const missing = ids.filter((id) => EXPECTED[id] === undefined && !VENDOR_ROUTES.includes(id));
    expect(
      missing,
      `routes without a row in EXPECTED (test/e2e/permission-matrix.test.ts): ${missing.join(', ')}`,
    ).toEqual([]);
    const stale = Object.keys(EXPECTED).filter((id) => !ids.includes(id));
    expect(stale, `rows of EXPECTED for routes that no longer exist: ${stale.join(', ')}`).toEqual([]);
    for (const [id, row] of Object.entries(EXPECTED)) {
      expect(row.trim().split(/\s+/), `row ${id} needs one status per caller (${ORDER.length})`).toHaveLength(
        ORDER.length,
      );
    }
  });

  for (const route of ROUTES) {
    if (VENDOR_ROUTES.includes(route.id)) continue;
    it(`${route.method} ${route.path} (${route.id}): each caller gets exactly its status`, async () => {
      const row = EXPECTED[route.id];
      expect(row, `no row in EXPECTED for route ${route.id}`).toBeDefined();
      const want = row!.trim().split(/\s+/).map(Number);
      const got: Record<string, number> = {};
      const bodies: Record<string, string> = {};
      for (const caller of ORDER) {
        const res = await app.call(route.method, pathFor(route), {
          token: tokens[caller],
          body: bodyFor(route),
          headers: { 'if-match': '"999"' },
        });
        got[caller] = res.status;
        bodies[caller] = JSON.stringify(res.body).slice(0, 160);
        if (res.status >= 400 && res.status < 500) undetailed.push(...withoutDetails(route, caller, res));
      }
      const expected = Object.fromEntries(ORDER.map((c, i) => [c, want[i]]));
      expect(got, `${route.id}: ${JSON.stringify(bodies, null, 1)}`).toEqual(expected);
      if (route.auth === 'user') {
        expect((await app.call(route.method, pathFor(route), { body: {} })).status, 'no token').toBe(401);
      }
    });
  }

  it('says where and what in every 4xx above (each route, each caller): details with a path and a problem', () => {
    expect(undetailed, undetailed.join('\n')).toEqual([]);
  });

  it('lets only a vendor key through the telemetry ingest route; a person token is a 401', async () => {
    for (const id of VENDOR_ROUTES) {
      const route = ROUTES.find((r) => r.id === id)!;
      for (const caller of ORDER) {
        const res = await app.call(route.method, route.path, { token: tokens[caller], body: {} });
        expect(res.status, `${caller} on ${id}`).toBe(401);
      }
      const res = await app.call(route.method, route.path, {
        body: {},
        headers: { 'x-api-key': app.credentials.vendor.apiKey },
      });
      expect([401, 403]).not.toContain(res.status);
    }
  });

  it('never names another unit or service when it refuses a caller outside its scope', async () => {
    for (const route of ROUTES.filter((r) => r.auth === 'user' && r.path.includes('{agreementId}'))) {
      const res = await app.call(route.method, pathFor(route), {
        token: tokens['manager@other-unit'],
        body: bodyFor(route),
        headers: { 'if-match': '"999"' },
      });
      expect(JSON.stringify(res.body), route.id).not.toMatch(/payments|retail-banking|svc_payments/);
    }
  });
});

describe('withdrawing a change request: only whoever asked, or an admin', () => {
  it('withdraws a change request for its requester and for an admin, and for nobody else', async () => {
    const ask = async (title: string) => {
      const r = await app.call('POST', `/v1/agreements/${agreementId}/change-requests`, {
        token: tokens['viewer@party'],
        body: { summary: title, why: 'matrix withdrawal', proposed: { title } },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const withdraw = async (caller: Caller, id: string) =>
      (
        await app.call('POST', `/v1/change-requests/${id}/withdraw`, {
          token: tokens[caller],
          body: { reason: 'matrix withdrawal' },
        })
      ).status;
    const id = await ask('Matrix withdrawal one');
    // Scope first (a unit that cannot read the agreement gets 404), then the person: nobody but the requester.
    const others: Record<string, number> = {
      approver: 403,
      auditor: 403,
      'manager@own-unit': 403,
      'manager@party': 403,
      'manager@other-unit': 404,
      'viewer@own-unit': 403,
      'viewer@other-unit': 404,
      'owner@own-service': 403,
      'owner@other-service': 403,
      'no-role': 403,
    };
    const got: Record<string, number> = {};
    for (const caller of Object.keys(others) as Caller[]) got[caller] = await withdraw(caller, id);
    expect(got).toEqual(others);
    expect(await withdraw('viewer@party', id)).toBe(200);
    // Final now: 409 for the admin too.
    expect(await withdraw('admin', id)).toBe(409);
    expect(await withdraw('admin', await ask('Matrix withdrawal two'))).toBe(200);
  });
});

describe('customers see what they consume', () => {
  it("gives the customer unit's viewer the SLA its unit consumes, in get and in list, and another unit's viewer neither", async () => {
    const get = await app.call('GET', `/v1/agreements/${agreementId}`, { token: tokens['viewer@party'] });
    expect(get.status).toBe(200);
    const list = await app.call('GET', '/v1/agreements', { token: tokens['viewer@party'] });
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(agreementId);
    const other = await app.call('GET', '/v1/agreements', { token: tokens['viewer@other-unit'] });
    expect(other.body.items.map((a: { id: string }) => a.id)).not.toContain(agreementId);
    const hidden = await app.call('GET', `/v1/agreements/${agreementId}`, {
      token: tokens['viewer@other-unit'],
    });
    const absent = await app.call('GET', '/v1/agreements/agr_01JZZZZZZZZZZZZZZZZZZZZZZZ', {
      token: tokens['viewer@other-unit'],
    });
    // Exactly as a thing that does not exist: same status, same code, same shape of message.
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toEqual({ ...absent.body.error, message: `no agreement ${agreementId}` });
  });
});

describe('customers see the violations of what they consume', () => {
  it("gives the customer unit's viewer the violation of the SLA its unit consumes, without internal details, and another unit's viewer nothing", async () => {
    const { SqliteViolationStore } = await import('../../shared/adapters/sqlite/objectives.js');
    const agreement = (await app.call('GET', `/v1/agreements/${agreementId}`, { as: 'admin' })).body;
    const owner = { name: 'Olga Owner', email: 'olga.owner@bank.example' };
    const { violation } = await new SqliteViolationStore(app.db).record({
      id: 'vio_01PARTYMATRIX0000000000',
      key: `${agreementId}/party-matrix`,
      agreementId,
      agreementVersion: agreement.version,
      objectiveId: agreement.objectives[0].id,
      serviceId: agreement.serviceId,
      businessUnit: agreement.businessUnit,
      tier: 2,
      status: 'open',
      severity: 'major',
      severityReason: 'matrix',
      detectedAt: new Date().toISOString(),
      lastEvaluatedAt: new Date().toISOString(),
      evidence: {
        target: 99.9,
        compliance: 99.5,
        window: { start: daysFromToday(-7), end: today() },
      } as never,
      escalation: [
        { level: 1, role: 'service manager', who: owner, by: new Date().toISOString(), source: 'agreement' },
      ],
      disputes: [],
    });
    const path = `/v1/violations/${violation.id}`;
    const party = await app.call('GET', path, { token: tokens['viewer@party'] });
    expect(party.status, JSON.stringify(party.body)).toBe(200);
    expect(JSON.stringify(party.body)).not.toContain(owner.email);
    expect(party.body.escalation[0].who).toEqual({ name: 'the service provider', email: '' });
    const listed = await app.call('GET', `/v1/violations?agreementId=${agreementId}`, {
      token: tokens['viewer@party'],
    });
    expect(listed.body.items.map((v: { id: string }) => v.id)).toContain(violation.id);
    const chain = await app.call('GET', `${path}/chain`, { token: tokens['viewer@party'] });
    expect(chain.status, JSON.stringify(chain.body)).toBe(200);
    expect(chain.body.contributors).toEqual([]);
    // The remediation (RCA, CAPA, internal escalations) stays the owner's.
    expect((await app.call('GET', `${path}/remediation`, { token: tokens['viewer@party'] })).status).toBe(
      404,
    );
    const own = await app.call('GET', path, { token: tokens['viewer@own-unit'] });
    expect(own.body.escalation[0].who).toEqual(owner);
    expect((await app.call('GET', path, { token: tokens['viewer@other-unit'] })).status).toBe(404);
    const other = await app.call('GET', '/v1/violations', { token: tokens['viewer@other-unit'] });
    expect(other.body.items.map((v: { id: string }) => v.id)).not.toContain(violation.id);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { TestClock } from '../helpers/clock.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFrom, startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * The server's clock, fixed mid-month: a violation's credit is its calendar month's to date, and on the real clock, in
 * a month's first five minutes (London), the month had no complete bucket yet, so no credit, and two tests failed.
 */
const NOW = Date.parse('2027-03-10T12:00:00.000Z');
let app: TestApp;
let agreementId = '';
const serviceId = 'svc_payments-gateway';

const step = (
  id: string,
  path: string,
  version: number,
  as = 'sla-manager',
  body: object = { reason: `step ${path}` },
) => app.call('POST', `/v1/agreements/${id}/${path}`, { as, body, headers: { 'if-match': `"${version}"` } });

beforeAll(async () => {
  app = await startTestApp({}, { clock: new TestClock(NOW) });
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const body = agreementBody({
    ...datesFrom('2027-03-10'),
    objectives: [
      {
        ...agreementBody().objectives[0]!,
        id: 'availability',
        target: 99.9,
        window: { type: 'rolling', days: 7 },
      },
    ],
    credits: {
      currency: 'EUR',
      monthlyCharge: 5000,
      tiers: [
        { belowPercent: 99.9, creditPercent: 10 },
        { belowPercent: 99, creditPercent: 25 },
      ],
      capPercent: 100,
    },
    escalation: [
      {
        level: 1,
        afterMinutes: 30,
        role: 'duty manager',
        contact: { name: 'Dee Duty', email: 'dee@example.com' },
      },
    ],
  });
  const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  agreementId = a.body.id;
  const submitted = await step(agreementId, 'submit', 1);
  let v = submitted.body.version;
  const signer: Record<string, string> = {
    'service-owner': 'service-owner',
    'business-owner': 'approver-business',
    'governance-board': 'approver-board',
    legal: 'approver-legal',
    procurement: 'approver-procurement',
    security: 'approver-security',
    finance: 'approver-finance',
  };
  for (const { capacity } of submitted.body.requiredSignOffs as { capacity: string }[]) {
    const r = await step(agreementId, 'signoffs', v, signer[capacity], {
      capacity,
      decision: 'approved',
      reason: 'looks right',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = r.body.version;
  }
  const act = await step(agreementId, 'activate', v);
  expect(act.status, JSON.stringify(act.body)).toBe(200);

  // Two days of telemetry at 0.5% errors against a 0.1% budget, written as ingestion would.
  const now = Math.floor(NOW / BUCKET_MS) * BUCKET_MS;
  const deltas: RollupDelta[] = [];
  for (let t = now - 2 * 86_400_000; t < now; t += BUCKET_MS) {
    deltas.push({
      sliKey: `${serviceId}/availability`,
      bucketStart: t,
      good: 995,
      total: 1000,
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
    });
  }
  await new SqliteRollupStore(app.db).add(deltas);
});
afterAll(async () => app.close());

describe('the objectives API over HTTP', () => {
  it('evaluates on demand and answers the status with figures and reasons', async () => {
    const r = await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'sla-manager' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('breached');
    const o = r.body.objectives[0];
    expect(o).toMatchObject({
      objectiveId: 'availability',
      compliance: 99.5,
      status: 'breached',
      budget: { unit: 'events' },
    });
    expect(o.burnRates).toHaveLength(3);
    expect(o.data.coverage).toBeCloseTo(2 / 7, 3);

    const one = await app.call('GET', `/v1/agreements/${agreementId}/objectives/availability/status`, {
      as: 'auditor',
    });
    expect(one.body).toMatchObject({ objectiveId: 'availability', status: 'breached' });
    const svc = await app.call('GET', `/v1/services/${serviceId}/status`, { as: 'service-owner' });
    expect(svc.body.status).toBe('breached');
  });

  it('records one violation however often it evaluates, with severity, escalation and credit steps', async () => {
    await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'sla-manager' });
    await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'admin' });
    const list = await app.call('GET', `/v1/violations?agreementId=${agreementId}&status=open`, {
      as: 'auditor',
    });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const v = list.body.items[0];
    expect(v).toMatchObject({
      severity: 'critical',
      objectiveId: 'availability',
      escalation: [{ level: 1, role: 'duty manager' }],
    });
    expect(v.credit).toMatchObject({ creditPercent: 10, amount: 500, currency: 'EUR' });
    expect(v.credit.steps).toHaveLength(4);
    const none = await app.call('GET', '/v1/violations?severity=minor', { as: 'auditor' });
    expect(none.body.items).toHaveLength(0);
  });

  it('records a credit dispute that its raiser cannot decide', async () => {
    const [v] = (await app.call('GET', `/v1/violations?agreementId=${agreementId}`, { as: 'auditor' })).body
      .items;
    const raised = await app.call('POST', `/v1/violations/${v.id}/disputes`, {
      as: 'sla-manager',
      body: { reason: 'the errors came from a client-side bug' },
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const d = raised.body.disputes[0];
    const self = await app.call('POST', `/v1/violations/${v.id}/disputes/${d.id}/resolve`, {
      as: 'sla-manager',
      body: { decision: 'accepted', resolution: 'agreed' },
    });
    expect(self.status).toBe(403);
    const decided = await app.call('POST', `/v1/violations/${v.id}/disputes/${d.id}/resolve`, {
      as: 'admin',
      body: { decision: 'rejected', resolution: 'server logs show 5xx responses' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body.disputes[0]).toMatchObject({ status: 'rejected', resolvedBy: 'local-admin' });
  });

  it('answers the budget history as a time series for charts', async () => {
    const h = await app.call('GET', `/v1/agreements/${agreementId}/objectives/availability/budget-history`, {
      as: 'auditor',
    });
    expect(h.status).toBe(200);
    expect(h.body.points.length).toBeGreaterThanOrEqual(1);
    expect(h.body.points[0]).toMatchObject({ status: 'breached', compliance: expect.any(Number) });
  });

  it('proposes a baseline from history, showing the data it used', async () => {
    const r = await app.call('POST', `/v1/services/${serviceId}/baseline`, {
      as: 'sla-manager',
      body: {
        sliName: 'availability',
        from: new Date(NOW - 2 * 86_400_000).toISOString(),
        to: new Date(Math.floor(NOW / 3_600_000) * 3_600_000).toISOString(),
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ proposedTargetPercent: 99.5, percentile: 10 });
    expect(r.body.data.slicesUsed).toBeGreaterThan(40);
  });

  it("shows the customer unit's viewer the status of the SLA it consumes, and an outsider nothing at all", async () => {
    // The retail-banking viewer: retail banking is the SLA's customer (it is held by payments).
    const own = await app.call('GET', `/v1/agreements/${agreementId}/status`, { as: 'viewer' });
    expect(own.status).toBe(200);
    expect(own.body.objectives[0].objectiveId).toBe('availability');
    expect((await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'viewer' })).status).toBe(
      403,
    );
    const outsider = await app.tokens.sign(
      {
        sub: 'wendy',
        'cognito:groups': 'viewer',
        'custom:business_units': 'wealth-management',
      },
      600,
    );
    const hidden = await app.call('GET', `/v1/agreements/${agreementId}/status`, { token: outsider });
    const missing = await app.call('GET', '/v1/agreements/agr_01JZZZZZZZZZZZZZZZZZZZZZZZ/status', {
      token: outsider,
    });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(`no evaluated or active agreement ${agreementId}`);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(hidden.body)).not.toMatch(/payments|svc_/);
    const list = await app.call('GET', '/v1/violations', { token: outsider });
    expect(list.body.items).toHaveLength(0);
  });

  it('refuses slice lengths the 5-minute rollups cannot count with a 400 naming the field and why', async () => {
    for (const [minutes, why] of [
      [1, 'finer than the 5-minute rollups'],
      [25, 'must divide a day'],
    ] as const) {
      const body = agreementBody({
        objectives: [
          {
            ...agreementBody().objectives[0]!,
            budgetingMethod: 'timeslices',
            timeSlice: { minutes, target: 0.99 },
          },
        ],
      });
      const r = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error.details).toContainEqual({
        path: 'objectives[0].timeSlice.minutes',
        problem: expect.stringContaining(why),
      });
    }
  });
});

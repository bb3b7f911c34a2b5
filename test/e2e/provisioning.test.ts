import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccordApiError, type ProvisioningEvent, reconcile } from '../../shared/provisioning/reconcile.js';
import type { ProvisioningSpecInput } from '../../shared/schemas/provisioning.js';
import { TestClock } from '../helpers/clock.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFrom, daysFrom, startTestApp, type TestApp } from '../helpers/local-app.js';
import { approveAndActivate } from '../helpers/workflows.js';

// The custom resource's onEvent logic against a REAL embedded Accord (test/helpers/local-app.ts), no mock.
/**
 * The server's clock, fixed, and its today in London: on the real clock a test that made a draft effective "today",
 * activated it and sent the same date again a few seconds later was refused (a backdated start) when London's
 * midnight fell in between, and two spec() readings either side of it differed by a day.
 */
const TODAY = '2026-05-04';
const clock = new TestClock(`${TODAY}T09:00:00.000Z`);
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock });
});
afterAll(async () => app?.close());

function spec(
  over: { id?: string; target?: number; title?: string; from?: string; tier?: 1 | 2 } = {},
): ProvisioningSpecInput {
  const id = over.id ?? 'svc_payments-gateway';
  const { reason: _r, ...service } = serviceBody({ id, tier: over.tier ?? 1 });
  // Starts a month ahead unless told.
  const base = agreementBody({
    serviceId: id,
    ...datesFrom(TODAY),
    effectiveFrom: over.from ?? daysFrom(TODAY, 30),
  });
  const { reason: _a, serviceId: _s, ...agreement } = base;
  agreement.objectives = [{ ...agreement.objectives[0]!, target: over.target ?? 99.9 }];
  if (over.title) agreement.title = over.title;
  return { service, agreement };
}

function event(
  type: ProvisioningEvent['RequestType'],
  s: ProvisioningSpecInput,
  id?: string,
): ProvisioningEvent {
  return {
    RequestType: type,
    ResourceProperties: { Spec: JSON.stringify(s) },
    ...(id ? { PhysicalResourceId: id } : {}),
  };
}

function api(as = 'sla-manager') {
  return { baseUrl: app.url, token: app.credentials.tokens[as]!.token };
}

async function versions(id: string): Promise<number> {
  return (await app.call('GET', `/v1/agreements/${id}`, { as: 'admin' })).body.version;
}

describe('the AccordRegistration onEvent logic against a running Accord', () => {
  it('creates the service and a draft agreement holding the objectives on Create', async () => {
    const out = await reconcile(event('Create', spec({ id: 'svc_prov-create' })), api());
    expect(out.PhysicalResourceId).toMatch(/^agr_/);
    expect(out.Data).toMatchObject({
      ServiceId: 'svc_prov-create',
      AgreementStatus: 'draft',
      Action: 'created',
    });
    const svc = await app.call('GET', '/v1/services/svc_prov-create', { as: 'admin' });
    expect(svc.status).toBe(200);
    const agr = await app.call('GET', `/v1/agreements/${out.PhysicalResourceId}`, { as: 'admin' });
    expect(agr.body.objectives[0].target).toBe(99.9);
  });

  it('changes nothing when the same props arrive twice (a retried Create and an Update)', async () => {
    const s = spec({ id: 'svc_prov-idem' });
    const first = await reconcile(event('Create', s), api());
    const v = await versions(first.PhysicalResourceId);
    const again = await reconcile(event('Create', s), api());
    expect(again.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(again.Data.Action).toBe('unchanged');
    const update = await reconcile(event('Update', s, first.PhysicalResourceId), api());
    expect(update.Data.Action).toBe('unchanged');
    expect(await versions(first.PhysicalResourceId)).toBe(v);
    const svc = await app.call('GET', '/v1/services/svc_prov-idem', { as: 'admin' });
    expect(svc.body.version).toBe(1);
  });

  it('records a changed objective target as a new draft version of the same agreement', async () => {
    const first = await reconcile(event('Create', spec({ id: 'svc_prov-upd' })), api());
    const v = await versions(first.PhysicalResourceId);
    const out = await reconcile(
      event('Update', spec({ id: 'svc_prov-upd', target: 99.5 }), first.PhysicalResourceId),
      api(),
    );
    expect(out.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(out.Data.Action).toBe('updated objectives');
    const agr = await app.call('GET', `/v1/agreements/${first.PhysicalResourceId}`, { as: 'admin' });
    expect(agr.body).toMatchObject({ status: 'draft', version: v + 1 });
    expect(agr.body.objectives[0].target).toBe(99.5);
  });

  it('retires the provisioned draft on Delete (soft delete: the agreement and its history stay readable)', async () => {
    const first = await reconcile(event('Create', spec({ id: 'svc_prov-del' })), api());
    const out = await reconcile(
      event('Delete', spec({ id: 'svc_prov-del' }), first.PhysicalResourceId),
      api(),
    );
    expect(out.Data.Action).toBe('retired');
    const agr = await app.call('GET', `/v1/agreements/${first.PhysicalResourceId}`, { as: 'admin' });
    expect(agr.body.status).toBe('retired');
    const twice = await reconcile(
      event('Delete', spec({ id: 'svc_prov-del' }), first.PhysicalResourceId),
      api(),
    );
    expect(twice.Data.Action).toBe('kept (retired)');
  });

  it('succeeds on Delete of a Create that failed before any agreement existed', async () => {
    const out = await reconcile(event('Delete', spec(), 'a-failed-create-request-id'), api());
    expect(out.Data.Action).toBe('nothing');
  });

  it("fails with the API's own message when the token may not create services", async () => {
    const err = await reconcile(event('Create', spec({ id: 'svc_prov-denied' })), api('viewer')).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AccordApiError);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/^Accord API POST \/v1\/services answered 403: /);
  });

  it("fails with the API's validation detail when Accord rejects the agreement", async () => {
    const s = spec({ id: 'svc_prov-bad' });
    // An effective date long past: the zod shape is valid, Accord's own rules reject it.
    (s.agreement as { effectiveFrom: string }).effectiveFrom = '2001-01-01';
    const err = await reconcile(event('Create', s), api()).catch((e) => e);
    expect(err).toBeInstanceOf(AccordApiError);
    expect(err.message).toMatch(/POST \/v1\/agreements answered 4\d\d: /);
  });

  it('never edits an active agreement: a changed objective makes a new draft, and Delete keeps the active one', async () => {
    // Tier 2: the sign-off path the workflow helpers' signers cover and the service the development service-owner owns.
    const s = { id: 'svc_payments-gateway', from: TODAY, tier: 2 as const };
    const first = await reconcile(event('Create', spec(s)), api());
    const v = await approveAndActivate(
      app,
      first.PhysicalResourceId,
      await versions(first.PhysicalResourceId),
    );
    const out = await reconcile(
      event('Update', spec({ ...s, target: 99.5 }), first.PhysicalResourceId),
      api(),
    );
    expect(out.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
    expect(out.Data).toMatchObject({
      AgreementStatus: 'draft',
      Action: 'new draft (the agreement is active)',
    });
    const old = await app.call('GET', `/v1/agreements/${first.PhysicalResourceId}`, { as: 'admin' });
    expect(old.body).toMatchObject({ status: 'active', version: v });
    expect(old.body.objectives[0].target).toBe(99.9);
    // CloudFormation then deletes the old physical id: the active agreement stays in force.
    const del = await reconcile(event('Delete', spec(s), first.PhysicalResourceId), api());
    expect(del.Data.Action).toBe('kept (active)');
    expect(
      (await app.call('GET', `/v1/agreements/${first.PhysicalResourceId}`, { as: 'admin' })).body.status,
    ).toBe('active');
  });
});

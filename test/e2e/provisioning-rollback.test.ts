import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProvisioningEvent, reconcile } from '../../shared/provisioning/reconcile.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

// A stack whose AccordRegistration props are invalid fails on Create; CloudFormation then rolls back by sending
// Delete with the same props. If Delete also fails, the stack is stuck in ROLLBACK_FAILED (and a later stack
// delete in DELETE_FAILED): Delete must clean up from the physical id alone, whatever the props say.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const api = () => ({ baseUrl: app.url, token: app.credentials.tokens['sla-manager']!.token });
const del = (spec: unknown, id: string): ProvisioningEvent => ({
  RequestType: 'Delete',
  PhysicalResourceId: id,
  ResourceProperties: { Spec: typeof spec === 'string' ? spec : JSON.stringify(spec) },
});

describe('Delete of an AccordRegistration whose props are not a valid spec', () => {
  it('succeeds on the rollback of a Create refused for its props (no agreement was made)', async () => {
    const bad = { service: { id: 'svc_rollback', tier: 9 }, agreement: {} };
    const out = await reconcile(del(bad, 'a-failed-create-request-id'), api());
    expect(out).toEqual({
      PhysicalResourceId: 'a-failed-create-request-id',
      Data: {
        ServiceId: 'svc_rollback',
        AgreementId: 'a-failed-create-request-id',
        AgreementStatus: 'none',
        Action: 'nothing',
      },
    });
  });

  it('succeeds when the props are not even JSON', async () => {
    const out = await reconcile(del('{not json', 'a-failed-create-request-id'), api());
    expect(out.Data.Action).toBe('nothing');
  });

  it('still retires the agreement it made when the props became invalid (a construct upgrade, a hand edit)', async () => {
    expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
      201,
    );
    const made = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: agreementBody(datesFromToday()),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const out = await reconcile(del({ service: { id: 'svc_payments-gateway' } }, made.body.id), api());
    expect(out.Data).toMatchObject({
      AgreementId: made.body.id,
      AgreementStatus: 'retired',
      Action: 'retired',
    });
  });
});

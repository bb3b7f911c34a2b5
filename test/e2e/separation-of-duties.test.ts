import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, daysFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
});
afterAll(async () => app.close());

const draft = () =>
  agreementBody({
    ...datesFromToday(),
    renewal: { renewalDate: daysFromToday(330), noticeDays: 90, autoRenew: false },
  });

describe('separation of duties holds for every hand that shaped a version', () => {
  it('refuses the sign-off of someone who changed a material field after another drafted and submitted it', async () => {
    // One person holding two roles: SLA manager of payments and business-owner approver.
    const both = await app.tokens.sign(
      {
        sub: 'dual-hat',
        email: 'dual@accord.local',
        'cognito:groups': 'sla-manager,approver',
        'custom:business_units': 'payments',
        'custom:signoff': 'business-owner',
      },
      600,
    );
    const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: draft() });
    expect(a.status).toBe(201);
    const objectives = [{ ...a.body.objectives[0], target: 99.5 }];
    const changed = await app.call('PATCH', `/v1/agreements/${a.body.id}`, {
      token: both,
      body: { objectives, reason: 'lower the target' },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const submitted = await app.call('POST', `/v1/agreements/${a.body.id}/submit`, {
      as: 'sla-manager',
      body: { reason: 'ready' },
      headers: { 'if-match': '"2"' },
    });
    expect(submitted.status).toBe(200);
    const sign = await app.call('POST', `/v1/agreements/${a.body.id}/signoffs`, {
      token: both,
      body: { capacity: 'business-owner', decision: 'approved', reason: 'fine by me' },
      headers: { 'if-match': '"3"' },
    });
    expect(sign.status).toBe(403);
    expect(sign.body.error.message).toMatch(/separation of duties/);
  });

  it('refuses a change of renewal terms or of the escalation matrix once approved, not of the renewal date', async () => {
    const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: draft() });
    let v = (
      await app.call('POST', `/v1/agreements/${a.body.id}/submit`, {
        as: 'sla-manager',
        body: { reason: 'ready' },
        headers: { 'if-match': '"1"' },
      })
    ).body.version;
    const required = (await app.call('GET', `/v1/agreements/${a.body.id}`, { as: 'auditor' })).body
      .requiredSignOffs as { capacity: string }[];
    const who: Record<string, string> = {
      'service-owner': 'service-owner',
      'business-owner': 'approver-business',
      'governance-board': 'approver-board',
    };
    for (const { capacity } of required) {
      const r = await app.call('POST', `/v1/agreements/${a.body.id}/signoffs`, {
        as: who[capacity]!,
        body: { capacity, decision: 'approved', reason: 'looks right' },
        headers: { 'if-match': `"${v}"` },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      v = r.body.version;
    }
    const patch = (body: object) =>
      app.call('PATCH', `/v1/agreements/${a.body.id}`, {
        as: 'sla-manager',
        body: { reason: 'adjust the terms', ...body },
        headers: { 'if-match': `"${v}"` },
      });
    const renewal = a.body.renewal;
    const auto = await patch({ renewal: { ...renewal, autoRenew: true } });
    expect(auto.status).toBe(409);
    expect(auto.body.error.details).toEqual([
      { path: 'renewal.autoRenew', problem: 'cannot change while approved' },
    ]);
    const escalation = await patch({ escalation: [] });
    expect(escalation.status).toBe(409);
    const date = await patch({ renewal: { ...renewal, renewalDate: daysFromToday(340) } });
    expect(date.status, JSON.stringify(date.body)).toBe(200);
  });
});

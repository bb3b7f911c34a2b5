import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceBody } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp, today } from '../../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
});
afterAll(async () => app.close());

const terms = (over: object = {}) => ({
  title: 'Cards API SLA for retail',
  serviceId: 'svc_payments-gateway',
  businessUnit: 'payments',
  parties: {
    provider: { type: 'business-unit', businessUnit: 'payments' },
    customer: { type: 'business-unit', businessUnit: 'retail-banking' },
  },
  timeZone: 'Europe/London',
  reviewCycle: { everyMonths: 6, nextReviewDate: '2099-06-01' },
  jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
  dataResidency: { region: 'eu-west-1', processingRegions: [] },
  effectiveFrom: '2099-01-01',
  ...over,
});
const draft = (id: string, body: object) =>
  app.call('POST', `/v1/templates/${id}/drafts`, {
    as: 'sla-manager',
    body: {
      objectiveOwner: { name: 'Owen Service', email: 'owen@example.com' },
      customerContact: { name: 'Rita Retail', email: 'rita@example.com' },
      reason: 'drafted from the template',
      ...body,
    },
  });

describe('agreement templates (issue 11 item 5)', () => {
  it('lists each template at its latest version with the versions it has, and reads an older one', async () => {
    const list = await app.call('GET', '/v1/templates', { as: 'viewer' });
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((t: { id: string; version: number; versions: number[] }) => [
        t.id,
        t.version,
        t.versions,
      ]),
    ).toEqual([
      ['tier1-customer-api-sla', 2, [1, 2]],
      ['internal-network-ola', 1, [1]],
      ['cloud-provider-uc', 1, [1]],
    ]);
    const v1 = await app.call('GET', '/v1/templates/tier1-customer-api-sla?version=1', { as: 'viewer' });
    expect(v1.body).toMatchObject({ version: 1, latest: false, fixed: ['objectives', 'supportedHours'] });
    expect(v1.body.content.objectives[0].target).toBe(99.9);
    expect(
      (await app.call('GET', '/v1/templates/tier1-customer-api-sla?version=9', { as: 'viewer' })).status,
    ).toBe(404);
    expect((await app.call('GET', '/v1/templates/no-such', { as: 'viewer' })).status).toBe(404);
  });

  it('drafts an agreement from a template version, recording it; a later template version leaves that agreement as it was', async () => {
    const credits = {
      currency: 'EUR',
      monthlyCharge: 12000,
      objectiveId: 'availability',
      tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
      capPercent: 30,
    };
    const old = await draft('tier1-customer-api-sla', { version: 1, terms: terms({ credits }) });
    expect(old.status, JSON.stringify(old.body)).toBe(201);
    expect(old.body).toMatchObject({
      status: 'draft',
      kind: 'SLA',
      template: { id: 'tier1-customer-api-sla', version: 1 },
      supportedHours: { kind: 'always' },
      credits: { monthlyCharge: 12000, capPercent: 30 },
    });
    expect(
      old.body.objectives.map((o: { id: string; target: number; owner: { email: string } }) => [
        o.id,
        o.target,
        o.owner.email,
      ]),
    ).toEqual([
      ['availability', 99.9, 'owen@example.com'],
      ['latency', 95, 'owen@example.com'],
    ]);
    const latest = await draft('tier1-customer-api-sla', { terms: terms() });
    expect(latest.status).toBe(201);
    expect(latest.body.template).toEqual({ id: 'tier1-customer-api-sla', version: 2 });
    expect(latest.body.objectives[0].target).toBe(99.95);
    const again = await app.call('GET', `/v1/agreements/${old.body.id}`, { as: 'auditor' });
    expect(again.body).toMatchObject({ template: { version: 1 }, version: 1 });
    expect(again.body.objectives[0].target).toBe(99.9);
    // The template stays recorded on later versions.
    const upd = await app.call('PATCH', `/v1/agreements/${old.body.id}`, {
      as: 'sla-manager',
      body: { title: 'Renamed draft', reason: 'naming' },
      headers: { 'if-match': '"1"' },
    });
    expect(upd.body).toMatchObject({ version: 2, template: { id: 'tier1-customer-api-sla', version: 1 } });
  });

  it('refuses a term the template fixes (422), a draft missing what the template does not give (400), and a wrong kind of service placement (422)', async () => {
    const fixed = await draft('tier1-customer-api-sla', {
      terms: terms({ supportedHours: { kind: 'always' }, objectives: [] }),
    });
    expect(fixed.status).toBe(422);
    expect(fixed.body.error.details).toEqual([
      { path: 'terms.supportedHours', problem: 'is fixed by template tier1-customer-api-sla v2' },
      { path: 'terms.objectives', problem: 'is fixed by template tier1-customer-api-sla v2' },
    ]);
    const { jurisdiction: _j, ...partial } = terms();
    const missing = await draft('internal-network-ola', { terms: partial });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toContain('terms.jurisdiction');
    const elsewhere = await draft('internal-network-ola', { terms: terms({ businessUnit: 'wealth' }) });
    expect(elsewhere.status).toBe(422);
  });

  it('keeps a template-drafted agreement bound by what the template fixes on every later edit and new version, naming the field (422)', async () => {
    const d = await draft('tier1-customer-api-sla', {
      version: 1,
      // Today in the agreement's zone (London), not UTC: from 23:00 UTC in summer the UTC date is London's yesterday.
      terms: terms({ title: 'Bound by its template', effectiveFrom: today('Europe/London') }),
    });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const id = d.body.id as string;
    const patch = (v: number, body: object) =>
      app.call('PATCH', `/v1/agreements/${id}`, {
        as: 'sla-manager',
        body: { ...body, reason: 'an edit' },
        headers: { 'if-match': `"${v}"` },
      });
    type Obj = { id: string; target: number; owner: { name: string; email: string } };
    const objectives = d.body.objectives as Obj[];
    const lowered = objectives.map((o) => (o.id === 'availability' ? { ...o, target: 99.5 } : o));
    const business = {
      kind: 'calendar',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
    };
    const both = await patch(1, { objectives: lowered, supportedHours: business });
    expect(both.status).toBe(422);
    expect(both.body.error.details).toEqual([
      {
        path: 'objectives',
        problem: 'is fixed by template tier1-customer-api-sla v1 (the agreement was drafted from it)',
      },
      {
        path: 'supportedHours',
        problem: 'is fixed by template tier1-customer-api-sla v1 (the agreement was drafted from it)',
      },
    ]);
    const dropped = await patch(1, { objectives: objectives.slice(0, 1) });
    expect(dropped.status).toBe(422);
    expect(dropped.body.error.details.map((x: { path: string }) => x.path)).toEqual(['objectives']);
    // What the template leaves to the draft stays editable: the title, and the people on each objective.
    const renamed = await patch(1, {
      title: 'Bound by its template, renamed',
      objectives: objectives.map((o) => ({ ...o, owner: { name: 'Nia New', email: 'nia@example.com' } })),
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toMatchObject({
      version: 2,
      template: { id: 'tier1-customer-api-sla', version: 1 },
    });
    expect(renamed.body.objectives.map((o: Obj) => [o.target, o.owner.email])).toEqual([
      [99.9, 'nia@example.com'],
      [95, 'nia@example.com'],
    ]);
    // The same fixed value sent again is no change.
    const same = await patch(2, { supportedHours: { kind: 'always' } });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    // The version that later goes live is still bound: a change request (a new version) may not move a fixed field.
    let r = await app.call('POST', `/v1/agreements/${id}/submit`, {
      as: 'sla-manager',
      body: { reason: 'ready' },
      headers: { 'if-match': `"${same.body.version}"` },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const signer: Record<string, string> = {
      'service-owner': 'service-owner',
      'business-owner': 'approver-business',
      legal: 'approver-legal',
      procurement: 'approver-procurement',
      'governance-board': 'approver-board',
      finance: 'approver-finance',
    };
    for (const { capacity } of r.body.requiredSignOffs as { capacity: string }[]) {
      r = await app.call('POST', `/v1/agreements/${id}/signoffs`, {
        as: signer[capacity]!,
        body: { capacity, decision: 'approved', reason: 'fine' },
        headers: { 'if-match': `"${r.body.version}"` },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    r = await app.call('POST', `/v1/agreements/${id}/activate`, {
      as: 'sla-manager',
      body: { reason: 'go-live' },
      headers: { 'if-match': `"${r.body.version}"` },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const change = await app.call('POST', `/v1/agreements/${id}/change-requests`, {
      as: 'sla-manager',
      body: { summary: 'lower the target', why: 'too ambitious', proposed: { objectives: lowered } },
    });
    expect(change.status).toBe(422);
    expect(change.body.error.details).toEqual([
      {
        path: 'proposed.objectives',
        problem: 'is fixed by template tier1-customer-api-sla v1 (the agreement was drafted from it)',
      },
    ]);
  });
});

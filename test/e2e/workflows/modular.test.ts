import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/local-app.js';
import { approveAndActivate, SIGNER, settle, startWorkflowApp, TestClock } from '../../helpers/workflows.js';

const T0 = '2026-03-02T09:00:00.000Z';
const TODAY = T0.slice(0, 10);
const clock = new TestClock(Date.parse(T0));
let app: TestApp;

beforeAll(async () => {
  app = await startWorkflowApp(clock);
});
afterAll(async () => app.close());

/** Submits, signs every required capacity and activates an agreement; returns its active version. */
async function activate(id: string, version: number): Promise<number> {
  const active = await approveAndActivate(app, id, version);
  await settle(app);
  return active;
}

/** The retail-banking master agreement's body: corporate terms, caps, no objectives or credits of its own. */
const masterBody = (over: object = {}) =>
  agreementBody({
    title: 'Master services agreement: payments for retail banking',
    objectives: [],
    customerResponsibilities: ['name a service manager', 'report incidents through the service desk'],
    reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
    jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
    effectiveFrom: TODAY,
    effectiveTo: '2028-12-31',
    module: { role: 'master', caps: { creditPercent: 20, liability: { currency: 'EUR', amount: 250000 } } },
    ...over,
  } as never);

/** A schedule body: only the service's own terms; the master's are inherited. */
const scheduleBody = (over: object = {}) => {
  const {
    kind: _k,
    businessUnit: _b,
    parties: _p,
    jurisdiction: _j,
    dataResidency: _d,
    reviewCycle: _r,
    ...rest
  } = agreementBody({
    title: 'Schedule 1: card payments API',
    effectiveFrom: TODAY,
    effectiveTo: '2027-12-31',
    customerResponsibilities: ['keep API keys secret', 'report incidents through the service desk'],
    credits: {
      currency: 'EUR',
      monthlyCharge: 10000,
      tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
      capPercent: 15,
    },
  });
  return { ...rest, ...over };
};

describe('modular agreements: a master with service schedules (issue 11 item 6)', () => {
  let masterId = '';
  let masterVersion = 0;
  let scheduleId = '';

  it('refuses a master agreement that carries objectives or credits of its own, naming each', async () => {
    const r = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: masterBody({ objectives: agreementBody().objectives }),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toContainEqual({
      path: 'objectives',
      problem: 'belong to the schedules: a master agreement has none',
    });
  });

  it('drafts a schedule under a master, inheriting the terms it leaves out, and refuses one that contradicts the master', async () => {
    const m = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: masterBody() });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    masterId = m.body.id;

    const s = await app.call('POST', `/v1/agreements/${masterId}/schedules`, {
      as: 'sla-manager',
      body: scheduleBody({ reason: 'schedule for the cards API' }),
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    scheduleId = s.body.id;
    expect(s.body).toMatchObject({
      status: 'draft',
      kind: 'SLA',
      module: { role: 'schedule', masterId },
      jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
      parties: { customer: { type: 'business-unit', businessUnit: 'retail-banking' } },
    });

    const contrary = await app.call('POST', `/v1/agreements/${masterId}/schedules`, {
      as: 'sla-manager',
      body: scheduleBody({
        jurisdiction: { governingLaw: 'New York', country: 'US' },
        credits: { ...scheduleBody().credits, capPercent: 50 },
        reason: 'a schedule that tries to move the governing law',
      }),
    });
    expect(contrary.status).toBe(422);
    expect(contrary.body.error.details).toEqual(
      expect.arrayContaining([
        {
          path: 'jurisdiction',
          problem: `differs from master agreement ${masterId} v1, whose term governs (policy: master)`,
        },
        { path: 'credits.capPercent', problem: '50 is above the master’s cap of 20% (policy: lowest)' },
      ]),
    );

    const otherCustomer = await app.call('POST', `/v1/agreements/${masterId}/schedules`, {
      as: 'sla-manager',
      body: scheduleBody({
        parties: {
          provider: { type: 'business-unit', businessUnit: 'payments' },
          customer: { type: 'business-unit', businessUnit: 'wealth' },
        },
        reason: 'another customer under this master',
      }),
    });
    expect(otherCustomer.status).toBe(422);
    expect(otherCustomer.body.error.details).toContainEqual({
      path: 'parties.customer',
      problem: 'must be the master agreement’s customer',
    });

    const notMaster = await app.call('POST', `/v1/agreements/${scheduleId}/schedules`, {
      as: 'sla-manager',
      body: scheduleBody({ reason: 'a schedule under a schedule' }),
    });
    expect(notMaster.status).toBe(409);

    const edit = await app.call('PATCH', `/v1/agreements/${scheduleId}`, {
      as: 'sla-manager',
      body: { reviewCycle: { everyMonths: 3, nextReviewDate: '2026-06-01' }, reason: 'its own review cycle' },
      headers: { 'if-match': '"1"' },
    });
    expect(edit.status).toBe(422);
    expect(edit.body.error.details[0].path).toBe('reviewCycle');
  });

  it('activates a schedule only once its master is in force', async () => {
    const step = (path: string, v: number, as: string, b: object) =>
      app.call('POST', `/v1/agreements/${scheduleId}/${path}`, {
        as,
        body: b,
        headers: { 'if-match': `"${v}"` },
      });
    let r = await step('submit', 1, 'sla-manager', { reason: 'ready' });
    let v = r.body.version as number;
    for (const { capacity } of r.body.requiredSignOffs as { capacity: string }[]) {
      r = await step('signoffs', v, SIGNER[capacity]!, { capacity, decision: 'approved', reason: 'fine' });
      v = r.body.version;
    }
    const early = await step('activate', v, 'sla-manager', { reason: 'go-live' });
    expect(early.status).toBe(409);
    expect(early.body.error.details[0]).toMatchObject({ path: 'module.masterId' });

    masterVersion = await activate(masterId, 1);
    const live = await step('activate', v, 'sla-manager', { reason: 'go-live' });
    expect(live.status, JSON.stringify(live.body)).toBe(200);
    await settle(app);
  });

  it('reads a schedule’s effective terms with the source of each: the master’s rule where policy says, the schedule’s own elsewhere', async () => {
    const r = await app.call('GET', `/v1/agreements/${scheduleId}/effective-terms`, { as: 'viewer' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      agreementId: scheduleId,
      module: 'schedule',
      master: { id: masterId, version: masterVersion, status: 'active' },
    });
    const fromMaster = { from: 'master', agreementId: masterId, version: masterVersion };
    expect(r.body.sources.jurisdiction).toEqual({ ...fromMaster, rule: 'master' });
    expect(r.body.sources.reviewCycle).toEqual({ ...fromMaster, rule: 'master' });
    expect(r.body.sources.objectives).toMatchObject({
      from: 'schedule',
      rule: 'own',
      agreementId: scheduleId,
    });
    // The schedule's cap of 15 % is below the master's 20 %: the lower one binds, and it is the schedule's own.
    expect(r.body.terms.credits.capPercent).toBe(15);
    expect(r.body.sources['credits.capPercent']).toEqual({
      from: 'schedule',
      rule: 'lowest',
      agreementId: scheduleId,
      version: r.body.version,
    });
    // Customer responsibilities accumulate: the master's two, then the schedule's one addition (no duplicate).
    expect(r.body.terms.customerResponsibilities).toEqual([
      'name a service manager',
      'report incidents through the service desk',
      'keep API keys secret',
    ]);
    expect(r.body.sources.customerResponsibilities).toEqual({ ...fromMaster, rule: 'union', from: 'both' });
    expect(r.body.terms.liabilityCap).toEqual({ currency: 'EUR', amount: 250000 });

    const plain = await app.call('GET', `/v1/agreements/${masterId}/effective-terms`, { as: 'viewer' });
    expect(plain.body).toMatchObject({ module: 'master' });
    expect(plain.body.sources.jurisdiction).toMatchObject({
      from: 'schedule',
      rule: 'own',
      agreementId: masterId,
    });
  });

  it('reflects a new master version in the schedule once it is in force; a material master change needs the lifecycle', async () => {
    // An administrative change (the review date) is in force at once: the schedule's terms show the new version.
    const admin = await app.call('PATCH', `/v1/agreements/${masterId}`, {
      as: 'sla-manager',
      body: { reviewCycle: { everyMonths: 6, nextReviewDate: '2026-09-01' }, reason: 'half-yearly reviews' },
      headers: { 'if-match': `"${masterVersion}"` },
    });
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
    const r = await app.call('GET', `/v1/agreements/${scheduleId}/effective-terms`, { as: 'viewer' });
    expect(r.body.terms.reviewCycle).toEqual({ everyMonths: 6, nextReviewDate: '2026-09-01' });
    expect(r.body.sources.reviewCycle).toMatchObject({ agreementId: masterId, version: admin.body.version });

    // A material change (the governing law) cannot be patched into force: it is a change request, signed off.
    const material = await app.call('PATCH', `/v1/agreements/${masterId}`, {
      as: 'sla-manager',
      body: { jurisdiction: { governingLaw: 'Ireland', country: 'IE' }, reason: 'move the law' },
      headers: { 'if-match': `"${admin.body.version}"` },
    });
    expect(material.status).toBe(409);
    const after = await app.call('GET', `/v1/agreements/${scheduleId}/effective-terms`, { as: 'viewer' });
    expect(after.body.terms.jurisdiction).toEqual({ governingLaw: 'England and Wales', country: 'GB' });
  });

  it('keeps the master’s caps out of a schedule’s reach: no schedule edit or change request raises, drops or overrides them, and the master’s own caps change only with a new master agreement', async () => {
    const ask = (id: string, proposed: object) =>
      app.call('POST', `/v1/agreements/${id}/change-requests`, {
        as: 'sla-manager',
        body: { summary: 'cap change', why: 'the customer asked', proposed },
      });
    const schedule = await app.call('GET', `/v1/agreements/${scheduleId}`, { as: 'viewer' });
    expect(schedule.body).toMatchObject({ status: 'active', credits: { capPercent: 15 } });
    const credits = schedule.body.credits as Record<string, unknown>;

    const raise = await ask(scheduleId, { credits: { ...credits, capPercent: 50 } });
    expect(raise.status).toBe(422);
    expect(raise.body.error.details).toEqual([
      {
        path: 'proposed.credits.capPercent',
        problem: '50 is above the master’s cap of 20% (policy: lowest)',
      },
    ]);
    const { capPercent: _c, ...uncapped } = credits;
    const drop = await ask(scheduleId, { credits: uncapped });
    expect(drop.status).toBe(422);
    expect(drop.body.error.details).toEqual([
      // Credits stated without a cap are capped at 100 % (the schema's default): above the master's.
      {
        path: 'proposed.credits.capPercent',
        problem: '100 is above the master’s cap of 20% (policy: lowest)',
      },
    ]);
    const law = await ask(scheduleId, { jurisdiction: { governingLaw: 'New York', country: 'US' } });
    expect(law.status).toBe(422);
    expect(law.body.error.details[0]).toMatchObject({ path: 'proposed.jurisdiction' });

    // A draft schedule: an edit that raises its cap above the master's is refused as at drafting.
    const draft = await app.call('POST', `/v1/agreements/${masterId}/schedules`, {
      as: 'sla-manager',
      body: scheduleBody({ title: 'Schedule 2: payouts API', reason: 'a second schedule' }),
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const edit = await app.call('PATCH', `/v1/agreements/${draft.body.id}`, {
      as: 'sla-manager',
      body: { credits: { ...draft.body.credits, capPercent: 30 }, reason: 'a higher cap' },
      headers: { 'if-match': '"1"' },
    });
    expect(edit.status).toBe(422);
    expect(edit.body.error.details).toEqual([
      { path: 'credits.capPercent', problem: '30 is above the master’s cap of 20% (policy: lowest)' },
    ]);

    // The master's caps are its `module`, fixed: neither an edit nor a change request changes them (400).
    const master = await app.call('GET', `/v1/agreements/${masterId}`, { as: 'viewer' });
    const caps = { role: 'master', caps: { creditPercent: 40 } };
    const patched = await app.call('PATCH', `/v1/agreements/${masterId}`, {
      as: 'sla-manager',
      body: { module: caps, reason: 'raise the caps' },
      headers: { 'if-match': `"${master.body.version}"` },
    });
    expect(patched.status).toBe(400);
    expect(JSON.stringify(patched.body.error.details)).toContain('module');
    const requested = await ask(masterId, { module: caps });
    expect(requested.status).toBe(400);
    expect(JSON.stringify(requested.body.error.details)).toContain('module');
    const after = await app.call('GET', `/v1/agreements/${scheduleId}/effective-terms`, { as: 'viewer' });
    expect(after.body.terms.credits.capPercent).toBe(15);
    expect(after.body.terms.liabilityCap).toEqual({ currency: 'EUR', amount: 250000 });

    // Tightening a schedule's cap stays the schedule's to ask for.
    const lower = await ask(scheduleId, { credits: { ...credits, capPercent: 10 } });
    expect(lower.status, JSON.stringify(lower.body)).toBe(201);
    await settle(app);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { agreementBody, agreementVersion, serviceBody } from '../helpers/fixtures.js';
import {
  datesFromToday,
  daysFrom,
  daysFromToday,
  startTestApp,
  type TestApp,
  today,
} from '../helpers/local-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  const svc = await app.call('POST', '/v1/services', {
    as: 'sla-manager',
    body: serviceBody({ reason: 'onboarding' }),
  });
  expect(svc.status).toBe(201);
});
afterAll(async () => app.close());

const draft = (over = {}) =>
  agreementBody({
    ...datesFromToday(),
    ...over,
  });

async function create(over = {}) {
  const r = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: draft(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}

const step = (
  id: string,
  path: string,
  version: number,
  as = 'sla-manager',
  body: object = { reason: `step ${path}` },
) => app.call('POST', `/v1/agreements/${id}/${path}`, { as, body, headers: { 'if-match': `"${version}"` } });

describe('the agreement lifecycle over HTTP', () => {
  it('drafts, submits, collects every required sign-off, activates, and records one audit entry per change', async () => {
    const credits = {
      currency: 'EUR',
      monthlyCharge: 20000,
      tiers: [
        { belowPercent: 99.9, creditPercent: 10 },
        { belowPercent: 99, creditPercent: 25 },
      ],
      capPercent: 50,
    };
    const a = await create({ credits });
    expect(a.version).toBe(1);

    let r = await step(a.id, 'submit', 1);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('submitted');
    expect(r.headers.get('etag')).toBe('"2"');
    // Tier 1 with credits: service owner, business owner, legal, procurement, governance board, finance.
    const required = (r.body.requiredSignOffs as { capacity: string; rules: string[] }[])
      .map((x) => x.capacity)
      .sort();
    expect(required).toEqual([
      'business-owner',
      'finance',
      'governance-board',
      'legal',
      'procurement',
      'service-owner',
    ]);

    r = await step(a.id, 'activate', 2);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toContain('sign-off missing');

    const signers: [string, string][] = [
      ['service-owner', 'service-owner'],
      ['approver-business', 'business-owner'],
      ['approver-legal', 'legal'],
      ['approver-procurement', 'procurement'],
      ['approver-board', 'governance-board'],
      ['approver-finance', 'finance'],
    ];
    let version = 2;
    for (const [who, capacity] of signers) {
      r = await step(a.id, 'signoffs', version, who, {
        capacity,
        decision: 'approved',
        reason: `${capacity} reviewed`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      version = r.body.version;
    }
    expect(r.body.status).toBe('approved');

    r = await step(a.id, 'activate', version);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('active');
    version = r.body.version;

    const audit = await app.call('GET', `/v1/agreements/${a.id}/audit`, { as: 'auditor' });
    expect(audit.status).toBe(200);
    const entries = audit.body.items as {
      version: number;
      by: string;
      reason: string;
      change: string;
      diff: { path: string }[];
    }[];
    expect(entries.map((e) => e.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    expect(entries[0]).toMatchObject({
      change: 'create',
      by: 'local-sla-manager', // the token's subject, not its e-mail
      reason: 'initial draft',
    });
    expect(entries[1]!.diff.map((d) => d.path)).toContain('status');
    expect(entries.at(-1)).toMatchObject({ change: 'activate', reason: 'step activate' });

    const versions = await app.call('GET', `/v1/agreements/${a.id}/versions`, { as: 'auditor' });
    expect(versions.body.items.map((v: { status: string }) => v.status)).toEqual([
      'draft',
      'submitted',
      ...Array(5).fill('submitted'),
      'approved',
      'active',
    ]);
  });

  it('refuses a stale write with 409 and the current version, and a write without If-Match with 428', async () => {
    const a = await create();
    const ok = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { title: 'Renamed once', reason: 'clearer title' },
      headers: { 'if-match': '"1"' },
    });
    expect(ok.status).toBe(200);
    const stale = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { title: 'Renamed twice', reason: 'lost update' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.current).toMatchObject({ version: 2, title: 'Renamed once' });
    expect(stale.headers.get('etag')).toBe('"2"');
    const missing = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { title: 'No precondition', reason: 'x'.repeat(5) },
    });
    expect(missing.status).toBe(428);
    expect(missing.body.error.details[0].path).toBe('If-Match');
    const audit = await app.call('GET', `/v1/agreements/${a.id}/audit`, { as: 'auditor' });
    expect(audit.body.items).toHaveLength(2);
  });

  it('refuses a backdated effective date with 422 naming the field, and writes no audit entry', async () => {
    const r = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: draft({ effectiveFrom: daysFromToday(-1) }),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'effectiveFrom' }));
    const a = await create();
    const upd = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { effectiveFrom: '2020-01-01', reason: 'oops' },
      headers: { 'if-match': '"1"' },
    });
    expect(upd.status).toBe(422);
    expect(upd.body.error.details[0].path).toBe('effectiveFrom');
    const audit = await app.call('GET', `/v1/agreements/${a.id}/audit`, { as: 'auditor' });
    expect(audit.body.items).toHaveLength(1);
  });

  it('requires a reason for every change', async () => {
    const a = await create();
    const r = await app.call('POST', `/v1/agreements/${a.id}/submit`, {
      as: 'sla-manager',
      body: {},
      headers: { 'if-match': '"1"' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual(expect.objectContaining({ path: 'reason' }));
  });

  it('freezes the commitment after submission: material fields change only in draft', async () => {
    const a = await create();
    await step(a.id, 'submit', 1);
    const r = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { scope: { inclusions: ['everything'], exclusions: [] }, reason: 'widen scope' },
      headers: { 'if-match': '"2"' },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.details[0].path).toBe('scope');
    const admin = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { title: 'Administrative rename', reason: 'typo' },
      headers: { 'if-match': '"2"' },
    });
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
  });

  it('keeps separation of duties: the submitter cannot sign, and one person signs one capacity', async () => {
    const a = await create();
    await step(a.id, 'submit', 1, 'sla-manager');
    const first = await step(a.id, 'signoffs', 2, 'service-owner', {
      capacity: 'service-owner',
      decision: 'approved',
      reason: 'looks right',
    });
    expect(first.status).toBe(200);
    const wrongCapacity = await step(a.id, 'signoffs', 3, 'approver-legal', {
      capacity: 'business-owner',
      decision: 'approved',
      reason: 'looks right',
    });
    expect(wrongCapacity.status).toBe(403);
    const notRequired = await step(a.id, 'signoffs', 3, 'approver-legal', {
      capacity: 'legal',
      decision: 'approved',
      reason: 'looks right',
    });
    expect(notRequired.status).toBe(422);
    expect(notRequired.body.error.details[0].path).toBe('capacity');
  });

  it('asks for the sign-offs a tier change made necessary after submission before it activates', async () => {
    await app.call('POST', '/v1/services', {
      as: 'sla-manager',
      body: serviceBody({ id: 'svc_fx-rates', tier: 3 }),
    });
    const a = await create({ serviceId: 'svc_fx-rates' });
    let v = (await step(a.id, 'submit', 1)).body.version;
    v = (
      await step(a.id, 'signoffs', v, 'approver-business', {
        capacity: 'business-owner',
        decision: 'approved',
        reason: 'fine by us',
      })
    ).body.version;
    const r = await app.call('POST', `/v1/agreements/${a.id}/signoffs`, {
      as: 'admin',
      body: { capacity: 'service-owner', decision: 'approved', reason: 'owner signs' },
      headers: { 'if-match': `"${v}"` },
    });
    expect(r.status).toBe(403); // the admin holds no sign-off capacity
    // Sign as service owner through a token scoped to the new service.
    const owner = await app.tokens.sign(
      {
        sub: 'fx-owner',
        email: 'fx.owner@accord.local',
        'cognito:groups': 'service-owner',
        'custom:services': 'svc_fx-rates',
      },
      600,
    );
    const signed = await app.call('POST', `/v1/agreements/${a.id}/signoffs`, {
      token: owner,
      body: { capacity: 'service-owner', decision: 'approved', reason: 'owner signs' },
      headers: { 'if-match': `"${v}"` },
    });
    expect(signed.body.status).toBe('approved');
    // The service becomes tier 1 after approval: the governance board must now sign too.
    await app.call('PATCH', '/v1/services/svc_fx-rates', {
      as: 'sla-manager',
      body: { tier: 1, reason: 'now critical' },
      headers: { 'if-match': '"1"' },
    });
    const act = await step(a.id, 'activate', signed.body.version);
    expect(act.status).toBe(409);
    expect(act.body.error.missingSignOffs).toEqual(['governance-board']);
  });

  it('sends a rejected agreement back to draft', async () => {
    const a = await create();
    await step(a.id, 'submit', 1);
    const r = await step(a.id, 'signoffs', 2, 'approver-business', {
      capacity: 'business-owner',
      decision: 'rejected',
      reason: 'targets too low',
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('draft');
  });

  it('links only existing OLAs and UCs, and will not retire one that an active SLA depends on', async () => {
    const unknown = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: draft({ underpinnedBy: ['agr_01JZZZZZZZZZZZZZZZZZZZZZZZ'] }),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0]).toMatchObject({
      path: 'underpinnedBy[0]',
      problem: 'names no agreement',
    });

    const ola = await create({
      kind: 'OLA',
      title: 'Platform team OLA for the gateway',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'group-platform' },
        customer: { type: 'business-unit', businessUnit: 'payments' },
      },
    });
    // OLA: service owner signs; tier 1 adds the governance board.
    let v = (await step(ola.id, 'submit', 1)).body.version;
    v = (
      await step(ola.id, 'signoffs', v, 'service-owner', {
        capacity: 'service-owner',
        decision: 'approved',
        reason: 'looks right',
      })
    ).body.version;
    const board = await step(ola.id, 'signoffs', v, 'approver-board', {
      capacity: 'governance-board',
      decision: 'approved',
      reason: 'looks right',
    });
    expect(board.body.status).toBe('approved');
    v = (await step(ola.id, 'activate', board.body.version)).body.version;

    // A manager of retail banking alone may not draft on the payments service (scope follows the service):
    // the service reads as unknown.
    const foreign = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager-retail',
      body: draft({ businessUnit: 'retail-banking', underpinnedBy: [ola.id] }),
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details).toEqual([
      { path: 'serviceId', problem: 'names no service (svc_payments-gateway)' },
    ]);
    // On its own unit's service, it still cannot see the platform OLA, so cannot link it (nor learn it exists).
    const retailService = await app.call('POST', '/v1/services', {
      as: 'sla-manager-retail',
      body: serviceBody({ id: 'svc_retail-app', businessUnit: 'retail-banking', name: 'Retail app' }),
    });
    expect(retailService.status).toBe(201);
    const hidden = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager-retail',
      body: draft({
        serviceId: 'svc_retail-app',
        businessUnit: 'retail-banking',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'retail-banking' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        underpinnedBy: [ola.id],
      }),
    });
    expect(hidden.status).toBe(422);
    expect(hidden.body.error.details[0]).toMatchObject({
      path: 'underpinnedBy[0]',
      problem: 'names no agreement',
    });

    const sla = await create({ underpinnedBy: [ola.id] });
    let s = (await step(sla.id, 'submit', 1)).body.version;
    for (const [who, capacity] of [
      ['service-owner', 'service-owner'],
      ['approver-business', 'business-owner'],
      ['approver-board', 'governance-board'],
    ] as const) {
      s = (await step(sla.id, 'signoffs', s, who, { capacity, decision: 'approved', reason: 'looks right' }))
        .body.version;
    }
    const act = await step(sla.id, 'activate', s);
    expect(act.status, JSON.stringify(act.body)).toBe(200);

    const sunset = await step(ola.id, 'sunset', v);
    expect(sunset.status).toBe(409);
    expect(sunset.body.error.dependants).toEqual([sla.id]);
    // Expiring it by hand before its end date is no way around the dependency check: it is refused.
    const expire = await step(ola.id, 'expire', v);
    expect(expire.status).toBe(409);
    expect(expire.body.error.details[0].path).toBe('effectiveTo');
    const retire = await app.call('DELETE', `/v1/agreements/${ola.id}`, {
      as: 'sla-manager',
      body: { reason: 'replaced' },
      headers: { 'if-match': `"${v}"` },
    });
    expect(retire.status).toBe(409);
    expect((await app.call('GET', `/v1/agreements/${ola.id}`, { as: 'auditor' })).body.status).toBe('active');
  });

  it('retires softly: gone from lists, every version still readable', async () => {
    const a = await create({ title: 'An agreement soon retired' });
    const r = await app.call('DELETE', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { reason: 'no longer needed' },
      headers: { 'if-match': '"1"' },
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('retired');
    const list = await app.call('GET', '/v1/agreements?limit=200', { as: 'auditor' });
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(a.id);
    const retired = await app.call('GET', '/v1/agreements?status=retired', { as: 'auditor' });
    expect(retired.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
    expect((await app.call('GET', `/v1/agreements/${a.id}/versions/1`, { as: 'auditor' })).body.status).toBe(
      'draft',
    );
    const again = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { title: 'Back from the dead', reason: 'not allowed' },
      headers: { 'if-match': '"2"' },
    });
    expect(again.status).toBe(409);
  });

  it('refuses an agreement whose residency differs from its service', async () => {
    const r = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: draft({ dataResidency: { region: 'us-east-1', processingRegions: [] } }),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details[0].path).toBe('dataResidency.region');
  });
});

describe('listing agreements', () => {
  it('pages with a cursor that stays correct while others insert', async () => {
    const before = (
      await app.call('GET', '/v1/agreements?limit=200&serviceId=svc_payments-gateway', { as: 'auditor' })
    ).body.items.length;
    for (let i = 0; i < 5; i++) await create({ title: `Paged agreement ${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await app.call('GET', `/v1/agreements?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
        as: 'auditor',
      });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((x: { id: string }) => x.id));
      cursor = r.body.nextCursor;
      await create({ title: 'Inserted while paging' });
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(before + 5);
  });

  it('refuses a cursor replayed on other filters', async () => {
    const first = await app.call('GET', '/v1/agreements?limit=1', { as: 'auditor' });
    const r = await app.call('GET', `/v1/agreements?limit=1&kind=OLA&cursor=${first.body.nextCursor}`, {
      as: 'auditor',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('query.cursor');
  });

  it('filters by status, kind and expiry range', async () => {
    // Seeded straight into the store: one agreement matches every filter, each other one misses exactly one.
    const store = new SqliteAgreementStore(app.db);
    const seed = async (over: Partial<AgreementVersion>) => {
      const a = agreementVersion({ businessUnit: 'payments', serviceId: 'svc_payments-gateway', ...over });
      await store.create(a);
      return a.id;
    };
    // One reading of today: the filter and the check below must name the same day, even across midnight.
    const day = today();
    const match = await seed({ kind: 'OLA', status: 'expired', effectiveTo: daysFrom(day, 3) });
    const misses = [
      await seed({ kind: 'SLA', status: 'expired', effectiveTo: daysFrom(day, 3) }),
      await seed({ kind: 'OLA', status: 'active', effectiveTo: daysFrom(day, 3) }),
      await seed({ kind: 'OLA', status: 'expired', effectiveTo: daysFrom(day, -3) }),
    ];
    const r = await app.call('GET', `/v1/agreements?kind=OLA&status=expired&expiryFrom=${day}`, {
      as: 'auditor',
    });
    expect(r.status).toBe(200);
    const ids = r.body.items.map((a: { id: string }) => a.id);
    expect(ids).toContain(match);
    for (const miss of misses) expect(ids).not.toContain(miss);
    for (const a of r.body.items) {
      expect(a).toMatchObject({ kind: 'OLA', status: 'expired' });
      expect(a.effectiveTo >= day).toBe(true);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, daysFromToday, startTestApp, type TestApp, today } from '../helpers/local-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  const svc = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() });
  expect(svc.status).toBe(201);
});
afterAll(async () => app.close());

const base = agreementBody().objectives[0]!;
const draft = (over = {}) =>
  agreementBody({
    ...datesFromToday(),
    ...over,
  });
async function create(over = {}): Promise<{ id: string; version: number }> {
  const r = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: draft(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const ola = (target: number, over = {}) =>
  create({ kind: 'OLA', title: `Platform OLA at ${target}%`, objectives: [{ ...base, target }], ...over });

describe('the underpinning chain over HTTP', () => {
  it('reads the graph with each edge’s terms and the gaps of a serial chain that cannot carry the SLA', async () => {
    const uc = await ola(99.9);
    const mid = await ola(99.95, {
      underpinnedBy: [uc.id],
      underpinning: [{ objectiveId: 'availability', agreementId: uc.id }],
    });
    const sla = await create({
      underpinnedBy: [mid.id],
      underpinning: [{ objectiveId: 'availability', agreementId: mid.id, handoffMinutes: 10 }],
    });
    const g = await app.call('GET', `/v1/agreements/${sla.id}/chain`, { as: 'viewer' });
    expect(g.status, JSON.stringify(g.body)).toBe(200);
    expect(g.body.nodes.map((n: { id: string; level: number }) => [n.id, n.level])).toEqual([
      [sla.id, 0],
      [mid.id, 1],
      [uc.id, 2],
    ]);
    expect(g.body.edges[0]).toEqual({
      from: sla.id,
      to: mid.id,
      supports: [{ objectiveId: 'availability', mode: 'serial', handoffMinutes: 10 }],
    });

    // 99.95% on a 99.9% OLA: the middle OLA carries min(99.95, 99.9) = 99.9%, which meets the SLA's 99.9%;
    // the middle OLA itself promises more than what it rests on.
    const gaps = await app.call('GET', `/v1/agreements/${sla.id}/gaps`, { as: 'viewer' });
    expect(gaps.status).toBe(200);
    expect(
      gaps.body.findings.map((f: { agreementId: string; rule: string }) => [f.agreementId, f.rule]),
    ).toEqual([[mid.id, 'availability-composition']]);

    // Submitting the SLA records the findings for the approvers.
    const sub = await app.call('POST', `/v1/agreements/${sla.id}/submit`, {
      as: 'sla-manager',
      body: { reason: 'ready' },
      headers: { 'if-match': '"1"' },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    expect(sub.body.gapFindings.map((f: { rule: string }) => f.rule)).toEqual(['availability-composition']);

    const portfolio = await app.call('GET', '/v1/chain/gaps', { as: 'auditor' });
    expect(portfolio.status).toBe(200);
    expect(portfolio.body.analysed).toBeGreaterThanOrEqual(3);
  });

  it('refuses a link that would close a cycle with a 422 naming the cycle', async () => {
    const lower = await ola(99.9);
    const upper = await ola(99.9, { underpinnedBy: [lower.id] });
    const r = await app.call('PATCH', `/v1/agreements/${lower.id}`, {
      as: 'sla-manager',
      body: { underpinnedBy: [upper.id], reason: 'close the loop' },
      headers: { 'if-match': '"1"' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual([
      {
        path: 'underpinnedBy[0]',
        problem: `would close a cycle in the underpinning chain: ${lower.id} → ${upper.id} → ${lower.id}`,
      },
    ]);
  });

  it('refuses a redundant edge without a group, naming where', async () => {
    const r = await app.call('POST', '/v1/agreements', {
      as: 'sla-manager',
      body: draft({
        underpinning: [
          { objectiveId: 'availability', agreementId: 'agr_01JAAAAAAAAAAAAAAAAAAAAAAA', mode: 'redundant' },
        ],
      }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toContainEqual({
      path: 'underpinning[0].group',
      problem: 'is required for a redundant edge',
    });
  });

  it('serves a vendor scorecard and opens no task while no trigger fires', async () => {
    const card = await app.call('GET', '/v1/chain/vendors/card-processor/scorecard', { as: 'sla-manager' });
    expect(card.status, JSON.stringify(card.body)).toBe(200);
    expect(card.body.periods).toHaveLength(6);
    const open = await app.call('POST', '/v1/chain/vendors/card-processor/triggers', {
      as: 'sla-manager',
      body: { reason: 'monthly vendor review' },
    });
    expect([open.status, open.body.opened]).toEqual([200, []]);
    const viewer = await app.call('POST', '/v1/chain/vendors/card-processor/triggers', {
      as: 'viewer',
      body: { reason: 'monthly vendor review' },
    });
    expect(viewer.status).toBe(403);
  });

  it('records a joint service review of an OLA whose actions become tasks, and lists it', async () => {
    const o = await ola(99.9);
    const r = await app.call('POST', `/v1/agreements/${o.id}/reviews`, {
      as: 'sla-manager',
      body: {
        date: today(),
        attendees: [
          { name: 'Pia Platform', email: 'pia@bank.example', party: 'provider' },
          { name: 'Sam Manager', email: 'sam@bank.example', party: 'customer' },
        ],
        findings: ['two handoffs missed the 30-minute target'],
        actions: [
          {
            description: 'Automate the handoff page',
            owner: { name: 'Pia Platform', email: 'pia@bank.example' },
            dueDate: daysFromToday(30),
          },
        ],
        reason: 'monthly review',
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const task = await app.call('GET', `/v1/tasks/${r.body.actions[0].taskId}`, { as: 'sla-manager' });
    expect([task.status, task.body.kind, task.body.status]).toEqual([200, 'review-action', 'pending']);
    const list = await app.call('GET', `/v1/agreements/${o.id}/reviews`, { as: 'viewer' });
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([r.body.id]);
  });

  it('answers 404 for the chain of an agreement outside the caller’s scope', async () => {
    const a = await create({
      parties: {
        provider: { type: 'business-unit', businessUnit: 'payments' },
        customer: { type: 'business-unit', businessUnit: 'group-platform' },
      },
    });
    const r = await app.call('GET', `/v1/agreements/${a.id}/chain`, { as: 'sla-manager-retail' });
    expect([r.status, r.body.error.code]).toEqual([404, 'not_found']);
  });
});

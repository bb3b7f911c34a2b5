import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookHeaders } from '../../../shared/adapters/webhooks/signing.js';
import { agreementBody } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/local-app.js';
import { TEST_SECRET } from '../../helpers/notify.js';
import {
  advance,
  approveAndActivate,
  burnErrorBudget,
  outbox,
  settle,
  startWorkflowApp,
  TestClock,
} from '../../helpers/workflows.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const clock = new TestClock(T0);
let app: TestApp;
const OWNER = { name: 'Owen Service', email: 'owen.service@accord.local' };

async function activeAgreement(kind: 'SLA' | 'OLA', title: string): Promise<string> {
  const objective = {
    ...agreementBody().objectives[0]!,
    owner: OWNER,
    window: { type: 'rolling' as const, days: 7 },
  };
  const body = agreementBody({
    kind,
    title,
    effectiveFrom: new Date(clock.ms).toISOString().slice(0, 10),
    effectiveTo: '2027-03-01',
    reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
    objectives: [objective],
    ...(kind === 'OLA'
      ? {
          parties: {
            provider: { type: 'business-unit', businessUnit: 'payments' },
            customer: { type: 'business-unit', businessUnit: 'retail-banking' },
          },
        }
      : {
          credits: {
            currency: 'EUR',
            monthlyCharge: 5000,
            tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
            capPercent: 100,
          },
        }),
    escalation: [
      {
        level: 1,
        afterMinutes: 30,
        role: 'duty manager',
        contact: { name: 'Dee Duty', email: 'dee.duty@accord.local' },
      },
      {
        level: 2,
        afterMinutes: 240,
        role: 'head of service',
        contact: { name: 'Hal Head', email: 'hal.head@accord.local' },
      },
    ],
  });
  const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const id = a.body.id as string;
  await approveAndActivate(app, id);
  return id;
}

async function breach(agreementId: string): Promise<string> {
  const r = await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'sla-manager' });
  expect(r.body.status).toBe('breached');
  await settle(app);
  const list = await app.call('GET', `/v1/violations?agreementId=${agreementId}`, { as: 'auditor' });
  return list.body.items[0].id as string;
}

const remediation = async (vio: string) =>
  (await app.call('GET', `/v1/violations/${vio}/remediation`, { as: 'auditor' })).body;
const myTasks = async (as: string, vio: string) =>
  (await app.call('GET', `/v1/tasks?subjectId=${vio}`, { as })).body.items as {
    id: string;
    kind: string;
    externalRef: string;
    data: Record<string, unknown>;
  }[];
/**
 * The owner completes the violation's RCA task finding the target unrealistic (`rca` gives the root cause and any
 * proposal); answers the remediation once the workflow has moved on.
 */
async function rcaFindsTargetUnrealistic(vio: string, rca: { rootCause: string; proposedTarget?: number }) {
  const [task] = await myTasks('service-owner', vio);
  const r = await app.call('POST', `/v1/tasks/${task!.id}/complete`, {
    as: 'service-owner',
    body: {
      reason: 'analysed',
      rca: {
        timeline: [{ at: '2026-04-01T10:00:00Z', event: 'steady 0.5% errors' }],
        rootCause: rca.rootCause,
        conclusion: 'target-unrealistic',
        ...(rca.proposedTarget === undefined ? {} : { proposedTarget: rca.proposedTarget }),
      },
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await settle(app);
  return remediation(vio);
}
const mails = async (part: string) => (await outbox(app)).filter((m) => m.subject.includes(part));

const OTHER_TEAM_SECRET = 'whsec_b3RoZXItdGVhbS1vdGhlci10ZWFtLTE=';

beforeAll(async () => {
  app = await startWorkflowApp(clock, {
    // The team's Jira reaches the payments gateway's items; another unit's tool reaches none of them.
    ACCORD_INBOUND_WEBHOOK_TOOLS: JSON.stringify([
      {
        tool: 'jira',
        secrets: ['whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0', TEST_SECRET],
        services: ['svc_payments-gateway'],
      },
      { tool: 'snow', secrets: [OTHER_TEAM_SECRET], businessUnits: ['wealth-management'] },
    ]),
  });
  // Two days at 0.5% errors against a 0.1% budget, as ingestion would write them.
  await burnErrorBudget(app, T0);
});
afterAll(async () => app.close());

describe('the remediation workflow on the embedded default', () => {
  it('takes a violation from RCA through CAPA items (one overdue and escalated, one closed by a signed webhook) and the final credit to closure', async () => {
    const agr = await activeAgreement('SLA', 'Remediated SLA');
    const vio = await breach(agr);
    // The error-budget policy of tier 2: a spent budget freezes changes to the service and asks for an RCA.
    const gate = await app.call('GET', '/v1/services/svc_payments-gateway/change-gate', {
      as: 'service-owner',
    });
    expect(gate.status, JSON.stringify(gate.body)).toBe(200);
    expect(gate.body).toMatchObject({
      serviceId: 'svc_payments-gateway',
      tier: 2,
      allowed: false,
      consequences: ['change-freeze', 'mandatory-rca'],
    });
    expect(gate.body.reasons[0]).toContain('the error budget is spent');
    let rem = await remediation(vio);
    // Twice the budget spent → critical (the severity rules); a critical RCA is due 48 h after detection, owned by
    // the objective's owner.
    expect(rem).toMatchObject({
      status: 'rca-due',
      severity: 'critical',
      owner: OWNER,
      rcaDueAt: '2026-03-04T09:00:00.000Z',
    });
    const [rcaTask] = await myTasks('service-owner', vio);
    expect(rcaTask).toMatchObject({ kind: 'rca' });
    expect((await mails('RCA requested'))[0]!.to).toEqual(['owen.service@accord.local']);

    // An RCA without actions that claims a fix is refused; with them it is recorded.
    const bad = await app.call('POST', `/v1/tasks/${rcaTask!.id}/complete`, {
      as: 'service-owner',
      body: {
        reason: 'analysed',
        rca: {
          timeline: [{ at: '2026-03-01T10:00:00Z', event: 'errors rise' }],
          rootCause: 'a bad deploy',
          conclusion: 'fix',
        },
      },
    });
    expect(bad.status).toBe(422);
    const done = await app.call('POST', `/v1/tasks/${rcaTask!.id}/complete`, {
      as: 'service-owner',
      body: {
        reason: 'analysed',
        rca: {
          timeline: [{ at: '2026-03-01T10:00:00Z', event: 'errors rise after release 4.2' }],
          rootCause: 'release 4.2 exhausted the connection pool',
          contributing: { agreements: [], vendor: 'Acme DB' },
          evidence: ['grafana snapshot 123'],
          conclusion: 'fix',
          actions: [
            {
              kind: 'corrective',
              description: 'size the pool from load tests',
              owner: OWNER,
              dueDate: '2026-03-04',
            },
            {
              kind: 'preventive',
              description: 'pool saturation alert',
              owner: { name: 'Pia Prevent', email: 'pia.prevent@accord.local' },
              dueDate: '2026-03-20',
            },
          ],
        },
      },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await settle(app);
    rem = await remediation(vio);
    expect(rem.status).toBe('capa');
    expect(rem.capa.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['capa-1', 'open'],
      ['capa-2', 'open'],
    ]);

    // capa-1 is due at the end of 2026-03-04: reminders 48 h and 8 h before, then escalation along the matrix.
    clock.set('2026-03-03T01:00:00.000Z');
    await settle(app);
    clock.set('2026-03-04T17:00:00.000Z');
    await settle(app);
    await advance(app, clock, H);
    expect((await mails('Reminder: action capa-1')).map((m) => m.subject).sort()).toEqual([
      'Reminder: action capa-1 (size the pool from load tests) is due in 48 h',
      'Reminder: action capa-1 (size the pool from load tests) is due in 8 h',
    ]);
    clock.set('2026-03-05T01:00:00.000Z');
    await settle(app);
    await advance(app, clock, H);
    expect((await mails('Escalation (level 1): action capa-1')).map((m) => m.to)).toEqual([
      ['dee.duty@accord.local'],
    ]);
    expect(await mails('Escalation (level 2): action capa-1')).toEqual([]);
    // Closing needs every item: the workflow still waits.
    const [capa1] = (await myTasks('service-owner', vio)).filter((t) => t.kind === 'capa');
    const closed = await app.call('POST', `/v1/tasks/${capa1!.id}/complete`, {
      as: 'service-owner',
      body: { reason: 'done', resolution: 'pool sized to 400 from the load test' },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await settle(app);
    expect((await remediation(vio)).status).toBe('capa');

    // capa-2 is closed by the team's ticketing tool: a signed webhook naming its reference.
    const ref = (await remediation(vio)).capa[1].externalRef as string;
    const body = JSON.stringify({
      externalRef: ref,
      status: 'closed',
      resolution: 'alert live in prod',
      by: 'OPS-42',
    });
    const unsigned = await app.call('POST', '/v1/webhooks/tasks', {
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
    const forged = await app.call('POST', '/v1/webhooks/tasks', {
      rawBody: body,
      headers: webhookHeaders('whsec_Zm9yZ2VkLWZvcmdlZC1mb3JnZWQtZm9yZ2Vk', 'msg_1', clock.ms, body),
    });
    expect(forged.status).toBe(401);
    // Another team's tool, properly signed, cannot close it: for that tool the item does not exist.
    const otherTeam = await app.call('POST', '/v1/webhooks/tasks', {
      rawBody: body,
      headers: webhookHeaders(OTHER_TEAM_SECRET, 'msg_0', clock.ms, body),
    });
    expect(otherTeam.status).toBe(404);
    expect(otherTeam.body.error.details).toEqual([{ path: 'externalRef', problem: 'names no task' }]);
    const hook = await app.call('POST', '/v1/webhooks/tasks', {
      rawBody: body,
      headers: webhookHeaders(TEST_SECRET, 'msg_1', clock.ms, body),
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
    expect(hook.body.status).toBe('completed');
    const again = await app.call('POST', '/v1/webhooks/tasks', {
      rawBody: body,
      headers: webhookHeaders(TEST_SECRET, 'msg_1', clock.ms, body),
    });
    expect(again.body.status).toBe('completed');
    await settle(app);

    // Every item closed: the credit of March is final only once March has closed (the hourly finalisation).
    rem = await remediation(vio);
    expect(rem.status).toBe('capa');
    clock.set('2026-04-01T03:00:00.000Z');
    await app.container.objectives!.finalizeCredits();
    await settle(app);
    rem = await remediation(vio);
    expect(rem.status).toBe('closed');
    expect(rem.credit).toMatchObject({ final: true, creditPercent: 10 });
    expect(rem.history.map((h: { step: string }) => h.step)).toEqual([
      'opened',
      'rca-submitted',
      'capa-planned',
      'escalated',
      'capa-closed',
      'capa-closed',
      'credit-final',
      'closed',
    ]);
    expect(rem.history[5].by).toBe('jira:OPS-42');
    const [x] = (await app.call('GET', `/v1/violations/${vio}/workflows`, { as: 'auditor' })).body.items;
    expect(x.status).toBe('succeeded');
    expect(x.path.filter((s: string) => !s.includes('['))).toEqual([
      'PlanRemediation',
      'AwaitRca',
      'RcaDecision',
      'PlanCapa',
      'TrackCapa',
      'FinaliseCredit',
      'CreditDecision',
      'AwaitPeriodEnd',
      'FinaliseCredit',
      'CreditDecision',
      'Close',
    ]);
    expect(await mails('Remediation closed')).toHaveLength(1);
  });

  it('asks the SLA managers for a change request (a task) when the RCA finds the target unrealistic but proposes no terms', async () => {
    clock.set('2026-04-02T09:00:00.000Z');
    await burnErrorBudget(app, clock.ms);
    const agr = await activeAgreement('OLA', 'Unrealistic OLA');
    const vio = await breach(agr);
    const rem = await rcaFindsTargetUnrealistic(vio, {
      rootCause: 'the platform cannot do better than 99.5% without a second region',
    });
    expect(rem.status).toBe('closed');
    expect(rem.capa).toEqual([]);
    const change = (
      await app.call('GET', `/v1/tasks?kind=change-assessment&subjectId=${vio}`, { as: 'sla-manager' })
    ).body.items;
    expect(change).toHaveLength(1);
    expect(change[0].title).toContain('unrealistic');
    expect(rem.history.map((h: { step: string }) => h.step)).toEqual([
      'opened',
      'rca-submitted',
      'change-requested',
      'credit-final',
      'closed',
    ]);
  });

  it('opens a change-request record with the RCA’s proposed target when the RCA finds the target unrealistic', async () => {
    const agr = await activeAgreement('OLA', 'Unrealistic OLA with a proposal');
    const vio = await breach(agr);
    const rem = await rcaFindsTargetUnrealistic(vio, {
      rootCause: 'one region cannot do better than 99.5%',
      proposedTarget: 99.5,
    });
    expect(rem.status).toBe('closed');
    expect(rem.changeRequestId).toMatch(/^chg_/);
    expect(rem.changeRequestTaskId).toBeUndefined();
    const cr = await app.call('GET', `/v1/change-requests/${rem.changeRequestId}`, { as: 'auditor' });
    expect(cr.status, JSON.stringify(cr.body)).toBe(200);
    expect(cr.body).toMatchObject({
      agreementId: agr,
      source: 'rca',
      why: `the root cause analysis of ${vio} concluded that the target of availability cannot be met; the analysis is the provider's own (GET /v1/violations/${vio}/remediation)`,
      classification: { material: ['objectives'] },
    });
    // Red team, wave 35: every party reads the request; the RCA's root cause stays in the remediation.
    expect(JSON.stringify(cr.body)).not.toContain('one region cannot do better');
    expect(cr.body.proposed.objectives.map((o: { target: number }) => o.target)).toEqual([99.5]);
    // The change-request workflow runs: the provider's SLA managers have its assessment task.
    const assess = (
      await app.call('GET', `/v1/tasks?kind=change-assessment&subjectId=${rem.changeRequestId}`, {
        as: 'sla-manager',
      })
    ).body.items;
    expect(assess).toHaveLength(1);
    expect(
      (await app.call('GET', `/v1/tasks?kind=change-assessment&subjectId=${vio}`, { as: 'sla-manager' })).body
        .items,
    ).toEqual([]);
    const steps = rem.history.map((h: { step: string; detail: string }) => h.step);
    expect(steps).toEqual(['opened', 'rca-submitted', 'change-requested', 'credit-final', 'closed']);
    expect(rem.history[2].detail).toContain(rem.changeRequestId);
  });
});

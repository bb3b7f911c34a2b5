import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementBody } from '../helpers/fixtures.js';
import type { TestApp } from '../helpers/local-app.js';
import {
  approveAndActivate,
  burnErrorBudget,
  settle,
  startWorkflowApp,
  TestClock,
} from '../helpers/workflows.js';

const T0 = Date.parse('2026-03-30T09:00:00.000Z');
const clock = new TestClock(T0);
let app: TestApp;

/** Creates, signs off and activates an agreement on the payments gateway; answers its id. */
async function activeAgreement(over: Record<string, unknown>): Promise<string> {
  const body = agreementBody({
    effectiveFrom: '2026-03-30',
    effectiveTo: '2027-03-01',
    reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
    objectives: [{ ...agreementBody().objectives[0]!, window: { type: 'rolling' as const, days: 7 } }],
    ...over,
  });
  const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const id = a.body.id as string;
  await approveAndActivate(app, id);
  return id;
}

async function violationOf(agreementId: string): Promise<{ id: string; [k: string]: unknown }> {
  const r = await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'sla-manager' });
  expect(r.body.status, JSON.stringify(r.body)).toBe('breached');
  await settle(app);
  const list = await app.call('GET', `/v1/violations?agreementId=${agreementId}`, { as: 'auditor' });
  expect(list.body.items).toHaveLength(1);
  return list.body.items[0];
}

beforeAll(async () => {
  app = await startWorkflowApp(clock);
  // Two days at 0.5% errors against a 0.1% budget, as ingestion would write them.
  await burnErrorBudget(app, T0);
});
afterAll(async () => app.close());

describe('pass-through claims on the embedded default', () => {
  it('stores the capped claim against a UC when an SLA credit over its breach is finalised, without anyone calling the route', async () => {
    const uc = await activeAgreement({
      kind: 'UC',
      title: 'Card processor contract',
      parties: {
        provider: { type: 'vendor', vendorId: 'card-processor', name: 'Card Processor SA' },
        customer: { type: 'business-unit', businessUnit: 'payments' },
      },
      indemnification: [
        {
          id: 'credit-share',
          objectiveId: 'availability',
          sharePercent: 50,
          currency: 'EUR',
          capAmount: 200,
        },
      ],
    });
    const sla = await activeAgreement({
      title: 'Payments SLA with a pass-through',
      credits: {
        currency: 'EUR',
        monthlyCharge: 5000,
        tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
        capPercent: 100,
      },
      underpinnedBy: [uc],
      underpinning: [{ objectiveId: 'availability', agreementId: uc, mode: 'serial' }],
    });
    const ucVio = await violationOf(uc);
    const slaVio = await violationOf(sla);
    expect(slaVio.credit).toMatchObject({ amount: 500, period: { final: false } });

    // March has closed: the hourly finalisation makes the credit final, and the claims follow by themselves.
    clock.set('2026-04-01T03:00:00.000Z');
    expect(await app.container.objectives!.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
    await settle(app);
    const got = await app.call('GET', `/v1/violations/${slaVio.id}`, { as: 'auditor' });
    expect(got.status).toBe(200);
    // March at 99.5%: 10% of 5,000 EUR = 500 EUR; the UC's clause: 50% = 250, capped at 200; 300 EUR uncovered.
    expect(got.body.credit).toMatchObject({ amount: 500, currency: 'EUR', period: { final: true } });
    expect(got.body.passThrough).toMatchObject({
      total: 200,
      uncovered: 300,
      computedBy: 'system:credit-finalisation',
      computedAt: '2026-04-01T03:00:00.000Z',
    });
    expect(got.body.passThrough.claims).toHaveLength(1);
    expect(got.body.passThrough.claims[0]).toMatchObject({
      agreementId: uc,
      violationId: ucVio.id,
      clauseId: 'credit-share',
      amount: 200,
      currency: 'EUR',
    });
    expect(got.body.passThrough.claims[0].steps.map((s: { result: unknown }) => s.result)).toEqual([
      '500 EUR',
      250,
      200,
      200,
    ]);

    // A second finalisation computes nothing new; the route answers the same stored claims.
    clock.set('2026-04-01T04:00:00.000Z');
    expect(await app.container.objectives!.finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
    const asked = await app.call('POST', `/v1/violations/${slaVio.id}/pass-through`, {
      as: 'sla-manager',
      body: { reason: 'checking the claims by hand' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.passThrough).toEqual(got.body.passThrough);

    // The remediation workflow's credit step (FinaliseCredit, driven here directly rather than through RCA and
    // CAPA) records the claims in the violation's history beside the final credit.
    await app.container.workflows!.remediation.task({ task: 'credit', violationId: slaVio.id });
    const rem = (await app.call('GET', `/v1/violations/${slaVio.id}/remediation`, { as: 'auditor' })).body;
    const tail = rem.history.slice(-2) as { step: string; by: string; detail: string }[];
    expect(tail.map((h) => [h.step, h.by])).toEqual([
      ['credit-final', 'system:workflow-remediation'],
      ['pass-through', 'system:credit-finalisation'],
    ]);
    expect(tail[1]!.detail).toBe(
      `pass-through claims: 200 EUR from ${uc} (clause credit-share); total 200 EUR, 300 EUR not covered by any clause`,
    );
  });
});

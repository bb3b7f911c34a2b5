import { expect } from 'vitest';
import type { CreateAgreementBody } from '../../shared/schemas/agreement.js';
import { agreementBody, serviceBody } from './fixtures.js';
import { daysFrom, type TestApp, today } from './local-app.js';
import { approveAndActivate } from './workflows.js';

/**
 * The fixture SLA's body (payments' svc_payments-gateway for retail-banking, fixtures.ts) in force from today for a
 * year, its review due in 200 days: dates an agreement activated now may carry.
 */
export function slaInForceBody(over: Partial<CreateAgreementBody> = {}): CreateAgreementBody {
  const from = today(); // one reading: the three dates belong to the same day even across midnight
  return agreementBody({
    effectiveFrom: from,
    effectiveTo: daysFrom(from, 365),
    reviewCycle: { everyMonths: 12, nextReviewDate: daysFrom(from, 200) },
    ...over,
  });
}

/**
 * Gives a fresh app the service svc_payments-gateway of payments with one active SLA held by payments for
 * retail-banking (`slaInForceBody`), approved, activated and evaluated once; answers the agreement's id. Each step's
 * status is asserted (201 service, 201 agreement, 200 evaluation), so a broken fixture fails where it broke.
 */
export async function withOneActiveSla(app: TestApp): Promise<string> {
  expect((await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() })).status).toBe(
    201,
  );
  const a = await app.call('POST', '/v1/agreements', { as: 'sla-manager', body: slaInForceBody() });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  const agreementId: string = a.body.id;
  await approveAndActivate(app, agreementId);
  expect((await app.call('POST', `/v1/agreements/${agreementId}/evaluate`, { as: 'admin' })).status).toBe(
    200,
  );
  return agreementId;
}

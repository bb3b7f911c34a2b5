import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { contentProblems } from '../../../shared/domain/agreements/rules.js';
import { passThroughClaims } from '../../../shared/domain/chain/indemnity.js';
import { ConflictError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { cardProcessorUc } from '../../helpers/chain.js';
import { agreementBody, agreementVersion, principal } from '../../helpers/fixtures.js';

const CREDIT = {
  amount: 10_000,
  currency: 'EUR',
  periodStart: '2027-03-01T00:00:00.000Z',
  periodEnd: '2027-04-01T00:00:00.000Z',
};
const contributor = (agreementId: string) => ({
  agreementId,
  objectiveId: 'availability',
  violationId: `vio_${agreementId}`,
});
const clause = (over = {}) => ({
  id: 'credit-share',
  objectiveId: 'availability',
  sharePercent: 50,
  currency: 'EUR',
  capAmount: 3_000,
  ...over,
});

describe('pass-through claims', () => {
  it('caps a pass-through credit: 50% of 10,000 EUR is 5,000, capped at 3,000', () => {
    const r = passThroughClaims(CREDIT, [contributor('uc1')], () => [clause()]);
    expect(r.claims).toHaveLength(1);
    expect(r.claims[0]).toMatchObject({
      agreementId: 'uc1',
      clauseId: 'credit-share',
      amount: 3_000,
      currency: 'EUR',
    });
    expect(r.claims[0]!.steps.map((s) => [s.what, s.result])).toEqual([
      ['downstream credit', '10000 EUR'],
      ['share under clause credit-share', 5_000],
      ['cap of the clause', 3_000],
      ['left of the credit by earlier claims', 3_000],
    ]);
    expect([r.total, r.uncovered]).toEqual([3_000, 7_000]);
  });

  it('never claims more in total than the credit: 80% and 60% of 10,000 give 8,000 then the 2,000 left', () => {
    const r = passThroughClaims(CREDIT, [contributor('uc1'), contributor('uc2')], (id) => [
      clause({ sharePercent: id === 'uc1' ? 80 : 60, capAmount: 1e9 }),
    ]);
    expect(r.claims.map((c) => [c.agreementId, c.amount])).toEqual([
      ['uc1', 8_000],
      ['uc2', 2_000],
    ]);
    expect(r.uncovered).toBe(0);
  });

  it('names a clause in another currency with amount 0 instead of converting it', () => {
    const r = passThroughClaims(CREDIT, [contributor('uc1')], () => [clause({ currency: 'USD' })]);
    expect(r.claims[0]).toMatchObject({ amount: 0, currency: 'USD' });
    expect(r.claims[0]!.steps[1]!.calculation).toBe('the clause is in USD, the credit in EUR: not converted');
    expect(r.total).toBe(0);
  });

  it('refuses a clause on an SLA or on an objective the agreement does not have', () => {
    const sla = { ...agreementBody(), indemnification: [clause({ objectiveId: 'uptime' })] };
    expect(contentProblems(sla).map((p) => p.path)).toEqual([
      'indemnification[0]',
      'indemnification[0].objectiveId',
    ]);
  });

  it('stores the claims of a final credit on the violation, once, and refuses a credit not yet final', async () => {
    const agreements = new MemoryAgreementStore();
    const uc = cardProcessorUc({ indemnification: [clause()] });
    const sla = agreementVersion({
      id: 'agr_01SLA000000000000001',
      status: 'active',
      underpinnedBy: [uc.id],
      underpinning: [{ objectiveId: 'availability', agreementId: uc.id, mode: 'serial' }],
    });
    await agreements.create(uc);
    await agreements.create(sla);
    const violations = new MemoryViolationStore();
    const window = { start: CREDIT.periodStart, end: CREDIT.periodEnd };
    const record = (id: string, agreementId: string, final?: boolean) =>
      ({
        id,
        key: id,
        agreementId,
        objectiveId: 'availability',
        serviceId: 'svc_payments-gateway',
        businessUnit: 'payments',
        status: 'resolved',
        severity: 'major',
        detectedAt: CREDIT.periodEnd,
        evidence: { target: 99.9, compliance: 99, window },
        disputes: [],
        ...(final === undefined
          ? {}
          : { credit: { amount: 10_000, currency: 'EUR', period: { ...window, final } } }),
      }) as unknown as ViolationRecord;
    await violations.record(record('vio_sla', sla.id, true));
    await violations.record(record('vio_open', sla.id, false));
    await violations.record(record('vio_uc', uc.id));
    const chain = new ChainUseCases({
      agreements,
      violations,
      policy: loadChainPolicy(),
      clock: { now: () => new Date('2027-04-05T09:00:00Z') },
    });
    const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
    const v = await chain.passThrough(manager, 'vio_sla', 'March credit is final');
    expect(v.passThrough).toMatchObject({
      total: 3_000,
      uncovered: 7_000,
      computedBy: 'sam',
      reason: 'March credit is final',
      claims: [{ agreementId: uc.id, violationId: 'vio_uc', amount: 3_000 }],
    });
    expect((await violations.get('vio_sla'))!.passThrough!.claims[0]!.steps).toHaveLength(4);
    const again = await chain.passThrough(manager, 'vio_sla', 'again');
    expect(again.passThrough!.reason).toBe('March credit is final');
    await expect(chain.passThrough(manager, 'vio_open', 'too early')).rejects.toBeInstanceOf(ConflictError);
  });
});

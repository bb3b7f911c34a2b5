import { beforeEach, describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import { passThroughFinal } from '../../../shared/runtime/chain-hooks.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { type ObjectiveDeps, ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';
import { creditTerms, fill, objectiveAgreement, objectiveDeps } from '../objectives/helpers.js';

const H = 3_600_000;
const D = 24 * H;
const APRIL = Date.UTC(2026, 3, 1);
const MAY = Date.UTC(2026, 4, 1);
const SLA_ID = 'agr_01SLA000000000000001';
const UC_ID = 'agr_01UC0000000000000001';

describe('pass-through claims computed when an SLA credit becomes final', () => {
  let violations: MemoryViolationStore;
  let chain: ChainUseCases;
  let objectives: ObjectiveUseCases;
  let deps: ObjectiveDeps;
  let now: number;

  beforeEach(async () => {
    const agreements = new MemoryAgreementStore();
    await agreements.create(
      agreementVersion({
        id: UC_ID,
        kind: 'UC',
        status: 'active',
        businessUnit: 'retail',
        parties: {
          provider: { type: 'vendor', vendorId: 'card-processor', name: 'Card Processor SA' },
          customer: { type: 'business-unit', businessUnit: 'retail' },
        },
        indemnification: [
          {
            id: 'credit-share',
            objectiveId: 'availability',
            sharePercent: 50,
            currency: 'EUR',
            capAmount: 300,
          },
        ],
      }),
    );
    await agreements.create(
      agreementVersion({
        id: SLA_ID,
        status: 'active',
        businessUnit: 'retail',
        underpinnedBy: [UC_ID],
        underpinning: [{ objectiveId: 'availability', agreementId: UC_ID, mode: 'serial' }],
      }),
    );
    violations = new MemoryViolationStore();
    now = APRIL + 7 * D;
    const clock = { now: () => new Date(now) };
    chain = new ChainUseCases({ agreements, violations, policy: loadChainPolicy(), clock });
    const rollups = new MemoryRollupStore();
    // The SLA (10,000 EUR a month, 10% back below 99.9%) and the UC beneath it, on the same telemetry: each an
    // availability objective at 99.9% over 7 rolling days.
    const source = new StaticObjectivesSource([
      objectiveAgreement({ agreementId: SLA_ID, credits: creditTerms(10_000) }),
      objectiveAgreement({ agreementId: UC_ID }),
    ]);
    deps = objectiveDeps(source, () => now, {
      rollups,
      violations,
      onCreditsFinal: (final) => passThroughFinal(chain, final),
    });
    objectives = new ObjectiveUseCases(deps);
    // All of April at 0.5% errors against a 0.1% budget: both the SLA and the UC breach.
    await fill(rollups, 'svc_pay/availability', APRIL, MAY + 5 * 60_000, () => [995, 1000]);
    now = MAY - 12 * H;
    await objectives.evaluateAll();
    now = MAY + 5 * 60_000;
    await objectives.evaluateAll();
  });

  const aprilSla = async (): Promise<ViolationRecord> =>
    (await violations.list({ agreementId: SLA_ID })).find(
      (v) => v.credit?.period.end === '2026-05-01T00:00:00.000Z',
    )!;

  it('stores the capped claim against the UC when the SLA credit is finalised, without anyone calling the route', async () => {
    expect((await aprilSla()).passThrough).toBeUndefined();
    now = MAY + 10 * 60_000;
    expect(await objectives.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });

    const v = await aprilSla();
    const [ucViolation] = await violations.list({ agreementId: UC_ID });
    // April at 99.5%: 10% of 10,000 EUR = 1,000 EUR final credit; the UC's clause gives 50% = 500, capped at 300;
    // 700 EUR of the credit no clause covers.
    expect(v.credit).toMatchObject({ amount: 1_000, currency: 'EUR', period: { final: true } });
    expect(v.passThrough).toMatchObject({
      credit: { amount: 1_000, currency: 'EUR' },
      total: 300,
      uncovered: 700,
      computedBy: 'system:credit-finalisation',
      computedAt: new Date(MAY + 10 * 60_000).toISOString(),
      reason: 'the service credit of 2026-04-01T00:00:00.000Z to 2026-05-01T00:00:00.000Z became final',
    });
    expect(v.passThrough!.claims).toHaveLength(1);
    expect(v.passThrough!.claims[0]).toMatchObject({
      agreementId: UC_ID,
      clauseId: 'credit-share',
      violationId: ucViolation!.id,
      amount: 300,
      currency: 'EUR',
    });
    expect(v.passThrough!.claims[0]!.steps.map((s) => [s.what, s.result])).toEqual([
      ['downstream credit', '1000 EUR'],
      ['share under clause credit-share', 500],
      ['cap of the clause', 300],
      ['left of the credit by earlier claims', 300],
    ]);
  });

  it('computes nothing new on a second finalisation, and the route answers the same stored claims', async () => {
    now = MAY + 10 * 60_000;
    await objectives.finalizeCredits();
    const first = (await aprilSla()).passThrough;
    now = MAY + 70 * 60_000;
    expect(await objectives.finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
    expect((await aprilSla()).passThrough).toEqual(first);
    const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['retail'] });
    const viaRoute = await chain.passThrough(manager, (await aprilSla()).id, 'asked by hand');
    expect(viaRoute.passThrough).toEqual(first);
    expect(viaRoute.passThrough!.computedBy).toBe('system:credit-finalisation');
  });

  it('computes the claims of a final credit that an earlier run left without them on the next run (a retry)', async () => {
    now = MAY + 10 * 60_000;
    const failing = new ObjectiveUseCases({
      ...deps,
      onCreditsFinal: async () => {
        throw new Error('the chain was not reachable');
      },
    });
    await expect(failing.finalizeCredits()).rejects.toThrow('the chain was not reachable');
    expect((await aprilSla()).credit!.period.final).toBe(true);
    expect((await aprilSla()).passThrough).toBeUndefined();

    now = MAY + 70 * 60_000;
    expect(await objectives.finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
    expect((await aprilSla()).passThrough).toMatchObject({
      total: 300,
      computedAt: new Date(MAY + 70 * 60_000).toISOString(),
    });
  });

  it('stores no claims record for a violation of an agreement that rests on nothing', async () => {
    now = MAY + 10 * 60_000;
    await objectives.finalizeCredits();
    // The UC's own violation with a final credit (as if the UC carried credits): nothing rests beneath a UC.
    const [ucViolation] = await violations.list({ agreementId: UC_ID });
    const withCredit = { ...ucViolation!, credit: (await aprilSla()).credit };
    await violations.update(withCredit);
    expect(await chain.passThroughFinalCredits([withCredit])).toEqual({ stored: [], failed: [] });
    expect((await violations.get(ucViolation!.id))!.passThrough).toBeUndefined();
  });
});

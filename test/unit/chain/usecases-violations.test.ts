import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { chainViolation } from '../../helpers/chain-violations.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

const HIDDEN = 'an agreement outside your scope';
const MARCH = { start: '2027-03-01T00:00:00.000Z', end: '2027-04-01T00:00:00.000Z' };
const SLA = 'agr_01SLA000000000000001';
const OLA = 'agr_01OLA000000000000001';
const UC = 'agr_01UC0000000000000001';
const policy = loadChainPolicy();
const clock = { now: () => new Date('2027-04-02T00:00:00.000Z') };
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const viewer = (...units: string[]) => principal({ subject: 'vic', roles: ['viewer'], businessUnits: units });
const serial = (agreementId: string) => [
  { objectiveId: 'availability', agreementId, mode: 'serial' as const },
];
const finalCredit = (final = true) =>
  ({
    amount: 1000,
    currency: 'EUR',
    period: { start: MARCH.start, end: MARCH.end, final },
  }) as unknown as ViolationRecord['credit'];

/** Refuses to store one violation, as a store that fails would. */
class RefusingViolations extends MemoryViolationStore {
  override async update(v: ViolationRecord): Promise<void> {
    if (v.id === 'vio_refused') throw new Error('the store refused vio_refused');
    return super.update(v);
  }
}

describe('breach analysis and pass-through claims, through the use case', () => {
  let agreements: MemoryAgreementStore;
  let violations: RefusingViolations;
  let chain: ChainUseCases;
  let sla: AgreementVersion;

  beforeEach(async () => {
    agreements = new MemoryAgreementStore();
    violations = new RefusingViolations();
    // The payments SLA (customer retail-banking) rests on a platform OLA, which rests on a payments UC.
    sla = agreementVersion({ id: SLA, status: 'active', underpinnedBy: [OLA], underpinning: serial(OLA) });
    await agreements.create(sla);
    await agreements.create(
      agreementVersion({
        id: OLA,
        kind: 'OLA',
        status: 'active',
        serviceId: 'svc_platform',
        businessUnit: 'platform',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'platform' },
          customer: { type: 'business-unit', businessUnit: 'platform' },
        },
        underpinnedBy: [UC],
        underpinning: serial(UC),
      }),
    );
    await agreements.create(
      agreementVersion({
        id: UC,
        kind: 'UC',
        status: 'active',
        parties: {
          provider: { type: 'vendor', vendorId: 'carrier', name: 'Carrier' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
      }),
    );
    for (const v of [
      chainViolation('vio_sla', SLA, MARCH, { compliance: 99.5 }),
      chainViolation('vio_ola', OLA, MARCH, { compliance: 99, businessUnit: 'platform' }),
      chainViolation('vio_uc', UC, MARCH, { compliance: 98 }),
    ])
      await violations.record(v);
    chain = new ChainUseCases({ agreements, violations, clock, policy });
  });

  it('names a contributor the caller may read, hiding the agreements on its path that it may not', async () => {
    const r = await chain.breach(manager, 'vio_sla');
    expect(r).toMatchObject({
      violationId: 'vio_sla',
      agreementId: SLA,
      objectiveId: 'availability',
      period: MARCH,
      targetPercent: 99.9,
      compliancePercent: 99.5,
      examined: 2,
      outsideScope: 1,
    });
    expect(r.contributors.map((c) => [c.rank, c.agreementId, c.violationId])).toEqual([[1, UC, 'vio_uc']]);
    expect(r.contributors[0]!.path).toEqual([
      { agreementId: HIDDEN, objectiveId: HIDDEN, mode: 'serial' },
      { agreementId: UC, objectiveId: 'availability', mode: 'serial' },
    ]);
  });

  it('counts but does not name what failed below the SLA for a party to it, even where it reads that unit', async () => {
    const r = await chain.breach(viewer('retail-banking', 'platform'), 'vio_sla');
    expect([r.contributors, r.outsideScope, r.examined]).toEqual([[], 2, 2]);
  });

  it('answers a violation the caller reads neither as owner nor as party as one that does not exist', async () => {
    const e = await chain.breach(viewer('wealth'), 'vio_sla').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe('no violation vio_sla');
    const unknown = await chain.breach(manager, 'vio_nope').catch((x: unknown) => x);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toBe('no violation vio_nope');
  });

  it('decides a party on the version the violation was recorded under once the agreement is no longer in force', async () => {
    // Version 2 ended the SLA and named another customer: the violation (of version 1) is retail banking's.
    await agreements.append({
      ...sla,
      version: 2,
      status: 'expired',
      parties: { ...sla.parties, customer: { type: 'business-unit', businessUnit: 'wealth' } },
    });
    expect((await chain.breach(viewer('retail-banking'), 'vio_sla')).contributors).toEqual([]);
    await expect(chain.breach(viewer('wealth'), 'vio_sla')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('decides a party on the agreement in force when it is active, whatever version the violation names', async () => {
    await agreements.append({
      ...sla,
      version: 2,
      parties: { ...sla.parties, customer: { type: 'business-unit', businessUnit: 'wealth' } },
    });
    expect((await chain.breach(viewer('wealth'), 'vio_sla')).outsideScope).toBe(2);
    await expect(chain.breach(viewer('retail-banking'), 'vio_sla')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses pass-through claims to a reader who may not manage the violation', async () => {
    await violations.update({ ...(await violations.get('vio_sla'))!, credit: finalCredit() });
    const e = await chain.passThrough(viewer('payments'), 'vio_sla', 'claim').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe(
      'computing pass-through claims needs violation.manage where the violation lives',
    );
    expect((await violations.get('vio_sla'))!.passThrough).toBeUndefined();
    const unknown = await chain.passThrough(manager, 'vio_nope', 'claim').catch((x: unknown) => x);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toBe('no violation vio_nope');
  });

  it('refuses pass-through claims without a credit, naming the field', async () => {
    const e = await chain.passThrough(manager, 'vio_sla', 'claim').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      'violation vio_sla has no service credit; claims pass through a final credit only',
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'credit.period.final', problem: 'there is no credit' },
    ]);
  });

  it('refuses pass-through claims while the credit is not final, naming the field', async () => {
    await violations.update({ ...(await violations.get('vio_sla'))!, credit: finalCredit(false) });
    const e = await chain.passThrough(manager, 'vio_sla', 'claim').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      'violation vio_sla has a credit that is not final yet; claims pass through a final credit only',
    );
    expect((e as ConflictError).details).toEqual([{ path: 'credit.period.final', problem: 'is false' }]);
  });

  it('stores the claims of final credits one violation at a time: one that fails is reported, the others stored', async () => {
    const refused = chainViolation('vio_refused', SLA, MARCH, { credit: finalCredit() });
    const good = { ...(await violations.get('vio_sla'))!, credit: finalCredit() };
    await violations.record(refused);
    await violations.update(good);
    const r = await chain.passThroughFinalCredits([refused, good]);
    expect(r).toEqual({
      stored: ['vio_sla'],
      failed: [{ violationId: 'vio_refused', error: 'the store refused vio_refused' }],
    });
    expect((await violations.get('vio_sla'))!.passThrough).toMatchObject({
      computedBy: 'system:credit-finalisation',
      computedAt: '2027-04-02T00:00:00.000Z',
    });
    expect((await violations.get('vio_refused'))!.passThrough).toBeUndefined();
  });

  it('answers 503 where violations are not wired', async () => {
    const bare = new ChainUseCases({ agreements, clock, policy });
    const wanted = new UnavailableError('violations are not wired in this function');
    await expect(bare.breach(manager, 'vio_sla')).rejects.toThrow(wanted);
    await expect(bare.passThrough(manager, 'vio_sla', 'claim')).rejects.toThrow(wanted);
    await expect(bare.passThroughFinalCredits([])).rejects.toThrow(wanted);
    await expect(bare.passThroughFinalCredits([])).rejects.toBeInstanceOf(UnavailableError);
  });
});

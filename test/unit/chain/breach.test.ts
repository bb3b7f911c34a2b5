import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { chainCandidates, rankContributors } from '../../../shared/domain/chain/breach.js';
import { NotFoundError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion, UnderpinningEdge } from '../../../shared/schemas/agreement.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { chainViolation } from '../../helpers/chain-violations.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

const SLA = 'agr_01SLA000000000000001';
const UC1 = 'agr_01UC0000000000000001';
const UC2 = 'agr_01UC0000000000000002';
const UC3 = 'agr_01UC0000000000000003';
const MARCH = { start: '2027-03-01T00:00:00.000Z', end: '2027-04-01T00:00:00.000Z' };

function ag(id: string, kind: 'SLA' | 'UC', edges: Partial<UnderpinningEdge>[] = []): AgreementVersion {
  const underpinning = edges.map(
    (e) => ({ objectiveId: 'availability', mode: 'serial', ...e }) as UnderpinningEdge,
  );
  return agreementVersion({
    id,
    kind,
    status: 'active',
    underpinnedBy: underpinning.map((e) => e.agreementId),
    underpinning,
  });
}

function violation(
  id: string,
  agreementId: string,
  compliance: number,
  window: { start: string; end: string },
): ViolationRecord {
  return chainViolation(id, agreementId, window, { compliance });
}

/** SLA on three UCs in series; only UC2 breached in March (from the 10th to the 20th). */
function threeUcs() {
  const agreements = [
    ag(SLA, 'SLA', [{ agreementId: UC1 }, { agreementId: UC2 }, { agreementId: UC3 }]),
    ag(UC1, 'UC'),
    ag(UC2, 'UC'),
    ag(UC3, 'UC'),
  ];
  const byId = new Map(agreements.map((a) => [a.id, a]));
  return { agreements, byId };
}

describe('breach analysis through the chain', () => {
  it('finds the cause of a breach among three UCs: UC2, 99.2% against 99.9%, overlapping 10 of 31 days', () => {
    const { byId } = threeUcs();
    const candidates = chainCandidates(byId, SLA, 'availability').map((c) => ({
      ...c,
      violations:
        c.agreementId === UC2
          ? [
              violation('vio_uc2', UC2, 99.2, {
                start: '2027-03-10T00:00:00.000Z',
                end: '2027-03-20T00:00:00.000Z',
              }),
            ]
          : c.agreementId === UC3
            ? // UC3 breached in February: not the same period.
              [
                violation('vio_uc3', UC3, 98, {
                  start: '2027-02-01T00:00:00.000Z',
                  end: '2027-03-01T00:00:00.000Z',
                }),
              ]
            : [],
    }));
    expect(candidates.map((c) => c.agreementId)).toEqual([UC1, UC2, UC3]);
    const ranked = rankContributors(MARCH, candidates);
    expect(ranked).toEqual([
      expect.objectContaining({
        rank: 1,
        agreementId: UC2,
        violationId: 'vio_uc2',
        compliancePercent: 99.2,
        marginPoints: 0.7,
        overlap: { from: '2027-03-10T00:00:00.000Z', to: '2027-03-20T00:00:00.000Z', minutes: 14_400 },
        overlapRatio: 0.3226, // 10 / 31
      }),
    ]);
  });

  it('ranks by overlap, then margin: a whole-month miss before a larger but shorter one, serial before redundant', () => {
    const whole = violation('vio_whole', UC1, 99.8, MARCH);
    const short = violation('vio_short', UC2, 95, {
      start: '2027-03-30T00:00:00.000Z',
      end: '2027-04-05T00:00:00.000Z',
    });
    const backup = violation('vio_backup', UC3, 90, MARCH);
    const ranked = rankContributors(MARCH, [
      {
        agreementId: UC2,
        kind: 'UC',
        objectiveId: 'availability',
        depth: 1,
        path: [],
        mode: 'serial',
        violations: [short],
      },
      {
        agreementId: UC3,
        kind: 'UC',
        objectiveId: 'availability',
        depth: 1,
        path: [],
        mode: 'redundant',
        group: 'g',
        violations: [backup],
      },
      {
        agreementId: UC1,
        kind: 'UC',
        objectiveId: 'availability',
        depth: 2,
        path: [],
        mode: 'serial',
        violations: [whole],
      },
    ]);
    expect(ranked.map((c) => [c.rank, c.violationId, c.overlapRatio])).toEqual([
      [1, 'vio_whole', 1],
      [2, 'vio_short', 0.0645], // 2 of 31 days (the part after March is not counted)
      [3, 'vio_backup', 1],
    ]);
  });

  it('reads the violations through the use case, scoped: a contributor the caller may not read is counted', async () => {
    const agreements = new MemoryAgreementStore();
    const { agreements: list } = threeUcs();
    for (const a of list) await agreements.create(a);
    const hiddenUc = {
      ...list[3]!,
      id: 'agr_01UC0000000000000004',
      businessUnit: 'platform',
      serviceId: 'svc_platform',
    };
    hiddenUc.parties = {
      provider: { type: 'vendor', vendorId: 'v', name: 'V' },
      customer: { type: 'business-unit', businessUnit: 'platform' },
    };
    await agreements.create(hiddenUc);
    const sla = { ...list[0]!, version: 2 };
    sla.underpinnedBy = [...sla.underpinnedBy, hiddenUc.id];
    sla.underpinning = [
      ...sla.underpinning!,
      { objectiveId: 'availability', agreementId: hiddenUc.id, mode: 'serial' },
    ];
    await agreements.append(sla);
    const violations = new MemoryViolationStore();
    const slaBreach = violation('vio_sla', SLA, 99.5, MARCH);
    for (const v of [
      slaBreach,
      violation('vio_uc2', UC2, 99.2, { start: '2027-03-10T00:00:00.000Z', end: '2027-03-20T00:00:00.000Z' }),
      violation('vio_hidden', hiddenUc.id, 97, MARCH),
    ])
      await violations.record(v as unknown as ViolationRecord);
    const chain = new ChainUseCases({
      agreements,
      violations,
      clock: { now: () => new Date('2027-04-02T00:00:00Z') },
      policy: loadChainPolicy(),
    });
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    const r = await chain.breach(manager, 'vio_sla');
    expect(r).toMatchObject({ examined: 4, outsideScope: 1, targetPercent: 99.9, compliancePercent: 99.5 });
    expect(r.contributors.map((c) => [c.rank, c.agreementId])).toEqual([[1, UC2]]);
    expect(JSON.stringify(r)).not.toContain(hiddenUc.id);
    await expect(
      chain.breach(principal({ roles: ['sla-manager'], businessUnits: ['wealth'] }), 'vio_sla'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

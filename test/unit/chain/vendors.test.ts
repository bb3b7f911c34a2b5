import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import {
  firedTriggers,
  missedInARow,
  type ScoredViolation,
  scorePeriods,
} from '../../../shared/domain/chain/vendors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { cardProcessorUc } from '../../helpers/chain.js';
import { principal } from '../../helpers/fixtures.js';

const policy = loadChainPolicy();
const month = (m: number) => ({
  label: `2027-${String(m).padStart(2, '0')}`,
  start: Date.UTC(2027, m - 1, 1),
  end: Date.UTC(2027, m, 1),
});
const SIX = [1, 2, 3, 4, 5, 6].map(month);
const miss = (id: string, m: number, compliance: number, credit?: number): ScoredViolation => ({
  id,
  evidence: { window: { start: new Date(Date.UTC(2027, m - 1, 1)).toISOString() }, compliance },
  ...(credit === undefined
    ? {}
    : { credit: { amount: credit, currency: 'EUR', compliancePercent: compliance } }),
});

describe('the vendor scorecard', () => {
  it('fires the remediation trigger when a UC missed 2 periods in a row (May and June)', () => {
    const scores = scorePeriods(SIX, [miss('v5', 5, 99.1, 2500), miss('v6', 6, 98.7, 6250)]);
    expect(scores.map((s) => [s.period, s.missed, s.compliancePercent])).toEqual([
      ['2027-01', false, null],
      ['2027-02', false, null],
      ['2027-03', false, null],
      ['2027-04', false, null],
      ['2027-05', true, 99.1],
      ['2027-06', true, 98.7],
    ]);
    expect(missedInARow(scores)).toBe(2);
    expect(firedTriggers(policy.vendorTriggers, scores).map((t) => t.id)).toEqual(['missed-2-in-a-row']);
  });

  it('fires the renegotiation trigger on 3 misses in 6 periods without two in a row (Jan, Mar, May)', () => {
    const scores = scorePeriods(SIX, [miss('a', 1, 99), miss('b', 3, 99), miss('c', 5, 99)]);
    expect(missedInARow(scores)).toBe(0);
    expect(firedTriggers(policy.vendorTriggers, scores).map((t) => t.id)).toEqual(['missed-3-of-6']);
  });

  it('takes a met period’s compliance from the last evaluation in it, and sums the credits owed per currency', () => {
    const scores = scorePeriods(
      SIX,
      [miss('v6a', 6, 98.7, 6250), miss('v6b', 6, 99.2, 1000.5)],
      [
        { at: Date.UTC(2027, 3, 10), compliance: 99.95 },
        { at: Date.UTC(2027, 3, 30, 23), compliance: 99.97 },
      ],
    );
    expect(scores[3]).toEqual({
      period: '2027-04',
      compliancePercent: 99.97,
      missed: false,
      violationIds: [],
      creditsOwed: [],
    });
    expect(scores[5]!.creditsOwed).toEqual([{ currency: 'EUR', amount: 7250.5 }]);
  });

  it('opens one task per firing trigger for the UC’s owner, and not twice', async () => {
    const agreements = new MemoryAgreementStore();
    const uc = cardProcessorUc();
    await agreements.create(uc);
    const violations = new MemoryViolationStore();
    for (const [id, m] of [
      ['vio_1', 5],
      ['vio_2', 6],
    ] as const) {
      await violations.record({
        id,
        key: id,
        agreementId: uc.id,
        objectiveId: 'availability',
        serviceId: uc.serviceId,
        businessUnit: 'payments',
        detectedAt: new Date(Date.UTC(2027, m, 1)).toISOString(),
        evidence: {
          window: { start: new Date(Date.UTC(2027, m - 1, 1)).toISOString() },
          compliance: 99,
          target: 99.9,
        },
      } as unknown as ViolationRecord);
    }
    const tasks = new MemoryWorkTaskStore();
    const chain = new ChainUseCases({
      agreements,
      violations,
      tasks,
      policy,
      clock: { now: () => new Date('2027-06-20T12:00:00Z') },
    });
    const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
    const card = await chain.scorecard(manager, 'card-processor');
    expect(card.periods).toEqual(['2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06']);
    expect(card.objectives[0]).toMatchObject({ agreementId: uc.id, missedInARow: 2, missedPeriods: 2 });
    const first = await chain.openTriggeredTasks(manager, 'card-processor');
    expect(first.opened).toHaveLength(1);
    const task = await tasks.get(first.opened[0]!);
    expect(task).toMatchObject({
      kind: 'vendor-remediation',
      status: 'pending',
      subject: { type: 'agreement', id: uc.id },
      businessUnit: 'payments',
      assignees: { roles: ['sla-manager'] },
    });
    const again = await chain.openTriggeredTasks(manager, 'card-processor');
    expect([again.opened, again.existing]).toEqual([[], first.opened]);
    const nightly = await chain.nightly();
    // The UC underpins nothing active; its trigger's task of June is open already.
    expect(nightly).toEqual({ analysed: 0, findingsByRule: { 'underpins-nothing': 1 }, tasksOpened: 0 });
    const other = await chain.scorecard(
      principal({ roles: ['viewer'], businessUnits: ['wealth'] }),
      'card-processor',
    );
    expect([other.objectives, other.outsideScope]).toEqual([[], 1]);
  });
});

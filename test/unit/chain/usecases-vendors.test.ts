import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import { UnavailableError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { AgreementListQuery, AgreementStore } from '../../../shared/ports/agreements.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { cardProcessorUc } from '../../helpers/chain.js';
import { chainViolation } from '../../helpers/chain-violations.js';
import { agreementBody, agreementVersion, principal } from '../../helpers/fixtures.js';

const NOW = '2027-06-20T12:00:00.000Z';
const policy = loadChainPolicy();
const admin = principal({ subject: 'ada', roles: ['admin'] });
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const base = agreementBody().objectives[0]!;
const LATENCY = {
  ...base,
  id: 'latency',
  name: 'Response time',
  sli: { type: 'response-time' as const, thresholdMs: 500 },
  target: 99,
  owner: { name: 'Lena Latency', email: 'lena@example.com' },
};
const vendorParty = (vendorId: string) => ({
  provider: { type: 'vendor' as const, vendorId, name: vendorId },
  customer: { type: 'business-unit' as const, businessUnit: 'payments' },
});
/** A month's window in the UCs' zone (Europe/London), from the 10th to the 20th. */
const window = (month: string) => ({
  start: `2027-${month}-10T00:00:00.000Z`,
  end: `2027-${month}-20T00:00:00.000Z`,
});
const taskIdOf = (trigger: string, agreementId: string, objectiveId: string, period: string) =>
  `tsk_${createHash('sha256').update(`vendor|${trigger}|${agreementId}|${objectiveId}|${period}`).digest('hex').slice(0, 24)}`;
const credit = (amount: number, currency = 'EUR') =>
  ({ amount, currency, compliancePercent: 98 }) as unknown as ViolationRecord['credit'];

/** Records what the scorecard asks the agreements store for, and serves it two agreements a page. */
class PagedAgreements extends MemoryAgreementStore {
  readonly queries: AgreementListQuery[] = [];
  override async list(q: AgreementListQuery) {
    this.queries.push(q);
    return super.list({ ...q, limit: 2 });
  }
}

describe('the vendor scorecard and its triggers, through the use case', () => {
  let agreements: PagedAgreements;
  let violations: MemoryViolationStore;
  let tasks: MemoryWorkTaskStore;
  let uc: AgreementVersion;
  let hiddenUc: AgreementVersion;
  let historyAsked: unknown[][];
  let chain: ChainUseCases;

  beforeEach(async () => {
    agreements = new PagedAgreements();
    violations = new MemoryViolationStore();
    tasks = new MemoryWorkTaskStore();
    uc = cardProcessorUc({ id: 'agr_01V0000000000000001', objectives: [base, LATENCY] });
    // Not a UC, though it names the vendor as its provider: not on the vendor's scorecard.
    const ola = agreementVersion({
      id: 'agr_01V0000000000000002',
      kind: 'OLA',
      status: 'active',
      parties: vendorParty('card-processor'),
    });
    const otherUc = cardProcessorUc({ id: 'agr_01V0000000000000003', parties: vendorParty('other-vendor') });
    // A UC that ended: its misses open nothing at night. An active OLA names its vendor (not a UC: ignored).
    const endedUc = cardProcessorUc({
      id: 'agr_01V0000000000000004',
      status: 'expired',
      parties: vendorParty('gone-vendor'),
    });
    const goneOla = agreementVersion({
      id: 'agr_01V0000000000000005',
      kind: 'OLA',
      status: 'active',
      parties: vendorParty('gone-vendor'),
    });
    hiddenUc = cardProcessorUc({
      id: 'agr_01V0000000000000006',
      serviceId: 'svc_platform',
      businessUnit: 'platform',
      parties: {
        provider: { type: 'vendor', vendorId: 'card-processor', name: 'Card Processor SA' },
        customer: { type: 'business-unit', businessUnit: 'platform' },
      },
    });
    for (const a of [uc, ola, otherUc, endedUc, goneOla, hiddenUc]) await agreements.create(a);
    // The card processor's UC missed its latency objective in April, May and June (both triggers fire); its
    // availability objective never missed. The other vendor missed once; the ended UC three times.
    const vs = [
      chainViolation('vio_apr', uc.id, window('04'), { objectiveId: 'latency', credit: credit(0.1) }),
      chainViolation('vio_may', uc.id, window('05'), { objectiveId: 'latency', credit: credit(0.2) }),
      chainViolation('vio_jun', uc.id, window('06'), {
        objectiveId: 'latency',
        compliance: 97.5,
        credit: credit(1000.5, 'USD'),
      }),
      chainViolation('vio_other', otherUc.id, window('05')),
      ...['04', '05', '06'].map((m) => chainViolation(`vio_gone_${m}`, endedUc.id, window(m))),
    ];
    for (const v of vs) await violations.record(v);
    historyAsked = [];
    chain = new ChainUseCases({
      agreements,
      violations,
      tasks,
      policy,
      clock: { now: () => new Date(NOW) },
      evaluations: {
        history: async (...args: unknown[]) => {
          historyAsked.push(args);
          // One evaluation in January (the first month), one just before the window asked for.
          return args[1] === 'availability'
            ? [
                { at: '2027-01-15T00:00:00.000Z', compliance: 99.97 },
                { at: '2027-06-30T22:00:00.000Z', compliance: 99.95 },
              ]
            : [];
        },
      } as never,
    });
  });

  it('scores the vendor’s UCs month by month, in their zone, counting those outside the caller’s scope', async () => {
    const card = await chain.scorecard(manager, 'card-processor');
    expect(card.vendorId).toBe('card-processor');
    expect(card.asOf).toBe(NOW);
    expect(card.periods).toEqual(['2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06']);
    expect(card.outsideScope).toBe(1);
    expect(
      card.objectives.map((o) => [o.agreementId, o.objectiveId, o.missedInARow, o.missedPeriods]),
    ).toEqual([
      [uc.id, 'availability', 0, 0],
      [uc.id, 'latency', 3, 3],
    ]);
    const [availability, latency] = card.objectives;
    expect(availability!.periods.map((p) => [p.period, p.compliancePercent, p.missed])).toEqual([
      ['2027-01', 99.97, false],
      ['2027-02', null, false],
      ['2027-03', null, false],
      ['2027-04', null, false],
      ['2027-05', null, false],
      ['2027-06', 99.95, false],
    ]);
    expect(availability!.triggers).toEqual([]);
    expect(latency).toMatchObject({ title: uc.title, status: 'active', targetPercent: 99 });
    expect(latency!.periods.map((p) => p.violationIds)).toEqual([
      [],
      [],
      [],
      ['vio_apr'],
      ['vio_may'],
      ['vio_jun'],
    ]);
    expect(latency!.triggers).toEqual(
      policy.vendorTriggers.map((t) => ({
        id: t.id,
        task: t.task,
        because: t.because,
        taskId: taskIdOf(t.id, uc.id, 'latency', '2027-06'),
      })),
    );
    // The months of the UC's zone, from the start of January to the end of June (BST: 23:00 UTC).
    expect(historyAsked).toEqual([
      [uc.id, 'availability', '2027-01-01T00:00:00.000Z', '2027-06-30T23:00:00.000Z'],
      [uc.id, 'latency', '2027-01-01T00:00:00.000Z', '2027-06-30T23:00:00.000Z'],
    ]);
    // 0.1 + 0.2 EUR, to the cent; the June miss in dollars.
    expect(card.creditsOwed).toEqual([
      { currency: 'EUR', amount: 0.3 },
      { currency: 'USD', amount: 1000.5 },
    ]);
  });

  it('reads every page of the portfolio, and only the vendor’s UCs among them', async () => {
    const card = await chain.scorecard(admin, 'card-processor');
    expect(card.objectives.map((o) => [o.agreementId, o.objectiveId])).toEqual([
      [uc.id, 'availability'],
      [uc.id, 'latency'],
      [hiddenUc.id, 'availability'],
    ]);
    expect(card.outsideScope).toBe(0);
    expect(agreements.queries).toStrictEqual([
      { scope: { all: true }, limit: 1000 },
      { scope: { all: true }, limit: 1000, after: 'agr_01V0000000000000002' },
      { scope: { all: true }, limit: 1000, after: 'agr_01V0000000000000004' },
    ]);
  });

  it('opens a task per trigger for the objective’s owner and the unit’s SLA managers, due in 14 days', async () => {
    const out = await chain.openTriggeredTasks(manager, 'card-processor');
    const remediation = taskIdOf('missed-2-in-a-row', uc.id, 'latency', '2027-06');
    const renegotiation = taskIdOf('missed-3-of-6', uc.id, 'latency', '2027-06');
    expect(out.opened).toEqual([remediation, renegotiation]);
    expect(out.existing).toEqual([]);
    const periods = [
      { period: '2027-01', missed: false, compliancePercent: null },
      { period: '2027-02', missed: false, compliancePercent: null },
      { period: '2027-03', missed: false, compliancePercent: null },
      { period: '2027-04', missed: true, compliancePercent: 98 },
      { period: '2027-05', missed: true, compliancePercent: 98 },
      { period: '2027-06', missed: true, compliancePercent: 98 },
    ];
    const common = {
      workflow: 'remediation',
      executionId: '',
      token: '',
      subject: { type: 'agreement', id: uc.id },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      assignees: { emails: ['lena@example.com'], roles: ['sla-manager'] },
      status: 'pending',
      createdAt: NOW,
      updatedAt: NOW,
      dueAt: '2027-07-04T12:00:00.000Z',
      revision: 1,
    };
    expect(await tasks.get(remediation)).toEqual({
      ...common,
      id: remediation,
      kind: 'vendor-remediation',
      title: `Ask for a remediation plan on ${uc.title} (card-processor): Response time`,
      externalRef: `VND-${remediation.slice(4, 14).toUpperCase()}`,
      data: {
        vendorId: 'card-processor',
        trigger: 'missed-2-in-a-row',
        because: policy.vendorTriggers[0]!.because,
        objectiveId: 'latency',
        missedInARow: 3,
        periods,
      },
    });
    expect(await tasks.get(renegotiation)).toEqual({
      ...common,
      id: renegotiation,
      kind: 'renegotiation',
      title: `Renegotiate ${uc.title} (card-processor): Response time`,
      externalRef: `VND-${renegotiation.slice(4, 14).toUpperCase()}`,
      data: {
        vendorId: 'card-processor',
        trigger: 'missed-3-of-6',
        because: policy.vendorTriggers[1]!.because,
        objectiveId: 'latency',
        missedInARow: 3,
        periods,
      },
    });
    expect((await tasks.get(remediation))!.externalRef).toMatch(/^VND-[0-9A-F]{10}$/);
  });

  it('opens at night the tasks of every vendor with a UC in force, and none for a UC that ended', async () => {
    const night = await chain.nightly();
    expect(night.tasksOpened).toBe(2);
    expect((await tasks.list({} as never)).map((t) => t.subject.id)).toEqual([uc.id, uc.id]);
  });

  it('opens no task at night where tasks are not wired, and still analyses the portfolio', async () => {
    const bare = new ChainUseCases({ agreements, violations, policy, clock: { now: () => new Date(NOW) } });
    const night = await bare.nightly();
    expect(night.tasksOpened).toBe(0);
    expect(night.findingsByRule['underpins-nothing']).toBeGreaterThan(0);
  });

  it('answers 503 where violations or tasks are not wired', async () => {
    const noViolations = new ChainUseCases({
      agreements,
      tasks,
      policy,
      clock: { now: () => new Date(NOW) },
    });
    await expect(noViolations.scorecard(manager, 'card-processor')).rejects.toThrow(
      new UnavailableError('violations are not wired in this function'),
    );
    const noTasks = new ChainUseCases({
      agreements,
      violations,
      policy,
      clock: { now: () => new Date(NOW) },
    });
    const e = await noTasks.openTriggeredTasks(manager, 'card-processor').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as Error).message).toBe('tasks are not wired in this function');
  });
});

describe('reading the portfolio page by page', () => {
  it('stops at a page that holds nothing, whatever cursor comes with it', async () => {
    const asked: AgreementListQuery[] = [];
    const store = {
      list: async (q: AgreementListQuery) => {
        asked.push(q);
        return { items: [], lastKey: 'agr_01NEXT' };
      },
    } as unknown as AgreementStore;
    const chain = new ChainUseCases({
      agreements: store,
      violations: new MemoryViolationStore(),
      policy,
      clock: { now: () => new Date(NOW) },
    });
    const card = await chain.scorecard(admin, 'card-processor');
    expect([card.objectives, card.outsideScope]).toEqual([[], 0]);
    expect(asked).toHaveLength(1);
  });

  it('gives up after 10,000 pages with a 503', async () => {
    let pages = 0;
    // A store that always has a next page (the same one: only the count matters).
    const page = { items: [cardProcessorUc()], lastKey: 'agr_01NEXT' };
    const store = {
      list: async () => {
        pages++;
        return page;
      },
    } as unknown as AgreementStore;
    const chain = new ChainUseCases({
      agreements: store,
      violations: new MemoryViolationStore(),
      policy,
      clock: { now: () => new Date(NOW) },
    });
    const e = await chain.scorecard(admin, 'card-processor').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as Error).message).toBe('the portfolio is too large to analyse in one request');
    expect(pages).toBe(10_000);
  }, 30_000);
});

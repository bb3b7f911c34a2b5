import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceReviewStore } from '../../../shared/adapters/memory/reviews.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import {
  BusinessRuleError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import { RecordReviewBody } from '../../../shared/schemas/chain.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { cardProcessorUc } from '../../helpers/chain.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

const AT = '2027-04-10T16:00:00.000Z';
const SLA = 'agr_01SLA000000000000001';
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const body = RecordReviewBody.parse({
  date: '2027-04-10',
  attendees: [
    { name: 'Pat Provider', email: 'pat@vendor.example', party: 'provider' },
    { name: 'Sam Manager', email: 'sam@bank.example', party: 'customer' },
  ],
  findings: ['March availability 99.2% against 99.9%'],
  actions: [
    {
      description: 'Send a remediation plan',
      owner: { name: 'Pat Provider', email: 'pat@vendor.example' },
      dueDate: '2027-04-30',
    },
    {
      description: 'Add a second carrier',
      owner: { name: 'Sam Manager', email: 'sam@bank.example' },
      dueDate: '2027-06-30',
    },
  ],
  reason: 'quarterly review',
});
const taskIdOf = (reviewId: string, n: number) =>
  `tsk_${createHash('sha256').update(`review|${reviewId}|${n}`).digest('hex').slice(0, 24)}`;

describe('joint service reviews, as recorded', () => {
  let agreements: MemoryAgreementStore;
  let tasks: MemoryWorkTaskStore;
  let reviews: MemoryServiceReviewStore;
  let chain: ChainUseCases;

  beforeEach(async () => {
    agreements = new MemoryAgreementStore();
    await agreements.create(cardProcessorUc());
    await agreements.create(agreementVersion({ id: SLA, status: 'active' }));
    tasks = new MemoryWorkTaskStore();
    reviews = new MemoryServiceReviewStore();
    let n = 0;
    chain = new ChainUseCases({
      agreements,
      tasks,
      reviews,
      policy: loadChainPolicy(),
      clock: { now: () => new Date(AT) },
      newId: (p) => `${p}_${++n}`,
    });
  });

  it('stores the review with numbered actions, each the id of the task opened for it', async () => {
    const uc = cardProcessorUc();
    const r = await chain.recordReview(manager, uc.id, body);
    const t1 = taskIdOf('rev_1', 1);
    const t2 = taskIdOf('rev_1', 2);
    expect(r).toEqual({
      id: 'rev_1',
      agreementId: uc.id,
      date: '2027-04-10',
      attendees: body.attendees,
      findings: body.findings,
      actions: [
        { id: 'act-1', ...body.actions[0]!, taskId: t1 },
        { id: 'act-2', ...body.actions[1]!, taskId: t2 },
      ],
      recordedAt: AT,
      recordedBy: 'sam',
      reason: 'quarterly review',
    });
    expect(await reviews.get('rev_1')).toEqual(r);
    expect(await tasks.get(t1)).toEqual({
      id: t1,
      kind: 'review-action',
      workflow: 'remediation',
      executionId: '',
      token: '',
      subject: { type: 'agreement', id: uc.id },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Review action (${uc.title}, 2027-04-10): Send a remediation plan`,
      assignees: { emails: ['pat@vendor.example'], roles: ['sla-manager'] },
      status: 'pending',
      createdAt: AT,
      updatedAt: AT,
      dueAt: '2027-04-30T23:59:59.000Z',
      externalRef: `REV-${t1.slice(4, 14).toUpperCase()}`,
      data: {
        reviewId: 'rev_1',
        actionId: 'act-1',
        description: 'Send a remediation plan',
        owner: { name: 'Pat Provider', email: 'pat@vendor.example' },
      },
      revision: 1,
    });
    expect((await tasks.get(t2))!.externalRef).toMatch(/^REV-[0-9A-F]{10}$/);
    expect(await chain.listReviews(manager, uc.id)).toEqual({ items: [r] });
  });

  it('refuses a review of an SLA, naming the agreement', async () => {
    const e = await chain.recordReview(manager, SLA, body).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('joint service reviews are held on OLAs and UCs');
    expect((e as BusinessRuleError).details).toEqual([{ path: 'agreementId', problem: `${SLA} is an SLA` }]);
    expect(await reviews.list(SLA)).toEqual([]);
  });

  it('refuses a reader who may not write the agreement, and hides one it may not read', async () => {
    const uc = cardProcessorUc();
    const viewer = principal({ roles: ['viewer'], businessUnits: ['payments'] });
    const e = await chain.recordReview(viewer, uc.id, body).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe(
      'recording a review needs write access to the agreement (its business unit)',
    );
    const stranger = principal({ roles: ['viewer'], businessUnits: ['wealth'] });
    await expect(chain.listReviews(stranger, uc.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers 503 where reviews are not wired', async () => {
    const bare = new ChainUseCases({
      agreements,
      policy: loadChainPolicy(),
      clock: { now: () => new Date(AT) },
    });
    const wanted = new UnavailableError('service reviews are not wired in this function');
    await expect(bare.recordReview(manager, cardProcessorUc().id, body)).rejects.toThrow(wanted);
    await expect(bare.listReviews(manager, cardProcessorUc().id)).rejects.toThrow(wanted);
    await expect(bare.listReviews(manager, cardProcessorUc().id)).rejects.toBeInstanceOf(UnavailableError);
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceReviewStore } from '../../../shared/adapters/memory/reviews.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import { BusinessRuleError, ForbiddenError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import { RecordReviewBody } from '../../../shared/schemas/chain.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { cardProcessorUc } from '../../helpers/chain.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

async function setup() {
  const agreements = new MemoryAgreementStore();
  const uc = cardProcessorUc();
  const sla = agreementVersion({ id: 'agr_01SLA000000000000001', status: 'active' });
  await agreements.create(uc);
  await agreements.create(sla);
  const tasks = new MemoryWorkTaskStore();
  const reviews = new MemoryServiceReviewStore();
  let n = 0;
  const chain = new ChainUseCases({
    agreements,
    tasks,
    reviews,
    policy: loadChainPolicy(),
    clock: { now: () => new Date('2027-04-10T16:00:00Z') },
    newId: (p) => `${p}_${++n}`,
  });
  return { chain, tasks, reviews, uc, sla };
}

const body = RecordReviewBody.parse({
  date: '2027-04-10',
  attendees: [
    { name: 'Pat Provider', email: 'pat@vendor.example', party: 'provider' },
    { name: 'Sam Manager', email: 'sam@bank.example', party: 'customer' },
  ],
  findings: ['March availability 99.2% against 99.9%: two carrier outages'],
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
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });

describe('joint service reviews', () => {
  it('records the review and makes each action a task for its owner, due on its deadline', async () => {
    const { chain, tasks, uc } = await setup();
    const r = await chain.recordReview(manager, uc.id, body);
    expect(r).toMatchObject({ id: 'rev_1', agreementId: uc.id, recordedBy: 'sam', findings: body.findings });
    const made = await Promise.all(r.actions.map((a) => tasks.get(a.taskId)));
    expect(made.map((t) => [t!.kind, t!.assignees.emails, t!.dueAt, t!.status])).toEqual([
      ['review-action', ['pat@vendor.example'], '2027-04-30T23:59:59.000Z', 'pending'],
      ['review-action', ['sam@bank.example'], '2027-06-30T23:59:59.000Z', 'pending'],
    ]);
    expect((await chain.listReviews(manager, uc.id)).items.map((x) => x.id)).toEqual(['rev_1']);
  });

  it('refuses a review of an SLA, and a reader who may not write the agreement', async () => {
    const { chain, uc, sla } = await setup();
    await expect(chain.recordReview(manager, sla.id, body)).rejects.toBeInstanceOf(BusinessRuleError);
    const viewer = principal({ roles: ['viewer'], businessUnits: ['payments'] });
    await expect(chain.recordReview(viewer, uc.id, body)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('wants at least two attendees, naming where', () => {
    const r = RecordReviewBody.safeParse({ ...body, attendees: [body.attendees[0]] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({
      path: ['attendees'],
      message: 'a joint review has at least two attendees',
    });
  });
});

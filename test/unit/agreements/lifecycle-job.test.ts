import { describe, expect, it } from 'vitest';
import { UlidGenerator } from '../../../shared/adapters/ids.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { AgreementLifecycleJob } from '../../../shared/usecases/lifecycle-job.js';
import { agreementVersion, service } from '../../helpers/fixtures.js';

async function setup(now: string) {
  const clock = { now: () => new Date(now) };
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  // Tier 3, an SLA without credits: the service owner and the customer's business owner sign.
  await services.create(service({ tier: 3 }));
  const useCases = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: new UlidGenerator(clock),
    signOffRules: loadSignOffRules(),
  });
  return { agreements, job: new AgreementLifecycleJob({ agreements, useCases, clock, pageSize: 2 }) };
}

const signed = {
  requiredSignOffs: [
    { capacity: 'service-owner' as const, rules: ['r'] },
    { capacity: 'business-owner' as const, rules: ['r'] },
  ],
  signOffs: [
    {
      capacity: 'service-owner' as const,
      decision: 'approved' as const,
      by: 'o',
      at: '2026-11-01T00:00:00Z',
    },
    {
      capacity: 'business-owner' as const,
      decision: 'approved' as const,
      by: 'b',
      at: '2026-11-01T00:00:00Z',
    },
  ],
};

describe('the scheduled agreement lifecycle', () => {
  it('activates an approved agreement on its effective date in its own time zone, and not a day early', async () => {
    // 23:30 UTC on 30 November is already 1 December in Auckland, still 30 November in London.
    const { agreements, job } = await setup('2026-11-30T23:30:00Z');
    const auckland = agreementVersion({
      status: 'approved',
      timeZone: 'Pacific/Auckland',
      effectiveFrom: '2026-12-01',
      ...signed,
    });
    const london = agreementVersion({
      status: 'approved',
      timeZone: 'Europe/London',
      effectiveFrom: '2026-12-01',
      ...signed,
    });
    await agreements.create(auckland);
    await agreements.create(london);
    const summary = await job.run();
    expect(summary.activated).toEqual([auckland.id]);
    const after = await agreements.get(auckland.id);
    expect(after).toMatchObject({
      status: 'active',
      version: 2,
      changedBy: 'system:agreement-lifecycle',
      change: 'activate',
    });
    expect((await agreements.get(london.id))?.status).toBe('approved');
  });

  it('expires an active agreement the day after its end date, across pages', async () => {
    const { agreements, job } = await setup('2027-12-01T10:00:00Z');
    const ended = [1, 2, 3].map(() =>
      agreementVersion({ status: 'active', effectiveFrom: '2026-12-01', effectiveTo: '2027-11-30' }),
    );
    const running = agreementVersion({
      status: 'active',
      effectiveFrom: '2026-12-01',
      effectiveTo: '2027-12-01',
    });
    for (const a of [...ended, running]) await agreements.create(a);
    const summary = await job.run();
    expect(summary.expired.sort()).toEqual(ended.map((a) => a.id).sort());
    expect((await agreements.get(running.id))?.status).toBe('active');
  });

  it('holds an SLA whose underpinning contract is not in force, and says why', async () => {
    const { agreements, job } = await setup('2026-12-01T10:00:00Z');
    const ola = agreementVersion({ kind: 'OLA', status: 'draft' });
    await agreements.create(ola);
    const sla = agreementVersion({
      status: 'approved',
      effectiveFrom: '2026-12-01',
      underpinnedBy: [ola.id],
      ...signed,
    });
    await agreements.create(sla);
    const summary = await job.run();
    expect(summary.activated).toEqual([]);
    expect(summary.held).toEqual([{ id: sla.id, reason: 'underpinning agreements are not in force' }]);
  });
});

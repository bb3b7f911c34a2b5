import { describe, expect, it, vi } from 'vitest';
import { UlidGenerator } from '../../../shared/adapters/ids.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { AgreementLifecycleJob, LIFECYCLE_PRINCIPAL } from '../../../shared/usecases/lifecycle-job.js';
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
    // London is not due yet: it is not even attempted, so it is not held either.
    expect(summary.held).toEqual([]);
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
    // Its last day is today: not even attempted (the use case would refuse it, and it would show as held).
    expect(summary.held).toEqual([]);
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

  it('leaves an approved agreement still missing a sign-off alone: neither activated nor held', async () => {
    const { agreements, job } = await setup('2026-12-01T10:00:00Z');
    const unsigned = agreementVersion({
      status: 'approved',
      effectiveFrom: '2026-12-01',
      requiredSignOffs: signed.requiredSignOffs,
      signOffs: [signed.signOffs[0]!],
    });
    await agreements.create(unsigned);
    expect(await job.run()).toEqual({ activated: [], expired: [], held: [] });
    expect((await agreements.get(unsigned.id))?.status).toBe('approved');
  });

  it('expires an agreement in a time zone ahead of UTC once its own day is over, though UTC is still on it', async () => {
    // 10:00 UTC on 1 December is already 2 December at UTC+14 (Kiritimati): an end date of 1 December has passed.
    const { agreements, job } = await setup('2027-12-01T10:00:00Z');
    const ahead = agreementVersion({
      status: 'active',
      timeZone: 'Pacific/Kiritimati',
      effectiveFrom: '2026-12-01',
      effectiveTo: '2027-12-01',
    });
    const london = agreementVersion({
      status: 'active',
      timeZone: 'Europe/London',
      effectiveFrom: '2026-12-01',
      effectiveTo: '2027-12-01',
    });
    await agreements.create(ahead);
    await agreements.create(london);
    const summary = await job.run();
    expect(summary.expired).toEqual([ahead.id]);
    expect(await agreements.get(ahead.id)).toMatchObject({
      status: 'expired',
      version: 2,
      changedBy: LIFECYCLE_PRINCIPAL.subject,
      reason: 'effective to 2027-12-01',
    });
  });

  it('never expires an active agreement without an end date', async () => {
    const { agreements, job } = await setup('2040-01-01T00:00:00Z');
    const open = agreementVersion({ status: 'active', effectiveFrom: '2026-12-01', effectiveTo: undefined });
    await agreements.create(open);
    expect(await job.run()).toEqual({ activated: [], expired: [], held: [] });
    expect((await agreements.get(open.id))?.status).toBe('active');
  });

  it('records why it activated: the effective date, as the system identity', async () => {
    const { agreements, job } = await setup('2026-12-01T10:00:00Z');
    const a = agreementVersion({ status: 'approved', effectiveFrom: '2026-12-01', ...signed });
    await agreements.create(a);
    await job.run();
    expect(await agreements.get(a.id)).toMatchObject({
      reason: 'effective from 2026-12-01',
      changedBy: 'system:agreement-lifecycle',
    });
  });

  it('lets a fault that is not a business rule surface instead of holding the agreement', async () => {
    const clock = { now: () => new Date('2026-12-01T10:00:00Z') };
    const agreements = new MemoryAgreementStore();
    await agreements.create(agreementVersion({ status: 'approved', effectiveFrom: '2026-12-01', ...signed }));
    const useCases = {
      activate: vi.fn(async () => {
        throw new Error('the database is gone');
      }),
    } as unknown as AgreementUseCases;
    const job = new AgreementLifecycleJob({ agreements, useCases, clock });
    await expect(job.run()).rejects.toThrow('the database is gone');
  });

  it('reads the agreements in pages of 200 unless told otherwise', async () => {
    const clock = { now: () => new Date('2026-12-01T10:00:00Z') };
    const agreements = new MemoryAgreementStore();
    const list = vi.spyOn(agreements, 'list');
    const job = new AgreementLifecycleJob({ agreements, useCases: {} as AgreementUseCases, clock });
    expect(await job.run()).toEqual({ activated: [], expired: [], held: [] });
    expect(list.mock.calls.map(([q]) => [q.status, q.limit, q.scope])).toEqual([
      ['approved', 200, { all: true }],
      ['active', 200, { all: true }],
    ]);
    expect(list.mock.calls[1]![0].expiryTo).toBe('2026-12-02');
  });

  it('pages past approved agreements it leaves alone to reach a due one on a later page', async () => {
    const { agreements, job } = await setup('2026-12-01T10:00:00Z');
    // Three approved agreements not due for a year fill more than a page of two; the due one sorts last.
    for (let i = 0; i < 3; i++)
      await agreements.create(
        agreementVersion({ status: 'approved', effectiveFrom: '2027-12-01', ...signed }),
      );
    const due = agreementVersion({ status: 'approved', effectiveFrom: '2026-12-01', ...signed });
    await agreements.create(due);
    expect(await job.run()).toEqual({ activated: [due.id], expired: [], held: [] });
  });
});

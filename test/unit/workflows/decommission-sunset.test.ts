import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { writeHistory } from '../../helpers/agreement-history.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// Decommissioning a service (wf.decommission.sunset): its active agreements sunset (SLAs first), those not yet in
// force retired, the service marked sunset, the parties told; refused before anything changes when an active
// agreement of another service depends on one of its OLAs or UCs.

const SVC = 'svc_payments-gateway';
const OWNER = { name: 'Owen Service', email: 'owen@example.com' };
const sam = principal({ subject: 'sam@example.com', roles: ['sla-manager'], businessUnits: ['payments'] });
const id = (n: number) => `agr_01DECOMMISSION${String(n).padStart(10, '0')}`;
const parties = (provider: string, customer: string) => ({
  provider: { type: 'business-unit' as const, businessUnit: provider },
  customer: { type: 'business-unit' as const, businessUnit: customer },
});

let w: WorkflowWorld;
let notify: MockInstance<Notifications['notify']>;
const requests = () => notify.mock.calls.map((c) => c[0] as NotifyRequest);
const agreement = (n: number, steps: Partial<AgreementVersion>[]) => writeHistory(w.agreements, id(n), steps);
const activeAs = (over: Partial<AgreementVersion>) =>
  [{}, { status: 'active', change: 'activate', ...over }] as const;
const statusOf = async (n: number) => (await w.agreements.get(id(n)))?.status;

beforeEach(async () => {
  w = await workflowWorld({ now: '2026-03-02T09:00:00.000Z' });
  notify = vi.spyOn(w.wf.notifications, 'notify');
});

describe('decommissioning a service', () => {
  it('sunsets its active agreements SLAs first, retires those not yet in force, marks the service sunset and tells the parties', async () => {
    // The SLA rests on the OLA: the OLA can end only once the SLA has.
    await agreement(1, [...activeAs({ kind: 'OLA', parties: parties('payments', 'operations') })]);
    await agreement(2, [...activeAs({ kind: 'SLA', underpinnedBy: [id(1)] })]);
    await agreement(3, [{}]);
    await agreement(4, [{}, { status: 'submitted', change: 'submit' }]);
    // A UC: its vendor party has no SLA managers here.
    await agreement(5, [
      {
        kind: 'UC',
        parties: {
          provider: { type: 'vendor', vendorId: 'acme', name: 'Acme Hosting' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
      },
      { status: 'approved', change: 'signoff:legal:approved' },
    ]);
    await agreement(6, [...activeAs({}), { status: 'expired', change: 'expire' }]);
    await agreement(7, [{ serviceId: 'svc_platform', businessUnit: 'platform' }]);
    const r = await w.wf.decommission.sunset(sam, SVC, 1, 'replaced by the new gateway');
    const service = {
      ...(await w.services.get(SVC)),
      status: 'sunset',
      sunsetAt: '2026-03-02T09:00:00.000Z',
      version: 2,
      changedAt: '2026-03-02T09:00:00.000Z',
      changedBy: 'sam@example.com',
      change: 'sunset',
      reason: 'replaced by the new gateway',
    };
    expect(r).toEqual({ service, sunset: [id(2), id(1)], retired: [id(3), id(4), id(5)] });
    expect(await w.services.get(SVC)).toEqual(service);
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(statusOf))).toEqual([
      'sunset',
      'sunset',
      'retired',
      'retired',
      'retired',
      'expired',
      'draft',
    ]);
    expect(await w.agreements.get(id(1))).toMatchObject({
      change: 'sunset',
      changedBy: 'sam@example.com',
      reason: `service ${SVC} decommissioned: replaced by the new gateway`,
    });
    expect(await w.agreements.get(id(3))).toMatchObject({
      change: 'retire',
      reason: `service ${SVC} decommissioned: replaced by the new gateway`,
    });
    expect(requests()).toEqual([
      {
        key: `decommission/${SVC}/2`,
        topic: `service:${SVC}`,
        event: 'service.sunset',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [
          { role: 'sla-manager', businessUnit: 'payments' },
          { role: 'sla-manager', businessUnit: 'operations' },
          { role: 'sla-manager', businessUnit: 'retail-banking' },
        ],
        subject: 'Service decommissioned: Payments gateway',
        paragraphs: [
          `Payments gateway (${SVC}) was decommissioned by sam@example.com: replaced by the new gateway.`,
          `Agreements sunset: ${id(2)}, ${id(1)}.`,
          `Agreements not yet in force, retired: ${id(3)}, ${id(4)}, ${id(5)}.`,
          'Their objectives are no longer evaluated.',
        ],
        links: [{ label: 'The service', url: `https://accord.example/v1/services/${SVC}` }],
        data: { serviceId: SVC, sunset: [id(2), id(1)], retired: [id(3), id(4), id(5)] },
      },
    ]);
  });

  it('says so when the service had no agreement, telling its own unit only', async () => {
    const r = await w.wf.decommission.sunset(sam, SVC, 1, 'never used');
    expect([r.sunset, r.retired]).toEqual([[], []]);
    expect(requests().map((q) => [q.lists, q.paragraphs])).toEqual([
      [
        [{ role: 'sla-manager', businessUnit: 'payments' }],
        [
          `Payments gateway (${SVC}) was decommissioned by sam@example.com: never used.`,
          'It had no active agreement.',
          'Their objectives are no longer evaluated.',
        ],
      ],
    ]);
  });

  it('skips an agreement retired while the others were being sunset', async () => {
    await agreement(1, [...activeAs({})]);
    await agreement(2, [{}]);
    const end = w.useCases.end.bind(w.useCases);
    vi.spyOn(w.useCases, 'end').mockImplementation(async (...args) => {
      const v = await end(...args);
      await w.useCases.retire(sam, id(2), 1, 'retired meanwhile');
      return v;
    });
    const retire = vi.spyOn(w.useCases, 'retire');
    const r = await w.wf.decommission.sunset(sam, SVC, 1, 'gone');
    expect([r.sunset, r.retired]).toEqual([[id(1)], []]);
    expect(retire).toHaveBeenCalledTimes(1);
    expect((await w.agreements.get(id(2)))?.reason).toBe('retired meanwhile');
  });

  it('reads every page of the service agreements', async () => {
    for (let n = 1; n <= 200; n++)
      await agreement(n, [...activeAs({}), { status: 'expired', change: 'expire' }]);
    await agreement(201, [...activeAs({})]);
    const r = await w.wf.decommission.sunset(sam, SVC, 1, 'gone');
    expect(r.sunset).toEqual([id(201)]);
  });
});

describe('a service other agreements rest on', () => {
  it('is refused, naming each active dependant of another service and what it rests on, and nothing changes', async () => {
    await agreement(1, [...activeAs({ kind: 'OLA' })]);
    await agreement(2, [...activeAs({ kind: 'UC' })]);
    await agreement(3, [{}]);
    await agreement(10, [...activeAs({ serviceId: 'svc_platform', underpinnedBy: [id(1), id(2)] })]);
    const e = await w.wf.decommission.sunset(sam, SVC, 1, 'gone').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `service ${SVC} underpins active agreements of other services: ${id(10)}, ${id(10)}`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'dependants', problem: `${id(10)} is active and depends on ${id(1)}` },
      { path: 'dependants', problem: `${id(10)} is active and depends on ${id(2)}` },
    ]);
    expect(await w.services.get(SVC)).toMatchObject({ version: 1 });
    expect(await Promise.all([1, 2, 3].map(statusOf))).toEqual(['active', 'active', 'draft']);
    expect(notify).not.toHaveBeenCalled();
  });

  it('counts dependants outside the caller scope without naming them', async () => {
    await agreement(1, [...activeAs({ kind: 'OLA' })]);
    await agreement(10, [...activeAs({ serviceId: 'svc_platform', underpinnedBy: [id(1)] })]);
    await agreement(11, [
      ...activeAs({
        serviceId: 'svc_platform',
        businessUnit: 'platform',
        parties: parties('platform', 'platform'),
        underpinnedBy: [id(1)],
      }),
    ]);
    const e = await w.wf.decommission.sunset(sam, SVC, 1, 'gone').catch((x: unknown) => x);
    expect((e as ConflictError).message).toBe(
      `service ${SVC} underpins active agreements of other services: ${id(10)}, 1 outside your scope`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'dependants', problem: `${id(10)} is active and depends on ${id(1)}` },
      { path: 'dependants', problem: 'an agreement outside your scope depends on it' },
    ]);
  });

  it('names only the count when every dependant is outside the caller scope', async () => {
    await agreement(1, [...activeAs({ kind: 'OLA' })]);
    await agreement(11, [
      ...activeAs({
        serviceId: 'svc_platform',
        businessUnit: 'platform',
        parties: parties('platform', 'platform'),
        underpinnedBy: [id(1)],
      }),
    ]);
    const e = await w.wf.decommission.sunset(sam, SVC, 1, 'gone').catch((x: unknown) => x);
    expect((e as ConflictError).message).toBe(
      `service ${SVC} underpins active agreements of other services: 1 outside your scope`,
    );
  });

  it('is not held back by dependants that are not active, are its own, or rest on an SLA or a retired agreement', async () => {
    await agreement(1, [...activeAs({ kind: 'OLA' })]);
    await agreement(2, [{ kind: 'OLA' }, { status: 'retired', change: 'retire' }]);
    await agreement(3, [...activeAs({ kind: 'SLA' })]);
    await agreement(10, [{ serviceId: 'svc_platform', underpinnedBy: [id(1)] }]);
    await agreement(11, [...activeAs({ serviceId: 'svc_platform', underpinnedBy: [id(2), id(3)] })]);
    await agreement(12, [...activeAs({ kind: 'SLA', underpinnedBy: [id(1)] })]);
    const r = await w.wf.decommission.sunset(sam, SVC, 1, 'gone');
    expect(r.sunset).toEqual([id(3), id(12), id(1)]);
  });
});

describe('who may decommission, and when', () => {
  it('answers not found for a service that does not exist, or that the caller may not see', async () => {
    const other = principal({
      subject: 'x@example.com',
      roles: ['sla-manager'],
      businessUnits: ['platform'],
    });
    for (const [p, s] of [
      [sam, 'svc_nowhere'],
      [other, SVC],
    ] as const) {
      const e = await w.wf.decommission.sunset(p, s, 1, 'gone').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as NotFoundError).message).toBe(`no service ${s}`);
      expect((e as NotFoundError).details).toEqual([{ path: 'serviceId', problem: 'names no service' }]);
    }
  });

  it('forbids it to someone who may see the service but not end its agreements', async () => {
    const auditor = principal({ subject: 'audrey@example.com', roles: ['auditor'] });
    const e = await w.wf.decommission.sunset(auditor, SVC, 1, 'gone').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe(
      'sunsetting a service ends its agreements: it needs agreement.end in its business unit',
    );
  });

  it('refuses a stale version, naming the current one', async () => {
    const e = await w.wf.decommission.sunset(sam, SVC, 3, 'gone').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VersionConflictError);
    expect((e as Error).message).toBe('stale write: you sent version 3, the current version is 1');
  });

  it('refuses a service already sunset', async () => {
    await w.wf.decommission.sunset(sam, SVC, 1, 'gone');
    const e = await w.wf.decommission.sunset(sam, SVC, 2, 'again').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(`service ${SVC} is already sunset`);
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is sunset' }]);
  });
});

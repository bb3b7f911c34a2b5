import { describe, expect, it, vi } from 'vitest';
import type { Service } from '../../../shared/schemas/service.js';
import { agreementWorld, approver, colleague, manager, owner } from '../../helpers/agreement-usecases.js';
import { agreementBody } from '../../helpers/fixtures.js';

// A change reads the agreement's service once: the service that authorized the write (its business unit) is the one
// whose tier the sign-off rules read, not a second read of it (wf-perf-6, docs/workflows.md).

const bea = approver('bea', 'business-owner');

/** The service store's reads of svc_payments-gateway, counted from now on. */
function countReads(services: { get(id: string): Promise<Service | undefined> }) {
  const spy = vi.spyOn(services, 'get');
  return () => spy.mock.calls.filter(([id]) => id === 'svc_payments-gateway').length;
}

describe('the service behind a change', () => {
  it('is read once when a draft is submitted', async () => {
    const { uc, services } = await agreementWorld();
    const v1 = await uc.create(manager, agreementBody());
    const reads = countReads(services);
    await uc.submit(colleague, v1.id, 1, 'ready for sign-off');
    expect(reads()).toBe(1);
  });

  it('is read once when an approved agreement is activated', async () => {
    const { uc, services } = await agreementWorld();
    const v1 = await uc.create(manager, agreementBody());
    await uc.submit(colleague, v1.id, 1, 'ready for sign-off');
    await uc.signOff(owner, v1.id, 2, { capacity: 'service-owner', decision: 'approved', reason: 'fine' });
    await uc.signOff(bea, v1.id, 3, { capacity: 'business-owner', decision: 'approved', reason: 'fine' });
    const reads = countReads(services);
    const v5 = await uc.activate(manager, v1.id, 4, 'go live');
    expect(v5.status).toBe('active');
    expect(reads()).toBe(1);
  });

  it('fixes the sign-offs by the tier of the service read to authorize the submission', async () => {
    // A store whose service changes tier between two reads: the sign-offs follow the read the write was authorized on.
    const { uc, services } = await agreementWorld({ tier: 3 });
    const v1 = await uc.create(manager, agreementBody());
    const real = services.get.bind(services);
    let n = 0;
    vi.spyOn(services, 'get').mockImplementation(async (id) => {
      const s = await real(id);
      return s && id === 'svc_payments-gateway' && ++n > 1 ? { ...s, tier: 1 } : s;
    });
    const v2 = await uc.submit(colleague, v1.id, 1, 'ready for sign-off');
    expect(v2.requiredSignOffs.map((r) => r.capacity)).toStrictEqual(['service-owner', 'business-owner']);
  });
});

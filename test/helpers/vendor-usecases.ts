import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { MemoryVendorStore } from '../../shared/adapters/memory/vendors.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { UsagePlans, VendorStore } from '../../shared/ports/vendors.js';
import { type VendorDeps, VendorUseCases } from '../../shared/usecases/vendors.js';
import { service } from './fixtures.js';

/** The admin who manages vendors in these tests. */
export const vendorAdmin: Principal = {
  subject: 'admin@accord.local',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

/** Usage plans that remember what was enrolled and withdrawn, and fail on demand. */
export class RecordingUsagePlans implements UsagePlans {
  readonly enrolled: [string, string][] = [];
  readonly withdrawn: string[] = [];
  failEnrol = false;
  failWithdraw = false;
  async enrol(vendorId: string, tier: string) {
    if (this.failEnrol) throw new Error('API Gateway is down');
    this.enrolled.push([vendorId, tier]);
    return { usagePlanKeyId: `apikey-${vendorId}`, usageKey: `usage-${vendorId}` };
  }
  async withdraw(id: string) {
    if (this.failWithdraw) throw new Error('API Gateway refused the withdrawal');
    this.withdrawn.push(id);
  }
}

/**
 * Vendor use cases on memory adapters, at a settable instant, with the payments gateway and the core ledger
 * registered, keys `ak_test_key_<n>` and key ids `key_01TEST<n>` numbered from 1, and background errors recorded.
 */
export async function vendorFixture(startMs: number, over: Partial<VendorDeps> = {}) {
  const clock = { ms: startMs, now: () => new Date(clock.ms) };
  const plans = new RecordingUsagePlans();
  const store = new MemoryVendorStore();
  const services = new MemoryServiceStore();
  await services.create(service());
  await services.create(service({ id: 'svc_core-ledger', name: 'Core ledger' }));
  const background: [string, unknown][] = [];
  let ids = 0;
  let keys = 0;
  const deps: VendorDeps = {
    vendors: store as VendorStore,
    services,
    usagePlans: plans,
    clock,
    ids: { next: () => `01TEST${String(++ids).padStart(4, '0')}` },
    newKey: () => `ak_test_key_${String(++keys).padStart(4, '0')}`,
    onBackgroundError: (what, err) => background.push([what, err]),
    ...over,
  };
  return { vendors: new VendorUseCases(deps), store, plans, services, clock, background, deps };
}

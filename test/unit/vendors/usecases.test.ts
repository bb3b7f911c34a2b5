import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { MemoryVendorStore } from '../../../shared/adapters/memory/vendors.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { ConflictError, UnauthenticatedError } from '../../../shared/domain/errors.js';
import type { UsagePlans, VendorStore } from '../../../shared/ports/vendors.js';
import { hashApiKey, VendorUseCases } from '../../../shared/usecases/vendors.js';
import { service } from '../../helpers/fixtures.js';

const admin: Principal = {
  subject: 'admin@accord.local',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};
const T0 = Date.parse('2026-03-02T09:00:00Z');

class RecordingPlans implements UsagePlans {
  readonly enrolled: [string, string][] = [];
  readonly withdrawn: string[] = [];
  failEnrol = false;
  async enrol(vendorId: string, tier: string) {
    if (this.failEnrol) throw new Error('API Gateway is down');
    this.enrolled.push([vendorId, tier]);
    return { usagePlanKeyId: `apikey-${vendorId}`, usageKey: `usage-${vendorId}` };
  }
  async withdraw(id: string) {
    this.withdrawn.push(id);
  }
}

let now = T0;
let plans: RecordingPlans;
let store: MemoryVendorStore;
let vendors: VendorUseCases;
let n = 0;

beforeEach(async () => {
  now = T0;
  plans = new RecordingPlans();
  store = new MemoryVendorStore();
  const services = new MemoryServiceStore();
  await services.create(service());
  vendors = new VendorUseCases({
    vendors: store,
    services,
    usagePlans: plans,
    clock: { now: () => new Date(now) },
    ids: { next: () => `01TEST${String(++n).padStart(8, '0')}` },
  });
});

const create = (using: VendorUseCases = vendors) =>
  using.create(admin, {
    id: 'acme-mon',
    name: 'Acme',
    tier: 'premium',
    bindings: [{ serviceId: 'svc_payments-gateway' }],
    reason: 'onboarding',
  });

describe('vendor keys over time', () => {
  it("stores only the hash of a new key and enrols the vendor in its tier's usage plan", async () => {
    const { apiKey, keyId } = await create();
    expect(plans.enrolled).toEqual([['acme-mon', 'premium']]);
    expect(await store.findKey(hashApiKey(apiKey))).toEqual({
      keyId,
      vendorId: 'acme-mon',
      tier: 'premium',
      usageKey: 'usage-acme-mon',
    });
    expect(JSON.stringify(await store.get('acme-mon'))).not.toContain(apiKey);
  });

  it('authenticates as the vendor with its usage key, whatever it is asked for', async () => {
    const { apiKey, keyId } = await create();
    expect(await vendors.authenticate(apiKey)).toEqual({
      vendorId: 'acme-mon',
      tier: 'premium',
      keyId,
      usageKey: 'usage-acme-mon',
    });
    expect(await vendors.authenticate(`${apiKey}x`)).toBeUndefined();
  });

  it('keeps the old key working through the overlap and stops it when the overlap ends', async () => {
    const first = await create();
    const until = new Date(T0 + 3_600_000).toISOString();
    const second = await vendors.rotate(admin, 'acme-mon', 1, {
      previousKeysValidUntil: until,
      reason: 'rotation',
    });
    now = T0 + 3_599_000;
    expect((await vendors.authenticate(first.apiKey))?.keyId).toBe(first.keyId);
    await expect(vendors.admit('acme-mon', first.keyId)).resolves.toBeDefined();
    now = T0 + 3_600_000;
    // Even a lookup still remembered in this process stops at the key's notAfter.
    expect(await vendors.authenticate(first.apiKey)).toBeUndefined();
    await expect(vendors.admit('acme-mon', first.keyId)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect((await vendors.authenticate(second.apiKey))?.keyId).toBe(second.keyId);
  });

  it('gives a rotation without a stated overlap 24 hours', async () => {
    const first = await create();
    const r = await vendors.rotate(admin, 'acme-mon', 1, { reason: 'rotation' });
    expect(r.vendor.keys[0]!.notAfter).toBe(new Date(T0 + 86_400_000).toISOString());
    expect(r.vendor.keys[1]!.notAfter).toBeUndefined();
    now = T0 + 86_400_000 - 1;
    expect(await vendors.authenticate(first.apiKey)).toBeDefined();
  });

  it("never lengthens an overlap already shorter than a new rotation's", async () => {
    await create();
    const short = new Date(T0 + 60_000).toISOString();
    await vendors.rotate(admin, 'acme-mon', 1, { previousKeysValidUntil: short, reason: 'first' });
    const r = await vendors.rotate(admin, 'acme-mon', 2, { reason: 'second' });
    expect(r.vendor.keys[0]!.notAfter).toBe(short);
  });

  it('refuses a sixth key usable at once', async () => {
    await create();
    for (let v = 1; v <= 4; v++) await vendors.rotate(admin, 'acme-mon', v, { reason: `rotation ${v}` });
    await expect(vendors.rotate(admin, 'acme-mon', 5, { reason: 'one too many' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('revokes a key at once for ingestion although the authorizer remembered it', async () => {
    const { apiKey, keyId } = await create();
    expect(await vendors.authenticate(apiKey)).toBeDefined();
    await vendors.revokeKey(admin, 'acme-mon', keyId, 1, { reason: 'leaked' });
    await expect(vendors.admit('acme-mon', keyId)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await store.findKey(hashApiKey(apiKey))).toBeUndefined();
  });

  it('withdraws a revoked vendor from its usage plan', async () => {
    await create();
    await vendors.revoke(admin, 'acme-mon', 1, { reason: 'contract ended' });
    expect(plans.withdrawn).toEqual(['apikey-acme-mon']);
  });

  it('stores nothing when the usage plan cannot enrol the vendor', async () => {
    plans.failEnrol = true;
    await expect(create()).rejects.toThrow('API Gateway is down');
    expect(await store.get('acme-mon')).toBeUndefined();
  });

  it('gives the enrolment back when the vendor cannot be stored', async () => {
    // Another admin created the same id between our check and our write: the store refuses it.
    const racing = new VendorUseCases({
      vendors: {
        get: async () => undefined,
        create: async () => {
          throw new ConflictError('vendor acme-mon already exists');
        },
      } as unknown as VendorStore,
      services: { get: async () => service() },
      usagePlans: plans,
      clock: { now: () => new Date(now) },
      ids: { next: () => `01RACE${String(++n).padStart(8, '0')}` },
    });
    await expect(create(racing)).rejects.toBeInstanceOf(ConflictError);
    expect(plans.enrolled).toEqual([['acme-mon', 'premium']]);
    expect(plans.withdrawn).toEqual(['apikey-acme-mon']);
  });
});

describe('the development vendor', () => {
  it('is created with the key on file, and keeps it while it authenticates', async () => {
    const spec = {
      id: 'dev-mon',
      name: 'Dev',
      tier: 'standard',
      bindings: [],
      apiKey: 'ak_development_key_on_file_000',
    };
    const a = await vendors.provision(spec, 'system:test');
    expect(a!.apiKey).toBe(spec.apiKey);
    const b = await vendors.provision(spec, 'system:test');
    expect(b!.apiKey).toBe(spec.apiKey);
    expect(b!.vendor.version).toBe(1);
  });

  it('gets a new key when the one on file was revoked through the API, never the revoked one back', async () => {
    const spec = {
      id: 'dev-mon',
      name: 'Dev',
      tier: 'standard',
      bindings: [],
      apiKey: 'ak_development_key_on_file_000',
    };
    const a = await vendors.provision(spec, 'system:test');
    await vendors.revokeKey(admin, 'dev-mon', a!.vendor.keys[0]!.keyId, 1, { reason: 'leaked' });
    const b = await vendors.provision(spec, 'system:test');
    expect(b!.apiKey).not.toBe(spec.apiKey);
    expect(await vendors.authenticate(spec.apiKey)).toBeUndefined();
    expect((await vendors.authenticate(b!.apiKey))?.vendorId).toBe('dev-mon');
  });
});

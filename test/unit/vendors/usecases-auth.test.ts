import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '../../../shared/domain/errors.js';
import type { KeyGrant, VendorStore } from '../../../shared/ports/vendors.js';
import { hashApiKey } from '../../../shared/usecases/vendors.js';
import { vendorAdmin as admin, vendorFixture } from '../../helpers/vendor-usecases.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

let f: Awaited<ReturnType<typeof vendorFixture>>;

const create = () =>
  f.vendors.create(admin, {
    id: 'acme-mon',
    name: 'Acme',
    tier: 'premium',
    bindings: [{ serviceId: 'svc_payments-gateway' }, { serviceId: 'svc_core-ledger', sli: 'postings' }],
    reason: 'onboarding',
  });

beforeEach(async () => {
  f = await vendorFixture(T0);
});

describe('authenticating a presented key', () => {
  it('answers the vendor, tier, key and usage key; the key shown ends in its hint', async () => {
    const { apiKey, keyId, vendor } = await create();
    expect(vendor.keys[0]!.hint).toBe(apiKey.slice(-4));
    expect(await f.vendors.authenticate(apiKey)).toStrictEqual({
      vendorId: 'acme-mon',
      tier: 'premium',
      keyId,
      usageKey: 'usage-acme-mon',
    });
  });

  it('carries no usage key for a vendor not metered by one', async () => {
    f = await vendorFixture(T0, {
      usagePlans: {
        enrol: async () =>
          ({ usagePlanKeyId: 'local:acme-mon' }) as { usagePlanKeyId: string; usageKey: string },
        withdraw: async () => {},
      },
    });
    const { apiKey } = await create();
    const who = await f.vendors.authenticate(apiKey);
    expect(who).toStrictEqual({ vendorId: 'acme-mon', tier: 'premium', keyId: 'key_01TEST0001' });
    expect(Object.keys(who!)).toEqual(['vendorId', 'tier', 'keyId']);
  });

  it('remembers a successful lookup for 30 seconds, then asks the store again', async () => {
    const { apiKey, keyId } = await create();
    expect(await f.vendors.authenticate(apiKey)).toBeDefined();
    await f.vendors.revokeKey(admin, 'acme-mon', keyId, 1, { reason: 'leaked' });
    f.clock.ms = T0 + 29_999;
    expect((await f.vendors.authenticate(apiKey))?.keyId).toBe(keyId);
    f.clock.ms = T0 + 30_000;
    expect(await f.vendors.authenticate(apiKey)).toBeUndefined();
    f.clock.ms = T0 + 90_000;
    expect(await f.vendors.authenticate(apiKey)).toBeUndefined();
  });

  it('remembers nothing with a zero cache time', async () => {
    f = await vendorFixture(T0, { authCacheMs: 0 });
    const { apiKey, keyId } = await create();
    expect(await f.vendors.authenticate(apiKey)).toBeDefined();
    await f.vendors.revokeKey(admin, 'acme-mon', keyId, 1, { reason: 'leaked' });
    expect(await f.vendors.authenticate(apiKey)).toBeUndefined();
  });

  it('remembers at most 10,000 lookups: the next one starts the memory afresh', async () => {
    // A store that grants any key but the ones taken back, and counts its lookups.
    const gone = new Set<string>();
    let lookups = 0;
    const store = {
      findKey: async (hash: string): Promise<KeyGrant | undefined> => {
        lookups++;
        return gone.has(hash)
          ? undefined
          : { keyId: `key_${hash.slice(0, 12)}`, vendorId: 'many-mon', tier: 'standard' };
      },
    } as unknown as VendorStore;
    f = await vendorFixture(T0, { vendors: store });
    for (let i = 0; i <= 10_000; i++) await f.vendors.authenticate(`ak_many_${i}`);
    expect(lookups).toBe(10_001);
    // 10,001 remembered: the first is still answered from memory after the store took it back.
    gone.add(hashApiKey('ak_many_0'));
    expect(await f.vendors.authenticate('ak_many_0')).toBeDefined();
    expect(lookups).toBe(10_001);
    // One more lookup finds the memory over 10,000 and clears it before remembering the new key.
    await f.vendors.authenticate('ak_many_10001');
    expect(await f.vendors.authenticate('ak_many_0')).toBeUndefined();
    expect(lookups).toBe(10_003);
  });
});

describe('admitting a request at ingestion', () => {
  const refusal = [
    { path: 'Authorization', problem: 'the key no longer authenticates: ask an admin for a current key' },
  ];

  it("answers the vendor's scope from its bindings while its key is usable", async () => {
    const { keyId } = await create();
    expect(await f.vendors.admit('acme-mon', keyId)).toEqual({
      vendorId: 'acme-mon',
      services: new Set(['svc_payments-gateway']),
      slis: new Set(['svc_core-ledger/postings']),
    });
  });

  it('refuses a key id the vendor does not have, an unknown vendor and a revoked vendor alike', async () => {
    const { keyId } = await create();
    for (const [vendorId, key] of [
      ['acme-mon', 'key_01NOPE0000'],
      ['acme-mon', undefined],
      ['other-mon', keyId],
    ] as const) {
      const e = await f.vendors.admit(vendorId, key).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnauthenticatedError);
      expect((e as UnauthenticatedError).message).toBe('the API key was revoked or has expired');
      expect((e as UnauthenticatedError).details).toEqual(refusal);
    }
    await f.vendors.revoke(admin, 'acme-mon', 1, { reason: 'contract ended' });
    await expect(f.vendors.admit('acme-mon', keyId)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses the revoked key of a vendor that has a usable one', async () => {
    const { keyId } = await create();
    const second = await f.vendors.rotate(admin, 'acme-mon', 1, { reason: 'rotation' });
    await f.vendors.revokeKey(admin, 'acme-mon', keyId, 2, { reason: 'leaked' });
    await expect(f.vendors.admit('acme-mon', keyId)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(f.vendors.admit('acme-mon', second.keyId)).resolves.toMatchObject({ vendorId: 'acme-mon' });
  });

  it('answers the Datadog paths with their 403 naming DD-API-KEY', async () => {
    const { keyId } = await create();
    await expect(f.vendors.admitDatadog('acme-mon', keyId)).resolves.toMatchObject({ vendorId: 'acme-mon' });
    await f.vendors.revokeKey(admin, 'acme-mon', keyId, 1, { reason: 'leaked' });
    const e = await f.vendors.admitDatadog('acme-mon', keyId).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).details).toEqual([
      { path: 'DD-API-KEY', problem: 'is not a valid API key' },
    ]);
  });
});

describe('the development vendor', () => {
  const spec = {
    id: 'dev-mon',
    name: 'Dev',
    tier: 'standard',
    bindings: [{ serviceId: 'svc_payments-gateway' }],
    apiKey: 'ak_development_key_on_file_000',
  };

  it('is created with the key on file as a create by the system, audited with its reason', async () => {
    const r = await f.vendors.provision(spec, 'system:test');
    expect(r).toEqual({
      apiKey: spec.apiKey,
      vendor: {
        id: 'dev-mon',
        name: 'Dev',
        tier: 'standard',
        status: 'active',
        bindings: [{ serviceId: 'svc_payments-gateway' }],
        keys: [{ keyId: 'key_01TEST0001', hint: '_000', createdAt: iso(T0), createdBy: 'system:test' }],
        usagePlanKeyId: 'apikey-dev-mon',
        version: 1,
        createdAt: iso(T0),
        createdBy: 'system:test',
        changedAt: iso(T0),
        changedBy: 'system:test',
        change: 'create',
        reason: 'development vendor of the embedded default',
      },
    });
    expect(await f.store.get('dev-mon')).toEqual(r!.vendor);
    expect(f.plans.enrolled).toEqual([['dev-mon', 'standard']]);
  });

  it('gets a new key, as a rotate-key change by the system, when the one on file was revoked', async () => {
    const a = await f.vendors.provision(spec, 'system:test');
    await f.vendors.revokeKey(admin, 'dev-mon', a!.vendor.keys[0]!.keyId, 1, { reason: 'leaked' });
    f.clock.ms = T0 + 1000;
    const b = await f.vendors.provision(spec, 'system:boot');
    expect(b!.apiKey).toBe('ak_test_key_0001');
    expect(b!.vendor).toEqual(await f.store.get('dev-mon'));
    expect(b!.vendor).toMatchObject({
      version: 3,
      changedAt: iso(T0 + 1000),
      changedBy: 'system:boot',
      change: 'rotate-key',
      reason: 'the development key on file no longer authenticates: a new one is issued',
    });
    expect(b!.vendor.keys[1]).toEqual({
      keyId: 'key_01TEST0002',
      hint: '0001',
      createdAt: iso(T0 + 1000),
      createdBy: 'system:boot',
    });
  });

  it('stays revoked: no key is issued for a revoked development vendor', async () => {
    await f.vendors.provision(spec, 'system:test');
    await f.vendors.revoke(admin, 'dev-mon', 1, { reason: 'not wanted' });
    expect(await f.vendors.provision(spec, 'system:test')).toBeUndefined();
    expect((await f.store.get('dev-mon'))?.version).toBe(2);
    expect(await f.vendors.authenticate(spec.apiKey)).toBeUndefined();
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import type { VendorStore } from '../../../shared/ports/vendors.js';
import type { CreateVendorBody, Vendor } from '../../../shared/schemas/vendor.js';
import { hashApiKey, vendorsIn } from '../../../shared/usecases/vendors.js';
import { principal } from '../../helpers/fixtures.js';
import { vendorAdmin as admin, vendorFixture } from '../../helpers/vendor-usecases.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

const body = (over: Partial<CreateVendorBody> = {}): CreateVendorBody => ({
  id: 'acme-mon',
  name: 'Acme',
  tier: 'premium',
  bindings: [{ serviceId: 'svc_payments-gateway' }],
  reason: 'onboarding',
  ...over,
});

/** The first key of a vendor created at T0 by the admin (ids and keys numbered from 1). */
const firstKey = {
  keyId: 'key_01TEST0001',
  hint: '0001',
  createdAt: iso(T0),
  createdBy: 'admin@accord.local',
};

let f: Awaited<ReturnType<typeof vendorFixture>>;

beforeEach(async () => {
  f = await vendorFixture(T0);
});

describe('creating a vendor', () => {
  it('stores version 1 as a create by the admin, with its first key shown once and kept only as a hash', async () => {
    const issued = await f.vendors.create(admin, body());
    const expected: Vendor = {
      id: 'acme-mon',
      name: 'Acme',
      tier: 'premium',
      status: 'active',
      bindings: [{ serviceId: 'svc_payments-gateway' }],
      keys: [firstKey],
      usagePlanKeyId: 'apikey-acme-mon',
      version: 1,
      createdAt: iso(T0),
      createdBy: 'admin@accord.local',
      changedAt: iso(T0),
      changedBy: 'admin@accord.local',
      change: 'create',
      reason: 'onboarding',
    };
    expect(issued).toEqual({ vendor: expected, keyId: 'key_01TEST0001', apiKey: 'ak_test_key_0001' });
    expect(await f.store.get('acme-mon')).toEqual(expected);
    expect(await f.store.findKey(hashApiKey('ak_test_key_0001'))).toEqual({
      keyId: 'key_01TEST0001',
      vendorId: 'acme-mon',
      tier: 'premium',
      usageKey: 'usage-acme-mon',
    });
  });

  it('refuses an id already taken, naming the id, and enrols nothing', async () => {
    await f.vendors.create(admin, body());
    const e = await f.vendors.create(admin, body({ name: 'Acme again' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe('vendor acme-mon already exists');
    expect((e as ConflictError).details).toEqual([{ path: 'id', problem: 'is taken' }]);
    expect(f.plans.enrolled).toEqual([['acme-mon', 'premium']]);
    expect((await f.store.get('acme-mon'))?.name).toBe('Acme');
  });

  it('refuses a binding given twice, naming the repeat', async () => {
    const e = await f.vendors
      .create(
        admin,
        body({
          bindings: [
            { serviceId: 'svc_payments-gateway', sli: 'availability' },
            { serviceId: 'svc_core-ledger' },
            { serviceId: 'svc_payments-gateway', sli: 'availability' },
          ],
        }),
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toBe('a binding is given twice');
    expect((e as ValidationError).details).toEqual([
      { path: 'bindings[2]', problem: 'repeats an earlier binding' },
    ]);
    expect(await f.store.get('acme-mon')).toBeUndefined();
    expect(f.plans.enrolled).toEqual([]);
  });

  it('refuses bindings to services that do not exist, naming each such binding', async () => {
    const e = await f.vendors
      .create(
        admin,
        body({
          bindings: [
            { serviceId: 'svc_nowhere', sli: 'availability' },
            { serviceId: 'svc_payments-gateway' },
            { serviceId: 'svc_nowhere', sli: 'latency' },
            { serviceId: 'svc_elsewhere' },
          ],
        }),
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('bindings name services that do not exist');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'bindings[0].serviceId', problem: 'names no service' },
      { path: 'bindings[2].serviceId', problem: 'names no service' },
      { path: 'bindings[3].serviceId', problem: 'names no service' },
    ]);
    expect(await f.store.get('acme-mon')).toBeUndefined();
  });

  it('tells of a usage-plan key it could not give back after the store refused the vendor', async () => {
    f = await vendorFixture(T0, {
      vendors: {
        get: async () => undefined,
        create: async () => {
          throw new ConflictError('vendor acme-mon already exists');
        },
      } as unknown as VendorStore,
    });
    f.plans.failWithdraw = true;
    await expect(f.vendors.create(admin, body())).rejects.toBeInstanceOf(ConflictError);
    expect(f.background).toHaveLength(1);
    expect(f.background[0]![0]).toBe('withdrawing a usage-plan key');
    expect((f.background[0]![1] as Error).message).toBe('API Gateway refused the withdrawal');
  });
});

describe('who manages vendors', () => {
  it('refuses vendor management to every role but admin, naming the roles and the action', async () => {
    const manager = principal({ roles: ['sla-manager', 'viewer'], businessUnits: ['payments'] });
    const e = await f.vendors.create(manager, body()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(
      'your roles (sla-manager, viewer) do not allow vendor.manage on vendors',
    );
    expect(f.plans.enrolled).toEqual([]);
    const auditor = principal({ roles: ['auditor'] });
    await f.vendors.create(admin, body());
    await expect(f.vendors.bind(auditor, 'acme-mon', 1, { bindings: [], reason: 'x' })).rejects.toThrow(
      'your roles (auditor) do not allow vendor.manage on vendors',
    );
  });

  it('names no roles as none, and lets an auditor read what it may not change', async () => {
    const nobody = principal();
    await expect(f.vendors.list(nobody, { limit: 10 })).rejects.toMatchObject({
      message: 'your roles (none) do not allow vendor.read on vendors',
      details: [
        {
          path: 'roles',
          problem: 'no role: none allows vendor.read portfolio-wide (vendors belong to no business unit)',
        },
      ],
    });
    await f.vendors.create(admin, body());
    const auditor = principal({ roles: ['auditor'] });
    expect((await f.vendors.get(auditor, 'acme-mon')).id).toBe('acme-mon');
    await expect(f.vendors.get(auditor, 'acme-mon', 'audit.read')).resolves.toMatchObject({ version: 1 });
    await expect(f.vendors.get(nobody, 'acme-mon')).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('reading vendors', () => {
  it('answers an unknown vendor with a 404 naming the vendor id', async () => {
    const e = await f.vendors.get(admin, 'nobody-mon').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe('no vendor nobody-mon');
    expect((e as NotFoundError).details).toEqual([{ path: 'vendorId', problem: 'names no vendor' }]);
  });

  it('lists vendors page by page, with a cursor while more remain and none on the last page', async () => {
    for (const id of ['cc-mon', 'aa-mon', 'bb-mon']) await f.vendors.create(admin, body({ id }));
    const first = await f.vendors.list(admin, { limit: 2 });
    expect(first.items.map((v) => v.id)).toEqual(['aa-mon', 'bb-mon']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await f.vendors.list(admin, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [await f.store.get('cc-mon')] });
    expect(Object.keys(second)).toEqual(['items']);
    expect(Object.keys(await f.vendors.list(admin, { limit: 3 }))).toEqual(['items']);
  });
});

describe('changing what a vendor may write', () => {
  it('replaces the bindings as version 2, a bind by the admin with its reason', async () => {
    await f.vendors.create(admin, body());
    f.clock.ms = T0 + 60_000;
    const next = await f.vendors.bind(admin, 'acme-mon', 1, {
      bindings: [{ serviceId: 'svc_core-ledger', sli: 'postings' }],
      reason: 'moves to the ledger',
    });
    const stored = await f.store.get('acme-mon');
    expect(next).toEqual(stored);
    expect(stored).toMatchObject({
      bindings: [{ serviceId: 'svc_core-ledger', sli: 'postings' }],
      version: 2,
      changedAt: iso(T0 + 60_000),
      changedBy: 'admin@accord.local',
      change: 'bind',
      reason: 'moves to the ledger',
      createdAt: iso(T0),
    });
  });

  it('refuses a bind to a service that does not exist and keeps the bindings', async () => {
    await f.vendors.create(admin, body());
    const e = await f.vendors
      .bind(admin, 'acme-mon', 1, { bindings: [{ serviceId: 'svc_nowhere' }], reason: 'typo' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'bindings[0].serviceId', problem: 'names no service' },
    ]);
    expect((await f.store.get('acme-mon'))?.version).toBe(1);
  });

  it('refuses a stale version with the current record', async () => {
    await f.vendors.create(admin, body());
    const e = await f.vendors
      .bind(admin, 'acme-mon', 3, { bindings: [], reason: 'stale' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VersionConflictError);
    expect((e as VersionConflictError).message).toBe(
      'stale write: you sent version 3, the current version is 1',
    );
    expect((e as VersionConflictError).current).toEqual(await f.store.get('acme-mon'));
  });

  it('refuses any change to a revoked vendor, naming it', async () => {
    await f.vendors.create(admin, body());
    await f.vendors.revoke(admin, 'acme-mon', 1, { reason: 'contract ended' });
    const e = await f.vendors.rotate(admin, 'acme-mon', 2, { reason: 'too late' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect(e).not.toBeInstanceOf(VersionConflictError);
    expect((e as ConflictError).message).toBe('vendor acme-mon is revoked: create a new vendor instead');
    expect((e as ConflictError).details).toEqual([{ path: 'vendorId', problem: 'names a revoked vendor' }]);
    expect((await f.store.get('acme-mon'))?.version).toBe(2);
  });
});

describe('rotating keys', () => {
  beforeEach(async () => {
    await f.vendors.create(admin, body());
  });

  const overlapError = (nowMs: number) => ({
    path: 'previousKeysValidUntil',
    problem: `must lie between now and 30 days ahead (${iso(nowMs + 30 * DAY)})`,
  });

  it('issues a new key, ends the old one at the overlap, and stores a rotate-key change', async () => {
    f.clock.ms = T0 + 1000;
    const until = iso(T0 + 3_600_000);
    const r = await f.vendors.rotate(admin, 'acme-mon', 1, {
      previousKeysValidUntil: until,
      reason: 'yearly',
    });
    expect(r.apiKey).toBe('ak_test_key_0002');
    expect(r.keyId).toBe('key_01TEST0002');
    const stored = await f.store.get('acme-mon');
    expect(r.vendor).toEqual(stored);
    expect(stored).toMatchObject({
      version: 2,
      change: 'rotate-key',
      reason: 'yearly',
      changedAt: iso(T0 + 1000),
      keys: [
        { ...firstKey, notAfter: until },
        { keyId: 'key_01TEST0002', hint: '0002', createdAt: iso(T0 + 1000), createdBy: 'admin@accord.local' },
      ],
    });
    expect(stored!.keys[1]!.notAfter).toBeUndefined();
    expect((await f.store.findKey(hashApiKey('ak_test_key_0002')))?.keyId).toBe('key_01TEST0002');
  });

  it('refuses an overlap ending more than a second in the past, naming the latest allowed end', async () => {
    const e = await f.vendors
      .rotate(admin, 'acme-mon', 1, { previousKeysValidUntil: iso(T0 - 1001), reason: 'x' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('the overlap period is out of range');
    expect((e as BusinessRuleError).details).toEqual([overlapError(T0)]);
    expect((await f.store.get('acme-mon'))?.version).toBe(1);
  });

  it('takes an overlap ending up to a second ago as ending now', async () => {
    const r = await f.vendors.rotate(admin, 'acme-mon', 1, {
      previousKeysValidUntil: iso(T0 - 1000),
      reason: 'leaked: stop it now',
    });
    expect(r.vendor.keys[0]!.notAfter).toBe(iso(T0));
  });

  it('takes an overlap ending within the next second as given', async () => {
    const r = await f.vendors.rotate(admin, 'acme-mon', 1, {
      previousKeysValidUntil: iso(T0 + 500),
      reason: 'half a second',
    });
    expect(r.vendor.keys[0]!.notAfter).toBe(iso(T0 + 500));
  });

  it('takes an overlap of exactly 30 days and refuses one a millisecond longer', async () => {
    const e = await f.vendors
      .rotate(admin, 'acme-mon', 1, { previousKeysValidUntil: iso(T0 + 30 * DAY + 1), reason: 'x' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).details).toEqual([overlapError(T0)]);
    const r = await f.vendors.rotate(admin, 'acme-mon', 1, {
      previousKeysValidUntil: iso(T0 + 30 * DAY),
      reason: 'a month',
    });
    expect(r.vendor.keys[0]!.notAfter).toBe(iso(T0 + 30 * DAY));
  });

  it('shortens a longer overlap left by an earlier rotation', async () => {
    await f.vendors.rotate(admin, 'acme-mon', 1, { previousKeysValidUntil: iso(T0 + 2 * DAY), reason: 'a' });
    const r = await f.vendors.rotate(admin, 'acme-mon', 2, {
      previousKeysValidUntil: iso(T0 + 3_600_000),
      reason: 'b',
    });
    expect(r.vendor.keys.map((k) => k.notAfter)).toEqual([
      iso(T0 + 3_600_000),
      iso(T0 + 3_600_000),
      undefined,
    ]);
  });

  it('refuses a sixth usable key, naming the vendor, the limit and the overlap', async () => {
    for (let v = 1; v <= 4; v++) await f.vendors.rotate(admin, 'acme-mon', v, { reason: `rotation ${v}` });
    const e = await f.vendors
      .rotate(admin, 'acme-mon', 5, { reason: 'one too many' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      'vendor acme-mon would have more than 5 usable keys: revoke one first, or end the overlap sooner',
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'previousKeysValidUntil', problem: 'leaves too many keys usable at once' },
    ]);
  });
});

describe('revoking', () => {
  beforeEach(async () => {
    await f.vendors.create(admin, body());
    await f.vendors.rotate(admin, 'acme-mon', 1, { reason: 'second key' });
  });

  it('revokes one key and leaves the other working, as a revoke-key change', async () => {
    f.clock.ms = T0 + 5000;
    const next = await f.vendors.revokeKey(admin, 'acme-mon', 'key_01TEST0001', 2, { reason: 'leaked' });
    expect(next).toEqual(await f.store.get('acme-mon'));
    expect(next).toMatchObject({ version: 3, change: 'revoke-key', reason: 'leaked', status: 'active' });
    expect(next.keys[0]).toMatchObject({ revokedAt: iso(T0 + 5000), revokedBy: 'admin@accord.local' });
    expect(next.keys[1]!.revokedAt).toBeUndefined();
    expect(next.keys[1]!.revokedBy).toBeUndefined();
    expect(await f.store.findKey(hashApiKey('ak_test_key_0001'))).toBeUndefined();
    expect((await f.store.findKey(hashApiKey('ak_test_key_0002')))?.keyId).toBe('key_01TEST0002');
  });

  it('answers a key the vendor does not have with a 404 naming the key', async () => {
    const e = await f.vendors
      .revokeKey(admin, 'acme-mon', 'key_01NOPE0000', 2, { reason: 'x' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe('vendor acme-mon has no key key_01NOPE0000');
    expect((e as NotFoundError).details).toEqual([{ path: 'keyId', problem: 'names no key of this vendor' }]);
  });

  it('refuses to revoke a key twice, saying when it was revoked', async () => {
    f.clock.ms = T0 + 5000;
    await f.vendors.revokeKey(admin, 'acme-mon', 'key_01TEST0002', 2, { reason: 'leaked' });
    const e = await f.vendors
      .revokeKey(admin, 'acme-mon', 'key_01TEST0002', 3, { reason: 'again' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(`key key_01TEST0002 was revoked at ${iso(T0 + 5000)}`);
    expect((e as ConflictError).details).toEqual([{ path: 'keyId', problem: 'is already revoked' }]);
  });

  it('revokes the vendor: every key stops, earlier revocations keep their time, the enrolment is withdrawn', async () => {
    f.clock.ms = T0 + 5000;
    await f.vendors.revokeKey(admin, 'acme-mon', 'key_01TEST0001', 2, { reason: 'leaked' });
    f.clock.ms = T0 + 9000;
    const next = await f.vendors.revoke(admin, 'acme-mon', 3, { reason: 'contract ended' });
    expect(next).toEqual(await f.store.get('acme-mon'));
    expect(next).toMatchObject({ version: 4, status: 'revoked', change: 'revoke', reason: 'contract ended' });
    expect(next.keys.map((k) => k.revokedAt)).toEqual([iso(T0 + 5000), iso(T0 + 9000)]);
    expect(f.plans.withdrawn).toEqual(['apikey-acme-mon']);
    expect(await f.store.findKey(hashApiKey('ak_test_key_0002'))).toBeUndefined();
  });

  it('still revokes the vendor when the usage plan will not give its key back, and tells', async () => {
    f.plans.failWithdraw = true;
    const next = await f.vendors.revoke(admin, 'acme-mon', 2, { reason: 'contract ended' });
    expect(next.status).toBe('revoked');
    expect(f.background.map(([what]) => what)).toEqual(['withdrawing a usage-plan key']);
  });
});

describe('vendorsIn', () => {
  it('answers 503 where vendor management is not wired', async () => {
    expect(() => vendorsIn({})).toThrow(
      new UnavailableError('vendor management is not deployed in this function'),
    );
    expect(vendorsIn({ vendors: f.vendors })).toBe(f.vendors);
  });
});

import { describe, expect, it } from 'vitest';
import { ConflictError, VersionConflictError } from '../../shared/domain/errors.js';
import type { VendorStore } from '../../shared/ports/vendors.js';
import type { Vendor, VendorKeyInfo } from '../../shared/schemas/vendor.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const hash = (c: string) => c.repeat(64);

function key(keyId: string, extra: Partial<VendorKeyInfo> = {}): VendorKeyInfo {
  return { keyId, hint: 'abcd', createdAt: iso(T0), createdBy: 'admin@accord.local', ...extra };
}

export function vendorDoc(id: string, extra: Partial<Vendor> = {}): Vendor {
  return {
    id,
    name: `Vendor ${id}`,
    tier: 'standard',
    status: 'active',
    bindings: [{ serviceId: 'svc_payments-gateway' }],
    keys: [key('key_0000000000A1')],
    version: 1,
    createdAt: iso(T0),
    createdBy: 'admin@accord.local',
    changedAt: iso(T0),
    changedBy: 'admin@accord.local',
    change: 'create',
    reason: 'contract test',
    ...extra,
  };
}

/** The next version of a vendor, as the use cases write it. */
const next = (v: Vendor, changes: Partial<Vendor>): Vendor => ({
  ...v,
  ...changes,
  version: v.version + 1,
  changedAt: iso(T0 + 60_000),
  change: 'update',
});

/** The VendorStore contract, passed by every adapter. */
export function vendorStoreContract(name: string, make: () => Promise<VendorStore> | VendorStore): void {
  describe(`VendorStore contract: ${name}`, () => {
    it('stores a vendor and finds its key by hash with the vendor, tier and usage key; nothing for another hash', async () => {
      const store = await make();
      const v = vendorDoc('datadog-eu', { tier: 'premium' });
      await store.create(v, [{ keyId: 'key_0000000000A1', hash: hash('a') }], 'usage-datadog-eu');
      expect(await store.get('datadog-eu')).toEqual(v);
      expect(await store.findKey(hash('a'))).toEqual({
        keyId: 'key_0000000000A1',
        vendorId: 'datadog-eu',
        tier: 'premium',
        usageKey: 'usage-datadog-eu',
      });
      expect(await store.findKey(hash('b'))).toBeUndefined();
      expect(await store.get('nobody')).toBeUndefined();
    });

    it('has no usage key on a key of a vendor enrolled in no usage plan', async () => {
      const store = await make();
      await store.create(vendorDoc('plain'), [{ keyId: 'key_0000000000A1', hash: hash('c') }]);
      expect(await store.findKey(hash('c'))).toEqual({
        keyId: 'key_0000000000A1',
        vendorId: 'plain',
        tier: 'standard',
      });
    });

    it('refuses a second vendor with the same id, and indexes nothing of it', async () => {
      const store = await make();
      await store.create(vendorDoc('twice'), [{ keyId: 'key_0000000000A1', hash: hash('d') }]);
      await expect(
        store.create(vendorDoc('twice', { name: 'Other' }), [{ keyId: 'key_0000000000B1', hash: hash('e') }]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.findKey(hash('e'))).toBeUndefined();
      expect((await store.get('twice'))!.name).toBe('Vendor twice');
    });

    it('refuses to index one key hash for two vendors', async () => {
      const store = await make();
      await store.create(vendorDoc('first'), [{ keyId: 'key_0000000000A1', hash: hash('f') }]);
      await expect(
        store.create(vendorDoc('second', { keys: [key('key_0000000000B1')] }), [
          { keyId: 'key_0000000000B1', hash: hash('f') },
        ]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get('second')).toBeUndefined();
      expect((await store.findKey(hash('f')))!.vendorId).toBe('first');
    });

    it('refuses a stale write with the current version, and changes nothing', async () => {
      const store = await make();
      const v1 = vendorDoc('stale');
      await store.create(v1, [{ keyId: 'key_0000000000A1', hash: hash('g') }]);
      const v2 = next(v1, { bindings: [] });
      await store.update(v2, T0);
      const err = await store.update(next(v1, { name: 'Lost update' }), T0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect((err as VersionConflictError).current).toMatchObject({ version: 2 });
      expect(await store.get('stale')).toEqual(v2);
    });

    it('indexes a rotated-in key and gives the old key its overlap, in one write', async () => {
      const store = await make();
      const v1 = vendorDoc('rotating');
      await store.create(v1, [{ keyId: 'key_0000000000A1', hash: hash('h') }]);
      const until = iso(T0 + 3_600_000);
      const v2 = next(v1, { keys: [key('key_0000000000A1', { notAfter: until }), key('key_0000000000A2')] });
      await store.update(v2, T0, [{ keyId: 'key_0000000000A2', hash: hash('i') }]);
      expect(await store.findKey(hash('h'))).toEqual({
        keyId: 'key_0000000000A1',
        vendorId: 'rotating',
        tier: 'standard',
        notAfter: until,
      });
      expect((await store.findKey(hash('i')))!.keyId).toBe('key_0000000000A2');
      expect(await store.get('rotating')).toEqual(v2);
    });

    it('drops a revoked key from the index and keeps the others', async () => {
      const store = await make();
      const v1 = vendorDoc('revoking', { keys: [key('key_0000000000A1'), key('key_0000000000A2')] });
      await store.create(v1, [
        { keyId: 'key_0000000000A1', hash: hash('j') },
        { keyId: 'key_0000000000A2', hash: hash('k') },
      ]);
      await store.update(
        next(v1, {
          keys: [
            key('key_0000000000A1', { revokedAt: iso(T0), revokedBy: 'admin' }),
            key('key_0000000000A2'),
          ],
        }),
        T0,
      );
      expect(await store.findKey(hash('j'))).toBeUndefined();
      expect((await store.findKey(hash('k')))!.keyId).toBe('key_0000000000A2');
    });

    it('drops every key of a revoked vendor from the index', async () => {
      const store = await make();
      const v1 = vendorDoc('gone', { keys: [key('key_0000000000A1'), key('key_0000000000A2')] });
      await store.create(v1, [
        { keyId: 'key_0000000000A1', hash: hash('l') },
        { keyId: 'key_0000000000A2', hash: hash('m') },
      ]);
      await store.update(next(v1, { status: 'revoked' }), T0);
      expect(await store.findKey(hash('l'))).toBeUndefined();
      expect(await store.findKey(hash('m'))).toBeUndefined();
      expect((await store.get('gone'))!.status).toBe('revoked');
    });

    it('drops a key whose overlap has ended by the time of the write', async () => {
      const store = await make();
      const v1 = vendorDoc('expiring', {
        keys: [key('key_0000000000A1', { notAfter: iso(T0 + 1000) }), key('key_0000000000A2')],
      });
      await store.create(v1, [
        { keyId: 'key_0000000000A1', hash: hash('n') },
        { keyId: 'key_0000000000A2', hash: hash('o') },
      ]);
      expect((await store.findKey(hash('n')))!.notAfter).toBe(iso(T0 + 1000));
      await store.update(next(v1, { bindings: [] }), T0 + 2000);
      expect(await store.findKey(hash('n'))).toBeUndefined();
      expect(await store.findKey(hash('o'))).toBeDefined();
    });

    it('lists vendors in id order, a page at a time', async () => {
      const store = await make();
      for (const [i, id] of ['zeta-mon', 'alpha-mon', 'mid-mon'].entries()) {
        await store.create(vendorDoc(id, { keys: [key(`key_0000000000C${i}`)] }), [
          { keyId: `key_0000000000C${i}`, hash: hash(String(i)) },
        ]);
      }
      const first = await store.list({ limit: 2 });
      expect(first.items.map((v) => v.id)).toEqual(['alpha-mon', 'mid-mon']);
      expect(first.lastKey).toBe('mid-mon');
      const second = await store.list({ limit: 2, after: first.lastKey! });
      expect(second.items.map((v) => v.id)).toEqual(['zeta-mon']);
      expect(second.lastKey).toBeUndefined();
    });
  });
}

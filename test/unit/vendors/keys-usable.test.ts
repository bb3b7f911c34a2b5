import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OVERLAP_MS,
  duplicateBinding,
  keyRowsOf,
  keyUsableAt,
  MAX_OVERLAP_MS,
  MAX_USABLE_KEYS,
  usableKeys,
} from '../../../shared/domain/vendors/keys.js';
import type { Vendor } from '../../../shared/schemas/vendor.js';

const at = Date.parse('2026-06-01T12:00:00.000Z');
const key = (keyId: string, extra: Record<string, string> = {}) => ({
  keyId,
  hint: keyId.slice(-4),
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin',
  ...extra,
});
const vendor = (status: 'active' | 'revoked', keys: ReturnType<typeof key>[]) =>
  ({
    id: 'ven_acme',
    name: 'Acme',
    tier: 'premium',
    status,
    bindings: [],
    keys,
    version: 1,
  }) as unknown as Vendor;

describe('vendor key limits', () => {
  it('lets five keys authenticate at once and a rotation overlap last 1 to 30 days', () => {
    expect(MAX_USABLE_KEYS).toBe(5);
    expect(MAX_OVERLAP_MS).toBe(2_592_000_000); // 30 × 86,400,000 ms
    expect(DEFAULT_OVERLAP_MS).toBe(86_400_000);
  });
});

describe('keyUsableAt: whether a key authenticates at an instant', () => {
  it('accepts a key with neither an expiry nor a revocation', () => {
    expect(keyUsableAt({}, at)).toBe(true);
  });

  it('accepts a key up to the millisecond before its notAfter, and refuses it at notAfter itself', () => {
    expect(keyUsableAt({ notAfter: '2026-06-01T12:00:00.001Z' }, at)).toBe(true);
    expect(keyUsableAt({ notAfter: '2026-06-01T12:00:00.000Z' }, at)).toBe(false);
    expect(keyUsableAt({ notAfter: '2026-05-31T12:00:00.000Z' }, at)).toBe(false);
  });

  it('refuses a revoked key even before its notAfter', () => {
    expect(
      keyUsableAt({ revokedAt: '2026-05-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' }, at),
    ).toBe(false);
    expect(keyUsableAt({ revokedAt: '2026-05-01T00:00:00.000Z' }, at)).toBe(false);
  });
});

describe('usableKeys and keyRowsOf: the keys a vendor record lets authenticate', () => {
  const keys = [
    key('vk_old', { notAfter: '2026-06-01T12:00:00.000Z' }),
    key('vk_overlap', { notAfter: '2026-06-02T12:00:00.000Z' }),
    key('vk_new'),
    key('vk_gone', { revokedAt: '2026-02-01T00:00:00.000Z' }),
  ];

  it('keeps the usable keys of an active vendor in their order', () => {
    expect(usableKeys(vendor('active', keys), at).map((k) => k.keyId)).toEqual(['vk_overlap', 'vk_new']);
  });

  it('lets no key of a revoked vendor authenticate', () => {
    expect(usableKeys(vendor('revoked', keys), at)).toEqual([]);
  });

  it('derives one index row per usable key with the vendor’s id and tier, and notAfter only where the key has one', () => {
    expect(keyRowsOf(vendor('active', keys), at)).toStrictEqual([
      { keyId: 'vk_overlap', vendorId: 'ven_acme', tier: 'premium', notAfter: '2026-06-02T12:00:00.000Z' },
      { keyId: 'vk_new', vendorId: 'ven_acme', tier: 'premium' },
    ]);
  });
});

describe('duplicateBinding: the first binding that repeats an earlier one', () => {
  it('finds a service bound twice for all its SLIs, at the index of the repeat', () => {
    expect(duplicateBinding([{ serviceId: 'svc-a' }, { serviceId: 'svc-b' }, { serviceId: 'svc-a' }])).toBe(
      2,
    );
  });

  it('finds the same SLI of a service bound twice, and names the first repeat only', () => {
    const b = [
      { serviceId: 'svc-a', sli: 'latency' },
      { serviceId: 'svc-a', sli: 'errors' },
      { serviceId: 'svc-a', sli: 'errors' },
      { serviceId: 'svc-a', sli: 'latency' },
    ];
    expect(duplicateBinding(b)).toBe(2);
  });

  it('accepts different SLIs of one service, the same SLI on two services, and a whole service beside one SLI of it', () => {
    expect(
      duplicateBinding([
        { serviceId: 'svc-a', sli: 'latency' },
        { serviceId: 'svc-a', sli: 'errors' },
        { serviceId: 'svc-b', sli: 'latency' },
        { serviceId: 'svc-a' },
      ]),
    ).toBeUndefined();
    expect(duplicateBinding([])).toBeUndefined();
  });
});

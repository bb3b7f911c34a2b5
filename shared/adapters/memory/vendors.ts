import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import { keyRowsOf } from '../../domain/vendors/keys.js';
import type { Page } from '../../ports/agreements.js';
import type { KeyGrant, KeySecret, UsagePlans, VendorStore } from '../../ports/vendors.js';
import type { Vendor } from '../../schemas/vendor.js';

interface Held {
  vendor: Vendor;
  usageKey: string | undefined;
  /** keyId → SHA-256 of the key, kept beside the record (never in it: the record is what the audit trail diffs). */
  hashes: Map<string, string>;
}

/** Vendors in memory (tests, fakes): the same contract as the SQLite and DynamoDB stores. */
export class MemoryVendorStore implements VendorStore {
  private readonly vendors = new Map<string, Held>();
  private readonly index = new Map<string, KeyGrant>();

  async create(vendor: Vendor, secrets: readonly KeySecret[], usageKey?: string): Promise<void> {
    if (this.vendors.has(vendor.id)) {
      throw new ConflictError(`vendor ${vendor.id} already exists`, [{ path: 'id', problem: 'is taken' }]);
    }
    if (secrets.some((s) => this.index.has(s.hash))) throw new ConflictError('the key is already issued');
    const held: Held = { vendor: structuredClone(vendor), usageKey, hashes: new Map() };
    this.vendors.set(vendor.id, held);
    this.reindex(held, Date.parse(vendor.changedAt), secrets);
  }

  async update(next: Vendor, atMs: number, secrets: readonly KeySecret[] = []): Promise<void> {
    const held = this.vendors.get(next.id);
    if (!held) throw new ConflictError(`vendor ${next.id} does not exist`);
    if (held.vendor.version !== next.version - 1) {
      throw new VersionConflictError(
        `stale write: the current version is ${held.vendor.version}`,
        structuredClone(held.vendor),
      );
    }
    if (secrets.some((s) => this.index.has(s.hash))) throw new ConflictError('the key is already issued');
    held.vendor = structuredClone(next);
    this.reindex(held, atMs, secrets);
  }

  async get(id: string): Promise<Vendor | undefined> {
    const h = this.vendors.get(id);
    return h ? structuredClone(h.vendor) : undefined;
  }

  async list(q: { limit: number; after?: string }): Promise<Page<Vendor>> {
    const ids = [...this.vendors.keys()].filter((id) => q.after === undefined || id > q.after).sort();
    const page = ids.slice(0, q.limit);
    return {
      items: page.map((id) => structuredClone(this.vendors.get(id)!.vendor)),
      ...(ids.length > q.limit ? { lastKey: page[page.length - 1]! } : {}),
    };
  }

  async findKey(hash: string): Promise<KeyGrant | undefined> {
    const g = this.index.get(hash);
    return g ? { ...g } : undefined;
  }

  private reindex(held: Held, atMs: number, secrets: readonly KeySecret[]): void {
    for (const s of secrets) held.hashes.set(s.keyId, s.hash);
    const rows = new Map(keyRowsOf(held.vendor, atMs).map((r) => [r.keyId, r]));
    for (const [keyId, hash] of held.hashes) {
      const row = rows.get(keyId);
      if (row) {
        this.index.set(hash, { ...row, ...(held.usageKey !== undefined ? { usageKey: held.usageKey } : {}) });
      } else {
        this.index.delete(hash);
        held.hashes.delete(keyId);
      }
    }
  }
}

/** The embedded default's usage plans: none. Its limiter meters by vendor id (infra/local/rate-limit.ts). */
export class NoUsagePlans implements UsagePlans {
  async enrol(vendorId: string): Promise<{ usagePlanKeyId: string; usageKey: string }> {
    return { usagePlanKeyId: `local:${vendorId}`, usageKey: vendorId };
  }
  async withdraw(): Promise<void> {}
}

import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import { keyRowsOf } from '../../domain/vendors/keys.js';
import type { Page } from '../../ports/agreements.js';
import type { KeyGrant, KeySecret, VendorStore } from '../../ports/vendors.js';
import type { Vendor } from '../../schemas/vendor.js';
import { ensureChangeLog } from './changes.js';
import type { Db } from './db.js';

interface IndexRow {
  keyHash: string;
  keyId: string;
}

/**
 * Vendors on the embedded default: the record (`vendors`, audited through the change log like services) and the
 * key index by SHA-256 (`vendor_key_index`, what the authorizer reads), written in one transaction.
 */
export class SqliteVendorStore implements VendorStore {
  private readonly s;
  constructor(private readonly db: Db) {
    ensureChangeLog(db);
    db.exec(`
      DROP TABLE IF EXISTS vendor_keys; -- the index before vendors were managed (dev keys only, re-issued at start)
      CREATE TABLE IF NOT EXISTS vendors (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, usage_key TEXT, doc TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS vendor_key_index (
        key_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, vendor_id TEXT NOT NULL, tier TEXT NOT NULL,
        not_after TEXT
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS vendor_key_index_by_vendor ON vendor_key_index (vendor_id);
    `);
    this.s = {
      get: db.prepare('SELECT version, doc FROM vendors WHERE id = ?'),
      insert: db.prepare('INSERT INTO vendors (id, version, usage_key, doc) VALUES (?, ?, ?, ?)'),
      update: db.prepare('UPDATE vendors SET version = ?, doc = ? WHERE id = ? AND version = ?'),
      list: db.prepare('SELECT id, doc FROM vendors WHERE id > ? ORDER BY id LIMIT ?'),
      change: db.prepare(
        "INSERT INTO change_log (entity, entity_id, old_doc, new_doc, at) VALUES ('vendor', ?, ?, ?, ?)",
      ),
      hashTaken: db.prepare('SELECT 1 FROM vendor_key_index WHERE key_hash = ?'),
      indexOf: db.prepare(
        'SELECT key_hash AS keyHash, key_id AS keyId FROM vendor_key_index WHERE vendor_id = ?',
      ),
      putKey: db.prepare(
        'INSERT INTO vendor_key_index (key_hash, key_id, vendor_id, tier, not_after) VALUES (?, ?, ?, ?, ?)',
      ),
      setKey: db.prepare('UPDATE vendor_key_index SET tier = ?, not_after = ? WHERE key_hash = ?'),
      dropKey: db.prepare('DELETE FROM vendor_key_index WHERE key_hash = ?'),
      find: db.prepare(`
        SELECT k.key_id AS keyId, k.vendor_id AS vendorId, k.tier, k.not_after AS notAfter, v.usage_key AS usageKey
        FROM vendor_key_index k JOIN vendors v ON v.id = k.vendor_id WHERE k.key_hash = ?`),
    };
  }

  async create(vendor: Vendor, secrets: readonly KeySecret[], usageKey?: string): Promise<void> {
    this.db
      .transaction(() => {
        if (this.s.get.get(vendor.id)) {
          throw new ConflictError(`vendor ${vendor.id} already exists`, [
            { path: 'id', problem: 'is taken' },
          ]);
        }
        const doc = JSON.stringify(vendor);
        this.s.insert.run(vendor.id, vendor.version, usageKey ?? null, doc);
        this.reindex(vendor, Date.parse(vendor.changedAt), secrets);
        this.s.change.run(vendor.id, null, doc, vendor.changedAt);
      })
      .immediate();
  }

  async update(next: Vendor, atMs: number, secrets: readonly KeySecret[] = []): Promise<void> {
    this.db
      .transaction(() => {
        const row = this.s.get.get(next.id) as { version: number; doc: string } | undefined;
        if (!row) throw new ConflictError(`vendor ${next.id} does not exist`);
        if (row.version !== next.version - 1) {
          throw new VersionConflictError(
            `stale write: the current version is ${row.version}`,
            JSON.parse(row.doc),
          );
        }
        const doc = JSON.stringify(next);
        this.s.update.run(next.version, doc, next.id, row.version);
        this.reindex(next, atMs, secrets);
        this.s.change.run(next.id, row.doc, doc, next.changedAt);
      })
      .immediate();
  }

  async get(id: string): Promise<Vendor | undefined> {
    const row = this.s.get.get(id) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async list(q: { limit: number; after?: string }): Promise<Page<Vendor>> {
    const rows = this.s.list.all(q.after ?? '', q.limit + 1) as { id: string; doc: string }[];
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => JSON.parse(r.doc) as Vendor),
      ...(rows.length > q.limit ? { lastKey: page[page.length - 1]!.id } : {}),
    };
  }

  async findKey(hash: string): Promise<KeyGrant | undefined> {
    const r = this.s.find.get(hash) as
      | { keyId: string; vendorId: string; tier: string; notAfter: string | null; usageKey: string | null }
      | undefined;
    if (!r) return undefined;
    return {
      keyId: r.keyId,
      vendorId: r.vendorId,
      tier: r.tier,
      ...(r.notAfter !== null ? { notAfter: r.notAfter } : {}),
      ...(r.usageKey !== null ? { usageKey: r.usageKey } : {}),
    };
  }

  /** Brings the key index to what the record implies (inside the caller's transaction). */
  private reindex(vendor: Vendor, atMs: number, secrets: readonly KeySecret[]): void {
    const rows = new Map(keyRowsOf(vendor, atMs).map((r) => [r.keyId, r]));
    for (const s of secrets) {
      if (this.s.hashTaken.get(s.hash)) throw new ConflictError('the key is already issued');
      const row = rows.get(s.keyId);
      if (row) this.s.putKey.run(s.hash, s.keyId, vendor.id, row.tier, row.notAfter ?? null);
    }
    const fresh = new Set(secrets.map((s) => s.keyId));
    for (const held of this.s.indexOf.all(vendor.id) as IndexRow[]) {
      if (fresh.has(held.keyId)) continue;
      const row = rows.get(held.keyId);
      if (row) this.s.setKey.run(row.tier, row.notAfter ?? null, held.keyHash);
      else this.s.dropKey.run(held.keyHash);
    }
  }
}

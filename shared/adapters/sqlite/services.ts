import type { Statement } from 'better-sqlite3';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { Page } from '../../ports/agreements.js';
import type { ServiceListQuery, ServiceStore } from '../../ports/services.js';
import type { Service } from '../../schemas/service.js';
import { ensureChangeLog } from './changes.js';
import type { Db } from './db.js';

export class SqliteServiceStore implements ServiceStore {
  private readonly s;
  private readonly listCache = new Map<string, Statement<unknown[]>>();
  constructor(private readonly db: Db) {
    ensureChangeLog(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS services (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, business_unit TEXT NOT NULL, tier INTEGER NOT NULL, doc TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS services_by_bu ON services (business_unit, id);
    `);
    this.s = {
      get: db.prepare('SELECT version, doc FROM services WHERE id = ?'),
      insert: db.prepare(
        'INSERT INTO services (id, version, business_unit, tier, doc) VALUES (?, ?, ?, ?, ?)',
      ),
      update: db.prepare(
        'UPDATE services SET version = ?, business_unit = ?, tier = ?, doc = ? WHERE id = ? AND version = ?',
      ),
      change: db.prepare(
        "INSERT INTO change_log (entity, entity_id, old_doc, new_doc, at) VALUES ('service', ?, ?, ?, ?)",
      ),
    };
  }

  async create(service: Service): Promise<void> {
    this.db
      .transaction(() => {
        if (this.s.get.get(service.id))
          throw new ConflictError(`service ${service.id} already exists`, [
            { path: 'id', problem: 'is taken' },
          ]);
        const doc = JSON.stringify(service);
        this.s.insert.run(service.id, service.version, service.businessUnit, service.tier, doc);
        this.s.change.run(service.id, null, doc, service.changedAt);
      })
      .immediate();
  }

  async update(next: Service): Promise<void> {
    this.db
      .transaction(() => {
        const row = this.s.get.get(next.id) as { version: number; doc: string } | undefined;
        if (!row) throw new ConflictError(`service ${next.id} does not exist`);
        if (row.version !== next.version - 1) {
          throw new VersionConflictError(
            `stale write: the current version is ${row.version}`,
            JSON.parse(row.doc),
          );
        }
        const doc = JSON.stringify(next);
        this.s.update.run(next.version, next.businessUnit, next.tier, doc, next.id, row.version);
        this.s.change.run(next.id, row.doc, doc, next.changedAt);
      })
      .immediate();
  }

  async get(id: string): Promise<Service | undefined> {
    const row = this.s.get.get(id) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async list(q: ServiceListQuery): Promise<Page<Service>> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.businessUnit !== undefined) {
      where.push('business_unit = ?');
      args.push(q.businessUnit);
    }
    if (q.tier !== undefined) {
      where.push('tier = ?');
      args.push(q.tier);
    }
    if (!q.scope.all) {
      const parts: string[] = [];
      if (q.scope.businessUnits.length) {
        parts.push(`business_unit IN (${q.scope.businessUnits.map(() => '?').join(',')})`);
        args.push(...q.scope.businessUnits);
      }
      if (q.scope.serviceIds.length) {
        parts.push(`id IN (${q.scope.serviceIds.map(() => '?').join(',')})`);
        args.push(...q.scope.serviceIds);
      }
      where.push(parts.length ? `(${parts.join(' OR ')})` : '0');
    }
    if (q.after !== undefined) {
      where.push('id > ?');
      args.push(q.after);
    }
    const sql = `SELECT id, doc FROM services WHERE ${where.join(' AND ') || '1'} ORDER BY id LIMIT ?`;
    let stmt = this.listCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.listCache.size < 200) this.listCache.set(sql, stmt);
    }
    const rows = stmt.all(...args, q.limit + 1) as { id: string; doc: string }[];
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return {
      items: page.map((r) => JSON.parse(r.doc)),
      ...(more ? { lastKey: page[page.length - 1]!.id } : {}),
    };
  }
}

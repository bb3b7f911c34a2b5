import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { Page } from '../../ports/agreements.js';
import type { ServiceListQuery, ServiceStore } from '../../ports/services.js';
import type { Service } from '../../schemas/service.js';
import { ensureChangeLog } from './changes.js';
import type { Db } from './db.js';
import { PageQuery, Where } from './query.js';

export class SqliteServiceStore implements ServiceStore {
  private readonly s;
  private readonly pages: PageQuery;
  constructor(private readonly db: Db) {
    ensureChangeLog(db);
    this.pages = new PageQuery(db);
    db.exec(`
      CREATE TABLE IF NOT EXISTS services (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, business_unit TEXT NOT NULL, tier INTEGER NOT NULL, doc TEXT NOT NULL
      ); -- a rowid table: documents are large rows
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
    const where = new Where()
      .eq('business_unit', q.businessUnit)
      .eq('tier', q.tier)
      .scope(q.scope, 'business_unit', 'id');
    if (q.after !== undefined) where.add('id > ?', q.after);
    return this.pages.run<Service>(
      `SELECT id, doc FROM services WHERE ${where} ORDER BY id LIMIT ?`,
      where.args,
      q.limit,
    );
  }
}

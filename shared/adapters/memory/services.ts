import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { Page } from '../../ports/agreements.js';
import type { ServiceListQuery, ServiceStore } from '../../ports/services.js';
import type { Service } from '../../schemas/service.js';

export class MemoryServiceStore implements ServiceStore {
  private readonly rows = new Map<string, Service>();

  async create(service: Service): Promise<void> {
    if (this.rows.has(service.id))
      throw new ConflictError(`service ${service.id} already exists`, [{ path: 'id', problem: 'is taken' }]);
    this.rows.set(service.id, structuredClone(service));
  }

  async update(next: Service): Promise<void> {
    const cur = this.rows.get(next.id);
    if (!cur) throw new ConflictError(`service ${next.id} does not exist`);
    if (cur.version !== next.version - 1)
      throw new VersionConflictError(`stale write: the current version is ${cur.version}`, cur);
    this.rows.set(next.id, structuredClone(next));
  }

  async get(id: string): Promise<Service | undefined> {
    const s = this.rows.get(id);
    return s ? structuredClone(s) : undefined;
  }

  async list(q: ServiceListQuery): Promise<Page<Service>> {
    const rows = [...this.rows.values()]
      .filter(
        (s) =>
          (q.businessUnit === undefined || s.businessUnit === q.businessUnit) &&
          (q.tier === undefined || s.tier === q.tier) &&
          (q.scope.all ||
            q.scope.businessUnits.includes(s.businessUnit) ||
            q.scope.serviceIds.includes(s.id)) &&
          (q.after === undefined || s.id > q.after),
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((s) => structuredClone(s)),
      ...(rows.length > q.limit ? { lastKey: page[page.length - 1]!.id } : {}),
    };
  }
}

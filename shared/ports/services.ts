import type { ListScope } from '../domain/access/policy.js';
import type { Service } from '../schemas/service.js';
import type { Page } from './agreements.js';

export interface ServiceListQuery {
  businessUnit?: string;
  tier?: number;
  scope: ListScope;
  limit: number;
  after?: string;
}

export interface ServiceStore {
  /** ConflictError when the id exists. */
  create(service: Service): Promise<void>;
  /** Stores `next` when the current version is `next.version - 1`; VersionConflictError otherwise. */
  update(next: Service): Promise<void>;
  get(id: string): Promise<Service | undefined>;
  list(query: ServiceListQuery): Promise<Page<Service>>;
}

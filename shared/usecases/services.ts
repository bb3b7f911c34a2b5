import { type Action, accessProblem, canAccess, listScope, type Principal } from '../domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
} from '../domain/errors.js';
import type { AgreementStore } from '../ports/agreements.js';
import type { Clock } from '../ports/clock.js';
import type { ServiceStore } from '../ports/services.js';
import type { CreateServiceBody, ListServicesQuery, Service, UpdateServiceBody } from '../schemas/service.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const GOVERNED_FIELDS = ['tier', 'residencyRegion'] as const;

export interface ServiceDeps {
  services: ServiceStore;
  /** To refuse a residency change while agreements hold the service's data in its current region. */
  agreements?: Pick<AgreementStore, 'list'>;
  clock: Clock;
  residencyRegion?: string | undefined;
}

/**
 * Who holds each CMDB CI (`cmdbCiHolders()`), given by a caller making many writes (the CMDB sync) so that each
 * write does not scan the catalogue again; the use cases keep it current as they write.
 */
export interface CiHolders {
  ciHolders?: Map<string, string[]>;
}

/** The service catalogue: what agreements are about. Services carry their tier, owner and residency. */
export class ServiceUseCases {
  constructor(private readonly deps: ServiceDeps) {}

  /**
   * Registers a service (version 1).
   * @throws ForbiddenError (403) outside the caller's units; BusinessRuleError (422) for another residency region
   * @throws ConflictError (409) on `id` when the id is taken, on `cmdbCi` when another service holds the CI (named
   *   only when the caller may read it)
   */
  async register(principal: Principal, body: CreateServiceBody, opts: CiHolders = {}): Promise<Service> {
    const { reason, ...fields } = body;
    if (
      !canAccess(principal, 'service.create', { businessUnit: fields.businessUnit, serviceId: fields.id })
    ) {
      throw new ForbiddenError(
        `registering services in business unit ${fields.businessUnit} is outside your scope`,
        [{ path: 'businessUnit', problem: accessProblem(principal, 'service.create').problem }],
      );
    }
    this.checkResidency(fields.residencyRegion);
    if (fields.cmdbCi !== undefined) await this.checkCiFree(principal, fields.cmdbCi, fields.id, opts);
    // A taken id: the store's create refuses it atomically with 409 on `id` (the ServiceStore contract).
    const at = this.deps.clock.now().toISOString();
    const service: Service = {
      ...fields,
      version: 1,
      createdAt: at,
      createdBy: principal.subject,
      changedAt: at,
      changedBy: principal.subject,
      change: 'register',
      reason,
    };
    await this.deps.services.create(service);
    if (fields.cmdbCi !== undefined) holdCi(opts, fields.cmdbCi, fields.id);
    return service;
  }

  /** A service the principal may act on (read by default; `audit.read` for its audit trail). */
  async get(principal: Principal, id: string, action: Action = 'service.read'): Promise<Service> {
    const s = await this.deps.services.get(id);
    const where = s && { businessUnit: s.businessUnit, serviceId: s.id };
    // A service of another unit answers exactly as one that does not exist.
    if (!s || !where || !canAccess(principal, 'service.read', where)) throw noSuchService(id);
    if (!canAccess(principal, action, where))
      throw new ForbiddenError(`your scope does not allow ${action} here`, [
        accessProblem(principal, action),
      ]);
    return s;
  }

  /**
   * Writes the changed fields as the next version (optimistic locking on `expected`).
   * @throws VersionConflictError (409) for a stale `expected`; ForbiddenError (403) for a governed field a service
   *   owner may not change; ConflictError (409) on `cmdbCi` when another service holds the CI
   */
  async update(
    principal: Principal,
    id: string,
    expected: number,
    body: UpdateServiceBody,
    opts: CiHolders = {},
  ): Promise<Service> {
    const current = await this.get(principal, id, 'service.update');
    if (current.version !== expected) {
      throw new VersionConflictError(
        `stale write: you sent version ${expected}, the current version is ${current.version}`,
        current,
      );
    }
    const { reason, ...changes } = body;
    // Tier decides who must sign an agreement and residency where its data may live: a service owner may keep
    // its service's description and contacts current, but only an SLA manager (or admin) changes these.
    const governed = GOVERNED_FIELDS.filter((f) => changes[f] !== undefined && changes[f] !== current[f]);
    if (
      governed.length &&
      !canAccess(principal, 'service.create', { businessUnit: current.businessUnit, serviceId: current.id })
    ) {
      throw new ForbiddenError(
        `only an SLA manager of the service's business unit may change ${governed.join(' and ')}`,
        [
          ...governed.map((f) => ({ path: f, problem: 'is governed: sign-offs and residency depend on it' })),
          accessProblem(principal, 'service.create'),
        ],
      );
    }
    if (changes.residencyRegion !== undefined && changes.residencyRegion !== current.residencyRegion) {
      this.checkResidency(changes.residencyRegion);
      // Agreements pin their data's region to the service's: moving the service would break them silently.
      const held = await this.deps.agreements?.list({ serviceId: id, scope: { all: true }, limit: 5 });
      if (held && held.items.length > 0) {
        throw new ConflictError(
          `service ${id} has agreements resident in ${current.residencyRegion}: ${held.items.map((a) => a.id).join(', ')}${held.lastKey ? ', …' : ''}`,
          [
            {
              path: 'residencyRegion',
              problem:
                'agreements of this service are resident in the current region; retire or move them first',
            },
          ],
        );
      }
    }
    const newCi = changes.cmdbCi !== current.cmdbCi ? changes.cmdbCi : undefined;
    if (newCi !== undefined) await this.checkCiFree(principal, newCi, id, opts);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const next: Service = {
      ...current,
      ...defined,
      version: current.version + 1,
      changedAt: this.deps.clock.now().toISOString(),
      changedBy: principal.subject,
      change: 'update',
      reason,
    };
    await this.deps.services.update(next);
    if (newCi !== undefined) {
      holdCi(opts, newCi, id);
      if (current.cmdbCi !== undefined && opts.ciHolders) {
        const left = (opts.ciHolders.get(current.cmdbCi) ?? []).filter((h) => h !== id);
        if (left.length) opts.ciHolders.set(current.cmdbCi, left);
        else opts.ciHolders.delete(current.cmdbCi);
      }
    }
    return next;
  }

  async list(
    principal: Principal,
    query: ListServicesQuery,
  ): Promise<{ items: Service[]; nextCursor?: string }> {
    const { limit, cursor, ...filter } = query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, filter);
    const page = await this.deps.services.list({
      ...filter,
      scope: listScope(principal, 'service.read'),
      limit,
      after,
    });
    return {
      items: page.items,
      ...(page.lastKey === undefined ? {} : { nextCursor: encodeCursor(page.lastKey, filter) }),
    };
  }

  /**
   * The services holding each CMDB CI, over the whole catalogue whatever a caller's scope: a CI names one service,
   * so the CMDB sync must not give one to a second service in another unit. Service ids only, for the caller to
   * decide with; never shown to someone outside their scope.
   */
  async cmdbCiHolders(): Promise<Map<string, string[]>> {
    const holders = new Map<string, string[]>();
    let after: string | undefined;
    do {
      const page = await this.deps.services.list({ scope: { all: true }, limit: 1000, after });
      for (const s of page.items)
        if (s.cmdbCi) holders.set(s.cmdbCi, [...(holders.get(s.cmdbCi) ?? []), s.id]);
      after = page.lastKey;
    } while (after !== undefined);
    return holders;
  }

  /**
   * A CMDB CI names one service: 409 on `cmdbCi` when a service other than `self` holds `ci`. The holder is named
   * only when the caller may read it; otherwise the answer says only that another service holds it.
   */
  private async checkCiFree(principal: Principal, ci: string, self: string, opts: CiHolders): Promise<void> {
    const holders = opts.ciHolders ?? (await this.cmdbCiHolders());
    const other = (holders.get(ci) ?? []).find((h) => h !== self);
    if (other === undefined) return;
    const holder = await this.deps.services.get(other);
    const readable =
      holder !== undefined &&
      canAccess(principal, 'service.read', { businessUnit: holder.businessUnit, serviceId: holder.id });
    throw new ConflictError(
      readable
        ? `CMDB CI ${ci} is held by service ${other}: a CI names one service`
        : `CMDB CI ${ci} is held by another service: a CI names one service`,
      [
        {
          path: 'cmdbCi',
          problem: readable
            ? `is held by service ${other}`
            : 'is held by a service outside what you may read',
        },
      ],
    );
  }

  private checkResidency(region: string): void {
    if (this.deps.residencyRegion !== undefined && region !== this.deps.residencyRegion) {
      throw new BusinessRuleError(`residency region ${region} is not this deployment's`, [
        {
          path: 'residencyRegion',
          problem: `this deployment holds data resident in ${this.deps.residencyRegion} only`,
        },
      ]);
    }
  }
}

/** Records in the caller's holders map (when given) that `id` now holds `ci`. */
function holdCi(opts: CiHolders, ci: string, id: string): void {
  if (!opts.ciHolders) return;
  const held = opts.ciHolders.get(ci) ?? [];
  if (!held.includes(id)) opts.ciHolders.set(ci, [...held, id]);
}

/** The answer for a service that does not exist or that the caller may not see: the same, word for word. */
function noSuchService(id: string): NotFoundError {
  return new NotFoundError(`no service ${id}`, [{ path: 'serviceId', problem: 'names no service' }]);
}

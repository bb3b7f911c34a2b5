/**
 * CMDB sync (docs/cmdb.md): a ServiceNow `cmdb_ci_service` export compared with the services the caller may
 * manage, through the service use cases. A dry run (the default) answers the plan; an apply creates the new
 * services and writes only the fields the policy marks CMDB-owned; governed mismatches stay drift for a person.
 * Every write carries the reason "CMDB sync <file> sha256:<first 16 hex>".
 */
import { createHash } from 'node:crypto';
import { canAccess, type Principal } from '../domain/access/policy.js';
import { type Drift, parseCmdbExport, planCmdbSync } from '../domain/cmdb/sync.js';
import {
  DomainError,
  type FieldProblem,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.js';
import type { CmdbPolicy } from '../policy/cmdb.js';
import type { Service } from '../schemas/service.js';
import type { ServiceUseCases } from './services.js';

export interface CmdbSyncRequest {
  contentType: string;
  body: Buffer;
  /** The export's file name, for the audit reason (`upload` when not given). */
  file?: string | undefined;
  apply: boolean;
}

export interface CmdbSyncReport {
  dryRun: boolean;
  sha256: string;
  /** The reason every write of this sync carries. */
  reason: string;
  rows: number;
  create: { serviceId: string; path: string }[];
  update: { serviceId: string; path: string; changes: Record<string, string> }[];
  drift: Drift[];
  unchanged: string[];
  /** Rows not taken (bad, duplicated, or refused on write), by path. Any of them blocks an apply. */
  problems: FieldProblem[];
  /**
   * Rows that are another manager's to sync: new services of business units outside the caller's scope, and rows
   * whose CI a service outside the caller's scope holds (`reason` says which).
   */
  outOfScope: { serviceId: string; path: string; businessUnit: string; reason?: string }[];
  /** On an apply: what was written. */
  applied?: { created: string[]; updated: string[] };
}

export interface CmdbSyncDeps {
  services: ServiceUseCases;
  policy: CmdbPolicy;
}

/** CMDB sync through the service use cases: every write is theirs (scope, governed fields, audit). */
export class CmdbSyncUseCases {
  constructor(private readonly deps: CmdbSyncDeps) {}

  /**
   * Plans (and on `apply`, runs) a sync of the export against the services in the caller's scope.
   * @throws UnsupportedMediaTypeError (415) for a body that is neither application/json nor text/csv
   * @throws ValidationError (400) on an apply when any row is bad: nothing is written until the file is clean
   */
  async sync(principal: Principal, req: CmdbSyncRequest): Promise<CmdbSyncReport> {
    const type = (req.contentType.split(';')[0] ?? '').trim().toLowerCase();
    const format = type === 'application/json' ? 'json' : type === 'text/csv' ? 'csv' : undefined;
    if (!format)
      throw new UnsupportedMediaTypeError('a CMDB export is JSON (Table API) or CSV', [
        { path: 'Content-Type', problem: `"${type || '(none)'}" is not application/json or text/csv` },
      ]);
    const sha256 = createHash('sha256').update(req.body).digest('hex');
    const file = (req.file ?? 'upload').slice(0, 200);
    const reason = `CMDB sync ${file} sha256:${sha256.slice(0, 16)}`;
    const { records, problems } = parseCmdbExport(req.body.toString('utf8'), format, this.deps.policy);
    const rows = records.length + new Set(problems.map((p) => p.path.split('.')[0])).size;
    const visible = await this.visible(principal);
    const plan = planCmdbSync(records, visible, this.deps.policy);
    problems.push(...plan.problems);
    // A CI names one service. One held by a service the caller cannot see is that service's: the row is another
    // manager's to sync (whatever unit the file claims), never a new service or an in-scope service's new CI.
    const holders = await this.deps.services.cmdbCiHolders();
    const mineIds = new Set(visible.map((s) => s.id));
    const heldElsewhere = (ci: string, self?: string) =>
      (holders.get(ci) ?? []).some((id) => id !== self && !mineIds.has(id));
    // A new service outside the caller's units is another manager's to create: listed apart, never written, and
    // not a fault of the file (a company-wide export holds every unit's services).
    const outOfScope: CmdbSyncReport['outOfScope'] = [];
    const create = plan.create.filter((r) => {
      const at = { serviceId: r.id, path: r.path, businessUnit: r.businessUnit };
      if (heldElsewhere(r.cmdbCi)) {
        outOfScope.push({ ...at, reason: 'its CI is held by a service outside your scope' });
        return false;
      }
      const mine = canAccess(principal, 'service.create', { businessUnit: r.businessUnit, serviceId: r.id });
      if (!mine) outOfScope.push(at);
      return mine;
    });
    const ciColumn = this.deps.policy.fields.cmdbCi[0] ?? 'sys_id';
    const update = plan.update.filter((u) => {
      const ci = u.changes.cmdbCi;
      if (ci === undefined || !heldElsewhere(ci, u.serviceId)) return true;
      problems.push({
        path: `${u.path}.${ciColumn}`,
        problem: `"${ci}" is held by another service: a CI names one service`,
      });
      return false;
    });
    const skipped = new Set(outOfScope.map((o) => o.serviceId));
    const drift = plan.drift.filter((d) => !(d.kind === 'in-cmdb-not-accord' && skipped.has(d.serviceId)));
    const report: CmdbSyncReport = {
      dryRun: !req.apply,
      sha256,
      reason,
      rows,
      create: create.map((r) => ({ serviceId: r.id, path: r.path })),
      update: update.map((u) => ({ serviceId: u.serviceId, path: u.path, changes: u.changes })),
      drift,
      unchanged: plan.unchanged,
      problems,
      outOfScope,
    };
    if (!req.apply) return report;
    if (problems.length)
      throw new ValidationError(
        'the CMDB export has rows that cannot be taken; nothing was written',
        problems,
      );
    const applied = { created: [] as string[], updated: [] as string[] };
    for (const r of create) {
      const { path: _p, ...fields } = r;
      await this.write(problems, r.path, async () => {
        await this.deps.services.register(principal, { ...fields, reason });
        applied.created.push(r.id);
      });
    }
    for (const u of update) {
      await this.write(problems, u.path, async () => {
        await this.deps.services.update(principal, u.serviceId, u.expectedVersion, { ...u.changes, reason });
        applied.updated.push(u.serviceId);
      });
    }
    return { ...report, applied };
  }

  /** Every service the caller may manage (sla-manager: its units; admin: all). */
  private async visible(principal: Principal): Promise<Service[]> {
    const out: Service[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.services.list(principal, { limit: 200, ...(cursor ? { cursor } : {}) });
      out.push(
        ...page.items.filter((s) =>
          canAccess(principal, 'service.create', { businessUnit: s.businessUnit, serviceId: s.id }),
        ),
      );
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** One write; a refusal by the use cases (409 taken id, stale version, scope) becomes that row's problem. */
  private async write(problems: FieldProblem[], path: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problems.push({ path, problem: `not written: ${e.message}` });
    }
  }
}

/** The container's CMDB sync, or 503 where a composition root has not wired it. */
export function cmdbIn(container: { cmdb?: CmdbSyncUseCases | undefined }): CmdbSyncUseCases {
  if (!container.cmdb) throw new UnavailableError('CMDB sync is not deployed here');
  return container.cmdb;
}

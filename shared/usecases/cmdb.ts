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
  PayloadTooLargeError,
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
  /**
   * On an apply: write at most this many rows (creates first, then updates; 1..`CMDB_MAX_WRITES_PER_APPLY`) and
   * report the rest as `remaining`, for a client that applies a big file in pages (`accord cmdb sync --apply`).
   * Without it, an apply planning more writes than the cap is refused whole (413).
   */
  maxWrites?: number | undefined;
}

/**
 * The most writes one apply request makes. About 2,000 service creates take 2.5 s on one laptop's SQLite and
 * several times that on DynamoDB; API Gateway answers 504 at 29 s, so one request stays well below it. A bigger
 * file is applied in pages (`maxWrites`), each page re-planned from the file (re-applying is idempotent).
 */
export const CMDB_MAX_WRITES_PER_APPLY = 500;

/**
 * At most this many problems are listed in a report or a refusal; the rest are counted in one last entry. A file of
 * 100,000 bad rows has 600,000 problems, a 45 MB answer (red team, wave 32).
 */
export const CMDB_MAX_LISTED_PROBLEMS = 1000;

function listed(problems: FieldProblem[]): FieldProblem[] {
  if (problems.length <= CMDB_MAX_LISTED_PROBLEMS) return problems;
  return [
    ...problems.slice(0, CMDB_MAX_LISTED_PROBLEMS),
    {
      path: '(file)',
      problem: `${problems.length - CMDB_MAX_LISTED_PROBLEMS} more problems are not listed (${problems.length} in all)`,
    },
  ];
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
  /** On an apply with `maxWrites`: planned writes this request left for the next page (0 when done). */
  remaining?: number;
}

export interface CmdbSyncDeps {
  services: ServiceUseCases;
  policy: CmdbPolicy;
  /** The cap on writes per apply request; `CMDB_MAX_WRITES_PER_APPLY` unless given (tests give a small one). */
  maxWritesPerApply?: number;
}

/** CMDB sync through the service use cases: every write is theirs (scope, governed fields, audit). */
export class CmdbSyncUseCases {
  constructor(private readonly deps: CmdbSyncDeps) {}

  /**
   * Plans (and on `apply`, runs) a sync of the export against the services in the caller's scope.
   * @throws UnsupportedMediaTypeError (415) for a body that is neither application/json nor text/csv
   * @throws ValidationError (400) on an apply when any row is bad: nothing is written until the file is clean
   * @throws PayloadTooLargeError (413) on an apply without `maxWrites` planning more writes than the cap (named with
   *   the file's row and write counts), and for a `maxWrites` above the cap; nothing is written
   */
  async sync(principal: Principal, req: CmdbSyncRequest): Promise<CmdbSyncReport> {
    // Stryker disable next-line StringLiteral: split always returns at least one string, so the fallback is never taken
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
    // A row reaching a create or a CI change names a CI that no visible service holds (planCmdbSync matches a row to
    // the visible service holding its CI first), so its holders are never the caller's and never the row's service.
    const heldElsewhere = (ci: string, self?: string) =>
      (holders.get(ci) ?? []).some(
        // Stryker disable next-line ConditionalExpression,LogicalOperator: by the comment above, every holder here is neither self nor in mineIds, so each test holds and any non-empty list counts
        (id) => id !== self && !mineIds.has(id),
      );
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
    // Stryker disable next-line StringLiteral: the policy schema requires at least one CI column, so the fallback is never taken
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
    // Stryker disable next-line ConditionalExpression: a skipped id is a new service's (no visible service has it), and every other kind of drift names a visible service
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
      problems: listed(problems),
      outOfScope,
    };
    if (!req.apply) return report;
    if (problems.length)
      throw new ValidationError(
        'the CMDB export has rows that cannot be taken; nothing was written',
        listed(problems),
      );
    const cap = this.deps.maxWritesPerApply ?? CMDB_MAX_WRITES_PER_APPLY;
    const planned = create.length + update.length;
    if (req.maxWrites !== undefined && req.maxWrites > cap)
      throw new PayloadTooLargeError(
        `maxWrites ${req.maxWrites} is above the cap of ${cap} writes a request`,
        [{ path: 'maxWrites', problem: `must be at most ${cap}` }],
      );
    if (req.maxWrites === undefined && planned > cap)
      throw new PayloadTooLargeError(
        `the export's ${rows} rows plan ${planned} writes (${create.length} creates, ${update.length} updates); one apply writes at most ${cap}: nothing was written`,
        [
          {
            path: 'apply',
            problem: `${planned} writes are planned, above the cap of ${cap} a request: apply in pages with maxWrites=${cap} (accord cmdb sync --apply does), or split the file`,
          },
        ],
      );
    const budget = Math.min(planned, req.maxWrites ?? cap);
    const pageCreate = create.slice(0, budget);
    const pageUpdate = update.slice(0, budget - pageCreate.length);
    const applied = { created: [] as string[], updated: [] as string[] };
    const remaining = planned - pageCreate.length - pageUpdate.length;
    for (const r of pageCreate) {
      const { path: _p, ...fields } = r;
      await this.write(problems, r.path, async () => {
        // Stryker disable next-line ObjectLiteral: without the map the use case reads the holders afresh, which it keeps as current as the map: the same answer, slower
        await this.deps.services.register(principal, { ...fields, reason }, { ciHolders: holders });
        applied.created.push(r.id);
      });
    }
    for (const u of pageUpdate) {
      await this.write(problems, u.path, async () => {
        await this.deps.services.update(
          principal,
          u.serviceId,
          u.expectedVersion,
          { ...u.changes, reason },
          // Stryker disable next-line ObjectLiteral: without the map the use case reads the holders afresh, which it keeps as current as the map: the same answer, slower
          { ciHolders: holders },
        );
        applied.updated.push(u.serviceId);
      });
    }
    // `problems` holds only the writes refused below here (the file had none), at most one per write.
    return { ...report, problems, applied, ...(req.maxWrites === undefined ? {} : { remaining }) };
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

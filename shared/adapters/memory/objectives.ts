import { ConflictError, NotFoundError, VersionConflictError } from '../../domain/errors.js';
import type { EvaluationResult } from '../../domain/objectives/types.js';
import {
  type BudgetPoint,
  budgetPoint,
  type EvaluationStore,
  type ExceptionWindowRecord,
  type ExceptionWindowStore,
  type ViolationQuery,
  type ViolationRecord,
  type ViolationStore,
} from '../../ports/objectives.js';

const clone = <T>(x: T): T => structuredClone(x);

export class MemoryExceptionWindowStore implements ExceptionWindowStore {
  private readonly rows = new Map<string, ExceptionWindowRecord>();

  async create(record: ExceptionWindowRecord): Promise<void> {
    this.createNow(record);
  }

  private createNow(record: ExceptionWindowRecord): void {
    if (this.rows.has(record.id)) throw new ConflictError(`exception window ${record.id} already exists`);
    this.rows.set(record.id, clone(record));
  }

  async get(id: string): Promise<ExceptionWindowRecord | undefined> {
    const r = this.rows.get(id);
    return r ? clone(r) : undefined;
  }

  async list(q: { agreementId?: string; from?: string; to?: string }): Promise<ExceptionWindowRecord[]> {
    return this.listNow(q);
  }

  /** The read and the write run in one turn of the event loop (no await between them): nothing else runs between. */
  async writeUnless<T>(
    next: ExceptionWindowRecord,
    around: { from: string; to: string },
    refuse: (windows: ExceptionWindowRecord[]) => T | undefined,
  ): Promise<T | undefined> {
    const refused = refuse(this.listNow({ agreementId: next.agreementId, ...around }));
    if (refused !== undefined) return refused;
    if (next.version === 1) this.createNow(next);
    else this.updateNow(next);
    return undefined;
  }

  private listNow(q: { agreementId?: string; from?: string; to?: string }): ExceptionWindowRecord[] {
    return [...this.rows.values()]
      .filter((r) => !q.agreementId || r.agreementId === q.agreementId)
      .filter((r) => !q.from || Date.parse(r.end) > Date.parse(q.from))
      .filter((r) => !q.to || Date.parse(r.start) < Date.parse(q.to))
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id))
      .map(clone);
  }

  async update(next: ExceptionWindowRecord): Promise<void> {
    this.updateNow(next);
  }

  private updateNow(next: ExceptionWindowRecord): void {
    const current = this.rows.get(next.id);
    if (!current)
      throw new NotFoundError(`no exception window ${next.id}`, [
        { path: 'exceptionId', problem: `names no exception window (${next.id})` },
      ]);
    if (current.version !== next.version - 1) {
      throw new VersionConflictError(
        `stale write: version ${next.version - 1} was expected, the current version is ${current.version}`,
        clone(current),
      );
    }
    this.rows.set(next.id, clone(next));
  }
}

export function matchesViolation(v: ViolationRecord, q: ViolationQuery): boolean {
  if (q.agreementId && v.agreementId !== q.agreementId) return false;
  if (q.serviceId && v.serviceId !== q.serviceId) return false;
  if (q.objectiveId && v.objectiveId !== q.objectiveId) return false;
  if (q.severity && v.severity !== q.severity) return false;
  if (q.status && v.status !== q.status) return false;
  if (q.from && Date.parse(v.detectedAt) < Date.parse(q.from)) return false;
  if (q.to && Date.parse(v.detectedAt) >= Date.parse(q.to)) return false;
  if (
    q.scope &&
    !q.scope.businessUnits.includes(v.businessUnit) &&
    !q.scope.serviceIds.includes(v.serviceId)
  ) {
    return false;
  }
  return true;
}

export class MemoryViolationStore implements ViolationStore {
  private readonly rows = new Map<string, ViolationRecord>();

  async record(v: ViolationRecord): Promise<{ violation: ViolationRecord; created: boolean }> {
    const existing = [...this.rows.values()].find((r) => r.key === v.key);
    if (existing) return { violation: clone(existing), created: false };
    if (this.rows.has(v.id)) throw new ConflictError(`violation ${v.id} already exists`);
    this.rows.set(v.id, clone(v));
    return { violation: clone(v), created: true };
  }

  async update(v: ViolationRecord): Promise<void> {
    if (!this.rows.has(v.id))
      throw new NotFoundError(`violation ${v.id} not found`, [
        { path: 'violationId', problem: `names no violation (${v.id})` },
      ]);
    this.rows.set(v.id, clone(v));
  }

  async updateMany(vs: readonly ViolationRecord[]): Promise<void> {
    const missing = vs.find((v) => !this.rows.has(v.id));
    if (missing)
      throw new NotFoundError(`violation ${missing.id} not found`, [
        { path: 'violationId', problem: `names no violation (${missing.id})` },
      ]);
    for (const v of vs) this.rows.set(v.id, clone(v));
  }

  async get(id: string): Promise<ViolationRecord | undefined> {
    const r = this.rows.get(id);
    return r ? clone(r) : undefined;
  }

  async findOpen(agreementId: string, objectiveId: string): Promise<ViolationRecord | undefined> {
    const r = [...this.rows.values()].find(
      (x) => x.agreementId === agreementId && x.objectiveId === objectiveId && x.status === 'open',
    );
    return r ? clone(r) : undefined;
  }

  async list(q: ViolationQuery): Promise<ViolationRecord[]> {
    return [...this.rows.values()]
      .filter((v) => matchesViolation(v, q))
      .sort((a, b) => Date.parse(b.detectedAt) - Date.parse(a.detectedAt) || b.id.localeCompare(a.id))
      .slice(0, q.limit ?? 100)
      .map(clone);
  }
}

export class MemoryEvaluationStore implements EvaluationStore {
  private readonly latestRows = new Map<string, EvaluationResult>();
  private readonly points = new Map<string, Map<string, BudgetPoint>>();

  async save(results: readonly EvaluationResult[]): Promise<void> {
    for (const r of results) {
      const k = `${r.agreementId}/${r.objectiveId}`;
      this.latestRows.set(k, clone(r));
      let p = this.points.get(k);
      if (!p) {
        p = new Map();
        this.points.set(k, p);
      }
      p.set(r.evaluatedAt, budgetPoint(r));
    }
  }

  async latest(q: {
    agreementId?: string;
    serviceId?: string;
    objectiveId?: string;
  }): Promise<EvaluationResult[]> {
    return [...this.latestRows.values()]
      .filter((r) => !q.agreementId || r.agreementId === q.agreementId)
      .filter((r) => !q.serviceId || r.serviceId === q.serviceId)
      .filter((r) => !q.objectiveId || r.objectiveId === q.objectiveId)
      .sort(
        (a, b) => a.agreementId.localeCompare(b.agreementId) || a.objectiveId.localeCompare(b.objectiveId),
      )
      .map(clone);
  }

  async pruneHistory(before: string): Promise<number> {
    const t = Date.parse(before);
    let n = 0;
    for (const points of this.points.values()) {
      for (const [at, _] of points) {
        if (Date.parse(at) < t) {
          points.delete(at);
          n++;
        }
      }
    }
    return n;
  }

  async history(agreementId: string, objectiveId: string, from: string, to: string): Promise<BudgetPoint[]> {
    const f = Date.parse(from);
    const t = Date.parse(to);
    return [...(this.points.get(`${agreementId}/${objectiveId}`)?.values() ?? [])]
      .filter((p) => Date.parse(p.at) >= f && Date.parse(p.at) < t)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map(clone);
  }
}

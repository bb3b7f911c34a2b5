import type { Person } from '../../domain/people.js';
import {
  awaitsStart,
  type CappedRecordResult,
  type ChangeRequestRecord,
  countsTowardCap,
  countsTowardRecentCap,
  type GovernanceRequest,
  type GovernanceRequestStore,
  type RecentCap,
  requestedAtOf,
  subjectOf,
} from '../../ports/governance.js';

/** Change requests and freeze exceptions in memory (tests, the in-memory container). */
export class MemoryGovernanceRequestStore implements GovernanceRequestStore {
  private readonly rows = new Map<string, GovernanceRequest>();
  async get(id: string) {
    const r = this.rows.get(id);
    return r ? structuredClone(r) : undefined;
  }
  async put(r: GovernanceRequest, expected: number) {
    if ((this.rows.get(r.id)?.revision ?? 0) !== expected) return false;
    this.rows.set(r.id, structuredClone({ ...r, revision: expected + 1 }));
    return true;
  }
  async listBySubject(subjectId: string) {
    return this.sorted(subjectId).map((r) => structuredClone(r));
  }
  async recordIfUnder(
    r: GovernanceRequest,
    limit: number,
    who: Person,
    recent?: RecentCap,
  ): Promise<CappedRecordResult> {
    // No await between the count and the write: in one event loop turn nothing else runs in between.
    if (this.rows.has(r.id)) return { status: 'exists' };
    const all = this.sorted(subjectOf(r));
    const open = all.filter((x) => countsTowardCap(x, who));
    if (open.length >= limit) return { status: 'over-limit', openIds: open.map((x) => x.id) };
    if (recent) {
      const asked = all.filter((x) => countsTowardRecentCap(x, who, recent.since));
      if (asked.length >= recent.limit)
        return {
          status: 'over-recent-limit',
          asked: asked.map((x) => ({ id: x.id, requestedAt: x.requestedAt })),
        };
    }
    this.rows.set(r.id, structuredClone({ ...r, revision: 1 }));
    return { status: 'recorded' };
  }
  async unstarted(limit: number): Promise<ChangeRequestRecord[]> {
    return [...this.rows.values()]
      .filter(awaitsStart)
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }
  private sorted(subjectId: string): GovernanceRequest[] {
    return [...this.rows.values()]
      .filter((r) => subjectOf(r) === subjectId)
      .sort((a, b) => requestedAtOf(a).localeCompare(requestedAtOf(b)) || a.id.localeCompare(b.id));
  }
}

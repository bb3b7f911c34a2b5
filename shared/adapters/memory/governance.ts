import {
  type GovernanceRequest,
  type GovernanceRequestStore,
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
    return [...this.rows.values()]
      .filter((r) => subjectOf(r) === subjectId)
      .sort((a, b) => requestedAtOf(a).localeCompare(requestedAtOf(b)) || a.id.localeCompare(b.id))
      .map((r) => structuredClone(r));
  }
}

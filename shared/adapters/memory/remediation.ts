import type { RemediationRecord, RemediationStore } from '../../ports/remediation.js';

export class MemoryRemediationStore implements RemediationStore {
  private readonly rows = new Map<string, RemediationRecord>();
  async get(id: string) {
    const r = this.rows.get(id);
    return r ? structuredClone(r) : undefined;
  }
  async put(r: RemediationRecord, expected: number) {
    if ((this.rows.get(r.violationId)?.revision ?? 0) !== expected) return false;
    this.rows.set(r.violationId, structuredClone({ ...r, revision: expected + 1 }));
    return true;
  }
}

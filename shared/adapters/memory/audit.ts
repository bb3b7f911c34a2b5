import type { AuditStore } from '../../ports/audit.js';
import type { AuditEntry } from '../../schemas/agreement.js';

export class MemoryAuditStore implements AuditStore {
  private readonly rows = new Map<string, AuditEntry>();

  async record(entry: AuditEntry): Promise<boolean> {
    const key = `${entry.entity}#${entry.entityId}#${entry.version}`;
    if (this.rows.has(key)) return false;
    this.rows.set(key, structuredClone(entry));
    return true;
  }

  async list(
    entity: AuditEntry['entity'],
    entityId: string,
    o: { limit: number; afterVersion?: number },
  ): Promise<AuditEntry[]> {
    return [...this.rows.values()]
      .filter((e) => e.entity === entity && e.entityId === entityId && e.version > (o.afterVersion ?? 0))
      .sort((a, b) => a.version - b.version)
      .slice(0, o.limit)
      .map((e) => structuredClone(e));
  }
}

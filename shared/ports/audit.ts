import type { AuditEntry } from '../schemas/agreement.js';

export interface AuditStore {
  /** Records an entry once: a second call with the same entity, id and version writes nothing and returns false. */
  record(entry: AuditEntry): Promise<boolean>;
  /** Entries of one entity, oldest first, after the given version. */
  list(
    entity: AuditEntry['entity'],
    entityId: string,
    options: { limit: number; afterVersion?: number },
  ): Promise<AuditEntry[]>;
}

import type { Principal } from '../domain/access/policy.js';
import { diff } from '../domain/agreements/diff.js';
import { ValidationError } from '../domain/errors.js';
import type { AuditStore } from '../ports/audit.js';
import type { AuditEntry } from '../schemas/agreement.js';

/** Fields that describe a change rather than the record; they head the audit entry instead of its diff. */
const BOOKKEEPING = new Set(['version', 'changedAt', 'changedBy', 'change', 'reason']);

/** A committed change to a versioned record, as the change stream delivers it. */
export interface RecordChange {
  entity: AuditEntry['entity'];
  before?: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
}

/** The audit entry of one committed change: who, when, why, and a field-level diff of before and after. */
export function auditEntryFor(change: RecordChange): AuditEntry {
  const a = change.after;
  return {
    entity: change.entity,
    entityId: String(a.id),
    version: Number(a.version),
    eventId: `${change.entity}#${String(a.id)}#v${String(a.version)}`,
    at: String(a.changedAt),
    by: String(a.changedBy),
    reason: typeof a.reason === 'string' ? a.reason : '',
    change: typeof a.change === 'string' ? a.change : change.before ? 'update' : 'create',
    diff: diff(change.before ?? {}, a, BOOKKEEPING),
  };
}

/** Writes the audit trail from change records; idempotent, so a redelivered record writes nothing twice. */
export class AuditRecorder {
  constructor(private readonly audit: AuditStore) {}

  async record(change: RecordChange): Promise<boolean> {
    return this.audit.record(auditEntryFor(change));
  }
}

/** Finds an audited record the caller may read the trail of, or throws 404/403. */
export type AuditLocator = Record<
  AuditEntry['entity'],
  (principal: Principal, id: string) => Promise<unknown>
>;

/** Reading the audit trail page by page; the cursor is the last version seen. */
export class AuditQueries {
  constructor(
    private readonly audit: AuditStore,
    private readonly locate: AuditLocator,
  ) {}

  /** The trail of one record, after checking that the caller may read it (`audit.read` in its scope). */
  async trail(
    principal: Principal,
    entity: AuditEntry['entity'],
    entityId: string,
    q: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    await this.locate[entity](principal, entityId);
    // A cursor is the decimal version this API issued: not '', ' 3', '0x2' or '1e0', which Number() would take.
    if (q.cursor !== undefined && !/^\d{1,15}$/.test(q.cursor)) {
      throw new ValidationError('bad cursor', [
        { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
      ]);
    }
    const after = q.cursor === undefined ? 0 : Number(q.cursor);
    const items = await this.audit.list(entity, entityId, { limit: q.limit + 1, afterVersion: after });
    const page = items.slice(0, q.limit);
    return {
      items: page,
      ...(items.length > q.limit ? { nextCursor: String(page[page.length - 1]!.version) } : {}),
    };
  }
}

import type { Principal } from '../domain/access/policy.js';
import { diff } from '../domain/agreements/diff.js';
import { ValidationError } from '../domain/errors.js';
import type { AuditStore } from '../ports/audit.js';
import type { AuditEntry } from '../schemas/agreement.js';

/** Fields that describe a change rather than the record; they head the audit entry instead of its diff. */
const BOOKKEEPING = new Set(['version', 'changedAt', 'changedBy', 'change', 'reason', 'changeReason']);

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
    // A record whose `reason` describes the record itself (an exception window) says why it changed apart.
    reason:
      typeof a.changeReason === 'string' ? a.changeReason : typeof a.reason === 'string' ? a.reason : '',
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
  'agreement' | 'service' | 'vendor',
  (principal: Principal, id: string) => Promise<unknown>
>;

/** The exception windows of an agreement (any status), whose acts belong in the agreement's trail. */
export type WindowsOf = (agreementId: string) => Promise<string[]>;

/** Reading the audit trail page by page. */
export class AuditQueries {
  constructor(
    private readonly audit: AuditStore,
    private readonly locate: AuditLocator,
    // Stryker disable next-line ArrayDeclaration: a placeholder id in the fallback list names no window (window ids are generated ew_ ULIDs), so its trail is empty
    private readonly windowsOf: WindowsOf = async () => [],
  ) {}

  /**
   * The trail of one record, after checking that the caller may read it (`audit.read` in its scope). An
   * agreement's trail holds its own versions and every act on its exception windows, in time order; the cursor
   * is `<versions seen>` or `<versions seen>.<window entries seen>`.
   */
  async trail(
    principal: Principal,
    entity: 'agreement' | 'service' | 'vendor',
    entityId: string,
    q: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    await this.locate[entity](principal, entityId);
    const m = q.cursor === undefined ? undefined : /^(\d{1,9})(?:\.(\d{1,9}))?$/.exec(q.cursor);
    if (q.cursor !== undefined && !m) {
      throw new ValidationError('bad cursor', [
        { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
      ]);
    }
    const after = Number(m?.[1] ?? 0);
    const windowsSeen = Number(m?.[2] ?? 0);
    const own = await this.audit.list(entity, entityId, { limit: q.limit + 1, afterVersion: after });
    const windowEntries: AuditEntry[] = [];
    if (entity === 'agreement') {
      for (const id of await this.windowsOf(entityId)) {
        windowEntries.push(...(await this.audit.list('exception-window', id, { limit: 1000 })));
      }
      windowEntries.sort(byTime);
    }
    const merged = [...own, ...windowEntries.slice(windowsSeen)].sort(byTime);
    const page = merged.slice(0, q.limit);
    const more = merged.length > q.limit;
    const lastVersion = page.filter((e) => e.entity === entity).at(-1)?.version ?? after;
    const windowCount = windowsSeen + page.filter((e) => e.entity === 'exception-window').length;
    return {
      items: page,
      ...(more ? { nextCursor: windowCount ? `${lastVersion}.${windowCount}` : String(lastVersion) } : {}),
    };
  }
}

/**
 * The order of a trail (a comparator: negative when `a` comes first): time, then for versions of one record their
 * number, then event id, so that a page boundary never depends on sort stability.
 */
export function byTime(a: AuditEntry, b: AuditEntry): number {
  if (a.at !== b.at) {
    // Stryker disable next-line EqualityOperator: `<=` differs only at equal instants, which the guard above keeps out
    return a.at < b.at ? -1 : 1;
  }
  // Versions of one record in the same millisecond: by number (v10 after v9, which the event ids would invert). A
  // trail merges an agreement (agr_…) with its exception windows (ew_…): equal ids are one record.
  if (a.entityId === b.entityId) return a.version - b.version;
  // Two different records: their event ids (entity#id#vN) differ, so there is no tie to break.
  // Stryker disable next-line EqualityOperator: `<=` differs only for equal event ids, which two different records never have
  return a.eventId < b.eventId ? -1 : 1;
}

import { createHash } from 'node:crypto';
import { isAllowed, type Principal, roleProblem } from '../../domain/access/policy.js';
import {
  type ArchiveType,
  type ChainReport,
  MANIFEST_PREFIX,
  type ManifestEntry,
  type ManifestEntryInput,
  manifestKey,
  manifestSeq,
  nextEntry,
  type ObjectState,
  type StoredEntry,
  verifyChain,
} from '../../domain/archive/chain.js';
import { archiveKey } from '../../domain/archive/keys.js';
import { ConflictError, ForbiddenError, NotFoundError, UnavailableError } from '../../domain/errors.js';
import type { ArchivePolicy } from '../../policy/archive.js';
import {
  type ArchiveAccess,
  type ArchiveAccessLog,
  type ArchiveHead,
  type ArchiveHeadStore,
  ArchiveOverwriteError,
  type ArchiveStore,
} from '../../ports/archive.js';
import type { Clock } from '../../ports/clock.js';
import { type AccessLogQuery, type ArchiveListQuery, ManifestEntrySchema } from '../../schemas/archive.js';

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

export interface ArchiveDeps {
  store: ArchiveStore;
  accessLog: ArchiveAccessLog;
  /** The chain's head kept outside the archive (the embedded database, DynamoDB): truncation shows against it. */
  heads: ArchiveHeadStore;
  clock: Clock;
  policy: ArchivePolicy;
  /** New ids (`acc_…` for access records). */
  newId: (prefix: string) => string;
}

/** What a caller archives: the bytes and what they are. */
export interface ArchiveRequest {
  type: ArchiveType;
  body: Uint8Array;
  contentType: string;
  /** File extension for the key (`pdf`, `json`…). */
  extension: string;
  /** A stable id: archiving the same id twice is refused (write once). */
  id: string;
  title: string;
  archivedBy: string;
  agreementId?: string | undefined;
  period?: string | undefined;
  reportType?: string | undefined;
  scope?: string | undefined;
}

export type Download =
  | { kind: 'link'; key: string; url: string; expiresAt: string; sha256: string }
  | { kind: 'bytes'; key: string; body: Uint8Array; contentType: string; sha256: string; fileName: string };

export interface Verification extends ChainReport {
  verifiedAt: string;
  /** The head recorded outside the archive when the verification ran; null before anything was archived. */
  recordedHead: ArchiveHead | null;
}

const APPEND_ATTEMPTS = 8;

/**
 * The archive's use cases: archive a record (object first, then its manifest entry chained to the head), list
 * it by type, agreement and period, download it, verify it. Every retrieval (list, download, verify) is logged
 * in the access log with who, when and what, before the answer is given.
 */
export class ArchiveUseCases {
  /** The last manifest entry this process knows; checked against the store before each append. */
  private head: ManifestEntry | undefined;
  private headLoaded = false;

  constructor(private readonly deps: ArchiveDeps) {}

  /**
   * Stores an object once with the retention its type has in the archive policy, then appends its manifest
   * entry. Answers the entry. ArchiveOverwriteError when that id was archived already.
   */
  async archive(r: ArchiveRequest): Promise<ManifestEntry> {
    const now = this.deps.clock.now();
    const key = archiveKey({
      type: r.type,
      reportType: r.reportType,
      agreementId: r.agreementId,
      period: r.period,
      scope: r.scope,
      id: r.id,
      extension: r.extension,
    });
    const retainUntil = new Date(
      now.getTime() + this.deps.policy.retentionDays[r.type] * 86_400_000,
    ).toISOString();
    const sha256 = sha256Hex(r.body);
    await this.intactHead(); // before the object: a truncated archive takes nothing more
    await this.deps.store.put({ key, body: r.body, contentType: r.contentType, sha256, retainUntil });
    return this.append({
      key,
      type: r.type,
      sha256,
      size: r.body.byteLength,
      contentType: r.contentType,
      agreementId: r.agreementId,
      period: r.period,
      title: r.title,
      archivedAt: now.toISOString(),
      archivedBy: r.archivedBy,
      retainUntil,
    });
  }

  /**
   * The latest published report of a type for a month in a format (the portfolio's, for the internal audience),
   * for the audit to compare with. Not a retrieval by a person: not logged.
   */
  async findReport(
    reportType: string,
    month: string,
    extension: string,
  ): Promise<{ key: string; body: Uint8Array } | undefined> {
    let found: ManifestEntry | undefined;
    const prefix = `reports/${reportType}/${month}/portfolio-internal/`;
    for await (const stored of this.entries(0))
      if (
        'entry' in stored &&
        stored.entry.key.startsWith(prefix) &&
        stored.entry.key.endsWith(`.${extension}`)
      )
        found = stored.entry;
    if (!found) return undefined;
    const got = await this.deps.store.get(found.key);
    return got ? { key: found.key, body: got.body } : undefined;
  }

  /** Whether an object has been archived under this key already (for jobs that archive once). */
  async exists(key: string): Promise<boolean> {
    return (await this.deps.store.head(key)) !== undefined;
  }

  /** Manifest entries, filtered by type, agreement and period, in chain order, a page at a time. */
  async list(
    principal: Principal,
    q: ArchiveListQuery,
    requestId: string,
  ): Promise<{ items: ManifestEntry[]; nextCursor?: string }> {
    this.authorize(principal);
    const target = Object.entries({
      type: q.type,
      agreementId: q.agreementId,
      period: q.period,
      cursor: q.cursor,
    })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    await this.log(principal, 'list', target || '(all)', requestId);
    const after = q.cursor ? Number(q.cursor) : 0;
    const items: ManifestEntry[] = [];
    for await (const stored of this.entries(after)) {
      if (!('entry' in stored)) continue;
      const e = stored.entry;
      if (q.type && e.type !== q.type) continue;
      if (q.agreementId && e.agreementId !== q.agreementId) continue;
      // Stryker disable next-line StringLiteral: a period query is digits (Period schema), which neither an empty nor any other stand-in text starts with
      if (q.period && !(e.period ?? '').startsWith(q.period)) continue;
      items.push(e);
      if (items.length === q.limit) return { items, nextCursor: String(e.seq) };
    }
    return { items };
  }

  /** A presigned URL (S3) or the bytes (the embedded default), after logging the retrieval. */
  async download(principal: Principal, key: string, requestId: string): Promise<Download> {
    this.authorize(principal);
    await this.log(principal, 'download', key, requestId);
    const info = await this.deps.store.head(key);
    if (!info)
      throw new NotFoundError(`nothing is archived under ${key}`, [
        { path: 'query.key', problem: 'names no archived object' },
      ]);
    const fileName = key.split('/').at(-1)!;
    const link = await this.deps.store.downloadLink(key, this.deps.policy.downloadLinkSeconds, fileName);
    if (link) return { kind: 'link', key, url: link.url, expiresAt: link.expiresAt, sha256: info.sha256 };
    const got = await this.deps.store.get(key);
    if (!got)
      throw new NotFoundError(`nothing is archived under ${key}`, [
        { path: 'query.key', problem: 'names no archived object' },
      ]);
    // Never hand out bytes under a SHA-256 they do not have (an object altered on disk): say so instead.
    const actual = sha256Hex(got.body);
    if (actual !== got.info.sha256)
      throw new ConflictError(
        `${key} was altered: its bytes hash to ${actual}, the archive recorded ${got.info.sha256}; run GET /v1/archive/verify`,
        [
          {
            path: 'query.key',
            problem: 'names an object whose bytes no longer match their recorded SHA-256',
          },
        ],
      );
    return {
      kind: 'bytes',
      key,
      body: got.body,
      contentType: got.info.contentType,
      sha256: got.info.sha256,
      fileName,
    };
  }

  /**
   * Recomputes every manifest entry's hash and link and every object's SHA-256 (or one object's, with `key`),
   * and reports what is invalid, missing, out of the chain (gap) or unlisted, naming the first break.
   */
  async verify(
    principal: Principal,
    q: { key?: string | undefined },
    requestId: string,
  ): Promise<Verification> {
    this.authorize(principal);
    await this.log(principal, 'verify', q.key ?? '(whole archive)', requestId);
    return this.verifyAll(q.key);
  }

  /** The verification itself, for jobs and tests (no principal, not logged). */
  async verifyAll(onlyKey?: string): Promise<Verification> {
    // Read before the chain: an entry appended meanwhile makes the chain longer than the head, never shorter.
    const recordedHead = await this.deps.heads.get();
    const entries: StoredEntry[] = [];
    for await (const e of this.entries(0)) entries.push(e);
    const listed = new Set(entries.flatMap((e) => ('entry' in e ? [e.entry.key] : [])));
    const objects = new Map<string, ObjectState>();
    for (const key of listed) {
      // Stryker disable next-line ConditionalExpression,BlockStatement: only saves reading the other objects; their recorded hash replaces what is read below (the key comparison stays guarded by its EqualityOperator mutants)
      if (onlyKey !== undefined && key !== onlyKey) {
        objects.set(
          key,
          // Stryker disable next-line StringLiteral: a placeholder the loop below always replaces with the recorded hash for a present object
          (await this.deps.store.head(key)) ? { present: true, sha256: '' } : { present: false },
        );
        continue;
      }
      const got = await this.deps.store.get(key);
      objects.set(key, got ? { present: true, sha256: sha256Hex(got.body) } : { present: false });
    }
    // Objects skipped (onlyKey) are trusted: their recorded hash stands in for their bytes.
    if (onlyKey !== undefined)
      for (const e of entries)
        if ('entry' in e && e.entry.key !== onlyKey && objects.get(e.entry.key)?.present)
          objects.set(e.entry.key, { present: true, sha256: e.entry.sha256 });
    const unlisted: string[] = [];
    for await (const key of this.keys('')) {
      if (key.startsWith(MANIFEST_PREFIX)) continue;
      if (!listed.has(key)) unlisted.push(key);
    }
    const report = verifyChain(entries, objects, sha256Hex, unlisted, recordedHead);
    return {
      ...report,
      verifiedAt: this.deps.clock.now().toISOString(),
      recordedHead: recordedHead ?? null,
    };
  }

  async accessLog(principal: Principal, q: AccessLogQuery): Promise<{ items: ArchiveAccess[] }> {
    this.authorize(principal);
    const to = q.to ?? new Date(this.deps.clock.now().getTime() + 1).toISOString();
    const from = q.from ?? new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
    return { items: await this.deps.accessLog.list({ from, to, limit: q.limit }) };
  }

  private authorize(principal: Principal): void {
    if (!isAllowed(principal, 'archive.read'))
      throw new ForbiddenError(
        `your roles (${principal.roles.join(', ') || 'none'}) do not allow archive.read`,
        [roleProblem(principal, 'archive.read')],
      );
  }

  private async log(
    principal: Principal,
    action: ArchiveAccess['action'],
    target: string,
    requestId: string,
  ) {
    await this.deps.accessLog.record({
      id: this.deps.newId('acc'),
      at: this.deps.clock.now().toISOString(),
      subject: principal.subject,
      action,
      target,
      requestId,
    });
  }

  /**
   * Appends an entry after the current head; a concurrent writer that took the number first makes it retry.
   * Refuses (ArchiveTruncatedError) when the chain in the archive ends before the head recorded outside it: an
   * entry appended there would take the number of a deleted one and hide the deletion. The recorded head is
   * raised after the entry is stored (a crash in between leaves it one behind, which the next append mends).
   */
  private async append(input: ManifestEntryInput): Promise<ManifestEntry> {
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const prev = await this.intactHead();
      const entry = nextEntry(prev, input, sha256Hex);
      const body = new TextEncoder().encode(`${JSON.stringify(entry, null, 2)}\n`);
      try {
        await this.deps.store.put({
          key: manifestKey(entry.seq),
          body,
          contentType: 'application/json',
          sha256: sha256Hex(body),
          retainUntil: input.retainUntil,
        });
        this.head = entry;
        await this.deps.heads.raise({ seq: entry.seq, hash: entry.hash });
        return entry;
      } catch (e) {
        if (!(e instanceof ArchiveOverwriteError)) throw e;
        // Stryker disable next-line BooleanLiteral: a cache flag; the retry finds the other writer's entry by walking forward from the head either way
        this.headLoaded = false;
      }
    }
    throw new Error(`could not append to the archive manifest after ${APPEND_ATTEMPTS} attempts`);
  }

  /** The current head, after checking that the archive's chain reaches the head recorded outside it. */
  private async intactHead(): Promise<ManifestEntry | undefined> {
    const recorded = await this.deps.heads.get();
    const prev = await this.currentHead();
    if (recorded && (prev?.seq ?? 0) < recorded.seq) {
      // Stryker disable next-line BooleanLiteral: a cache flag; restored entries are found by walking forward from the head either way
      this.headLoaded = false; // read the archive again next time: the entries may have been restored
      throw new ArchiveTruncatedError(prev?.seq ?? 0, recorded);
    }
    return prev;
  }

  /** The last entry: the one this process wrote last, moved forward past any written since by others. */
  private async currentHead(): Promise<ManifestEntry | undefined> {
    // Stryker disable next-line ConditionalExpression: rescanning every time only costs time (never scanning stays guarded by the BlockStatement and BooleanLiteral mutants)
    if (!this.headLoaded) {
      let last: string | undefined;
      for await (const key of this.keys(MANIFEST_PREFIX)) last = key;
      this.head = last ? await this.readEntry(last) : undefined;
      // Stryker disable next-line BooleanLiteral: a cache flag; rescanning the manifest every time finds the same head
      this.headLoaded = true;
    }
    for (;;) {
      const next = manifestKey((this.head?.seq ?? 0) + 1);
      if (!(await this.deps.store.head(next))) return this.head;
      this.head = await this.readEntry(next);
    }
  }

  private async readEntry(key: string): Promise<ManifestEntry | undefined> {
    const got = await this.deps.store.get(key);
    if (!got) return undefined;
    const r = ManifestEntrySchema.safeParse(JSON.parse(new TextDecoder().decode(got.body)));
    if (!r.success) throw new Error(`manifest entry ${key} is unreadable: run a verification`);
    return r.data as ManifestEntry;
  }

  private async *keys(prefix: string): AsyncGenerator<string> {
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.store.list(prefix, { limit: 1000, ...(after ? { after } : {}) });
      for (const i of page.items) yield i.key;
      if (!page.next) return;
      after = page.next;
    }
  }

  /** Manifest entries from sequence number `after` + 1 on, parsed, in chain order. */
  private async *entries(after: number): AsyncGenerator<StoredEntry> {
    for await (const key of this.keys(MANIFEST_PREFIX)) {
      const keySeq = manifestSeq(key);
      if (keySeq === undefined || keySeq <= after) continue;
      const got = await this.deps.store.get(key);
      if (!got) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(got.body));
      } catch (e) {
        yield { keySeq, unreadable: `not JSON (${(e as Error).message})` };
        continue;
      }
      const r = ManifestEntrySchema.safeParse(parsed);
      if (r.success) yield { keySeq, entry: r.data as ManifestEntry };
      else {
        // Stryker disable next-line StringLiteral: unreachable: zod fails a parse only with at least one issue (the fallback only satisfies the type of issues[0])
        const problem = r.error.issues[0]?.message ?? 'bad shape';
        yield { keySeq, unreadable: `not a manifest entry (${problem})` };
      }
    }
  }
}

/** The archive's chain ends before its recorded head: its newest entries were deleted (409, nothing archived). */
export class ArchiveTruncatedError extends ConflictError {
  override readonly code = 'archive_truncated';
  constructor(lastSeq: number, recorded: ArchiveHead) {
    super(
      `the archive's manifest ends at entry ${lastSeq} but its recorded head is entry ${recorded.seq} (hash ${recorded.hash}): entries were deleted; nothing is archived until they are restored (run GET /v1/archive/verify)`,
      [{ path: 'manifest', problem: `entries ${lastSeq + 1} to ${recorded.seq} are missing` }],
    );
  }
}

/** The archive from a container, or a clear error where this deployment has not wired it. */
export function archiveIn(container: { archive?: ArchiveUseCases | undefined }): ArchiveUseCases {
  if (!container.archive) throw new UnavailableError('the archive is not deployed here');
  return container.archive;
}

/**
 * Backfill import (issue 14 item 3, docs/backfill.md): history older than the ingest lateness limit, from an
 * OpenMetrics or CSV file, as an explicit, admin-only, audited import. Each request carries one chunk of a file
 * (bounded) and belongs to an import job; the job's counts are the sum of its chunks, each chunk an entry of the
 * audit trail (entity `telemetry-backfill`), so progress is durable on every backend and can be polled.
 */
import { randomUUID } from 'node:crypto';
import { isAllowed, type Principal } from '../domain/access/policy.js';
import {
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.js';
import { BackfillFileError, decodeCsv, decodeOpenMetrics } from '../domain/telemetry/backfill-files.js';
import { type VendorScope, vendorScope } from '../domain/telemetry/scope.js';
import type { AuditStore } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { VendorStore } from '../ports/vendors.js';
import type { AuditEntry } from '../schemas/agreement.js';
import type { IngestResponse } from '../schemas/telemetry.js';
import type { ColumnarBackfill } from './backfill-columnar.js';

/** Content types of a backfill chunk: OpenMetrics text (promtool's format) or CSV. */
export const BACKFILL_TYPES: Record<string, 'openmetrics' | 'csv'> = {
  'application/openmetrics-text': 'openmetrics',
  'text/csv': 'csv',
};

/** The bounds of one import (docs/backfill.md). */
export const BACKFILL_LIMITS = {
  /** Samples older than this many days are refused (`too_old`): the longest window Accord evaluates is 366 days. */
  maxAgeDays: 400,
  /** Samples per request; a larger file is sent in chunks of one job (the CLI does). */
  maxSamplesPerRequest: 200_000,
  /** Bytes per request (API Gateway's payload limit is 10 MB). */
  maxBodyBytes: 10 * 1024 * 1024,
  /** Rejections listed per chunk (all are counted by reason). */
  maxListedRejections: 20,
} as const;

export interface BackfillIngest {
  ingestBackfill(
    decoded: import('../domain/telemetry/model.js').DecodedBatch,
    vendorId: string,
    oldestMs: number,
    scope?: VendorScope,
  ): Promise<IngestResponse>;
}

export interface BackfillDeps {
  ingest: () => BackfillIngest;
  audit: AuditStore;
  clock: Clock;
  /**
   * The vendor records: a backfill names the vendor whose mapping rules read the file, and that vendor's bindings
   * limit what the file may write, as they limit what the vendor sends live (issue 9 item 5).
   */
  vendors: Pick<VendorStore, 'get'>;
  /**
   * The columnar fast path for OpenMetrics chunks of new counter samples (backfill-columnar.ts; the embedded default
   * wires it): without it, or when a chunk does not qualify, every chunk takes live ingest's path.
   */
  columnar?: () => Pick<ColumnarBackfill, 'tryImport'> | undefined;
}

export interface BackfillChunkRequest {
  /** The vendor whose mapping rules read the file's series (as if it had sent them). */
  vendorId: string;
  contentType: string;
  /** The request's Content-Encoding, if any: a backfill body is sent as is (anything but identity is 415). */
  contentEncoding?: string | undefined;
  body: Buffer;
  reason: string;
  /** The job to add this chunk to; a new job when absent. */
  jobId?: string | undefined;
  /** Samples the whole file holds, as the client counted them (for progress). */
  declaredTotal?: number | undefined;
  /**
   * `jobId` was minted by a backfill run (shared/usecases/backfill-runs.ts) and may not exist yet: this chunk may be
   * its first. Without it an unknown job is 404.
   */
  newJob?: boolean | undefined;
}

/** One import job: what its chunks submitted and what became of it. */
export interface BackfillJob {
  id: string;
  vendorId: string;
  by: string;
  reason: string;
  startedAt: string;
  updatedAt: string;
  chunks: number;
  declaredTotal: number | null;
  submitted: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** The first rejections (path = chunk and line), at most 20 per chunk. */
  rejections: { chunk: number; path: string; reason: string; message: string }[];
  /** Oldest accepted bound: samples before it are refused as too old. */
  oldestAccepted: string;
}

interface ChunkCounts {
  vendorId: string;
  declaredTotal: number | null;
  submitted: number;
  accepted: number;
  duplicates: number;
  rejectedByReason: Record<string, number>;
  rejections: { path: string; reason: string; message: string }[];
  oldestMs: number;
}

const JOB_ID = /^bf_[0-9a-f-]{36}$/;

/** Jobs whose trail this process remembers (the most recently used). */
const REMEMBERED_JOBS = 64;

export class BackfillUseCases {
  /**
   * Each job's trail as this process last read it, oldest first. Audit entries never change, so only the entries after
   * the last one remembered are read again: a chunk costs one short read, not the whole trail (which made a job of n
   * chunks read n²/2 entries).
   */
  private readonly trails = new Map<string, readonly AuditEntry[]>();

  constructor(private readonly deps: BackfillDeps) {}

  /**
   * Imports one chunk of a backfill file into a job (a new one unless `jobId` is given): decoded (OpenMetrics or
   * CSV), then mapped, checked and stored exactly as live ingest does, except that samples are accepted back to
   * `maxAgeDays` instead of the lateness limit. The chunk is recorded in the audit trail before the answer.
   * @throws ForbiddenError (403) unless the principal may `telemetry.backfill` (admins); UnsupportedMediaTypeError
   *   (415) for another content type or a Content-Encoding other than identity; PayloadTooLargeError (413) above the
   *   per-request bound; ValidationError (400) naming `vendor` for a vendor that does not exist (before the chunk is
   *   read), or each unreadable line; NotFoundError (404) for an unknown job
   */
  async importChunk(principal: Principal, req: BackfillChunkRequest): Promise<BackfillJob> {
    this.authorise(principal);
    const type = req.contentType.split(';')[0]!.trim().toLowerCase();
    const format = BACKFILL_TYPES[type];
    if (!format)
      throw new UnsupportedMediaTypeError('a backfill file is OpenMetrics text or CSV', [
        {
          path: 'Content-Type',
          problem: `"${type || '(none)'}" is not one of ${Object.keys(BACKFILL_TYPES).join(', ')}`,
        },
      ]);
    const encoding = req.contentEncoding?.trim().toLowerCase();
    if (encoding && encoding !== 'identity')
      throw new UnsupportedMediaTypeError('a backfill chunk is sent uncompressed', [
        {
          path: 'Content-Encoding',
          problem: `"${encoding}" is not accepted: send the file's bytes as they are`,
        },
      ]);
    // Before the chunk is read: a file imported as a vendor nobody has would be stored where nothing is bound.
    const scope = await this.vendorScope(principal, req.vendorId);
    let previous: readonly AuditEntry[] = [];
    if (req.jobId !== undefined) {
      previous = await this.entries(req.jobId, req.newJob === true);
      const first = counts(previous[0]);
      if (first && first.vendorId !== req.vendorId)
        throw new ValidationError('a job reads one vendor’s series', [
          {
            path: 'vendor',
            problem: `job ${req.jobId} reads ${first.vendorId}'s series, not ${req.vendorId}'s`,
          },
        ]);
    }
    const now = this.deps.clock.now();
    const oldestMs = now.getTime() - BACKFILL_LIMITS.maxAgeDays * 86_400_000;
    const r =
      (format === 'openmetrics' ? await this.columnar(req, now.getTime(), oldestMs, scope) : undefined) ??
      (await this.ingestDecoded(req, format, oldestMs, scope));
    const byReason: Record<string, number> = {};
    for (const x of r.rejected) byReason[x.reason] = (byReason[x.reason] ?? 0) + 1;
    const chunk: ChunkCounts = {
      vendorId: req.vendorId,
      declaredTotal: req.declaredTotal ?? null,
      submitted: r.submitted,
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejectedByReason: byReason,
      rejections: r.rejected
        .slice(0, BACKFILL_LIMITS.maxListedRejections)
        .map((x) => ({ path: x.path, reason: x.reason, message: x.message })),
      oldestMs,
    };
    const jobId = req.jobId ?? `bf_${randomUUID()}`;
    // The chunk's number is the next version of the job's trail; a chunk racing another takes the next one.
    let version = (previous[previous.length - 1]?.version ?? 0) + 1;
    for (;;) {
      const recorded = await this.deps.audit.record({
        entity: 'telemetry-backfill',
        entityId: jobId,
        version,
        eventId: randomUUID(),
        at: now.toISOString(),
        by: principal.subject,
        reason: req.reason,
        change: version === 1 ? 'backfill started' : 'backfill chunk',
        diff: [{ path: `chunks[${version - 1}]`, op: 'added', after: chunk }],
      });
      if (recorded) break;
      version++;
    }
    return this.job(principal, jobId);
  }

  /**
   * What a backfill "as" a vendor may write: the scope of the vendor's bindings (docs/backfill.md, "Vendor scope").
   * Out-of-scope samples are then rejected one by one (`not_your_service`) as live ingest rejects them. A revoked
   * vendor is accepted with the bindings its record kept (restoring history it delivered before it was revoked is an
   * administrator's explicit, audited act; revocation ends its keys, not the truth of its past data).
   * @throws ForbiddenError (403) unless admin; ValidationError (400) naming `vendor` when no vendor has this id
   */
  async vendorScope(principal: Principal, vendorId: string): Promise<VendorScope> {
    this.authorise(principal);
    const vendor = await this.deps.vendors.get(vendorId);
    if (!vendor)
      throw new ValidationError(`there is no vendor ${vendorId}`, [
        {
          path: 'vendor',
          problem: `names no vendor: correct the id, or create the vendor (POST /v1/vendors) bound to the services the file feeds`,
        },
      ]);
    return vendorScope(vendor.id, vendor.bindings);
  }

  /**
   * A job's progress: the sum of its chunks.
   * @throws ForbiddenError (403) unless admin; NotFoundError (404) for an unknown job
   */
  async job(principal: Principal, jobId: string): Promise<BackfillJob> {
    this.authorise(principal);
    const entries = await this.entries(jobId);
    const first = entries[0]!;
    const c0 = counts(first)!;
    const job: BackfillJob = {
      id: jobId,
      vendorId: c0.vendorId,
      by: first.by,
      reason: first.reason,
      startedAt: first.at,
      updatedAt: entries[entries.length - 1]!.at,
      chunks: entries.length,
      declaredTotal: c0.declaredTotal,
      submitted: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      rejectedByReason: {},
      rejections: [],
      oldestAccepted: new Date(counts(entries[entries.length - 1])!.oldestMs).toISOString(),
    };
    entries.forEach((e, i) => {
      const c = counts(e)!;
      job.submitted += c.submitted;
      job.accepted += c.accepted;
      job.duplicates += c.duplicates;
      for (const [k, n] of Object.entries(c.rejectedByReason)) {
        job.rejectedByReason[k] = (job.rejectedByReason[k] ?? 0) + n;
        job.rejected += n;
      }
      if (job.rejections.length < 100)
        for (const x of c.rejections) job.rejections.push({ chunk: i + 1, ...x });
    });
    return job;
  }

  /** Live ingest's path: the whole reader (naming every unreadable line), then mapping, semantics and storage. */
  private async ingestDecoded(
    req: BackfillChunkRequest,
    format: 'openmetrics' | 'csv',
    oldestMs: number,
    scope: VendorScope,
  ): Promise<Pick<IngestResponse, 'submitted' | 'accepted' | 'duplicates' | 'rejected'>> {
    const text = req.body.toString('utf8');
    let decoded: ReturnType<typeof decodeCsv>;
    try {
      decoded = format === 'csv' ? decodeCsv(text) : decodeOpenMetrics(text);
    } catch (e) {
      if (e instanceof BackfillFileError)
        throw new ValidationError(
          `the ${format === 'csv' ? 'CSV' : 'OpenMetrics'} file cannot be read`,
          e.problems,
        );
      throw e;
    }
    if (decoded.sampleCount > BACKFILL_LIMITS.maxSamplesPerRequest)
      throw new PayloadTooLargeError(
        `the chunk carries ${decoded.sampleCount} samples; send at most ${BACKFILL_LIMITS.maxSamplesPerRequest} per request (accord backfill splits a file)`,
        [
          {
            path: '(body)',
            problem: `${decoded.sampleCount} samples > ${BACKFILL_LIMITS.maxSamplesPerRequest}`,
          },
        ],
      );
    return this.deps.ingest().ingestBackfill(decoded, req.vendorId, oldestMs, scope);
  }

  /** The columnar fast path's counts, when it took the chunk whole. */
  private async columnar(
    req: BackfillChunkRequest,
    nowMs: number,
    oldestMs: number,
    scope: VendorScope,
  ): Promise<Pick<IngestResponse, 'submitted' | 'accepted' | 'duplicates' | 'rejected'> | undefined> {
    const fast = this.deps.columnar?.();
    if (!fast) return undefined;
    const done = await fast.tryImport(
      req.body,
      req.vendorId,
      nowMs,
      oldestMs,
      BACKFILL_LIMITS.maxSamplesPerRequest,
      scope,
    );
    return done && { submitted: done.submitted, accepted: done.accepted, duplicates: 0, rejected: [] };
  }

  private authorise(principal: Principal): void {
    if (!isAllowed(principal, 'telemetry.backfill'))
      throw new ForbiddenError('backfilling history is an explicit import by an administrator', [
        { path: 'role', problem: 'needs the telemetry.backfill action (admin)' },
      ]);
  }

  /** The job's trail, oldest first: what this process remembers of it, then what was recorded since. */
  private async entries(jobId: string, mayBeNew = false): Promise<readonly AuditEntry[]> {
    const notFound = () =>
      new NotFoundError(`there is no backfill job ${jobId}`, [{ path: 'jobId', problem: 'unknown job' }]);
    if (!JOB_ID.test(jobId)) throw notFound();
    const known = this.trails.get(jobId) ?? [];
    // A new array (never the remembered one grown in place): two chunks of one job may be read at the same time.
    let out: readonly AuditEntry[] = known;
    for (;;) {
      const page = await this.deps.audit.list('telemetry-backfill', jobId, {
        limit: 200,
        afterVersion: out[out.length - 1]?.version ?? 0,
      });
      // Stryker disable next-line ConditionalExpression: concatenating an empty page leaves the same entries
      if (page.length) out = out.concat(page);
      if (page.length < 200) break;
    }
    if (out.length === 0) {
      if (!mayBeNew) throw notFound();
      return out;
    }
    this.trails.delete(jobId);
    this.trails.set(jobId, out);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a bound on this process's memory of trails; a job it forgot is read again whole, with the same entries
    if (this.trails.size > REMEMBERED_JOBS) this.trails.delete(this.trails.keys().next().value!);
    return out;
  }
}

function counts(e: AuditEntry | undefined): ChunkCounts | undefined {
  return e?.diff[0]?.after as ChunkCounts | undefined;
}

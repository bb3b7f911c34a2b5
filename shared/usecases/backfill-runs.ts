/**
 * Backfill runs (issue 14 item 3, docs/backfill.md "Large files on AWS"): a file too large for one request is uploaded
 * as chunk objects under a prefix of the backfill bucket; a run imports every object of the prefix with a Step
 * Functions Distributed Map (infra/workflows/backfill.asl.json), one child execution per object. Each object goes
 * through the same use case as a chunk sent over HTTP (BackfillUseCases.importChunk: admin-only, audited, bounded),
 * into one import job whose id is the run's; an object that cannot be imported (unreadable, too large, another
 * format) fails alone and is listed in the run's report; the others are imported.
 *
 * The run's own trail (entity `telemetry-backfill-run`, id = the job's): version 1 when started, the next when the map
 * finished (objects imported, failed, each failure by key).
 */
import { randomUUID } from 'node:crypto';
import { isAllowed, type Principal } from '../domain/access/policy.js';
import {
  BusinessRuleError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../domain/errors.js';
import type { AuditStore } from '../ports/audit.js';
import type { BackfillObjectReader, BackfillRunInput, BackfillRunStarter } from '../ports/backfill-runs.js';
import type { Clock } from '../ports/clock.js';
import type { AuditEntry } from '../schemas/agreement.js';
import { BACKFILL_LIMITS, type BackfillJob, type BackfillUseCases } from './backfill.js';

/** The key prefix the Distributed Map writes its result files under: never a run's own prefix. */
export const RESULTS_PREFIX = 'results/';

/** Content type of a chunk object by its key's extension (the object's own Content-Type when none matches). */
export const OBJECT_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.om': 'application/openmetrics-text',
  '.openmetrics': 'application/openmetrics-text',
  '.prom': 'application/openmetrics-text',
  '.txt': 'application/openmetrics-text',
};

/** Failures listed in a run's report (all are counted). */
export const MAX_LISTED_FAILURES = 200;

export interface BackfillRunRequest {
  vendorId: string;
  prefix: string;
  reason: string;
  declaredTotal?: number | undefined;
  /** Child executions at once, 1–40 (default 1: objects in key order, so a counter may span objects). */
  concurrency?: number | undefined;
}

/** One object that was not imported, and why (the same code and problems an HTTP chunk would get). */
export interface BackfillObjectFailure {
  key: string;
  code: string;
  message: string;
  details?: { path: string; problem: string }[];
}

/** A run: how far its map got, what failed, and its import job's counts. */
export interface BackfillRun {
  id: string;
  vendorId: string;
  prefix: string;
  by: string;
  reason: string;
  concurrency: number;
  /** The execution's id (an ARN on AWS) in the answer of the start; its name is the run's id. */
  executionId?: string;
  startedAt: string;
  /** `running` until the map reports; `finished` (objects may have failed: see `failures`); `failed` (the map did not run). */
  state: 'running' | 'finished' | 'failed';
  finishedAt: string | null;
  objects: { imported: number; failed: number; pending: number } | null;
  failures: BackfillObjectFailure[];
  /** Why the map itself failed (listing the prefix, writing results), when `state` is `failed`. */
  error: string | null;
  /** The import job's counts (chunks, samples submitted, accepted, rejected by reason); null before the first chunk. */
  job: BackfillJob | null;
}

/** One Distributed Map item: what the ASL's ItemSelector passes to the item processor. */
export interface BackfillItem {
  jobId: string;
  vendorId: string;
  reason: string;
  by: string;
  declaredTotal: number | null;
  bucket: string;
  key: string;
  /** Bytes, from the listing (ListObjectsV2's Size). */
  size: number;
}

/** What the item processor answers for one object (a child execution's output). */
export interface BackfillItemResult {
  key: string;
  imported: boolean;
  submitted?: number;
  accepted?: number;
  failure?: BackfillObjectFailure;
}

/** The last state's input: where the map wrote its results, or why the map failed. */
export interface BackfillFinishInput {
  jobId: string;
  /** The map's ResultWriterDetails (`{Bucket, Key}` of manifest.json). */
  results?: { Bucket: string; Key: string } | undefined;
  /** The map's error when it failed as a whole (Catch: `{Error, Cause}`). */
  error?: { Error?: string; Cause?: string } | undefined;
}

export interface BackfillRunDeps {
  backfill: BackfillUseCases;
  audit: AuditStore;
  clock: Clock;
  /** Absent where runs are not deployed (the embedded default): start answers 422. */
  starter?: BackfillRunStarter | undefined;
  /** Absent where runs are not deployed; the item processor and the finishing step need it. */
  objects?: BackfillObjectReader | undefined;
}

interface StartedRecord {
  vendorId: string;
  prefix: string;
  concurrency: number;
  declaredTotal: number | null;
}

interface FinishedRecord {
  state: 'finished' | 'failed';
  objects: { imported: number; failed: number; pending: number } | null;
  failures: BackfillObjectFailure[];
  error: string | null;
}

interface ResultEntry {
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

const RUN_ID = /^bf_[0-9a-f-]{36}$/;

export class BackfillRunUseCases {
  constructor(private readonly deps: BackfillRunDeps) {}

  /**
   * Starts a run over every object under `prefix` in the backfill bucket: recorded (audited) first, then the
   * execution started; the answer is the run, `running`.
   * @throws ForbiddenError (403) unless admin (`telemetry.backfill`); ValidationError (400) naming `vendor` when no
   *   vendor has that id (before anything is recorded or started); BusinessRuleError (422) where runs are not
   *   deployed (the embedded default: send the file over HTTP in chunks, `accord backfill`)
   */
  async start(principal: Principal, req: BackfillRunRequest): Promise<BackfillRun> {
    authorise(principal);
    // Each object's import checks it again (and applies the vendor's bindings); an unknown vendor is refused here,
    // before a run that could import nothing is recorded.
    await this.deps.backfill.vendorScope(principal, req.vendorId);
    const starter = this.deps.starter;
    // A 4xx, not a 503: the request is well formed and the server is healthy, this deployment has no such runner
    // (no request a user can make should reach a 5xx).
    if (!starter)
      throw new BusinessRuleError(
        'backfill runs over S3 objects are deployed on AWS only; here, send the file in chunks to POST /v1/telemetry/backfills (accord backfill does)',
        [{ path: 'prefix', problem: 'names S3 objects, which only the AWS deployment reads' }],
      );
    const jobId = `bf_${randomUUID()}`;
    const input: BackfillRunInput = {
      jobId,
      vendorId: req.vendorId,
      prefix: req.prefix,
      reason: req.reason,
      by: principal.subject,
      concurrency: req.concurrency ?? 1,
      declaredTotal: req.declaredTotal ?? null,
    };
    const at = this.deps.clock.now().toISOString();
    const started: StartedRecord = {
      vendorId: input.vendorId,
      prefix: input.prefix,
      concurrency: input.concurrency,
      declaredTotal: input.declaredTotal,
    };
    // Recorded before the execution starts: its last state adds the report to this trail.
    await this.deps.audit.record(
      entry(jobId, 1, at, principal.subject, req.reason, 'backfill run started', started),
    );
    let executionId: string;
    try {
      ({ executionId } = await starter.start(input));
    } catch (e) {
      await this.finish({ jobId, error: { Error: 'StartExecution', Cause: String(e) } });
      throw e;
    }
    return { ...(await this.status(principal, jobId)), executionId };
  }

  /**
   * A run's state and its job's counts.
   * @throws ForbiddenError (403) unless admin; NotFoundError (404) for an unknown run
   */
  async status(principal: Principal, runId: string): Promise<BackfillRun> {
    authorise(principal);
    const notFound = () =>
      new NotFoundError(`there is no backfill run ${runId}`, [{ path: 'runId', problem: 'unknown run' }]);
    if (!RUN_ID.test(runId)) throw notFound();
    const entries = await this.deps.audit.list('telemetry-backfill-run', runId, { limit: 10 });
    const first = entries[0];
    if (!first) throw notFound();
    const s = first.diff[0]!.after as StartedRecord;
    const last = entries.length > 1 ? entries[entries.length - 1]! : undefined;
    const f = last?.diff[0]?.after as FinishedRecord | undefined;
    let job: BackfillJob | null = null;
    try {
      job = await this.deps.backfill.job(principal, runId);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    return {
      id: runId,
      vendorId: s.vendorId,
      prefix: s.prefix,
      by: first.by,
      reason: first.reason,
      concurrency: s.concurrency,
      startedAt: first.at,
      state: f?.state ?? 'running',
      finishedAt: last?.at ?? null,
      objects: f?.objects ?? null,
      failures: f?.failures ?? [],
      error: f?.error ?? null,
      job,
    };
  }

  /**
   * The Distributed Map's item processor: imports one chunk object into the run's job through
   * BackfillUseCases.importChunk, as the administrator who started the run. An object the import refuses (a 4xx: too
   * large, another format, unreadable lines) is answered as a failure, not thrown, so the map goes on and the report
   * names it; anything else (storage unavailable) is thrown for the state machine's Retry.
   */
  async importObject(item: BackfillItem): Promise<BackfillItemResult> {
    const objects = this.objects();
    const fail = (f: Omit<BackfillObjectFailure, 'key'>): BackfillItemResult => ({
      key: item.key,
      imported: false,
      failure: { key: item.key, ...f },
    });
    if (item.size > BACKFILL_LIMITS.maxBodyBytes)
      return fail({
        code: 'payload_too_large',
        message: `the object holds ${item.size} bytes; a chunk object holds at most ${BACKFILL_LIMITS.maxBodyBytes}`,
        details: [{ path: item.key, problem: `${item.size} bytes > ${BACKFILL_LIMITS.maxBodyBytes}` }],
      });
    try {
      const object = await objects.read(item.bucket, item.key);
      // Stryker disable next-line OptionalChaining: a match always has its [0]; without a match the chain stops at exec's null either way
      const ext = /\.[A-Za-z]+$/.exec(item.key)?.[0]?.toLowerCase();
      const contentType = (ext && OBJECT_TYPES[ext]) || object.contentType || '';
      const job = await this.deps.backfill.importChunk(runPrincipal(item.by), {
        vendorId: item.vendorId,
        contentType,
        body: object.body,
        reason: item.reason,
        jobId: item.jobId,
        declaredTotal: item.declaredTotal ?? undefined,
        newJob: true,
      });
      return { key: item.key, imported: true, submitted: job.submitted, accepted: job.accepted };
    } catch (e) {
      if (e instanceof DomainError && !(e instanceof UnavailableError))
        return fail({ code: e.code, message: e.message, details: e.details });
      throw e;
    }
  }

  /**
   * The last state: reads the map's result files (manifest.json and the SUCCEEDED/FAILED files it lists) and records
   * the run's report; or records that the map failed as a whole.
   */
  async finish(input: BackfillFinishInput): Promise<Omit<FinishedRecord, 'failures'> & { failed: number }> {
    const entries = await this.deps.audit.list('telemetry-backfill-run', input.jobId, { limit: 10 });
    const first = entries[0];
    if (!first)
      throw new NotFoundError(`there is no backfill run ${input.jobId}`, [
        { path: 'jobId', problem: 'names no backfill run' },
      ]);
    let record: FinishedRecord;
    if (!input.results) {
      record = {
        state: 'failed',
        objects: null,
        failures: [],
        error: `${input.error?.Error ?? 'States.Runtime'}: ${input.error?.Cause ?? 'the map did not run'}`,
      };
    } else {
      record = await this.readResults(input.results);
    }
    let version = entries.length + 1;
    const at = this.deps.clock.now().toISOString();
    while (
      !(await this.deps.audit.record(
        entry(input.jobId, version, at, first.by, first.reason, `backfill run ${record.state}`, record),
      ))
    )
      version++;
    return {
      state: record.state,
      objects: record.objects,
      error: record.error,
      failed: record.objects?.failed ?? 0,
    };
  }

  private async readResults(where: { Bucket: string; Key: string }): Promise<FinishedRecord> {
    const objects = this.objects();
    const json = async <T>(key: string): Promise<T> =>
      JSON.parse((await objects.read(where.Bucket, key)).body.toString('utf8')) as T;
    const manifest = await json<{
      ResultFiles?: Partial<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string }[]>>;
    }>(where.Key);
    const files = manifest.ResultFiles ?? {};
    const failures: BackfillObjectFailure[] = [];
    let imported = 0;
    let failed = 0;
    let pending = 0;
    const note = (f: BackfillObjectFailure) => {
      failed++;
      if (failures.length < MAX_LISTED_FAILURES) failures.push(f);
    };
    for (const file of files.SUCCEEDED ?? []) {
      for (const r of await json<ResultEntry[]>(file.Key)) {
        const out = parse<BackfillItemResult>(r.Output);
        if (out?.imported) imported++;
        else if (out?.failure) note(out.failure);
        else note({ key: keyOf(r), code: 'no_result', message: 'the item processor answered nothing' });
      }
    }
    for (const file of files.FAILED ?? [])
      for (const r of await json<ResultEntry[]>(file.Key))
        note({
          key: keyOf(r),
          code: 'execution_failed',
          message: `${r.Error ?? 'States.TaskFailed'}: ${r.Cause ?? 'the child execution failed'}`,
        });
    for (const file of files.PENDING ?? []) pending += (await json<ResultEntry[]>(file.Key)).length;
    return { state: 'finished', objects: { imported, failed, pending }, failures, error: null };
  }

  private objects(): BackfillObjectReader {
    if (!this.deps.objects) throw new UnavailableError('backfill runs are not deployed here');
    return this.deps.objects;
  }
}

/** The administrator who started a run, as the item processor acts for them (only that route starts a run). */
function runPrincipal(subject: string): Principal {
  return { subject, roles: ['admin'], businessUnits: [], services: [], signOffCapacities: [] };
}

function authorise(principal: Principal): void {
  if (!isAllowed(principal, 'telemetry.backfill'))
    throw new ForbiddenError('backfilling history is an explicit import by an administrator', [
      { path: 'role', problem: 'needs the telemetry.backfill action (admin)' },
    ]);
}

function entry(
  jobId: string,
  version: number,
  at: string,
  by: string,
  reason: string,
  change: string,
  after: StartedRecord | FinishedRecord,
): AuditEntry {
  return {
    entity: 'telemetry-backfill-run',
    entityId: jobId,
    version,
    eventId: randomUUID(),
    at,
    by,
    reason,
    change,
    diff: [{ path: version === 1 ? 'run' : 'result', op: 'added', after }],
  };
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    // not JSON: no input to read (falls through to undefined)
  }
  return undefined;
}

function keyOf(r: ResultEntry): string {
  return parse<{ key?: string }>(r.Input)?.key ?? '(unknown)';
}

/** The backfill run use cases of a container; 503 where a composition root has not wired them. */
export function backfillRunsIn(container: {
  backfillRuns?: BackfillRunUseCases | undefined;
}): BackfillRunUseCases {
  if (!container.backfillRuns) throw new UnavailableError('backfill runs are not deployed here');
  return container.backfillRuns;
}

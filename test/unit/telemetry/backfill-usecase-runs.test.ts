import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../../shared/adapters/memory/audit.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import {
  BusinessRuleError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { BackfillRunInput } from '../../../shared/ports/backfill-runs.js';
import type { AuditEntry } from '../../../shared/schemas/agreement.js';
import {
  BACKFILL_LIMITS,
  type BackfillJob,
  type BackfillUseCases,
} from '../../../shared/usecases/backfill.js';
import {
  type BackfillItem,
  BackfillRunUseCases,
  backfillRunsIn,
  MAX_LISTED_FAILURES,
} from '../../../shared/usecases/backfill-runs.js';
import { principal } from '../../helpers/fixtures.js';

/**
 * The backfill run use cases on their own (docs/backfill.md "Large files on AWS"): the trail in a memory audit store,
 * the import job's use case, the execution starter and the bucket as stubs that record what they are asked.
 */

const AT = '2026-05-01T09:00:00.000Z';
const admin = principal({ subject: 'ada', roles: ['admin'] });
const RUN = 'bf_00000000-0000-4000-8000-000000000001';
const JOB = { id: RUN, submitted: 10, accepted: 9 } as unknown as BackfillJob;
const BUCKET = 'accord-backfill';

interface Harness {
  runs: BackfillRunUseCases;
  audit: MemoryAuditStore;
  started: BackfillRunInput[];
  imports: { principal: Principal; req: Record<string, unknown> }[];
  listed: string[];
  /** What the next job read or chunk import does. */
  job: () => Promise<BackfillJob>;
  importChunk: () => Promise<BackfillJob>;
  starter: (() => Promise<{ executionId: string }>) | undefined;
  files: Map<string, { body: Buffer; contentType?: string }>;
}

function harness(over: { starter?: boolean; objects?: boolean } = {}): Harness {
  const audit = new MemoryAuditStore();
  const h = {
    audit,
    started: [],
    imports: [],
    listed: [],
    job: async () => JOB,
    importChunk: async () => JOB,
    starter: async () => ({ executionId: 'arn:aws:states:eu-west-1:1:execution:backfill:run' }),
    files: new Map(),
  } as unknown as Harness;
  const backfill = {
    vendorScope: async (p: Principal, vendorId: string) => {
      if (vendorId !== 'prometheus')
        throw new ValidationError(`there is no vendor ${vendorId}`, [{ path: 'vendor', problem: 'unknown' }]);
      return { vendorId, p };
    },
    job: () => h.job(),
    importChunk: async (p: Principal, req: Record<string, unknown>) => {
      h.imports.push({ principal: p, req });
      return h.importChunk();
    },
  } as unknown as BackfillUseCases;
  const spiedAudit = Object.assign(Object.create(audit) as MemoryAuditStore, {
    list: (entity: AuditEntry['entity'], id: string, o: { limit: number }) => {
      h.listed.push(id);
      return audit.list(entity, id, o);
    },
  });
  h.runs = new BackfillRunUseCases({
    backfill,
    audit: spiedAudit,
    clock: { now: () => new Date(AT) },
    starter:
      over.starter === false
        ? undefined
        : {
            start: async (input) => {
              h.started.push(input);
              return h.starter!();
            },
          },
    objects:
      over.objects === false
        ? undefined
        : {
            read: async (bucket, key) => {
              const f = bucket === BUCKET ? h.files.get(key) : undefined;
              if (!f) throw new NotFoundError(`no object ${key}`, [{ path: 'key', problem: 'no object' }]);
              return f;
            },
          },
  });
  return h;
}

/** Records a run's first trail entry directly, as `start` does. */
async function startedRun(audit: MemoryAuditStore, id = RUN): Promise<void> {
  await audit.record({
    entity: 'telemetry-backfill-run',
    entityId: id,
    version: 1,
    eventId: 'e1',
    at: '2026-05-01T08:00:00.000Z',
    by: 'ada',
    reason: 'history of April',
    change: 'backfill run started',
    diff: [
      {
        path: 'run',
        op: 'added',
        after: { vendorId: 'prometheus', prefix: 'april/', concurrency: 4, declaredTotal: 1000 },
      },
    ],
  });
}

const trail = (h: Harness, id = RUN) => h.audit.list('telemetry-backfill-run', id, { limit: 10 });

describe('starting a backfill run', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it('refuses anyone but an administrator, naming the action', async () => {
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    const e = await h.runs
      .start(manager, { vendorId: 'prometheus', prefix: 'a/', reason: 'r' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(
      'backfilling history is an explicit import by an administrator',
    );
    expect((e as ForbiddenError).details).toEqual([
      { path: 'role', problem: 'needs the telemetry.backfill action (admin)' },
    ]);
    await expect(h.runs.status(manager, RUN)).rejects.toBeInstanceOf(ForbiddenError);
    expect(h.started).toEqual([]);
  });

  it('refuses where runs are not deployed, recording nothing', async () => {
    const bare = harness({ starter: false });
    const e = await bare.runs
      .start(admin, { vendorId: 'prometheus', prefix: 'a/', reason: 'r' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as Error).message).toBe(
      'backfill runs over S3 objects are deployed on AWS only; here, send the file in chunks to POST /v1/telemetry/backfills (accord backfill does)',
    );
    await expect(
      bare.runs.start(admin, { vendorId: 'nobody', prefix: 'a/', reason: 'r' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('records the run, starts its execution with defaults, and answers it running', async () => {
    const run = await h.runs.start(admin, {
      vendorId: 'prometheus',
      prefix: 'april/',
      reason: 'history of April',
    });
    expect(run.id).toMatch(/^bf_[0-9a-f-]{36}$/);
    expect(h.started).toEqual([
      {
        jobId: run.id,
        vendorId: 'prometheus',
        prefix: 'april/',
        reason: 'history of April',
        by: 'ada',
        concurrency: 1,
        declaredTotal: null,
      },
    ]);
    expect(run).toEqual({
      id: run.id,
      vendorId: 'prometheus',
      prefix: 'april/',
      by: 'ada',
      reason: 'history of April',
      concurrency: 1,
      startedAt: AT,
      state: 'running',
      finishedAt: null,
      objects: null,
      failures: [],
      error: null,
      job: JOB,
      executionId: 'arn:aws:states:eu-west-1:1:execution:backfill:run',
    });
    const [entry, ...more] = await trail(h, run.id);
    expect(more).toEqual([]);
    expect({ ...entry!, eventId: 'x' }).toEqual({
      entity: 'telemetry-backfill-run',
      entityId: run.id,
      version: 1,
      eventId: 'x',
      at: AT,
      by: 'ada',
      reason: 'history of April',
      change: 'backfill run started',
      diff: [
        {
          path: 'run',
          op: 'added',
          after: { vendorId: 'prometheus', prefix: 'april/', concurrency: 1, declaredTotal: null },
        },
      ],
    });
  });

  it('passes the concurrency and declared total asked for', async () => {
    await h.runs.start(admin, {
      vendorId: 'prometheus',
      prefix: 'april/',
      reason: 'r',
      concurrency: 8,
      declaredTotal: 5000,
    });
    expect(h.started[0]).toMatchObject({ concurrency: 8, declaredTotal: 5000 });
  });

  it('records the run failed when its execution cannot be started, and throws the starter’s error', async () => {
    const boom = new Error('throttled');
    h.starter = async () => {
      throw boom;
    };
    await expect(h.runs.start(admin, { vendorId: 'prometheus', prefix: 'april/', reason: 'r' })).rejects.toBe(
      boom,
    );
    const id = h.started[0]!.jobId;
    const run = await h.runs.status(admin, id);
    expect(run).toMatchObject({
      state: 'failed',
      finishedAt: AT,
      objects: null,
      error: 'StartExecution: Error: throttled',
    });
    expect((await trail(h, id)).map((e) => [e.version, e.change, e.diff[0]!.path])).toEqual([
      [1, 'backfill run started', 'run'],
      [2, 'backfill run failed', 'result'],
    ]);
  });
});

describe('reading a run', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness();
    await startedRun(h.audit);
  });

  it('answers an unknown run, or a malformed id, with a NotFoundError naming the field', async () => {
    const other = 'bf_00000000-0000-4000-8000-000000000002';
    const e = await h.runs.status(admin, other).catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe(`there is no backfill run ${other}`);
    expect((e as NotFoundError).details).toEqual([{ path: 'runId', problem: 'unknown run' }]);
    const bad = await h.runs.status(admin, 'agr_01X').catch((x) => x);
    expect(bad).toBeInstanceOf(NotFoundError);
    expect((bad as NotFoundError).details).toEqual([{ path: 'runId', problem: 'unknown run' }]);
    // A malformed id is not looked up.
    expect(h.listed).toEqual([other]);
  });

  it('answers a run before its first chunk with no job, and throws what else the job read throws', async () => {
    h.job = async () => {
      throw new NotFoundError('no job yet', [{ path: 'jobId', problem: 'no job yet' }]);
    };
    const run = await h.runs.status(admin, RUN);
    expect(run).toEqual({
      id: RUN,
      vendorId: 'prometheus',
      prefix: 'april/',
      by: 'ada',
      reason: 'history of April',
      concurrency: 4,
      startedAt: '2026-05-01T08:00:00.000Z',
      state: 'running',
      finishedAt: null,
      objects: null,
      failures: [],
      error: null,
      job: null,
    });
    const down = new UnavailableError('the store is down');
    h.job = async () => {
      throw down;
    };
    await expect(h.runs.status(admin, RUN)).rejects.toBe(down);
  });

  it('reads the report of the latest entry of the trail', async () => {
    await h.runs.finish({ jobId: RUN, error: { Error: 'States.Timeout', Cause: 'too slow' } });
    await h.runs.finish({ jobId: RUN, error: { Error: 'States.Runtime', Cause: 'again' } });
    const run = await h.runs.status(admin, RUN);
    expect(run).toMatchObject({ state: 'failed', finishedAt: AT, error: 'States.Runtime: again', job: JOB });
  });
});

describe('importing one object of a run', () => {
  let h: Harness;
  const item = (over: Partial<BackfillItem> = {}): BackfillItem => ({
    jobId: RUN,
    vendorId: 'prometheus',
    reason: 'history of April',
    by: 'ada',
    declaredTotal: null,
    bucket: BUCKET,
    key: 'april/part-0001.om',
    size: 100,
    ...over,
  });
  beforeEach(() => {
    h = harness();
  });

  it('imports the object into the run’s job as the administrator who started it', async () => {
    h.files.set('april/part-0001.om', { body: Buffer.from('# EOF\n'), contentType: 'binary/octet-stream' });
    const r = await h.runs.importObject(item({ size: BACKFILL_LIMITS.maxBodyBytes }));
    expect(r).toEqual({ key: 'april/part-0001.om', imported: true, submitted: 10, accepted: 9 });
    expect(h.imports).toEqual([
      {
        principal: {
          subject: 'ada',
          roles: ['admin'],
          businessUnits: [],
          services: [],
          signOffCapacities: [],
        },
        req: {
          vendorId: 'prometheus',
          contentType: 'application/openmetrics-text',
          body: Buffer.from('# EOF\n'),
          reason: 'history of April',
          jobId: RUN,
          declaredTotal: undefined,
          newJob: true,
        },
      },
    ]);
    await h.runs.importObject(item({ declaredTotal: 500 }));
    expect(h.imports[1]!.req.declaredTotal).toBe(500);
  });

  it('takes the content type from the key’s last extension, in any case, else from the object, else none', async () => {
    const cases: [string, string | undefined, string][] = [
      ['april/PART.CSV', 'binary/octet-stream', 'text/csv'],
      ['april/part.txt', undefined, 'application/openmetrics-text'],
      ['april/part.csv.gz', 'text/plain', 'text/plain'],
      ['april/part-2', 'text/csv', 'text/csv'],
      ['april/part-3', undefined, ''],
      ['april/part.x', 'text/plain', 'text/plain'],
    ];
    for (const [key, contentType, _] of cases)
      h.files.set(key, { body: Buffer.from('x'), ...(contentType ? { contentType } : {}) });
    for (const [key] of cases) await h.runs.importObject(item({ key }));
    expect(h.imports.map((x) => x.req.contentType)).toEqual(cases.map((c) => c[2]));
  });

  it('answers an object over the request limit as a failure without reading it', async () => {
    const size = BACKFILL_LIMITS.maxBodyBytes + 1;
    const r = await h.runs.importObject(item({ size }));
    expect(r).toEqual({
      key: 'april/part-0001.om',
      imported: false,
      failure: {
        key: 'april/part-0001.om',
        code: 'payload_too_large',
        message: `the object holds ${size} bytes; a chunk object holds at most ${BACKFILL_LIMITS.maxBodyBytes}`,
        details: [{ path: 'april/part-0001.om', problem: `${size} bytes > ${BACKFILL_LIMITS.maxBodyBytes}` }],
      },
    });
    expect(h.imports).toEqual([]);
  });

  it('answers an object the import refuses as a failure with its code, and throws what is not a refusal', async () => {
    h.files.set('april/part-0001.om', { body: Buffer.from('x') });
    h.importChunk = async () => {
      throw new ValidationError('line 1: not OpenMetrics', [{ path: 'line 1', problem: 'not a sample' }]);
    };
    expect(await h.runs.importObject(item())).toEqual({
      key: 'april/part-0001.om',
      imported: false,
      failure: {
        key: 'april/part-0001.om',
        code: 'validation_failed',
        message: 'line 1: not OpenMetrics',
        details: [{ path: 'line 1', problem: 'not a sample' }],
      },
    });
    // The object is gone: the reader's 404 is a refusal too.
    expect((await h.runs.importObject(item({ key: 'april/gone.om' }))).failure).toMatchObject({
      key: 'april/gone.om',
      code: 'not_found',
    });
    const down = new UnavailableError('the store is down');
    h.importChunk = async () => {
      throw down;
    };
    await expect(h.runs.importObject(item())).rejects.toBe(down);
    const bug = new TypeError('a bug');
    h.importChunk = async () => {
      throw bug;
    };
    await expect(h.runs.importObject(item())).rejects.toBe(bug);
  });

  it('answers 503 where the bucket is not wired', async () => {
    const bare = harness({ objects: false });
    await expect(bare.runs.importObject(item())).rejects.toThrow(
      new UnavailableError('backfill runs are not deployed here'),
    );
    await expect(bare.runs.importObject(item())).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('finishing a run', () => {
  let h: Harness;
  const put = (key: string, value: unknown) =>
    h.files.set(key, { body: Buffer.from(JSON.stringify(value)), contentType: 'application/json' });
  beforeEach(async () => {
    h = harness();
    await startedRun(h.audit);
  });

  it('refuses a run that was never started', async () => {
    const e = await h.runs.finish({ jobId: 'bf_nope' }).catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe('there is no backfill run bf_nope');
  });

  it('records a map that did not run, with its error or a default one', async () => {
    expect(await h.runs.finish({ jobId: RUN })).toEqual({
      state: 'failed',
      objects: null,
      error: 'States.Runtime: the map did not run',
      failed: 0,
    });
    expect((await h.runs.finish({ jobId: RUN, error: { Error: 'States.Timeout' } })).error).toBe(
      'States.Timeout: the map did not run',
    );
    expect((await h.runs.finish({ jobId: RUN, error: { Cause: 'listing denied' } })).error).toBe(
      'States.Runtime: listing denied',
    );
    const entries = await trail(h);
    expect(entries.map((e) => [e.version, e.change, e.by, e.reason, e.at])).toEqual([
      [1, 'backfill run started', 'ada', 'history of April', '2026-05-01T08:00:00.000Z'],
      [2, 'backfill run failed', 'ada', 'history of April', AT],
      [3, 'backfill run failed', 'ada', 'history of April', AT],
      [4, 'backfill run failed', 'ada', 'history of April', AT],
    ]);
    expect(entries[1]!.diff).toEqual([
      {
        path: 'result',
        op: 'added',
        after: { state: 'failed', objects: null, failures: [], error: 'States.Runtime: the map did not run' },
      },
    ]);
  });

  it('takes the next free version when another finish wrote the one it counted on', async () => {
    const first = (await trail(h))[0]!;
    // Another writer's version 3 (as if it raced); the list this finish reads holds versions 1 and 2.
    await h.audit.record({ ...first, version: 2, eventId: 'e2', change: 'backfill run failed' });
    await h.audit.record({ ...first, version: 3, eventId: 'e3', change: 'backfill run failed' });
    const audit = h.audit;
    const realList = audit.list.bind(audit);
    audit.list = async (entity, id, o) => (await realList(entity, id, o)).filter((e) => e.version !== 3);
    await h.runs.finish({ jobId: RUN });
    audit.list = realList;
    expect((await trail(h)).map((e) => [e.version, e.eventId === 'e3'])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
    ]);
  });

  it('reports the objects imported, failed (with why) and pending from the map’s result files', async () => {
    put('results/manifest.json', {
      ResultFiles: {
        SUCCEEDED: [{ Key: 'results/SUCCEEDED_0.json' }],
        FAILED: [{ Key: 'results/FAILED_0.json' }],
        PENDING: [{ Key: 'results/PENDING_0.json' }],
      },
    });
    const refused = { key: 'april/b.om', code: 'validation_failed', message: 'line 3: bad' };
    put('results/SUCCEEDED_0.json', [
      { Input: '{"key":"april/a.om"}', Output: JSON.stringify({ key: 'april/a.om', imported: true }) },
      {
        Input: '{"key":"april/b.om"}',
        Output: JSON.stringify({ key: 'april/b.om', imported: false, failure: refused }),
      },
      { Input: '{"key":"april/c.om"}', Output: '' },
      { Input: 'not json', Output: 'not json either' },
      { Input: '{"key":"april/e.om"}', Output: JSON.stringify({ key: 'april/e.om', imported: true }) },
    ]);
    put('results/FAILED_0.json', [
      { Input: '{"key":"april/f.om"}', Error: 'Lambda.Unknown', Cause: 'out of memory' },
      { Input: '{}' },
    ]);
    put('results/PENDING_0.json', [{ Input: '{"key":"april/g.om"}' }, { Input: '{"key":"april/h.om"}' }]);
    const out = await h.runs.finish({
      jobId: RUN,
      results: { Bucket: BUCKET, Key: 'results/manifest.json' },
    });
    expect(out).toEqual({
      state: 'finished',
      objects: { imported: 2, failed: 5, pending: 2 },
      error: null,
      failed: 5,
    });
    const run = await h.runs.status(admin, RUN);
    expect(run.failures).toEqual([
      refused,
      { key: 'april/c.om', code: 'no_result', message: 'the item processor answered nothing' },
      { key: '(unknown)', code: 'no_result', message: 'the item processor answered nothing' },
      { key: 'april/f.om', code: 'execution_failed', message: 'Lambda.Unknown: out of memory' },
      {
        key: '(unknown)',
        code: 'execution_failed',
        message: 'States.TaskFailed: the child execution failed',
      },
    ]);
    expect(run).toMatchObject({
      state: 'finished',
      objects: { imported: 2, failed: 5, pending: 2 },
      error: null,
    });
    expect((await trail(h))[1]!.change).toBe('backfill run finished');
  });

  it('lists at most 200 failures and counts them all; a manifest without files reports nothing', async () => {
    put('results/manifest.json', { ResultFiles: { FAILED: [{ Key: 'results/FAILED_0.json' }] } });
    put(
      'results/FAILED_0.json',
      Array.from({ length: MAX_LISTED_FAILURES + 1 }, (_, i) => ({
        Input: JSON.stringify({ key: `k${i}` }),
      })),
    );
    expect(
      await h.runs.finish({ jobId: RUN, results: { Bucket: BUCKET, Key: 'results/manifest.json' } }),
    ).toMatchObject({
      objects: { imported: 0, failed: 201, pending: 0 },
      failed: 201,
    });
    const run = await h.runs.status(admin, RUN);
    expect(run.failures).toHaveLength(200);
    expect(run.failures.at(-1)!.key).toBe('k199');
    put('results/empty.json', {});
    expect(
      await h.runs.finish({ jobId: RUN, results: { Bucket: BUCKET, Key: 'results/empty.json' } }),
    ).toEqual({
      state: 'finished',
      objects: { imported: 0, failed: 0, pending: 0 },
      error: null,
      failed: 0,
    });
  });
});

describe('the run use cases of a container', () => {
  it('answers them where wired and a 503 where not', () => {
    const { runs } = harness();
    expect(backfillRunsIn({ backfillRuns: runs })).toBe(runs);
    expect(() => backfillRunsIn({})).toThrow(new UnavailableError('backfill runs are not deployed here'));
    expect(() => backfillRunsIn({})).toThrow(UnavailableError);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditStore } from '../../../shared/adapters/memory/audit.js';
import {
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { AuditEntry } from '../../../shared/schemas/agreement.js';
import type { IngestResponse } from '../../../shared/schemas/telemetry.js';
import {
  BACKFILL_LIMITS,
  type BackfillChunkRequest,
  BackfillUseCases,
} from '../../../shared/usecases/backfill.js';
import { admin, NOW, OM, vendorRecord } from '../../helpers/backfill-columnar.js';
import { principal } from '../../helpers/fixtures.js';

/**
 * The backfill import use case on its own: the trail in a memory audit store, live ingest and the columnar fast path
 * as stubs that answer what the test sets and record what they were given.
 */

const JOB = 'bf_00000000-0000-4000-8000-000000000001';
const CSV = 'text/csv';
const csv = Buffer.from('timestamp,metric,value\n1777600000,up,1\n');
const om = Buffer.from('# TYPE up gauge\nup 1 1777600000\n# EOF\n');
type Answer = Pick<IngestResponse, 'submitted' | 'accepted' | 'duplicates' | 'rejected'>;
const rejected = (n: number, reason = 'too_old') =>
  Array.from({ length: n }, (_, i) => ({
    index: i,
    path: `line ${i + 1}`,
    reason,
    message: `sample ${i + 1}`,
  }));

describe('importing a backfill chunk', () => {
  let audit: MemoryAuditStore;
  let answer: Answer;
  let ingested: number;
  let columnarAsked: number;
  let backfill: BackfillUseCases;
  const make = (a: MemoryAuditStore | Pick<MemoryAuditStore, 'list' | 'record'>) =>
    new BackfillUseCases({
      ingest: () => ({
        ingestBackfill: async () => {
          ingested++;
          return answer as IngestResponse;
        },
      }),
      audit: a as MemoryAuditStore,
      clock: { now: () => new Date(NOW) },
      vendors: { get: async (id: string) => (id === 'ghost' ? undefined : vendorRecord(id, [])) },
      columnar: () => ({
        tryImport: async () => {
          columnarAsked++;
          return undefined;
        },
      }),
    });
  const send = (over: Partial<BackfillChunkRequest> = {}) =>
    backfill.importChunk(admin, {
      vendorId: 'prometheus',
      contentType: CSV,
      body: csv,
      reason: 'April',
      ...over,
    });

  beforeEach(() => {
    audit = new MemoryAuditStore();
    answer = { submitted: 3, accepted: 2, duplicates: 1, rejected: [] };
    ingested = 0;
    columnarAsked = 0;
    backfill = make(audit);
  });

  it('refuses anyone but an administrator, naming the action', async () => {
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    const e = await backfill
      .importChunk(manager, { vendorId: 'prometheus', contentType: CSV, body: csv, reason: 'r' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(
      'backfilling history is an explicit import by an administrator',
    );
    expect((e as ForbiddenError).details).toEqual([
      { path: 'role', problem: 'needs the telemetry.backfill action (admin)' },
    ]);
    await expect(backfill.job(manager, JOB)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses another content type, naming the ones it takes', async () => {
    const e = await send({ contentType: 'application/json' }).catch((x) => x);
    expect(e).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((e as Error).message).toBe('a backfill file is OpenMetrics text or CSV');
    expect((e as UnsupportedMediaTypeError).details).toEqual([
      {
        path: 'Content-Type',
        problem: '"application/json" is not one of application/openmetrics-text, text/csv',
      },
    ]);
    const none = await send({ contentType: '' }).catch((x) => x);
    expect((none as UnsupportedMediaTypeError).details[0]!.problem).toBe(
      '"(none)" is not one of application/openmetrics-text, text/csv',
    );
    expect(ingested).toBe(0);
  });

  it('reads the media type without its parameters or spaces, in any case', async () => {
    const job = await send({ contentType: ' Text/CSV ; charset=utf-8' });
    expect(job.submitted).toBe(3);
  });

  it('refuses a compressed chunk, and takes one sent as identity in any case', async () => {
    const e = await send({ contentEncoding: 'gzip' }).catch((x) => x);
    expect(e).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((e as Error).message).toBe('a backfill chunk is sent uncompressed');
    expect((e as UnsupportedMediaTypeError).details).toEqual([
      { path: 'Content-Encoding', problem: `"gzip" is not accepted: send the file's bytes as they are` },
    ]);
    expect(ingested).toBe(0);
    expect((await send({ contentEncoding: ' IDENTITY ' })).chunks).toBe(1);
  });

  it('names the file kind that cannot be read', async () => {
    const e = await send({ body: Buffer.from('time,metric\n1,a\n') }).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toBe('the CSV file cannot be read');
    expect((e as ValidationError).details.length).toBeGreaterThan(0);
    const o = await send({ contentType: OM, body: Buffer.from('this is not openmetrics {{{\n') }).catch(
      (x) => x,
    );
    expect(o).toBeInstanceOf(ValidationError);
    expect((o as Error).message).toBe('the OpenMetrics file cannot be read');
  });

  it('tries the columnar fast path for OpenMetrics only', async () => {
    await send();
    expect([columnarAsked, ingested]).toEqual([0, 1]);
    await send({ contentType: OM, body: om });
    expect([columnarAsked, ingested]).toEqual([1, 2]);
  });

  it('refuses a chunk of more samples than a request may carry, before ingesting it', async () => {
    const line = '1777600000,up,1\n';
    const at = (n: number) => Buffer.from(`timestamp,metric,value\n${line.repeat(n)}`);
    const e = await send({ body: at(BACKFILL_LIMITS.maxSamplesPerRequest + 1) }).catch((x) => x);
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    const n = BACKFILL_LIMITS.maxSamplesPerRequest + 1;
    expect((e as Error).message).toBe(
      `the chunk carries ${n} samples; send at most 200000 per request (accord backfill splits a file)`,
    );
    expect((e as PayloadTooLargeError).details).toEqual([
      { path: '(body)', problem: `${n} samples > 200000` },
    ]);
    expect(ingested).toBe(0);
  }, 30_000);

  it('records each chunk as the next entry of the job’s trail, the first as its start', async () => {
    answer = { ...answer, rejected: rejected(25) };
    let writes = 0;
    backfill = make({
      record: (e: AuditEntry) => {
        writes++;
        return audit.record(e);
      },
      list: (...args: Parameters<MemoryAuditStore['list']>) => audit.list(...args),
    });
    const first = await send({ declaredTotal: 10 });
    const second = await send({ jobId: first.id });
    // Nothing raced: one write per chunk.
    expect(writes).toBe(2);
    const trail = await audit.list('telemetry-backfill', first.id, { limit: 10 });
    expect(trail.map((e) => [e.version, e.change, e.diff[0]!.path])).toEqual([
      [1, 'backfill started', 'chunks[0]'],
      [2, 'backfill chunk', 'chunks[1]'],
    ]);
    expect((trail[0]!.diff[0]!.after as { rejections: unknown[] }).rejections).toHaveLength(
      BACKFILL_LIMITS.maxListedRejections,
    );
    expect(second).toMatchObject({
      chunks: 2,
      declaredTotal: 10,
      submitted: 6,
      rejected: 50,
      rejectedByReason: { too_old: 50 },
    });
    expect(second.rejections.map((r) => r.chunk)).toEqual([...Array(20).fill(1), ...Array(20).fill(2)]);
  });

  it('lists the first hundred rejections of a job, by chunk', async () => {
    answer = { ...answer, rejected: rejected(20) };
    const { id } = await send();
    for (let i = 0; i < 5; i++) await send({ jobId: id });
    const job = await backfill.job(admin, id);
    expect(job.rejected).toBe(120);
    expect(job.rejections).toHaveLength(100);
    expect(job.rejections.at(-1)!.chunk).toBe(5);
  });

  it('takes the next free entry when another process recorded the one it counted on', async () => {
    const { id } = await send();
    // Another process's chunk 2, which this one has not read: it counts on version 2, finds it taken, takes 3.
    const [v1] = await audit.list('telemetry-backfill', id, { limit: 10 });
    await audit.record({ ...v1!, version: 2, eventId: 'racer', change: 'backfill chunk' });
    const blind = {
      record: (e: AuditEntry) => audit.record(e),
      list: async (...args: Parameters<MemoryAuditStore['list']>) =>
        (await audit.list(...args)).filter((e) => e.eventId !== 'racer'),
    };
    await make(blind).importChunk(admin, {
      vendorId: 'prometheus',
      contentType: CSV,
      body: csv,
      reason: 'r',
      jobId: id,
    });
    const trail = await audit.list('telemetry-backfill', id, { limit: 10 });
    expect(trail.map((e) => [e.version, e.eventId === 'racer', e.diff[0]!.path])).toEqual([
      [1, false, 'chunks[0]'],
      [2, true, 'chunks[0]'],
      [3, false, 'chunks[2]'],
    ]);
  });

  it('keeps a job to one vendor', async () => {
    const { id } = await send();
    const e = await send({ jobId: id, vendorId: 'datadog' }).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toBe('a job reads one vendor’s series');
    expect((e as ValidationError).details).toEqual([
      { path: 'vendor', problem: `job ${id} reads prometheus's series, not datadog's` },
    ]);
  });

  it('answers an unknown job with a NotFoundError, unless a run minted its id for this first chunk', async () => {
    const e = await send({ jobId: JOB }).catch((x) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe(`there is no backfill job ${JOB}`);
    expect((e as NotFoundError).details).toEqual([{ path: 'jobId', problem: 'unknown job' }]);
    const j = await backfill.job(admin, JOB).catch((x) => x);
    expect(j).toBeInstanceOf(NotFoundError);
    expect((j as NotFoundError).details).toEqual([{ path: 'jobId', problem: 'unknown job' }]);
    // A malformed id is refused even as a run's first chunk.
    await expect(send({ jobId: 'bf_1', newJob: true })).rejects.toBeInstanceOf(NotFoundError);
    expect(ingested).toBe(0);
    const job = await send({ jobId: JOB, newJob: true });
    expect(job).toMatchObject({ id: JOB, chunks: 1, vendorId: 'prometheus' });
  });

  it('reads a trail of more than one page', async () => {
    const { id } = await send();
    for (let i = 0; i < 200; i++) await send({ jobId: id });
    // Another process, which remembers nothing of the job: reads it in pages of 200.
    expect((await make(audit).job(admin, id)).chunks).toBe(201);
  });
});

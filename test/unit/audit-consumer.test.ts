import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/audit/consumer.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { MemoryAuditStore } from '../../shared/adapters/memory/audit.js';
import { streamRecordFor } from '../../shared/adapters/stream/change-record.js';
import type { AuditStore } from '../../shared/ports/audit.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { AuditQueries, AuditRecorder } from '../../shared/usecases/audit.js';
import { agreementVersion } from '../helpers/fixtures.js';

let audit: MemoryAuditStore;
let failNext = 0;

beforeEach(() => {
  audit = new MemoryAuditStore();
  failNext = 0;
  const flaky: AuditStore = {
    record: async (e) => {
      if (failNext > 0 && e.version === 2) {
        failNext--;
        throw new Error('throttled');
      }
      return audit.record(e);
    },
    list: (...a) => audit.list(...a),
  };
  setContainer({
    auditRecorder: new AuditRecorder(flaky),
    auditQueries: new AuditQueries(audit, {
      agreement: async () => undefined,
      service: async () => undefined,
      vendor: async () => undefined,
    }),
  } as unknown as Container);
});

const v1 = agreementVersion({ title: 'Before' });
const v2 = {
  ...v1,
  version: 2,
  title: 'After',
  change: 'update',
  reason: 'rename',
  changedBy: 'rita@example.com',
};
const v3 = { ...v2, version: 3, status: 'submitted' as const, change: 'submit', reason: 'ready' };
const batch = (): DynamoDBStreamEvent => ({
  Records: [
    streamRecordFor(1, 'agreement', undefined, v1),
    streamRecordFor(2, 'agreement', v1, v2),
    streamRecordFor(3, 'agreement', v2, v3),
  ],
});
const deliver = async (e: DynamoDBStreamEvent) =>
  (await handler(e, lambdaContext('audit'))) as DynamoDBBatchResponse;

describe('the audit consumer', () => {
  it('writes one entry per change with who, why and the field-level diff', async () => {
    expect((await deliver(batch())).batchItemFailures).toEqual([]);
    const entries = await audit.list('agreement', v1.id, { limit: 10 });
    expect(entries.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(entries[1]).toMatchObject({
      by: 'rita@example.com',
      reason: 'rename',
      change: 'update',
      diff: [{ path: 'title', op: 'changed', before: 'Before', after: 'After' }],
    });
    expect(entries[2]!.diff).toEqual([
      { path: 'status', op: 'changed', before: 'draft', after: 'submitted' },
    ]);
  });

  it('writes nothing twice when the same batch is delivered again', async () => {
    await deliver(batch());
    await deliver(batch());
    expect(await audit.list('agreement', v1.id, { limit: 10 })).toHaveLength(3);
  });

  it('reports the first failed record so that only it and what follows are retried', async () => {
    await deliver({ Records: [streamRecordFor(1, 'agreement', undefined, v1)] });
    failNext = 1;
    const res = await deliver(batch());
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: batch().Records[1]!.dynamodb!.SequenceNumber }]);
    expect(await audit.list('agreement', v1.id, { limit: 10 })).toHaveLength(1);
    await deliver({ Records: batch().Records.slice(1) });
    expect((await audit.list('agreement', v1.id, { limit: 10 })).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('ignores records that are not audited items', async () => {
    const r = streamRecordFor(9, 'agreement', undefined, v1);
    delete (r.dynamodb!.NewImage as Record<string, unknown>).auditEntity;
    expect((await deliver({ Records: [r] })).batchItemFailures).toEqual([]);
    expect(await audit.list('agreement', v1.id, { limit: 10 })).toEqual([]);
  });
});

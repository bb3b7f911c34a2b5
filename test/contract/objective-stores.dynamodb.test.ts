import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoEvaluationStore,
  DynamoExceptionWindowStore,
  DynamoViolationStore,
} from '../../shared/adapters/dynamodb/objectives.js';
import type { ExceptionWindowRecord } from '../../shared/ports/objectives.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { evaluationStoreContract } from './evaluation-store.contract.js';
import { exceptionWindowStoreContract } from './exception-window-store.contract.js';
import { violationStoreContract } from './violation-store.contract.js';

const local = useDynamoLocal();

// These suites build their store synchronously for each test: tables are created ahead, one set per test.
const pool: string[] = [];
beforeAll(async () => {
  const sets = await Promise.all(Array.from({ length: 40 }, () => local().createTables(['Data'])));
  pool.push(...sets.map((t) => t.Data!));
});
const nextTable = () => {
  const t = pool.shift();
  if (!t) throw new Error('the table pool is empty: raise its size');
  return t;
};

exceptionWindowStoreContract(
  'DynamoDB (DynamoDB Local)',
  () => new DynamoExceptionWindowStore(local().doc, nextTable()),
);
violationStoreContract('DynamoDB (DynamoDB Local)', () => new DynamoViolationStore(local().doc, nextTable()));
// DynamoDB expires budget history itself (TTL): the contract checks the expiry each point carries instead.
const HISTORY_DAYS = 30;
let evaluationTable = '';
const stored = async (pk: string, sk: string) =>
  (
    await local().doc.send(
      new GetCommand({ TableName: evaluationTable, Key: { pk, sk }, ConsistentRead: true }),
    )
  ).Item;
evaluationStoreContract(
  'DynamoDB (DynamoDB Local)',
  () => {
    evaluationTable = nextTable();
    return new DynamoEvaluationStore(local().doc, evaluationTable, HISTORY_DAYS);
  },
  {
    kind: 'expires',
    days: HISTORY_DAYS,
    historyExpiry: async (agreementId, objectiveId, at) =>
      (await stored(`EVH#${agreementId}#${objectiveId}`, String(Date.parse(at)).padStart(15, '0')))
        ?.expiresAt,
    latestExpiry: async (agreementId, objectiveId) => {
      const item = await stored(`EVL#${agreementId}`, objectiveId);
      if (!item) throw new Error(`no latest result stored for ${agreementId}/${objectiveId}`);
      return item.expiresAt;
    },
    expiryAttribute: async () => {
      const raw = new DynamoDBClient(local().config);
      try {
        const d = await raw.send(new DescribeTimeToLiveCommand({ TableName: evaluationTable }));
        return d.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED'
          ? d.TimeToLiveDescription.AttributeName
          : undefined;
      } finally {
        raw.destroy();
      }
    },
  },
);

describe('DynamoDB exception-window lock (writeUnless)', () => {
  const window = (
    id: string,
    status: ExceptionWindowRecord['status'],
    version: number,
  ): ExceptionWindowRecord => ({
    id,
    agreementId: 'agr_0000000001',
    kind: 'planned-maintenance',
    start: '2026-01-02T00:00:00.000Z',
    end: '2026-01-02T02:00:00.000Z',
    status,
    version,
    requestedBy: 'ops-subject',
    reason: 'database upgrade',
    createdBy: 'ops-subject',
    createdAt: '2026-01-01T00:00:00.000Z',
    changedBy: 'ops-subject',
    changedAt: '2026-01-01T00:00:00.000Z',
    change: 'exception:request',
    changeReason: 'database upgrade',
  });

  it('reads back the windows written through the lock, so one the index does not show yet is still seen', async () => {
    const table = nextTable();
    const store = new DynamoExceptionWindowStore(local().doc, table);
    const around = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' };
    await store.writeUnless(window('exc_a', 'requested', 1), around, () => undefined);
    // As if the index lagged: exc_a's item approved in the table but without its index keys (absent from the index).
    await local().doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'EXC#exc_a', sk: 'CURRENT', version: 2, doc: window('exc_a', 'approved', 2) },
      }),
    );
    expect(await store.list({ agreementId: 'agr_0000000001' })).toEqual([]);
    const seen: string[] = [];
    const refused = await store.writeUnless(window('exc_b', 'requested', 1), around, (ws) => {
      seen.push(...ws.map((w) => `${w.id}:${w.status}`));
      return ws.length ? 'overlaps' : undefined;
    });
    expect(seen).toEqual(['exc_a:approved']);
    expect(refused).toBe('overlaps');
  });
});

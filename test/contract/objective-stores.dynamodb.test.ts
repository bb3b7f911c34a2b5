import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll } from 'vitest';
import {
  DynamoEvaluationStore,
  DynamoExceptionWindowStore,
  DynamoViolationStore,
} from '../../shared/adapters/dynamodb/objectives.js';
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

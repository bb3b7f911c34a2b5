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
  const sets = await Promise.all(Array.from({ length: 32 }, () => local().createTables()));
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
evaluationStoreContract(
  'DynamoDB (DynamoDB Local)',
  () => new DynamoEvaluationStore(local().doc, nextTable()),
);

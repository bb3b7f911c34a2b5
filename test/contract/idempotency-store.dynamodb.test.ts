import { DynamoIdempotencyStore } from '../../shared/adapters/dynamodb/telemetry.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

const local = useDynamoLocal();

idempotencyStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoIdempotencyStore(doc, (await createTables(['Rollups'])).Rollups!);
});

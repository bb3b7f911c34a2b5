import { DynamoSeenSampleStore } from '../../shared/adapters/dynamodb/seen.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { seenSampleStoreContract } from './seen-sample-store.contract.js';

const local = useDynamoLocal();

seenSampleStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoSeenSampleStore(doc, (await createTables(['Rollups'])).Rollups!, 4 * 86_400);
});

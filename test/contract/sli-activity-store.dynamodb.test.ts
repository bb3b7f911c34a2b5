import { DynamoSliActivityStore } from '../../shared/adapters/dynamodb/series-state.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { sliActivityStoreContract } from './sli-activity-store.contract.js';

const local = useDynamoLocal();

sliActivityStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoSliActivityStore(doc, (await createTables(['Rollups'])).Rollups!);
});

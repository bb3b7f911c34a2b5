import { DynamoSeriesStateStore } from '../../shared/adapters/dynamodb/series-state.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { seriesStateStoreContract } from './series-state-store.contract.js';

const local = useDynamoLocal();

seriesStateStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoSeriesStateStore(doc, (await createTables(['Rollups'])).Rollups!);
});

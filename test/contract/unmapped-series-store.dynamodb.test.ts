import { DynamoUnmappedSeriesStore } from '../../shared/adapters/dynamodb/telemetry.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { unmappedSeriesStoreContract } from './unmapped-series-store.contract.js';

const local = useDynamoLocal();

unmappedSeriesStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoUnmappedSeriesStore(doc, (await createTables(['Rollups'])).Rollups!);
});

import { DynamoDiscrepancyStore } from '../../shared/adapters/dynamodb/telemetry.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { discrepancyStoreContract } from './discrepancy-store.contract.js';

const local = useDynamoLocal();

discrepancyStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoDiscrepancyStore(doc, (await createTables(['Rollups'])).Rollups!);
});

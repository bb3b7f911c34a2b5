import { DynamoGovernanceRequestStore } from '../../shared/adapters/dynamodb/workflows.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { governanceStoreContract } from './governance-store.contract.js';

const local = useDynamoLocal();

governanceStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoGovernanceRequestStore(doc, (await createTables(['Workflows'])).Workflows!);
});

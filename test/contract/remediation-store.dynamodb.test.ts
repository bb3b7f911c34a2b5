import { DynamoRemediationStore } from '../../shared/adapters/dynamodb/workflows.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { remediationStoreContract } from './remediation-store.contract.js';

const local = useDynamoLocal();

remediationStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoRemediationStore(doc, (await createTables(['Workflows'])).Workflows!);
});

import { DynamoWorkTaskStore } from '../../shared/adapters/dynamodb/workflows.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { workTaskStoreContract } from './work-task-store.contract.js';

const local = useDynamoLocal();

workTaskStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoWorkTaskStore(doc, (await createTables(['Workflows'])).Workflows!);
});

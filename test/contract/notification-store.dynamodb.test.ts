import { DynamoNotificationStore } from '../../shared/adapters/dynamodb/workflows.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { notificationStoreContract } from './notification-store.contract.js';

const local = useDynamoLocal();

notificationStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoNotificationStore(doc, (await createTables(['Workflows'])).Workflows!);
});

import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { serviceStoreContract } from './service-store.contract.js';

const local = useDynamoLocal();

serviceStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoServiceStore(doc, (await createTables(['Data'])).Data!);
});

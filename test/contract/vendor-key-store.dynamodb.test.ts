import { DynamoVendorKeyStore } from '../../shared/adapters/dynamodb/vendors.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { vendorKeyStoreContract } from './vendor-key-store.contract.js';

const local = useDynamoLocal();

vendorKeyStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoVendorKeyStore(doc, (await createTables()).VendorKeys!);
});

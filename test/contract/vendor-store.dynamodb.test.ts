import { DynamoVendorStore } from '../../shared/adapters/dynamodb/vendors.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { vendorStoreContract } from './vendor-store.contract.js';

const local = useDynamoLocal();

vendorStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  const t = await createTables(['Data', 'VendorKeys']);
  return new DynamoVendorStore(doc, t.Data!, t.VendorKeys!);
});

import { DynamoArchiveHeadStore } from '../../shared/adapters/dynamodb/archive-head.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { archiveHeadStoreContract } from './archive-head.contract.js';

const local = useDynamoLocal();

archiveHeadStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  const table = (await createTables(['Audit'])).Audit!;
  return {
    store: new DynamoArchiveHeadStore(doc, table),
    again: () => new DynamoArchiveHeadStore(doc, table),
  };
});

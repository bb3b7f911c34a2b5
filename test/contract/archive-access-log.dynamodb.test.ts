import { DynamoArchiveAccessLog } from '../../shared/adapters/dynamodb/archive-access.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { archiveAccessLogContract } from './archive-access-log.contract.js';

const local = useDynamoLocal();

archiveAccessLogContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoArchiveAccessLog(doc, (await createTables(['Audit'])).Audit!);
});

import { DynamoAuditStore } from '../../shared/adapters/dynamodb/audit.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { auditStoreContract } from './audit-store.contract.js';

const local = useDynamoLocal();

auditStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoAuditStore(doc, (await createTables(['Audit'])).Audit!);
});

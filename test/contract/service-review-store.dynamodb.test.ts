import { DynamoServiceReviewStore } from '../../shared/adapters/dynamodb/reviews.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { serviceReviewStoreContract } from './service-review-store.contract.js';

const local = useDynamoLocal();

serviceReviewStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoServiceReviewStore(doc, (await createTables(['Data'])).Data!);
});

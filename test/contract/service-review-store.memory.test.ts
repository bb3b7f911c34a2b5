import { MemoryServiceReviewStore } from '../../shared/adapters/memory/reviews.js';
import { serviceReviewStoreContract } from './service-review-store.contract.js';

serviceReviewStoreContract('memory', () => new MemoryServiceReviewStore());

import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceReviewStore } from '../../shared/adapters/sqlite/reviews.js';
import { serviceReviewStoreContract } from './service-review-store.contract.js';

serviceReviewStoreContract('SQLite', () => new SqliteServiceReviewStore(openDatabase(':memory:')));

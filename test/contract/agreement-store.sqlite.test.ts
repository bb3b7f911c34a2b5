import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { agreementStoreContract } from './agreement-store.contract.js';

agreementStoreContract('SQLite', () => new SqliteAgreementStore(openDatabase(':memory:')));

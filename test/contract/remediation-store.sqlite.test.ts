import Database from 'better-sqlite3';
import { SqliteRemediationStore } from '../../shared/adapters/sqlite/remediation.js';
import { remediationStoreContract } from './remediation-store.contract.js';

remediationStoreContract('sqlite', () => new SqliteRemediationStore(new Database(':memory:')));

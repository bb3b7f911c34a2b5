import Database from 'better-sqlite3';
import { SqliteGovernanceRequestStore } from '../../shared/adapters/sqlite/governance.js';
import { governanceStoreContract } from './governance-store.contract.js';

governanceStoreContract('sqlite', () => new SqliteGovernanceRequestStore(new Database(':memory:')));

import Database from 'better-sqlite3';
import { SqliteExecutionJournal, SqliteTaskTokenStore } from '../../shared/adapters/sqlite/workflows.js';
import { SqliteWriteBatch } from '../../shared/adapters/sqlite/write-batch.js';
import { workflowEngineContract } from './workflow-engine.contract.js';

workflowEngineContract('sqlite', () => {
  const db = new Database(':memory:');
  return {
    journal: new SqliteExecutionJournal(db),
    tokens: new SqliteTaskTokenStore(db),
    batch: new SqliteWriteBatch(db, (error) => {
      throw error;
    }),
  };
});
